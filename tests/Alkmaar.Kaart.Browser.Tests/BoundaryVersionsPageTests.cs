using Alkmaar.Kaart.Testing;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

public class BoundaryVersionsPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_planner_sees_what_the_import_repaired_in_a_table_and_on_the_map()
    {
        await fx.App.EnsureUserAsync("browser-planner", ["planner"], []);
        var page = await fx.NewPageAsync();
        await page.GotoAsync(fx.BaseUrl + "/beheer/grenzen");
        await page.GetByLabel("Gebruikersnaam").FillAsync("browser-planner");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Grensversies");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Grensversies" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=version-summary]")).ToContainTextAsync("22 herstellingen");
        await Assertions.Expect(page.Locator("[data-testid=repairs-table] tbody tr")).ToHaveCountAsync(22);
        await Assertions.Expect(page.Locator("[data-testid=repairs-table] tbody tr[data-kind=overlap]")).ToHaveCountAsync(8);
        await Assertions.Expect(page.Locator("[data-testid=repairs-table] tbody tr[data-kind=gap]")).ToHaveCountAsync(9);
        // the largest overlap (97 m² between BU03610203 and BU03610301) comes first
        await Assertions.Expect(page.Locator("[data-testid=repairs-table] tbody tr").First).ToContainTextAsync("BU03610203, BU03610301");
        // drawn on the map: the repairs layer loaded all 22 (clustered where they lie close together)
        var map = page.Locator("[data-testid=kaart-map]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-herstellingen", "22");
        await Assertions.Expect(page.Locator(".kaart-pin, .marker-cluster").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "beheer-grenzen.png"), FullPage = true });
    }
}
