using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Testing;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>Benchmarks reported against a baseline of the same run: in process, one launch, operations/s, Ratio as ×.</summary>
public abstract class RatioConfig : ManualConfig
{
    protected RatioConfig(int warmups, int iterations, bool oneInvocationPerIteration = false)
    {
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(warmups).WithIterationCount(iterations).WithLaunchCount(1);
        AddJob(oneInvocationPerIteration ? job.WithInvocationCount(1).WithUnrollFactor(1) : job);
        AddColumn(StatisticColumn.OperationsPerSecond);
        SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
    }
}

/// <summary>Long operations (a million lookups, 100,000 points over HTTP): 1 warm-up, 5 iterations.</summary>
public sealed class LongRatioConfig() : RatioConfig(1, 5);

/// <summary>Short operations (a page of features): 2 warm-ups, 10 iterations.</summary>
public sealed class ShortRatioConfig() : RatioConfig(2, 10);

/// <summary>One browser draw per invocation (a few hundred ms, not repeatable in a tight loop): 2 warm-ups, 15 iterations of one.</summary>
public sealed class BrowserRatioConfig() : RatioConfig(2, 15, oneInvocationPerIteration: true);

/// <summary>The data benchmarks share: the real areas, and seeded random points in the gemeente's bounding box.</summary>
public static class BenchData
{
    /// <summary>The shipped configuration: the municipality's full-resolution buurten, repaired as on import.</summary>
    public static IReadOnlyList<Area> RealAreas()
    {
        var indeling = Gebiedsindeling.Load(TestPaths.Gebiedsindeling);
        using var file = File.OpenRead(TestPaths.RealBuurten);
        return new AreaHierarchyBuilder(indeling).Build(BuurtFileReader.Read(file).Buurten).Areas;
    }

    /// <summary>The neighbouring municipalities, as ./kaart run loads them (the outside answers name them).</summary>
    public static IReadOnlyList<Alkmaar.Kaart.Geo.Routing.Municipality> Municipalities()
    {
        using var file = File.OpenRead(TestPaths.Cbs("alkmaar_en_buurgemeenten_2024.geojson"));
        return GeoJsonFeatureReader.Read(file).Features
            .Select(f => new Alkmaar.Kaart.Geo.Routing.Municipality((string)f.Attributes["statcode"], (string)f.Attributes["statnaam"], f.Geometry)).ToList();
    }

    /// <summary><paramref name="count"/> points uniform in <paramref name="extent"/>, rounded to <paramref name="decimals"/> when given.</summary>
    public static (double[] X, double[] Y) RandomPoints(Envelope extent, int count, int seed, int? decimals = null)
    {
        var random = new Random(seed);
        var (x, y) = (new double[count], new double[count]);
        for (var i = 0; i < count; i++)
        {
            x[i] = extent.MinX + random.NextDouble() * extent.Width;
            y[i] = extent.MinY + random.NextDouble() * extent.Height;
            if (decimals is { } d) (x[i], y[i]) = (Math.Round(x[i], d), Math.Round(y[i], d));
        }
        return (x, y);
    }
}

/// <summary>HTTP helpers of the end-to-end benchmarks.</summary>
public static class BenchHttp
{
    /// <summary>A client signed in to the benchmark server as a browser would (the sign-in form with its antiforgery token).</summary>
    public static HttpClient SignIn(Uri url, string user, string password)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = url };
        var page = client.GetStringAsync("/inloggen").GetAwaiter().GetResult();
        string Hidden(string name) => System.Text.RegularExpressions.Regex.Match(page, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value;
        var response = client.PostAsync("/inloggen", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Hidden("__RequestVerificationToken"), ["_handler"] = Hidden("_handler"),
            ["Input.UserName"] = user, ["Input.Password"] = password,
        })).GetAwaiter().GetResult();
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in of {user} failed: {(int)response.StatusCode}");
        return client;
    }

    /// <summary>Reads a whole (streamed) answer as it arrives, keeping nothing; returns its length in bytes.</summary>
    public static long ReadAll(HttpClient http, string url)
    {
        using var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        using var stream = response.Content.ReadAsStream();
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0) total += read;
        return total;
    }
}
