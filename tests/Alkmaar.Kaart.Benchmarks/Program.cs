using BenchmarkDotNet.Running;

// ./kaart bench routing  (sets KAART_BENCH_PG to a PostGIS database it may write a scratch table in)
// ./kaart bench circuits (not BenchmarkDotNet: a load client holding thousands of Blazor circuits; see Circuits/CircuitLoad.cs)
// ./kaart bench locate  (the ceiling: a Kestrel answering constant bytes, measured beside the locate path; Ceiling/)
if (args.Length > 0 && args[0] == "ceiling") return await Alkmaar.Kaart.Benchmarks.Ceiling.CeilingServer.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "circuits") return await Alkmaar.Kaart.Benchmarks.Circuits.CircuitLoad.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

public partial class Program;
