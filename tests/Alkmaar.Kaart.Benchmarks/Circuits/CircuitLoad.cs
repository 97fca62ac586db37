using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace Alkmaar.Kaart.Benchmarks.Circuits;

/// <summary>
/// <c>./kaart bench circuits</c>: how many residents' circuits one server holds. Opens circuits on
/// <c>/grensoverleg/GB0361-west/GM0399</c> (a public page, interactive: a map, tables and Radzen) up to each level and keeps
/// them open; at each level measures the server's memory (resident set and managed heap, after a settle) and the interaction
/// latency (a resident opens the border band of their own gebied on a circuit that has not asked before, timed until the render batch that holds it), with a fixed number of interactions in flight. The baseline of the same run: the same interactions with
/// only the baseline's circuits open. Writes a Markdown report.
/// </summary>
public static class CircuitLoad
{
    // an interactive public page (the resident pages are server-rendered since issue 35 and open no circuit): a
    // grensoverleg, and a resident's question is a navigation to their own gebied's border band (the same component, so
    // it stays within the circuit, and its title always differs from the page opened)
    private const string Page = "grensoverleg/GB0361-west/GM0399";

    public static async Task<int> RunAsync(string[] args)
    {
        var opt = Options.Parse(args);
        var addresses = await AddressesAsync(opt.Connection, opt.Samples * (opt.Levels.Length + 1));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        { Timeout = TimeSpan.FromMinutes(2) };
        var baseUri = new Uri(opt.Url.TrimEnd('/') + "/");
        var circuits = new List<CircuitClient>();
        var fresh = new Queue<CircuitClient>(); // circuits that have not interacted yet
        var rows = new List<Row>();
        var failures = 0;
        var started = Stopwatch.StartNew();
        var next = 0;

        try
        {
            Console.WriteLine($"circuits: server pid {opt.ServerPid}, levels {string.Join(", ", opt.Levels)}, {opt.Samples} interactions per level, {opt.InFlight} in flight");
            // warm-up (compiling the page's code paths), not reported: 40 circuits open and ask once
            await OpenUpToAsync(40);
            await InteractAsync(40);
            // baseline: as many circuits as interactions (and the warm-up's), nothing else open
            foreach (var level in new[] { opt.Samples + 40 }.Concat(opt.Levels.Where(l => l > opt.Samples + 40)))
            {
                var openStarted = Stopwatch.StartNew();
                var opened = await OpenUpToAsync(level);
                var openSeconds = openStarted.Elapsed.TotalSeconds;
                var (rss, heap, serverCircuits) = await SettledMemoryAsync(opt);
                var latencies = await InteractAsync(level);
                var row = new Row(level, circuits.Count, serverCircuits, opened, openSeconds, rss, heap, latencies, failures);
                rows.Add(row);
                Console.WriteLine($"circuits: {circuits.Count} open (server counts {serverCircuits}; +{opened} in {openSeconds:F0} s), RSS {rss / 1048576.0:F0} MiB, heap {heap / 1048576.0:F0} MiB, " +
                                  $"p50 {row.P(50):F0} ms, p95 {row.P(95):F0} ms, p99 {row.P(99):F0} ms, failures {failures}");
                if (failures > level / 20) { Console.WriteLine("circuits: more than 5% of circuits failed: stopping here"); break; }
            }
        }
        finally
        {
            await Parallel.ForEachAsync(circuits, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.DisposeAsync());
        }

        var report = Report(opt, rows, started.Elapsed);
        await File.WriteAllTextAsync(opt.ReportPath, report);
        Console.WriteLine(report);
        return failures == 0 ? 0 : 1;

        async Task<int> OpenUpToAsync(int level)
        {
            var toOpen = level - circuits.Count;
            if (toOpen <= 0) return 0;
            var opened = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, toOpen), new ParallelOptions { MaxDegreeOfParallelism = opt.OpenConcurrency }, async (_, ct) =>
            {
                var c = new CircuitClient(http, baseUri);
                try
                {
                    await c.OpenAsync(Page, ct);
                    lock (circuits) { circuits.Add(c); fresh.Enqueue(c); opened++; }
                }
                catch (Exception e)
                {
                    lock (circuits) { if (failures++ < 5) Console.WriteLine($"circuits: opening failed: {e.GetType().Name}: {e.Message}"); }
                    await c.DisposeAsync();
                }
            });
            return opened;
        }

        async Task<List<double>> InteractAsync(int level)
        {
            // (the page is the same component: the render batch that answers holds the gebied's name, not the unchanged markup)
            var sample = new List<(CircuitClient Circuit, string Path, string Expect)>();
            // the newest circuits interact (the oldest stay idle, as most residents' pages do)
            var pool = fresh.ToList();
            for (var i = 0; i < opt.Samples && i < pool.Count; i++)
            {
                var (gebied, naam) = addresses[next++ % addresses.Count];
                sample.Add((pool[pool.Count - 1 - i], $"grensband/{gebied}", $"Grensband van gebied {naam}"));
            }
            fresh = new Queue<CircuitClient>(pool.Take(pool.Count - sample.Count));
            var latencies = new List<double>();
            await Parallel.ForEachAsync(sample, new ParallelOptions { MaxDegreeOfParallelism = opt.InFlight }, async (s, ct) =>
            {
                try
                {
                    var t = await s.Circuit.NavigateAsync(s.Path, s.Expect, ct);
                    lock (latencies) latencies.Add(t.TotalMilliseconds);
                }
                catch (Exception e)
                {
                    lock (circuits) { if (failures++ < 5) Console.WriteLine($"circuits: interaction failed: {e.GetType().Name}: {e.Message} {s.Circuit.Error}"); }
                }
            });
            return latencies;
        }
    }

    /// <summary>The server's resident set and managed heap once the opening has settled (two readings 2 s apart agree within 2%).</summary>
    private static async Task<(long Rss, long Heap, long ServerCircuits)> SettledMemoryAsync(Options opt)
    {
        var last = -1L;
        for (var i = 0; i < 15; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var rss = Rss(opt.ServerPid);
            if (last > 0 && Math.Abs(rss - last) < last / 50) break;
            last = rss;
        }
        var (heap, open) = await ServerMetricsAsync(opt.MetricsUrl);
        return (Rss(opt.ServerPid), heap, open);
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }

    /// <summary>The managed heap after the last collection, from the server's Prometheus metrics (0 when not exported).</summary>
    private static async Task<(long Heap, long Circuits)> ServerMetricsAsync(string? metricsUrl)
    {
        if (metricsUrl is null) return (0, -1);
        using var http = new HttpClient();
        var text = await http.GetStringAsync(metricsUrl);
        long heap = 0, circuits = -1;
        foreach (var line in text.Split('\n'))
        {
            double Value() => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes", StringComparison.Ordinal)) heap += (long)Value();
            else if (line.StartsWith("kaart_circuits_open", StringComparison.Ordinal)) circuits = (long)Value();
        }
        return (heap, circuits);
    }

    private static async Task<List<(string Code, string Name)>> AddressesAsync(string connection, int count)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        // the gebieden of residents' addresses spread over the gemeente (a seeded sample: the same in every run)
        await using var cmd = new NpgsqlCommand(
            """
            SELECT b.code, b.name FROM (SELECT geom FROM address WHERE toevoeging = '' ORDER BY md5(bag_id) LIMIT $1) a
            JOIN area_in_force b ON b.level = 'gebied' AND ST_Covers(b.geom, a.geom)
            """, conn);
        cmd.Parameters.AddWithValue(count);
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetString(0), r.GetString(1)));
        if (list.Count == 0) throw new InvalidOperationException("no addresses loaded: run ./kaart seed first");
        return list;
    }

    private static string Report(Options opt, List<Row> rows, TimeSpan took)
    {
        var b = rows.FirstOrDefault();
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Circuits per server ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {MemoryGiB():F0} GiB; {took.TotalMinutes:F0} min)");
        sb.AppendLine();
        sb.AppendLine("`./kaart bench circuits`: one server process (the shipped configuration: `./kaart run`'s data, Release build, server GC) on");
        sb.AppendLine("loopback; a load client in a second process opens residents' circuits on `/gebied/GB0361-centrum` the way blazor.web.js does");
        sb.AppendLine("(prerendered GET, WebSocket, `StartCircuit`, `UpdateRootComponents`, every render batch acknowledged, every JS call answered)");
        sb.AppendLine("and keeps them open. At each level: the server's resident set and managed heap, and " + opt.Samples + " residents opening the page of their buurt");
        sb.AppendLine("(a navigation within the circuit) on circuits that had not asked yet, " + opt.InFlight + " at a time, timed until the");
        sb.AppendLine("render batch holding the answer arrives. Baseline (first row): the same interactions with only " + (opt.Samples + 40) + " circuits open (after 40 warm-up interactions, not counted).");
        sb.AppendLine("The client shares the machine's cores with the server. Map layers (plain HTTP, cached) are not fetched.");
        sb.AppendLine();
        sb.AppendLine("| circuits open (server's count) | opened in | RSS | managed heap | per circuit over baseline (RSS / heap) | p50 | p95 | p99 | p95 / baseline p95 | failures |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var per = r == b ? "—" : $"{(r.Rss - b!.Rss) / 1024.0 / Math.Max(1, r.Open - b.Open):F0} KiB / {(r.Heap - b.Heap) / 1024.0 / Math.Max(1, r.Open - b.Open):F0} KiB";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Open:N0} ({r.ServerCircuits:N0}) | {r.OpenSeconds:F0} s | {r.Rss / 1048576.0:F0} MiB | {r.Heap / 1048576.0:F0} MiB | {per} | {r.P(50):F0} ms | {r.P(95):F0} ms | {r.P(99):F0} ms | {(r == b ? "1.00" : (r.P(95) / b!.P(95)).ToString("F2", CultureInfo.InvariantCulture))} | {r.Failures} |");
        }
        return sb.ToString();
    }

    private static double MemoryGiB()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0;
        return 0;
    }

    private sealed record Row(int Level, int Open, long ServerCircuits, int Opened, double OpenSeconds, long Rss, long Heap, List<double> Latencies, int Failures)
    {
        public double P(int p)
        {
            if (Latencies.Count == 0) return double.NaN;
            var sorted = Latencies.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }

    private sealed record Options(string Url, int ServerPid, string? MetricsUrl, string Connection, int[] Levels, int Samples, int InFlight, int OpenConcurrency, string ReportPath)
    {
        public static Options Parse(string[] args)
        {
            string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return new Options(
                Arg("--url") ?? throw new ArgumentException("--url"),
                int.Parse(Arg("--server-pid") ?? throw new ArgumentException("--server-pid"), CultureInfo.InvariantCulture),
                Arg("--metrics"),
                Environment.GetEnvironmentVariable("KAART_BENCH_PG") ?? throw new ArgumentException("KAART_BENCH_PG"),
                (Arg("--levels") ?? "500,2000,5000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
                int.Parse(Arg("--samples") ?? "200", CultureInfo.InvariantCulture),
                int.Parse(Arg("--in-flight") ?? "8", CultureInfo.InvariantCulture),
                int.Parse(Arg("--open-concurrency") ?? "16", CultureInfo.InvariantCulture),
                Arg("--report") ?? "circuits-report.md");
        }
    }
}
