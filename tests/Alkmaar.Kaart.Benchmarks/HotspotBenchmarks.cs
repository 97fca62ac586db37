using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Demo;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Hotspots;
using Alkmaar.Kaart.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// Gi* hotspots on 1,000,000 demo meldingen over the real gemeente (100 m cells), against the baseline of only counting
/// the same points into the same grid (the least any grid analysis must do). Target: under 1 s.
/// </summary>
[Config(typeof(Config))]
public class HotspotBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1));
    }

    private const int Meldingen = 1_000_000;
    private double[] _x = null!, _y = null!;
    private int[] _c = null!;
    private string[] _names = null!;
    private Geometry _gemeente = null!;

    [GlobalSetup]
    public void Setup()
    {
        var indeling = Gebiedsindeling.Load(TestPaths.Gebiedsindeling);
        using var file = File.OpenRead(TestPaths.RealBuurten);
        var areas = new AreaHierarchyBuilder(indeling).Build(BuurtFileReader.Read(file).Buurten).Areas;
        _gemeente = areas.Single(a => a.Level == AreaLevel.Gemeente).Geometry;
        _names = ["afval", "groen", "verlichting", "bestrating", "overlast", "parkeren"];
        var (meldingen, _) = DemoMeldingGenerator.Generate(areas.Where(a => a.Level == AreaLevel.Buurt).ToList(), _names, 2025, Meldingen);
        _x = meldingen.Select(m => m.X).ToArray();
        _y = meldingen.Select(m => m.Y).ToArray();
        _c = meldingen.Select(m => Array.IndexOf(_names, m.Category)).ToArray();
    }

    [Benchmark(Baseline = true, Description = "Count 1,000,000 points into 100 m cells")]
    public int CountOnly()
    {
        var env = _gemeente.EnvelopeInternal;
        int i0 = (int)Math.Floor(env.MinX / 100), j0 = (int)Math.Floor(env.MinY / 100);
        int nx = (int)Math.Floor(env.MaxX / 100) - i0 + 1, ny = (int)Math.Floor(env.MaxY / 100) - j0 + 1;
        var counts = new int[nx * ny];
        for (var k = 0; k < _x.Length; k++)
        {
            int i = (int)Math.Floor(_x[k] / 100) - i0, j = (int)Math.Floor(_y[k] / 100) - j0;
            if (i >= 0 && j >= 0 && i < nx && j < ny) counts[j * nx + i]++;
        }
        return counts.Length;
    }

    [Benchmark(Description = "Gi* with FDR and hotspot polygons, 1,000,000 meldingen")]
    public int GiStarOnAMillion() => GiStar.Compute(_x, _y, _c, _names, _gemeente).Hotspots.Count;
}
