using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Npgsql;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// The gebiedsteam's workspace list at 100,000 DEMO meldingen (team Oost: the largest share, about two thirds) (issue 17: p95 ≤ 100 ms on loopback), end to end against the
/// real server (KAART_BENCH_URL, started by <c>./kaart bench lijst</c>) as a signed-in team member and a beheerder, against
/// the raw SQL of the same page and count on the same PostGIS (the baseline, KAART_BENCH_PG). One request per iteration,
/// 200 iterations: P95 is the 95th percentile of single requests.
/// </summary>
[Config(typeof(Config))]
public partial class WorkspaceListBenchmarks
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

    private HttpClient _team = null!, _beheerder = null!;
    private NpgsqlDataSource _db = null!;
    private string _from = "";

    [GlobalSetup]
    public void Setup()
    {
        var url = new Uri(Environment.GetEnvironmentVariable("KAART_BENCH_URL") ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run ./kaart bench lijst."));
        _db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("KAART_BENCH_PG") ?? throw new InvalidOperationException("KAART_BENCH_PG is not set."));
        var password = Environment.GetEnvironmentVariable("KAART_BENCH_PASSWORD") ?? throw new InvalidOperationException("KAART_BENCH_PASSWORD is not set.");
        _team = BenchHttp.SignIn(url, "bench-oost", password);
        _beheerder = BenchHttp.SignIn(url, "bench-beheer", password);
        using (var cmd = _db.CreateCommand("SELECT count(*) FROM melding"))
            if ((long)cmd.ExecuteScalar()! < 100_000) throw new InvalidOperationException("The benchmark database must hold 100,000 meldingen.");
        // the last 90 days of the demo year
        using (var cmd = _db.CreateCommand("SELECT (max(created_at) AT TIME ZONE 'Europe/Amsterdam')::date - 90 FROM melding"))
            _from = ((DateOnly)cmd.ExecuteScalar()!).ToString("yyyy-MM-dd");
        // what the pages hold (printed with the results): the team's page must be a full page of a larger set
        var page = System.Text.Json.JsonDocument.Parse(Get(_team, TeamQuery)).RootElement;
        var rows = page.GetProperty("rows").GetArrayLength();
        Console.WriteLine($"// team Oost, open, overlast, since {_from}: {page.GetProperty("total").GetInt32()} meldingen, page 3 holds {rows}");
        if (rows != 25) throw new InvalidOperationException("The team's filtered page is not a full page; the benchmark would measure an empty answer.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _team.Dispose();
        _beheerder.Dispose();
        _db.Dispose();
    }

    private static string Get(HttpClient client, string url)
    {
        using var response = client.GetAsync(url).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    private string TeamQuery => $"/api/meldingen/lijst?open=true&category=overlast&from={_from}&offset=50&limit=25";

    [Benchmark(Baseline = true, Description = "Raw SQL: page 3 (25) + count, team Oost, open, one category, 90 days")]
    public int RawSql()
    {
        using var conn = _db.OpenConnection();
        const string where = """
            gebied_code = 'GB0361-oost' AND status IN ('nieuw', 'in_behandeling') AND category = 'overlast'
            AND created_at >= ($1::date::timestamp AT TIME ZONE 'Europe/Amsterdam')
            """;
        var n = 0;
        using (var cmd = new NpgsqlCommand(
            $"""
            SELECT id, created_at, category, status, gebied_code, wijk_code, buurt_code, dorp_code, forwarded_to, routing_kind, ST_X(geom), ST_Y(geom)
            FROM melding WHERE {where} ORDER BY created_at DESC, id DESC LIMIT 25 OFFSET 50
            """, conn))
        {
            cmd.Parameters.AddWithValue(DateOnly.Parse(_from));
            using var r = cmd.ExecuteReader();
            while (r.Read()) n++;
        }
        using (var count = new NpgsqlCommand($"SELECT count(*) FROM melding WHERE {where}", conn))
        {
            count.Parameters.AddWithValue(DateOnly.Parse(_from));
            n += (int)(long)count.ExecuteScalar()!;
        }
        return n;
    }

    [Benchmark(Description = "GET /api/meldingen/lijst: the same page as team Oost (HTTP, signed in)")]
    public int TeamPage() => Get(_team, TeamQuery).Length;

    [Benchmark(Description = "GET /api/meldingen/lijst: team Oost, all statuses, page 81 (offset 2,000)")]
    public int TeamDeepPage() => Get(_team, "/api/meldingen/lijst?offset=2000&limit=25").Length;

    [Benchmark(Description = "GET /api/meldingen/lijst: beheerder, whole gemeente, open, sorted by category")]
    public int BeheerderSorted() => Get(_beheerder, "/api/meldingen/lijst?open=true&sort=category&offset=0&limit=25").Length;
}
