using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace Alkmaar.Kaart.Server.Commands;

/// <summary>
/// The command line <c>durability --pgdata &lt;data dir&gt; --restart &lt;command …&gt;</c> (<c>./kaart durability</c>, part of
/// <c>./kaart test</c>): a melding acknowledged with 201 survives <c>kill -9</c> of PostgreSQL, and its id is never handed
/// out again. On the configured database (a throwaway one: it is filled with boundaries and test meldingen) it starts this
/// server as a separate process, posts five meldingen, kills the postmaster, runs the restart command (the entry script
/// starts PostgreSQL: processes are its job) and checks what was kept. Prints what it measured; exit 0 only when all held.
/// </summary>
public static class DurabilityCommand
{
    private const int Acknowledged = 5;

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var pgdata = Value(args, "--pgdata");
        var restartAt = Array.IndexOf(args, "--restart");
        if (pgdata is null || restartAt < 0 || restartAt == args.Length - 1)
        {
            Console.Error.WriteLine("gebruik: durability --pgdata <datamap> --restart <commando …>");
            return 2;
        }
        var restart = args[(restartAt + 1)..];
        var output = Console.Out;
        Console.SetOut(TextWriter.Null); // (the import's repair list is not what this check reports)
        try { if (await ImportCommand.RunAsync(app, ["import", "boundaries", "--if-empty"]) != 0) return Fail("import mislukt"); }
        finally { Console.SetOut(output); }

        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var server = StartServer(app, url);
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            if (!await WaitForHealthAsync(http)) return Fail("de server startte niet");
            var ids = new List<long>();
            for (var i = 1; i <= Acknowledged; i++)
            {
                var (status, id) = await PostAsync(http);
                if (status != 201 || id is null) return Fail($"melding {i} gaf {status}");
                ids.Add(id.Value);
            }

            // kill -9 the postmaster right after the acknowledgements, then start it again (crash recovery)
            var pidFile = Path.Combine(pgdata, "postmaster.pid");
            var pid = int.Parse(File.ReadLines(pidFile).First());
            using (var postmaster = Process.GetProcessById(pid))
            {
                postmaster.Kill(); // SIGKILL
                postmaster.WaitForExit(15_000);
            }
            await Task.Delay(1000); // (its backends end with it)
            File.Delete(pidFile);
            using (var restarted = Process.Start(new ProcessStartInfo(restart[0], restart[1..]) { UseShellExecute = false })!)
            {
                await restarted.WaitForExitAsync();
                if (restarted.ExitCode != 0) return Fail("PostgreSQL startte niet opnieuw");
            }

            NpgsqlConnection.ClearAllPools();
            var found = await CountAsync(app, ids);
            // the server reconnects; the next id is larger than every acknowledged one
            long? next = null;
            for (var i = 0; i < 20 && next is null; i++)
            {
                var (status, id) = await PostAsync(http);
                if (status == 201) next = id; else await Task.Delay(500);
            }
            var max = ids.Max();
            Console.WriteLine($"duurzaamheid: {found} van {Acknowledged} bevestigde meldingen bewaard na kill -9 (ids {string.Join(' ', ids)}), volgend id {next?.ToString() ?? "geen"}");
            if (found != Acknowledged) return Fail($"slechts {found} van {Acknowledged} bevestigde meldingen bewaard");
            if (next is null || next <= max) return Fail($"na de herstart was het volgende id '{next}' (bevestigd tot en met {max})");
            Console.WriteLine("duurzaamheid: geslaagd");
            return 0;
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
        }
    }

    private static int Fail(string why)
    {
        Console.Error.WriteLine($"duurzaamheid: {why}");
        return 1;
    }

    private static string? Value(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>This server as its own process on <paramref name="url"/>, on the same database, without background jobs.</summary>
    private static Process StartServer(WebApplication app, string url)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!, [typeof(Program).Assembly.Location, "--contentRoot", app.Environment.ContentRootPath, "--urls", url])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.Environment["ConnectionStrings__Kaart"] = app.Configuration.GetConnectionString(Database.KaartDatabase.ConnectionStringName);
        info.Environment["Meldingen__RetentionJob"] = "false";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  server: {e.Data}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<bool> WaitForHealthAsync(HttpClient http)
    {
        for (var i = 0; i < 120; i++)
        {
            try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) return true; }
            catch (HttpRequestException) { }
            await Task.Delay(500);
        }
        return false;
    }

    private static async Task<(int Status, long? Id)> PostAsync(HttpClient http)
    {
        try
        {
            using var answer = await http.PostAsJsonAsync("/api/meldingen", new { category = "afval", description = "duurzaamheidstest", x = 112000, y = 516000 });
            if ((int)answer.StatusCode != 201) return ((int)answer.StatusCode, null);
            using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            return (201, json.RootElement.GetProperty("id").GetInt64());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return (0, null); }
    }

    private static async Task<int> CountAsync(WebApplication app, List<long> ids)
    {
        await using var conn = new NpgsqlConnection(app.Configuration.GetConnectionString(Database.KaartDatabase.ConnectionStringName));
        for (var i = 0; ; i++)
        {
            try
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT count(*) FROM melding WHERE id = ANY(@ids)", conn);
                cmd.Parameters.AddWithValue("ids", ids.ToArray());
                return (int)(long)(await cmd.ExecuteScalarAsync())!;
            }
            catch (NpgsqlException) when (i < 20) { await Task.Delay(500); } // (recovery may still be finishing)
        }
    }
}
