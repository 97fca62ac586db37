using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

public class DashboardTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static async Task<IPage> OpenDashboard(BrowserFixture fx, int width = 1280, int height = 800)
    {
        var page = await fx.NewPageAsync(width, height);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(fx.BaseUrl + "/kaart"); // the live map (/ is server-rendered for visitors)
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        Assert.Empty(errors);
        // The Content-Security-Policy must not block anything the dashboard needs.
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));
        return page;
    }

    /// <summary>The checkbox of a layer in Leaflet's layer switcher.</summary>
    private static ILocator Layer(IPage page, string title) =>
        page.Locator(".leaflet-control-layers-overlays").GetByLabel(title, new() { Exact = true });

    [Fact]
    public async Task The_dashboard_draws_the_five_gebieden_and_clicking_one_shows_its_details_in_the_side_panel()
    {
        var page = await OpenDashboard(fx);
        var gebieden = page.Locator("path.leaflet-interactive[data-level=gebied]");
        Assert.Equal(5, await gebieden.CountAsync());
        // really drawn: each polygon has a visible, non-trivial box on the map
        foreach (var p in await gebieden.AllAsync())
        {
            var box = await p.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width > 20 && box.Height > 20, $"polygon box {box.Width}x{box.Height}");
        }
        Assert.Contains("Gemeente Alkmaar; Kadaster / Centraal Bureau voor de Statistiek, 2024", await page.Locator(".leaflet-control-attribution").InnerTextAsync());

        await page.Locator("path[data-code='GB0361-centrum']").ClickAsync();
        var panel = page.Locator("[data-testid=area-panel]");
        await Assertions.Expect(panel.Locator("[data-testid=area-name]")).ToHaveTextAsync("Centrum");
        await Assertions.Expect(panel.Locator("[data-testid=area-team]")).ToHaveTextAsync("Gebiedsteam Centrum");
        await Assertions.Expect(panel.Locator("[data-testid=area-level]")).ToHaveTextAsync("Gebied");
        await Assertions.Expect(panel.Locator("[data-testid=area-chain]")).ToContainTextAsync("Alkmaar");
        var km2 = await panel.Locator("[data-testid=area-km2]").InnerTextAsync();
        Assert.Matches(@"^\d+,\d\d km²$", km2);

        await BrowserFixture.AnimationsDoneAsync(page); // let the side panel finish sliding in before the picture
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "dashboard.png") });
    }

    [Fact]
    public async Task The_layer_switcher_shows_wijken_buurten_and_dorpen_with_labels()
    {
        var page = await OpenDashboard(fx);
        await Layer(page, "Wijken").CheckAsync();
        await Assertions.Expect(page.Locator("path.leaflet-interactive[data-level=wijk]")).ToHaveCountAsync(11);
        await Layer(page, "Dorpen").CheckAsync();
        await Assertions.Expect(page.Locator("path.leaflet-interactive[data-level=dorp]")).ToHaveCountAsync(14);
        await Layer(page, "Buurten").CheckAsync();
        await Assertions.Expect(page.Locator("path.leaflet-interactive[data-level=buurt]")).ToHaveCountAsync(66);
        await Layer(page, "Gebieden").UncheckAsync();
        await Assertions.Expect(page.Locator("path.leaflet-interactive[data-level=gebied]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".kaart-label-wijken", new() { HasText = "Daalmeer/Koedijk" })).ToBeVisibleAsync();

        // a dorp clicked in the dorpen layer is shown as a dorp
        await Layer(page, "Buurten").UncheckAsync();
        await page.Locator("path[data-level=dorp][data-code=BU03611003]").ClickAsync(new() { Force = true });
        await Assertions.Expect(page.Locator("[data-testid=area-name]")).ToHaveTextAsync("De Rijp");
        await Assertions.Expect(page.Locator("[data-testid=area-level]")).ToHaveTextAsync("Dorp");
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "dashboard-layers.png") });
    }

    [Fact]
    public async Task Rd_coordinates_follow_the_mouse()
    {
        var page = await OpenDashboard(fx);
        var map = page.Locator("[data-testid=kaart-map]");
        var box = (await map.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        var coords = page.Locator(".kaart-rd-coordinates");
        await Assertions.Expect(coords).ToContainTextAsync("RD x");
        var x = double.Parse((await coords.GetAttributeAsync("data-x"))!, System.Globalization.CultureInfo.InvariantCulture);
        var y = double.Parse((await coords.GetAttributeAsync("data-y"))!, System.Globalization.CultureInfo.InvariantCulture);
        // the map is fitted on Alkmaar: the centre lies within the gemeente's RD bounding box
        Assert.InRange(x, 104000, 125000);
        Assert.InRange(y, 500000, 522000);
    }

    [Fact]
    public async Task An_area_can_be_opened_with_the_keyboard()
    {
        var page = await OpenDashboard(fx);
        await page.Locator("path[data-code='GB0361-noord']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=area-name]")).ToHaveTextAsync("Noord");
        Assert.Equal("Gebieden: Noord", await page.Locator("path[data-code='GB0361-noord']").GetAttributeAsync("aria-label"));
    }

    [Fact]
    public async Task On_a_phone_the_map_fills_the_screen_and_the_panel_opens()
    {
        var page = await OpenDashboard(fx, 390, 844);
        await page.Locator("path[data-code='GB0361-west']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=area-name]")).ToHaveTextAsync("West");
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "dashboard-phone.png") });
    }
}
