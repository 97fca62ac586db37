using System.Globalization;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Alkmaar.Kaart.Server.Commands;

/// <summary>
/// The command line <c>drill-failover --url &lt;proxy&gt; [--rate 20] [--seconds 40] [--kill-at 12] [--insecure-local]
/// --kill &lt;command …&gt;</c> (<c>./kaart drill failover</c>, part of <c>./kaart test</c>): residents make meldingen through
/// the proxy at a steady rate while the kill command (the entry script's: kill -9 of the primary's PostgreSQL) runs in
/// the middle. Afterwards the configured database (both Patroni hosts, the primary wherever it is) is asked for every
/// melding the drill sent. Prints what it measured — acknowledged vs present, twice, unacknowledged but stored, seconds
/// until writes resumed — and exits 0 only when every acknowledged melding is there once and writes resumed within 15 s.
/// </summary>
public static class FailoverDrill
{
    private sealed record Sent(int N, DateTimeOffset At, int Status, long? Id, DateTimeOffset Done);

    public const double MaxResumeSeconds = 15;

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var url = Value(args, "--url");
        var killAt = Array.IndexOf(args, "--kill");
        if (url is null || killAt < 0 || killAt == args.Length - 1)
        {
            Console.Error.WriteLine("gebruik: drill-failover --url <https://…> [--rate 20] [--seconds 40] [--kill-at 12] [--resume-limit 15] [--insecure-local] --kill <commando …>");
            return 2;
        }
        var kill = args[(killAt + 1)..];
        var head = args[..killAt];
        var rate = int.Parse(Value(head, "--rate") ?? "20");
        var seconds = int.Parse(Value(head, "--seconds") ?? "40");
        var killAfter = int.Parse(Value(head, "--kill-at") ?? "12");
        // losing the primary's whole node waits for its leader key to expire (Patroni's ttl, at least 20 s): a wider limit
        var limit = double.Parse(Value(head, "--resume-limit") ?? MaxResumeSeconds.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5), MaxConnectionsPerServer = 200 };
        // only for the local layout's own certificate (./kaart cluster up makes it): never against a real address
        if (head.Contains("--insecure-local") && new Uri(url).IsLoopback)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(20) };

        var run = $"drill-{DateTime.UtcNow:yyyyMMddHHmmss}";
        var sent = new ConcurrentBag<Sent>();
        var tasks = new List<Task>();
        var clock = Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow;
        DateTimeOffset? killedAt = null;
        var total = rate * seconds;
        for (var n = 0; n < total; n++)
        {
            var due = TimeSpan.FromSeconds((double)n / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            if (killedAt is null && clock.Elapsed >= TimeSpan.FromSeconds(killAfter))
            {
                killedAt = DateTimeOffset.UtcNow;
                using var p = Process.Start(new ProcessStartInfo(kill[0], kill[1..]) { UseShellExecute = false })!;
                await p.WaitForExitAsync();
                Console.WriteLine($"oefening failover: kill uitgevoerd na {(killedAt.Value - start).TotalSeconds:0.0} s (exit {p.ExitCode})");
            }
            var i = n;
            tasks.Add(Task.Run(async () => sent.Add(await PostAsync(http, run, i))));
        }
        await Task.WhenAll(tasks);

        var acknowledged = sent.Where(s => s.Status == 201 && s.Id is not null).ToList();
        var failed = sent.Where(s => s.Status != 201).ToList();
        // until writes resumed: from the kill to the first acknowledgement of a melding sent after the last one that failed
        double resume = 0;
        if (killedAt is { } k && failed.Count > 0)
        {
            var lastFailure = failed.Max(f => f.At);
            var resumed = acknowledged.Where(a => a.At >= lastFailure).Select(a => a.Done).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            resume = resumed == DateTimeOffset.MaxValue ? double.PositiveInfinity : (resumed - k).TotalSeconds;
        }

        var stored = await StoredAsync(app, run);
        var lost = acknowledged.Count(a => !stored.ContainsKey(a.Id!.Value));
        var twice = stored.Values.GroupBy(d => d).Count(g => g.Count() > 1);
        var ambiguous = failed.Count(f => stored.Values.Contains($"{run} #{f.N}"));
        Console.WriteLine($"oefening failover: {total} meldingen verstuurd ({rate}/s, {seconds} s), {acknowledged.Count} bevestigd, " +
                          $"{acknowledged.Count - lost} daarvan aanwezig, {lost} kwijt, {twice} dubbel; {failed.Count} met een fout beantwoord " +
                          $"({ambiguous} daarvan toch opgeslagen); schrijven hervat na {(double.IsInfinity(resume) ? "nooit" : $"{resume:0.0} s")} (grens {limit:0} s)");
        foreach (var g in failed.GroupBy(f => f.Status).OrderBy(g => g.Key))
            Console.WriteLine($"  antwoord {(g.Key == 0 ? "geen (verbinding)" : g.Key.ToString())}: {g.Count()}×");
        var ok = lost == 0 && twice == 0 && resume <= limit && acknowledged.Count > 0;
        Console.WriteLine(ok ? "oefening failover: geslaagd" : "oefening failover: MISLUKT");
        return ok ? 0 : 1;
    }

    private static async Task<Sent> PostAsync(HttpClient http, string run, int n)
    {
        var at = DateTimeOffset.UtcNow;
        try
        {
            using var answer = await http.PostAsJsonAsync("/api/meldingen",
                new { category = "afval", description = $"{run} #{n}", x = 112000 + n % 200, y = 516000 + n % 150 });
            if ((int)answer.StatusCode != 201) return new Sent(n, at, (int)answer.StatusCode, null, DateTimeOffset.UtcNow);
            using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            return new Sent(n, at, 201, json.RootElement.GetProperty("id").GetInt64(), DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Sent(n, at, 0, null, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Every melding of this run in the database: id → description (retried while the new primary settles).</summary>
    private static async Task<Dictionary<long, string>> StoredAsync(WebApplication app, string run)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                NpgsqlConnection.ClearAllPools();
                await using var conn = new NpgsqlConnection(app.Configuration.GetConnectionString(Database.KaartDatabase.ConnectionStringName));
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT id, description FROM melding WHERE description LIKE @run", conn);
                cmd.Parameters.AddWithValue("run", run + " #%");
                var stored = new Dictionary<long, string>();
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) stored[r.GetInt64(0)] = r.GetString(1);
                return stored;
            }
            catch (NpgsqlException) when (attempt < 30) { await Task.Delay(1000); }
        }
    }

    private static string? Value(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
}
