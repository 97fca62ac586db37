using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Npgsql;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// The Gebiedsanalyse (issue 30) on what <c>./kaart run</c> loads and 1,000,000 DEMO meldingen, end to end against the real
/// server (KAART_BENCH_URL, started by <c>./kaart bench gebiedsanalyse</c>): the profile API of any area (target ≤ 50 ms;
/// the requests go round gebieden, wijken, buurten and dorpen), a choropleth of any figure (≤ 30 ms, cached per data
/// state; round the figures and both levels) and the PDF of a gebied's profile (≤ 2 s; round the gebieden), against the
/// baseline: a direct SQL of the same CBS figures (every count and weighted average of one gebied from its buurten).
/// One request per iteration: P95 is the 95th percentile of single requests.
/// </summary>
[Config(typeof(Config))]
public class GebiedsanalyseBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false)).WithWarmupCount(5).WithIterationCount(60)
                .WithInvocationCount(1).WithUnrollFactor(1).WithLaunchCount(1));
            AddColumn(StatisticColumn.P95, StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
            SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
        }
    }

    private HttpClient _http = null!;
    private NpgsqlDataSource _db = null!;
    private string[] _areas = [], _gebieden = [];
    private static readonly string[] Figures = ["a_inw", "a_65_oo", "g_ink_pi", "p_ink_li", "p_hh_osm", "m_hh_ver", "g_ink_po", "p_ste"];
    private int _area, _figure, _pdf, _sql;

    [GlobalSetup]
    public void Setup()
    {
        var url = new Uri(Environment.GetEnvironmentVariable("KAART_BENCH_URL") ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run ./kaart bench gebiedsanalyse."));
        _db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("KAART_BENCH_PG") ?? throw new InvalidOperationException("KAART_BENCH_PG is not set."));
        using (var cmd = _db.CreateCommand("SELECT count(*) FROM melding"))
            if ((long)cmd.ExecuteScalar()! < 1_000_000) throw new InvalidOperationException("The benchmark database must hold 1,000,000 meldingen.");
        using (var cmd = _db.CreateCommand("SELECT count(*) FROM kerncijfer"))
            if ((long)cmd.ExecuteScalar()! == 0) throw new InvalidOperationException("No kerncijfers: the benchmark runs on what ./kaart run loads.");
        var areas = new List<string>();
        using (var cmd = _db.CreateCommand("SELECT code || '?level=' || level FROM area_in_force WHERE level IN ('gebied', 'wijk', 'buurt', 'dorp') ORDER BY level, code"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) areas.Add(r.GetString(0));
        _areas = [.. areas];
        _gebieden = [.. areas.Where(a => a.EndsWith("level=gebied")).Select(a => a[..a.IndexOf('?')])];
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
        Console.WriteLine($"// {_areas.Length} areas, {_gebieden.Length} gebieden, {Figures.Length} figures × 2 levels");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _db.Dispose();
    }

    private int Get(string url)
    {
        using var response = _http.GetAsync(url).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult().Length;
    }

    [Benchmark(Baseline = true, Description = "Direct SQL: a gebied's CBS counts and weighted averages from its buurten (interior points)")]
    public int DirectSql()
    {
        var gebied = _gebieden[_sql++ % _gebieden.Length];
        using var cmd = _db.CreateCommand(
            """
            WITH g AS (SELECT geom FROM area_in_force WHERE code = $1 AND level = 'gebied'),
                 b AS (SELECT ab.code FROM g JOIN area_in_force ab ON ab.level = 'buurt' AND ST_Covers(g.geom, ST_PointOnSurface(ab.geom))),
                 k AS (SELECT code, year, variable, value FROM kerncijfer WHERE level = 'buurt' AND code IN (SELECT code FROM b)),
                 w AS (SELECT x.year, x.variable, x.value, base.value AS weight FROM k x
                       LEFT JOIN k base ON base.code = x.code AND base.year = x.year
                        AND base.variable = CASE WHEN x.variable IN ('g_ink_po', 'p_ink_li', 'p_ink_hi') THEN 'a_inkont' ELSE 'a_inw' END)
            SELECT year, variable, sum(value) AS total, sum(value * weight) FILTER (WHERE value IS NOT NULL AND weight > 0) / nullif(sum(weight) FILTER (WHERE value IS NOT NULL AND weight > 0), 0)
            FROM w GROUP BY year, variable
            """);
        cmd.Parameters.AddWithValue(gebied);
        using var r = cmd.ExecuteReader();
        var n = 0;
        while (r.Read()) n++;
        return n;
    }

    [Benchmark(Description = "GET /api/areas/{code}/profiel: any gebied, wijk, buurt or dorp in turn (HTTP)")]
    public int Profile() => Get($"/api/areas/{_areas[_area++ % _areas.Length].Replace("?", "/profiel?")}");

    [Benchmark(Description = "GET /api/kerncijfers/kaart: any figure per wijk or buurt in turn (HTTP)")]
    public int Choropleth()
    {
        var i = _figure++;
        return Get($"/api/kerncijfers/kaart?variabele={Figures[i % Figures.Length]}&niveau={(i / Figures.Length % 2 == 0 ? "buurt" : "wijk")}");
    }

    [Benchmark(Description = "GET /api/areas/{gebied}/gebiedsprofiel.pdf: the PDF of a gebied's profile, each gebied in turn (HTTP)")]
    public int Pdf() => Get($"/api/areas/{_gebieden[_pdf++ % _gebieden.Length]}/gebiedsprofiel.pdf");
}
