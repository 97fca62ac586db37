using BenchmarkDotNet.Attributes;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// Time until the meldingen are drawn in headless Chromium, on the dashboard of the real server (KAART_BENCH_URL, started
/// by <c>./kaart bench draw</c> with 100,000 DEMO meldingen): from asking the map for the layer (the same call the
/// filters make) until the frame after it is drawn. The baseline is the same for the 5 gebied polygons, so Ratio is how much
/// longer 100,000 meldingen take than the smallest layer of the map.
/// </summary>
[Config(typeof(BrowserRatioConfig))]
public class DrawBenchmarks
{
    public const int Meldingen = 100_000;

    private const string Draw =
        """
        async ([id, url]) => {
          const m = await import('/dist/kaart-map.js');
          const el = document.querySelector('[data-testid=kaart-map]');
          const t0 = performance.now();
          await m.setLayerUrl(el, id, url);
          await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          return performance.now() - t0;
        }
        """;

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;
    private int _n;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var baseUrl = Environment.GetEnvironmentVariable("KAART_BENCH_URL") ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run ./kaart bench draw.");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("KAART_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        _page = await (await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "nl-NL" })).NewPageAsync();
        await _page.GotoAsync(baseUrl + "/");
        await _page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 60000 });
        await _page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 60000 });
        // switch both meldingen layers on (as a user does in the layer control) and check they hold every melding
        foreach (var title in new[] { "Meldingen (clusters)", "Meldingen (dichtheid)" })
            await _page.Locator(".leaflet-control-layers-overlays").GetByLabel(title, new() { Exact = true }).CheckAsync();
        var map = _page.Locator("[data-testid=kaart-map]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-meldingen", Meldingen.ToString(), new() { Timeout = 60000 });
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-dichtheid", Meldingen.ToString(), new() { Timeout = 60000 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _browser.CloseAsync().GetAwaiter().GetResult();
        _playwright.Dispose();
    }

    // a new query string each time, so neither the browser nor a proxy can answer from a cache
    private Task<double> DrawAsync(string id, string url) =>
        _page.EvaluateAsync<double>(Draw, new object[] { id, $"{url}{(url.Contains('?') ? '&' : '?')}_={++_n}" });

    [Benchmark(Baseline = true, Description = "Gebieden: 5 polygons fetched and drawn")]
    public Task<double> Gebieden() => DrawAsync("gebieden", "/api/areas?level=gebied");

    [Benchmark(Description = "Meldingen clusters: 100,000 meldingen, gemeente view")]
    public Task<double> MeldingenClusters() => DrawAsync("meldingen", "/api/meldingen/openbaar");

    [Benchmark(Description = "Meldingen density: 100,000 meldingen, gemeente view")]
    public Task<double> MeldingenDensity() => DrawAsync("dichtheid", "/api/meldingen/openbaar");
}
