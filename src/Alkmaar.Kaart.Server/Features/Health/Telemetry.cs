using Alkmaar.Kaart.Server.Features.Notifications;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Alkmaar.Kaart.Server.Features.Health;

/// <summary>Where the metrics go (section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";
    /// <summary>The internal port Prometheus scrapes (<c>http://127.0.0.1:PORT/metrics</c>); 0 = no exporter. Never behind the public proxy.</summary>
    public int Port { get; set; }
    /// <summary>The address the exporter listens on (default loopback; a monitoring network's own address on a VM).</summary>
    public string Host { get; set; } = "127.0.0.1";
}

/// <summary>
/// OpenTelemetry metrics (issue 32): requests by route and status with latency histograms (ASP.NET Core), the runtime,
/// the database pool (Npgsql), open circuits, LISTEN state, notifications and their delivery time, outbox depth and age,
/// routed points — exported in Prometheus format by OpenTelemetry's ASP.NET Core exporter on a separate port.
/// Logs as JSON lines with the trace id when <c>Logging:Format</c> is <c>json</c>.
/// </summary>
public static class TelemetrySetup
{
    public static void AddKaartTelemetry(this WebApplicationBuilder builder)
    {
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; });
        }
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitCounter>());
        builder.Services.AddOptions<MetricsOptions>().Bind(builder.Configuration.GetSection(MetricsOptions.Section));
        var options = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new();
        if (options.Port <= 0) return;
        builder.Services.AddHostedService<OutboxGauge>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter("Npgsql", KaartTelemetry.MeterName)
            .AddPrometheusExporter());
    }

    /// <summary>
    /// The scrape endpoint, on the metrics port only: the server also listens there (next to its own addresses), and
    /// <c>/metrics</c> answers only requests that came in on that port — the proxy forwards to the other, so the public
    /// never reaches it.
    /// </summary>
    public static void MapKaartMetrics(this WebApplication app)
    {
        var options = app.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new();
        if (options.Port <= 0) return;
        var urls = app.Configuration["urls"] ?? app.Configuration["ASPNETCORE_URLS"];
        if (!string.IsNullOrWhiteSpace(urls)) // (an address added here replaces the configured ones: keep those too)
            foreach (var u in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) app.Urls.Add(u);
        app.Urls.Add($"http://{options.Host}:{options.Port}");
        app.MapPrometheusScrapingEndpoint("/metrics").RequireHost($"*:{options.Port}").AllowAnonymous();
    }

    /// <summary>Counts this server's open Blazor circuits.</summary>
    private sealed class CircuitCounter : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken ct)
        {
            KaartTelemetry.CircuitOpened();
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken ct)
        {
            KaartTelemetry.CircuitClosed();
            return Task.CompletedTask;
        }
    }

    /// <summary>Reads the outbox's depth and oldest waiting message every 15 s (a gauge must not query per scrape).</summary>
    private sealed class OutboxGauge(MailOutbox outbox, ILogger<OutboxGauge> log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var c = await outbox.CountsAsync(stop);
                    KaartTelemetry.SetOutbox(c.Waiting, c.OldestWaiting is { } t ? (DateTimeOffset.UtcNow - t).TotalSeconds : 0);
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException) { log.LogDebug(e, "Outbox gauge: database not reachable"); }
                try { await Task.Delay(TimeSpan.FromSeconds(15), stop); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
