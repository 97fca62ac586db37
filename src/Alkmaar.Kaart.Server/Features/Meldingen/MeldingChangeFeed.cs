using System.Text.Json;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A committed change of meldingen as the database announced it: which gebieden it touched (new and old, so a
/// re-routed melding reaches both teams), whether forwarded meldingen were among them, and up to 50 of the ids.</summary>
public sealed record MeldingChange(string Op, IReadOnlyList<string> Gebieden, bool Forwarded, IReadOnlyList<long> Ids, int Count)
{
    /// <summary>Whether a list showing <paramref name="gebieden"/> (null: every gebied) or forwarded meldingen should refresh.</summary>
    public bool Touches(IReadOnlyCollection<string>? gebieden, bool forwardedOnly) =>
        Gebieden.Contains("*") || (forwardedOnly ? Forwarded : gebieden is null || Gebieden.Any(gebieden.Contains));
}

/// <summary>
/// Live meldingen for open workspaces: listens on the database's <c>kaart_meldingen</c> channel (a statement trigger
/// announces every committed insert and update, whichever server or import made it) and tells the subscribed pages.
/// Fed by the database, so it works with several server processes. Reconnects after a lost connection and then announces
/// a change of everything, in case one was missed meanwhile.
/// </summary>
public sealed class MeldingChangeFeed(NpgsqlDataSource db, ILogger<MeldingChangeFeed> logger) : BackgroundService
{
    public const string Channel = "kaart_meldingen";

    /// <summary>Raised on the listener's thread; handlers must return quickly (pages hand over to their own dispatcher).</summary>
    public event Action<MeldingChange>? Changed;

    /// <summary>True while the feed listens (the pages show "live" only then).</summary>
    public bool Listening { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stop);
                conn.Notification += (_, e) => Publish(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                    await listen.ExecuteNonQueryAsync(stop);
                Listening = true;
                if (!first) Raise(new MeldingChange("reconnect", [], true, [], 0), everything: true);
                first = false;
                while (!stop.IsCancellationRequested) await conn.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                Listening = false;
                logger.LogWarning(e, "Listening for meldingen failed; retrying in 2 s");
                try { await Task.Delay(TimeSpan.FromSeconds(2), stop); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Publish(string payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            var gebieden = root.GetProperty("gebieden").EnumerateArray().Select(e => e.GetString()!).ToList();
            var ids = root.TryGetProperty("ids", out var i) && i.ValueKind == JsonValueKind.Array ? i.EnumerateArray().Select(e => e.GetInt64()).ToList() : [];
            var forwarded = root.TryGetProperty("forwarded", out var f) && f.ValueKind == JsonValueKind.True;
            Raise(new MeldingChange(root.GetProperty("op").GetString()!, gebieden, forwarded, ids, root.GetProperty("count").GetInt32()));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            logger.LogWarning(e, "Unreadable meldingen notification {Payload}", payload);
        }
    }

    private void Raise(MeldingChange change, bool everything = false)
    {
        var handlers = Changed;
        if (handlers is null) return;
        // after a reconnect every list refreshes: an empty gebieden list with Forwarded covers partners, so name them all
        var c = everything ? change with { Gebieden = ["*"] } : change;
        foreach (var h in handlers.GetInvocationList().Cast<Action<MeldingChange>>())
        {
            try { h(c); }
            catch (Exception e) { logger.LogWarning(e, "A meldingen subscriber failed"); }
        }
    }
}
