using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Testing;
using BenchmarkDotNet.Attributes;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// <c>POST /api/route</c> end to end: 100,000 random points in the gemeente's bounding box sent to the real server (a
/// separate process on loopback, started by <c>./kaart bench routing</c>, URL in KAART_BENCH_URL), the whole answer read.
/// Every benchmark reports time per point, so the Ratio column is the end-to-end cost against AreaLocator answering the
/// same points in this process (the baseline): what parsing, HTTP and writing add to the lookup itself.
/// </summary>
[Config(typeof(LongRatioConfig))]
public class RouteBatchHttpBenchmarks
{
    private const int Points = 100_000;

    private AreaLocator _locator = null!;
    private double[] _x = null!, _y = null!;
    private byte[] _csv = null!, _json = null!;
    private HttpClient _http = null!;

    [GlobalSetup]
    public void Setup()
    {
        var areas = BenchData.RealAreas();
        _locator = new AreaLocator(areas);
        (_x, _y) = BenchData.RandomPoints(areas.Single(a => a.Level == AreaLevel.Gemeente).Geometry.EnvelopeInternal, Points, seed: 7, decimals: 2);
        var csv = new StringBuilder("id,x,y\n");
        var json = new StringBuilder("[");
        for (var i = 0; i < Points; i++)
        {
            var (x, y) = (_x[i].ToString(CultureInfo.InvariantCulture), _y[i].ToString(CultureInfo.InvariantCulture));
            csv.Append("p").Append(i).Append(',').Append(x).Append(',').Append(y).Append('\n');
            json.Append(i == 0 ? "" : ",").Append("{\"id\":\"p").Append(i).Append("\",\"x\":").Append(x).Append(",\"y\":").Append(y).Append('}');
        }
        json.Append(']');
        _csv = Encoding.UTF8.GetBytes(csv.ToString());
        _json = Encoding.UTF8.GetBytes(json.ToString());

        var url = Environment.GetEnvironmentVariable("KAART_BENCH_URL")
                  ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run through ./kaart bench routing.");
        _http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
        // the answer must be complete and right before anything is timed
        if (PostCsv() != Points + 1) throw new InvalidOperationException("The server did not answer every point.");
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Points, Description = "AreaLocator in process, same points")]
    public int Locator()
    {
        var found = 0;
        for (var i = 0; i < Points; i++)
            if (_locator.Locate(_x[i], _y[i]).Buurt is not null) found++;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "POST /api/route, CSV in and out (loopback)")]
    public int PostCsv() => Post(_csv, "text/csv", "text/csv");

    [Benchmark(OperationsPerInvoke = Points, Description = "POST /api/route, JSON in and out (loopback)")]
    public int PostJson() => Post(_json, "application/json", "application/json");

    /// <summary>Sends one batch and reads the whole streamed answer; returns its line count (CSV) or 1 + points (JSON).</summary>
    private int Post(byte[] body, string contentType, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/route") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var stream = response.Content.ReadAsStream();
        var buffer = new byte[1 << 16];
        int n, count = 0;
        var marker = accept == "text/csv" ? (byte)'\n' : (byte)'}';
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            count += buffer.AsSpan(0, n).Count(marker);
        return accept == "text/csv" ? count : count + 1;
    }
}
