using System.Text.Json;

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
/// Live meldingen for open workspaces: the database's <c>kaart_meldingen</c> channel (a statement trigger announces every
/// committed insert and update, whichever server or import made it), received through the process's one LISTEN
/// connection (<see cref="PgNotifications"/>), told to the subscribed pages. After a lost connection it announces a change
/// of everything, in case one was missed meanwhile.
/// </summary>
public sealed class MeldingChangeFeed(ILogger<MeldingChangeFeed> logger) : IPgNotificationSubscriber
{
    public const string Channel = "kaart_meldingen";

    string IPgNotificationSubscriber.Channel => Channel;

    /// <summary>Raised on the listener's thread; handlers must return quickly (pages hand over to their own dispatcher).</summary>
    public event Action<MeldingChange>? Changed;

    /// <summary>True while the feed listens (the pages show "live" only then).</summary>
    public bool Listening { get; private set; }

    void IPgNotificationSubscriber.ListeningChanged(bool listening) => Listening = listening;

    Task IPgNotificationSubscriber.OnNotifiedAsync(IReadOnlyList<string> payloads, bool reconnected, CancellationToken ct)
    {
        if (reconnected) Raise(new MeldingChange("reconnect", [], true, [], 0), everything: true);
        foreach (var p in payloads) Publish(p);
        return Task.CompletedTask;
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
