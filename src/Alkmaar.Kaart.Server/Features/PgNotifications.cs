using Npgsql;

namespace Alkmaar.Kaart.Server.Features;

/// <summary>A feature that wants the notifications of one PostgreSQL channel (<see cref="PgNotifications"/>).</summary>
public interface IPgNotificationSubscriber
{
    /// <summary>The channel (LISTEN name) this subscriber wants.</summary>
    string Channel { get; }

    /// <summary>
    /// The payloads that arrived on <see cref="Channel"/> since the last call, in order (a burst arrives as one call); or,
    /// with <paramref name="reconnected"/>, none: the connection was lost and is back, so something may have been missed.
    /// Runs on the dispatcher's loop: long work holds up the other channels.
    /// </summary>
    Task OnNotifiedAsync(IReadOnlyList<string> payloads, bool reconnected, CancellationToken ct);

    /// <summary>Whether notifications are being received (false while the connection is down).</summary>
    void ListeningChanged(bool listening) { }
}

/// <summary>
/// Kernel: the one LISTEN connection of this process. Every subscriber (<see cref="IPgNotificationSubscriber"/>: live
/// meldingen, boundary changes) gets its channel's notifications from here, whichever server or import committed them;
/// after a lost connection it reconnects (every 2 s) and tells each subscriber so, since a notification may have been
/// missed meanwhile. Two copied LISTEN loops became this one (issue 28).
/// </summary>
public sealed class PgNotifications(NpgsqlDataSource db, IEnumerable<IPgNotificationSubscriber> subscribers, ILogger<PgNotifications> logger)
    : BackgroundService
{
    private readonly IReadOnlyList<IPgNotificationSubscriber> _subscribers = subscribers.ToList();

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (_subscribers.Count == 0) return;
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stop);
                var arrived = new List<(string Channel, string Payload)>();
                conn.Notification += (_, e) => arrived.Add((e.Channel, e.Payload)); // raised inside WaitAsync, on this loop
                foreach (var channel in _subscribers.Select(s => s.Channel).Distinct())
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel}", conn);
                    await listen.ExecuteNonQueryAsync(stop);
                }
                Listening(true);
                if (!first) foreach (var s in _subscribers) await DeliverAsync(s, [], reconnected: true, stop);
                first = false;
                while (!stop.IsCancellationRequested)
                {
                    await conn.WaitAsync(stop);
                    if (arrived.Count == 0) continue;
                    var batch = arrived.ToList();
                    arrived.Clear();
                    foreach (var s in _subscribers)
                    {
                        var mine = batch.Where(n => n.Channel == s.Channel).Select(n => n.Payload).ToList();
                        if (mine.Count > 0) await DeliverAsync(s, mine, reconnected: false, stop);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or InvalidOperationException or TimeoutException)
            {
                Listening(false);
                logger.LogWarning(e, "Listening for database notifications failed; retrying in 2 s");
                try { await Task.Delay(TimeSpan.FromSeconds(2), stop); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Listening(bool on)
    {
        KaartTelemetry.SetListening(on);
        foreach (var s in _subscribers) s.ListeningChanged(on);
    }

    private async Task DeliverAsync(IPgNotificationSubscriber s, IReadOnlyList<string> payloads, bool reconnected, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await s.OnNotifiedAsync(payloads, reconnected, ct);
            KaartTelemetry.ListenNotifications.Add(payloads.Count, new KeyValuePair<string, object?>("channel", s.Channel));
            KaartTelemetry.ListenDelivery.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("channel", s.Channel));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The subscriber of {Channel} failed on a notification", s.Channel);
        }
    }
}
