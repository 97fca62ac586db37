using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Npgsql;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// Handling of meldingen at 1,000,000 DEMO meldingen on what <c>./kaart run</c> loads (issue 29): the handling figures of
/// the whole gemeente over 12 months (target ≤ 100 ms: maintained, not recounted) against the raw SQL recount of the same
/// figures over the meldingen (the baseline), and "Mijn meldingen" and a team's list with a deadline filter (target p95 ≤
/// 50 ms over HTTP), end to end against the real server (KAART_BENCH_URL, started by <c>./kaart bench afhandeling</c>).
/// One request per iteration, 100 iterations: P95 is the 95th percentile of single requests.
/// </summary>
[Config(typeof(Config))]
public class HandlingBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false)).WithWarmupCount(5).WithIterationCount(100)
                .WithInvocationCount(1).WithUnrollFactor(1).WithLaunchCount(1));
            AddColumn(StatisticColumn.P95, StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
            SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
        }
    }

    private HttpClient _team = null!, _beheerder = null!;
    private NpgsqlDataSource _db = null!;
    private DateOnly _from, _to;

    [GlobalSetup]
    public void Setup()
    {
        var url = new Uri(Environment.GetEnvironmentVariable("KAART_BENCH_URL") ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run ./kaart bench afhandeling."));
        _db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("KAART_BENCH_PG") ?? throw new InvalidOperationException("KAART_BENCH_PG is not set."));
        var password = Environment.GetEnvironmentVariable("KAART_BENCH_PASSWORD") ?? throw new InvalidOperationException("KAART_BENCH_PASSWORD is not set.");
        using (var cmd = _db.CreateCommand("SELECT count(*) FROM melding"))
            if ((long)cmd.ExecuteScalar()! < 1_000_000) throw new InvalidOperationException("The benchmark database must hold 1,000,000 meldingen.");
        // one in fifty of Oost's meldingen is the bench member's own (a team member's share of a busy team)
        using (var cmd = _db.CreateCommand("UPDATE melding SET assigned_to = 'bench-oost' WHERE gebied_code = 'GB0361-oost' AND id % 50 = 0 AND assigned_to IS NULL"))
        {
            cmd.CommandTimeout = 600;
            cmd.ExecuteNonQuery();
        }
        using (var cmd = _db.CreateCommand("SELECT date_trunc('month', max(created_at) AT TIME ZONE 'Europe/Amsterdam')::date FROM melding"))
            _to = (DateOnly)cmd.ExecuteScalar()!;
        _from = _to.AddMonths(-11);
        _team = BenchHttp.SignIn(url, "bench-oost", password);
        _beheerder = BenchHttp.SignIn(url, "bench-beheer", password);
        var mine = System.Text.Json.JsonDocument.Parse(Get(_team, MineQuery)).RootElement.GetProperty("total").GetInt32();
        var late = System.Text.Json.JsonDocument.Parse(Get(_team, LateQuery)).RootElement.GetProperty("total").GetInt32();
        Console.WriteLine($"// 12 months {_from:yyyy-MM}..{_to:yyyy-MM}; bench-oost's own: {mine}; Oost's late: {late}");
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

    private const string MineQuery = "/api/meldingen/lijst?assignedTo=me&overdue=true&sort=oldest&limit=25";
    private const string LateQuery = "/api/meldingen/lijst?overdue=true&sort=oldest&limit=25";

    [Benchmark(Baseline = true, Description = "Raw SQL recount: figures per team over 12 months from the meldingen (counts, percentiles, on time)")]
    public int RawRecount()
    {
        using var conn = _db.OpenConnection();
        using var cmd = new NpgsqlCommand(
            """
            WITH r AS (
              SELECT gebied_code, count(*) FILTER (WHERE created_at >= a AND created_at < b) AS ontvangen,
                     count(*) FILTER (WHERE created_at >= a AND created_at < b AND status <> 'afgehandeld') AS open
              FROM melding, (SELECT ($1::timestamp AT TIME ZONE 'Europe/Amsterdam') a, ($2::timestamp AT TIME ZONE 'Europe/Amsterdam') b) p
              GROUP BY 1),
            c AS (
              SELECT gebied_code, count(*) AS afgehandeld,
                     count(*) FILTER (WHERE (closed_at AT TIME ZONE 'Europe/Amsterdam')::date <= due_on) AS op_tijd,
                     percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS mediaan, percentile_disc(0.9) WITHIN GROUP (ORDER BY d) AS p90
              FROM (SELECT gebied_code, closed_at, due_on,
                           least(greatest(werkdagen_tussen(coalesce(clock_from, (created_at AT TIME ZONE 'Europe/Amsterdam')::date),
                                 (closed_at AT TIME ZONE 'Europe/Amsterdam')::date) - paused_days, 0), 60) AS d
                    FROM melding WHERE status = 'afgehandeld' AND closed_at >= ($1::timestamp AT TIME ZONE 'Europe/Amsterdam')
                      AND closed_at < ($2::timestamp AT TIME ZONE 'Europe/Amsterdam')) x
              GROUP BY 1)
            SELECT r.gebied_code, r.ontvangen, r.open, c.afgehandeld, c.op_tijd, c.mediaan, c.p90 FROM r LEFT JOIN c USING (gebied_code)
            """, conn);
        cmd.Parameters.AddWithValue(_from);
        cmd.Parameters.AddWithValue(_to.AddMonths(1));
        cmd.CommandTimeout = 600;
        using var reader = cmd.ExecuteReader();
        var n = 0;
        while (reader.Read()) n++;
        return n;
    }

    [Benchmark(Description = "GET /api/meldingen/cijfers?groep=team: the whole gemeente, 12 months (HTTP, beheerder)")]
    public int Figures() => Get(_beheerder, $"/api/meldingen/cijfers?groep=team&van={_from:yyyy-MM}&tot={_to:yyyy-MM}").Length;

    [Benchmark(Description = "GET /api/meldingen/cijfers?groep=maand: the whole gemeente, 12 months (HTTP, beheerder)")]
    public int FiguresPerMonth() => Get(_beheerder, $"/api/meldingen/cijfers?groep=maand&van={_from:yyyy-MM}&tot={_to:yyyy-MM}").Length;

    [Benchmark(Description = "GET /api/meldingen/lijst: Mijn meldingen, te laat (HTTP, team member)")]
    public int MineLate() => Get(_team, MineQuery).Length;

    [Benchmark(Description = "GET /api/meldingen/lijst: team Oost, te laat, oldest first (HTTP, team member)")]
    public int TeamLate() => Get(_team, LateQuery).Length;
}
