using System.Net;
using System.Net.Sockets;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Metrics (issue 32): with <c>Metrics:Port</c> set, Prometheus reads requests by route and status with latency
/// histograms, the database pool and the server's own figures on that port — and the public application does not serve
/// them; the health endpoints answer for the proxy and the supervisor.
/// </summary>
public class MetricsTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private KaartAppFactory _app = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); _port = ((IPEndPoint)l.LocalEndpoint).Port; }
        _app = new KaartAppFactory(_db) { Settings = [new("Metrics:Port", _port.ToString())] };
        await _app.ImportRealBuurtenAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Prometheus_reads_requests_by_route_and_the_servers_own_figures_on_the_internal_port_only()
    {
        var client = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/locate?lat=52.63&lon=4.74")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        // the test server takes the request as if it came in on the metrics port (its Host header)
        var scrape = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{_port}") });
        string text = "";
        for (var i = 0; i < 50 && !text.Contains("api/locate"); i++)
        {
            text = await scrape.GetStringAsync("/metrics");
            if (!text.Contains("api/locate")) await Task.Delay(200); // (instruments report once the request has finished)
        }
        Assert.Contains("http_server_request_duration_seconds_bucket", text);
        Assert.Matches("http_server_request_duration_seconds_count\\{[^}]*http_response_status_code=\"200\"[^}]*http_route=\"/?api/locate/?\"", text);
        Assert.Contains("kaart_routing_points_total", text);
        Assert.Contains("kaart_circuits_open", text);
        Assert.Contains("kaart_listen_connected", text);
        Assert.Contains("kaart_outbox_waiting", text);
        Assert.Matches("(process_runtime_)?dotnet_gc_", text); // the runtime's own meter

        // the public application has no metrics endpoint
        var publicAnswer = await client.GetAsync("/metrics");
        Assert.NotEqual(HttpStatusCode.OK, publicAnswer.StatusCode);
    }
}
