using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

/// <summary>
/// Live campaigns for open Wij(k) aan zet pages: the database's <c>kaart_wijkaanzet</c> channel (statement triggers on
/// <c>verbeterpunt</c> and <c>stem</c> announce the campaigns every committed change touched), received through the
/// process's one LISTEN connection (<see cref="PgNotifications"/>). After a lost connection every campaign is announced,
/// in case a change was missed meanwhile. Pages refresh their points and counts on it instead of polling.
/// </summary>
public sealed class CampagneChangeFeed(ILogger<CampagneChangeFeed> logger) : IPgNotificationSubscriber
{
    public const string Channel = "kaart_wijkaanzet";

    string IPgNotificationSubscriber.Channel => Channel;

    /// <summary>The campaigns changed (null: possibly all, after a reconnect). Raised on the listener's thread; handlers
    /// must return quickly (pages hand over to their own dispatcher).</summary>
    public event Action<IReadOnlySet<int>?>? Changed;

    /// <summary>True while the feed listens.</summary>
    public bool Listening { get; private set; }

    void IPgNotificationSubscriber.ListeningChanged(bool listening) => Listening = listening;

    Task IPgNotificationSubscriber.OnNotifiedAsync(IReadOnlyList<string> payloads, bool reconnected, CancellationToken ct)
    {
        // one call per burst: the campaigns of all its payloads together (1,000 ballots make one refresh, not 1,000)
        HashSet<int>? ids = reconnected ? null : [];
        foreach (var p in payloads)
            foreach (var part in p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) ids?.Add(id);
                else logger.LogWarning("Unreadable campaign notification {Payload}", p);
        if (ids is { Count: 0 }) return Task.CompletedTask;
        foreach (var h in Changed?.GetInvocationList().Cast<Action<IReadOnlySet<int>?>>() ?? [])
        {
            try { h(ids); }
            catch (Exception e) { logger.LogWarning(e, "A campaign subscriber failed"); }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The moments campaign <paramref name="id"/> changed, for one open page (the live counts' event stream): one at once,
    /// then one per burst of changes — a burst that comes while the reader is busy makes one more, not one each.
    /// </summary>
    public async IAsyncEnumerable<int> ChangesOf(int id, [EnumeratorCancellation] CancellationToken ct)
    {
        var signal = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void On(IReadOnlySet<int>? changed) { if (changed is null || changed.Contains(id)) signal.Writer.TryWrite(true); }
        signal.Writer.TryWrite(true);
        Changed += On;
        try
        {
            var n = 0;
            while (await signal.Reader.WaitToReadAsync(ct))
            {
                signal.Reader.TryRead(out _);
                yield return n++;
            }
        }
        finally { Changed -= On; }
    }
}
