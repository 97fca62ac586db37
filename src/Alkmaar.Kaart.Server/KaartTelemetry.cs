using System.Diagnostics.Metrics;

namespace Alkmaar.Kaart.Server;

/// <summary>
/// The server's own metrics (meter <c>Alkmaar.Kaart</c>), exported with ASP.NET Core's, the runtime's and Npgsql's for
/// Prometheus on a separate, internal port (<c>Metrics:Port</c>; docs/operations.md). The values are also kept here so
/// the staff page of this server can show them without a scrape.
/// </summary>
public static class KaartTelemetry
{
    public const string MeterName = "Alkmaar.Kaart";
    public static readonly Meter Meter = new(MeterName);

    private static long _circuits, _listening, _outboxWaiting, _listenedOnce;
    private static double _outboxAgeSeconds;

    /// <summary>Blazor circuits open on this server now.</summary>
    public static long Circuits => Interlocked.Read(ref _circuits);
    public static bool Listening => Interlocked.Read(ref _listening) == 1;
    public static (long Waiting, double OldestSeconds) Outbox => (Interlocked.Read(ref _outboxWaiting), _outboxAgeSeconds);

    public static readonly Counter<long> ListenReconnects = Meter.CreateCounter<long>("kaart.listen.reconnects", description: "LISTEN connections re-established (after a failover or a restart of PostgreSQL)");
    public static readonly Counter<long> ListenNotifications = Meter.CreateCounter<long>("kaart.listen.notifications", description: "Database notifications delivered to this server's subscribers");
    public static readonly Histogram<double> ListenDelivery = Meter.CreateHistogram<double>("kaart.listen.delivery", unit: "s",
        description: "Time the subscribers took to handle a batch of notifications",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    public static readonly Counter<long> RoutedPoints = Meter.CreateCounter<long>("kaart.routing.points", description: "Points routed to an area and team (locate, route batches, meldingen)");

    static KaartTelemetry()
    {
        Meter.CreateObservableUpDownCounter("kaart.circuits.open", () => Circuits, description: "Blazor circuits open on this server");
        Meter.CreateObservableGauge("kaart.listen.connected", () => Interlocked.Read(ref _listening), description: "1 while this server listens for database notifications");
        Meter.CreateObservableGauge("kaart.outbox.waiting", () => Interlocked.Read(ref _outboxWaiting), description: "Messages to residents waiting in the outbox");
        Meter.CreateObservableGauge("kaart.outbox.oldest", () => _outboxAgeSeconds, unit: "s", description: "Age of the oldest waiting message");
    }

    public static void CircuitOpened() => Interlocked.Increment(ref _circuits);
    public static void CircuitClosed() => Interlocked.Decrement(ref _circuits);

    public static void SetListening(bool on)
    {
        var was = Interlocked.Exchange(ref _listening, on ? 1 : 0);
        if (on && was == 0 && Interlocked.Exchange(ref _listenedOnce, 1) == 1) ListenReconnects.Add(1);
    }

    public static void SetOutbox(long waiting, double oldestSeconds)
    {
        Interlocked.Exchange(ref _outboxWaiting, waiting);
        _outboxAgeSeconds = oldestSeconds;
    }
}
