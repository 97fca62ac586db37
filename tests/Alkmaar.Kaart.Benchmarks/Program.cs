using BenchmarkDotNet.Running;

// ./kaart bench routing  (sets KAART_BENCH_PG to a PostGIS database it may write a scratch table in)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

public partial class Program;
