using Alkmaar.Kaart.Geo.Demo;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>Hotspots on the demo year of meldingen: the page with its ranked list per gebied and the map, a filter, and
/// the hotspot layer of the dashboard.</summary>
public class HotspotPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private IReadOnlyList<PlantedCluster> _planted = [];

    public async Task InitializeAsync() => _planted = (await fx.App.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(2025, 25_000)).Planted;

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_hotspot_page_ranks_hotspots_per_gebied_draws_them_and_filters_by_category()
    {
        var page = await fx.NewPageAsync(1280, 900);
        await page.GotoAsync(fx.BaseUrl + "/hotspots");
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("[data-testid=demo-note]")).ToContainTextAsync("demo-meldingen");

        var items = page.Locator("[data-testid=hotspot-item]");
        // a hotspot across a team border is listed under every team involved: count hotspots, not list items
        var count = (await items.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.hotspot)")).Distinct().Count();
        Assert.InRange(count, 1, _planted.Count);
        await Assertions.Expect(page.Locator("path.leaflet-interactive[data-level=hotspot]")).ToHaveCountAsync(count);
        Assert.Contains("hotspot", await page.Locator("[data-testid=hotspot-summary]").InnerTextAsync());

        // (a hotspot can be any shape: select it by keyboard rather than clicking the middle of its box)
        await page.Locator("path[data-level=hotspot][data-code='hotspot-1']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var selected = page.Locator("[data-testid=hotspot-selected]");
        await Assertions.Expect(selected.Locator("[data-testid=hotspot-team]")).ToContainTextAsync("Gebiedsteam ");
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "hotspots.png") });

        // one category: as many hotspots as its planted clusters (apart ones), on the list and on the map
        var category = _planted.GroupBy(p => p.Category).OrderBy(g => g.Count()).First().Key;
        await page.Locator("#hs-category").SelectOptionAsync(category);
        // wait for the filtered layer (the attribute exists since the first load), then for the list to follow it
        var map = page.Locator("[data-testid=kaart-map]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-url-hotspots", new System.Text.RegularExpressions.Regex($"category={category}"));
        var filtered = int.Parse((await map.GetAttributeAsync("data-loaded-hotspots"))!);
        Assert.InRange(filtered, 1, _planted.Count(p => p.Category == category));
        // the list follows: as many hotspots (a shared one is listed under each team involved)
        await page.WaitForFunctionAsync("n => new Set([...document.querySelectorAll('[data-testid=hotspot-item]')].map(e => e.dataset.hotspot)).size === n", filtered);
        foreach (var item in await items.AllAsync()) await Assertions.Expect(item).ToContainTextAsync(category);
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));
    }

    [Fact]
    public async Task The_dashboard_shows_the_hotspot_layer_and_a_hotspot_in_the_side_panel()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync(fx.BaseUrl + "/kaart"); // the live map (/ is server-rendered for visitors)
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.Locator(".leaflet-control-layers-overlays").GetByLabel("Hotspots meldingen", new() { Exact = true }).CheckAsync();
        await page.Locator("path[data-level=hotspot][data-code='hotspot-1']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=hotspot-name]")).ToHaveTextAsync("Hotspot 1");
        await Assertions.Expect(page.Locator("[data-testid=hotspot-panel] [data-testid=hotspot-team]")).ToContainTextAsync("Gebiedsteam ");
        await Assertions.Expect(page.Locator("[data-testid=hotspot-panel] .demo-note")).ToBeVisibleAsync();
    }
}
