using System.Net.Http.Json;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Geo.Transforms;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// The plan editor's live impact preview (issue 18: within 50 ms of an edit for Alkmaar's ~56,000 addresses), end to end
/// against the real server (KAART_BENCH_URL, started by <c>./kaart bench indeling</c>) as a signed-in planner: one edit
/// per iteration over HTTP (the edit, the tally kept per edit, the save with its row version and audit entry), against
/// the full PostGIS recount per team of the same plan that an editor without incremental tallies would run after every
/// edit (the baseline, on the same PostGIS). The database holds what <c>./kaart run</c> loads (the full-resolution
/// boundaries, ~56,000 DEMO addresses, CBS inwoners) and 1,000,000 DEMO meldingen.
/// </summary>
[Config(typeof(Config))]
public class PlanEditBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(10).WithIterationCount(200)
                .WithInvocationCount(1).WithUnrollFactor(1).WithLaunchCount(1));
            AddColumn(StatisticColumn.P95, StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
            SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
        }
    }

    private HttpClient _planner = null!;
    private NpgsqlDataSource _db = null!;
    private int _plan, _version;
    private string _buurt = "", _wijkA = "", _wijkB = "", _a = "", _b = "";
    private double[][] _moved = [], _original = [];
    private bool _buurtMoved, _borderMoved;

    [GlobalSetup]
    public void Setup()
    {
        var url = new Uri(Environment.GetEnvironmentVariable("KAART_BENCH_URL") ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run ./kaart bench indeling."));
        var builder = new NpgsqlDataSourceBuilder(Environment.GetEnvironmentVariable("KAART_BENCH_PG") ?? throw new InvalidOperationException("KAART_BENCH_PG is not set."));
        builder.UseNetTopologySuite();
        _db = builder.Build();
        var password = Environment.GetEnvironmentVariable("KAART_BENCH_PASSWORD") ?? throw new InvalidOperationException("KAART_BENCH_PASSWORD is not set.");
        _planner = BenchHttp.SignIn(url, "bench-planner", password);
        long Count(string sql) { using var cmd = _db.CreateCommand(sql); return (long)cmd.ExecuteScalar()!; }
        var (addresses, meldingen) = (Count("SELECT count(*) FROM address"), Count("SELECT count(*) FROM melding"));
        if (addresses < 50_000 || meldingen < 1_000_000) throw new InvalidOperationException($"The database holds {addresses} addresses and {meldingen} meldingen; the benchmark needs ~56,000 and 1,000,000.");

        var created = _planner.PostAsJsonAsync("/api/plannen", new { name = "benchmark " + DateTime.UtcNow.ToString("s") }).GetAwaiter().GetResult();
        created.EnsureSuccessStatusCode();
        _plan = Json(created).GetProperty("id").GetInt32();
        _version = Json(_planner.GetAsync($"/api/plannen/{_plan}").GetAwaiter().GetResult()).GetProperty("version").GetInt32();

        // a buurt on a team border goes back and forth between its wijk and the neighbouring team's wijk
        using (var cmd = _db.CreateCommand(
            """
            SELECT a.code, a.parent_code, b.parent_code FROM area_in_force a
            JOIN area_in_force b ON b.level = 'buurt' AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, 'F***1****')
            JOIN area_in_force wa ON wa.level = 'wijk' AND wa.code = a.parent_code JOIN area_in_force wb ON wb.level = 'wijk' AND wb.code = b.parent_code
            WHERE a.level = 'buurt' AND wa.parent_code <> wb.parent_code ORDER BY a.code LIMIT 1
            """))
        using (var r = cmd.ExecuteReader()) { r.Read(); (_buurt, _wijkA, _wijkB) = (r.GetString(0), r.GetString(1), r.GetString(2)); }

        // a long shared border whose middle vertex goes 10 m into the neighbour and back
        var shapes = new Dictionary<string, Geometry>();
        using (var cmd = _db.CreateCommand("SELECT code, geom FROM area_in_force WHERE level = 'buurt' ORDER BY code"))
        using (var r = cmd.ExecuteReader()) while (r.Read()) shapes[r.GetString(0)] = (Geometry)r.GetValue(1);
        foreach (var (a, ga) in shapes)
        {
            foreach (var (b, gb) in shapes.Where(kv => string.CompareOrdinal(a, kv.Key) < 0))
            {
                if (BorderReshape.SharedEdge(ga, gb) is not { Length: > 300, NumPoints: >= 5 } edge) continue;
                var c = edge.Coordinates.Select(x => x.Copy()).ToArray();
                _original = LatLons(c);
                var i = c.Length / 2;
                var (dx, dy) = (c[i + 1].Y - c[i - 1].Y, -(c[i + 1].X - c[i - 1].X));
                var len = Math.Sqrt(dx * dx + dy * dy);
                var into = new Coordinate(c[i].X + 10 * dx / len, c[i].Y + 10 * dy / len);
                if (!gb.Contains(ga.Factory.CreatePoint(into))) into = new Coordinate(c[i].X - 10 * dx / len, c[i].Y - 10 * dy / len);
                c[i] = into;
                (_a, _b, _moved) = (a, b, LatLons(c));
                break;
            }
            if (_a.Length > 0) break;
        }
        Console.WriteLine($"// plan {_plan}: {addresses:N0} addresses, {meldingen:N0} meldingen; buurt {_buurt} between {_wijkA} and {_wijkB}; border {_a}/{_b} ({_original.Length} vertices)");
    }

    private static double[][] LatLons(Coordinate[] rd) => rd.Select(p => { var (lon, lat) = RdNew.ToWgs84(p.X, p.Y); return new[] { lat, lon }; }).ToArray();

    [GlobalCleanup]
    public void Cleanup()
    {
        _planner.Dispose();
        _db.Dispose();
    }

    private static JsonElement Json(HttpResponseMessage response) =>
        JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement;

    private int Edit(object body)
    {
        using var response = _planner.PostAsJsonAsync($"/api/plannen/{_plan}/bewerkingen", body).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        _version = Json(response).GetProperty("version").GetInt32();
        return _version;
    }

    [Benchmark(Baseline = true, Description = "Full PostGIS recount per team of the plan (addresses, open meldingen, last 12 months, initiatives)")]
    public long Recount()
    {
        using var cmd = _db.CreateCommand(
            """
            WITH p AS (SELECT wijk_of_buurt, gebied_of_wijk FROM boundary_plan WHERE id = $1),
                 g AS (SELECT b.code, b.geom, (SELECT p.gebied_of_wijk ->> (p.wijk_of_buurt ->> b.code) FROM p) AS gebied
                       FROM boundary_plan_buurt b WHERE b.plan_id = $1)
            SELECT g.gebied, sum(c.a)::bigint FROM g, LATERAL (SELECT
                (SELECT count(*) FROM address a WHERE ST_Intersects(g.geom, a.geom)),
                (SELECT count(*) FROM melding m WHERE m.status <> 'afgehandeld' AND ST_Intersects(g.geom, m.geom)),
                (SELECT count(*) FROM melding m WHERE m.created_at >= ((date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - interval '12 months') AT TIME ZONE 'Europe/Amsterdam')
                   AND m.created_at < (date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') AT TIME ZONE 'Europe/Amsterdam') AND ST_Intersects(g.geom, m.geom)),
                (SELECT count(*) FROM initiatief i WHERE i.status IN ('aangevraagd', 'toegekend') AND i.geom && g.geom AND ST_Intersects(g.geom, ST_PointOnSurface(i.geom)))
            ) AS c(a, o, j, i) GROUP BY g.gebied
            """);
        cmd.Parameters.AddWithValue(_plan);
        long n = 0;
        using var r = cmd.ExecuteReader();
        while (r.Read()) n += r.GetInt64(1);
        return n;
    }

    [Benchmark(Description = "POST an edit: a buurt to the neighbouring team's wijk (and back), impact kept per edit, saved")]
    public int MoveBuurt()
    {
        _buurtMoved = !_buurtMoved;
        return Edit(new { version = _version, kind = "buurten", buurten = new[] { _buurt }, wijk = _buurtMoved ? _wijkB : _wijkA });
    }

    [Benchmark(Description = "POST an edit: a shared border moved 10 m (and back), the ground's counts from PostGIS, saved")]
    public int MoveBorder()
    {
        _borderMoved = !_borderMoved;
        return Edit(new { version = _version, kind = "grens", a = _a, b = _b, line = _borderMoved ? _moved : _original, snapM = 0.5 });
    }
}
