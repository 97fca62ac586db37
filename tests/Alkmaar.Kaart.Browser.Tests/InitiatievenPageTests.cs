using Alkmaar.Kaart.Testing;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>A gebiedsteam member adds an initiative by clicking the map, moves it through its lifecycle, and the list,
/// the filters and the clustered markers stay in sync; a resident sees the same without the buttons.</summary>
public class InitiatievenPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_team_member_adds_an_initiative_on_the_map_and_grants_it_and_list_and_map_follow()
    {
        await fx.App.EnsureUserAsync("init-noord", ["gebiedsteam"], ["GB0361-noord"]);
        var page = await fx.NewPageAsync(1400, 1000);
        await page.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=%2Finitiatieven");
        await page.GetByLabel("Gebruikersnaam").FillAsync("init-noord");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Bewonersinitiatieven", new() { Timeout = 30000 });
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });

        // a bad form gets a readable message and stores nothing
        await page.GetByRole(AriaRole.Button, new() { Name = "Initiatief opslaan" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=init-message]")).ToContainTextAsync("titel", new() { Timeout = 30000 });

        // place it by clicking the middle of gebied Noord on the map
        var noord = page.Locator("path[data-code='GB0361-noord']");
        var box = (await noord.BoundingBoxAsync())!;
        await page.Locator("#new-title").FillAsync("Geveltuinen Testbuurt");
        await page.Locator("#new-theme").SelectOptionAsync("groen");
        await page.Locator("#new-subsidy").FillAsync("750");
        for (var dy = 0.5f; dy < 0.95f; dy += 0.1f)
        {
            await page.Mouse.ClickAsync(box.X + box.Width * 0.5f, box.Y + box.Height * dy);
            await Assertions.Expect(page.Locator("[data-testid=new-location]")).ToContainTextAsync("Plek: RD", new() { Timeout = 30000 });
            await page.GetByRole(AriaRole.Button, new() { Name = "Initiatief opslaan" }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=init-message]")).Not.ToContainTextAsync("titel", new() { Timeout = 30000 });
            if ((await page.Locator("[data-testid=init-message]").InnerTextAsync()).Contains("opgeslagen")) break;
        }
        await Assertions.Expect(page.Locator("[data-testid=init-message]")).ToContainTextAsync("opgeslagen");
        var grid = page.Locator("[data-testid=init-grid]");
        await Assertions.Expect(grid).ToContainTextAsync("Geveltuinen Testbuurt");
        await Assertions.Expect(page.Locator(".kaart-pin-aangevraagd")).Not.ToHaveCountAsync(0, new() { Timeout = 30000 });

        // grant it: the row and the marker change status
        await page.GetByRole(AriaRole.Button, new() { Name = "Geveltuinen Testbuurt: Toegekend" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=init-message]")).ToContainTextAsync("toegekend", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.kaart-pin-toegekend")).Not.ToHaveCountAsync(0, new() { Timeout = 30000 });

        // the list row opens the marker's popup on the map
        await grid.GetByText("Geveltuinen Testbuurt").ClickAsync();
        // (a popup closed by a redraw fades out for 200 ms: look for the one with the new status)
        var popup = page.Locator(".leaflet-popup-content", new() { HasText = "Toegekend" });
        await Assertions.Expect(popup).ToContainTextAsync("Geveltuinen Testbuurt", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator(".leaflet-popup-content", new() { HasText = "Aangevraagd" })).ToHaveCountAsync(0);
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "initiatieven.png") });

        // a filter that excludes it empties list and map
        await page.Locator("#init-status").SelectOptionAsync("afgewezen");
        await Assertions.Expect(grid).Not.ToContainTextAsync("Geveltuinen Testbuurt", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.kaart-pin-toegekend")).ToHaveCountAsync(0, new() { Timeout = 30000 });

        // all again (the selection is cleared by a filter): a click on the marker selects its row
        await page.Locator("#init-status").SelectOptionAsync("");
        var pin = page.Locator(".leaflet-marker-icon.kaart-pin-toegekend");
        await Assertions.Expect(pin).Not.ToHaveCountAsync(0, new() { Timeout = 30000 });
        await Assertions.Expect(grid.Locator("tr.geselecteerd")).ToHaveCountAsync(0);
        await pin.First.ClickAsync();
        await Assertions.Expect(grid.Locator("tr.geselecteerd")).ToContainTextAsync("Geveltuinen Testbuurt", new() { Timeout = 30000 });

        // a resident sees it, without edit buttons, on a server-rendered page (no Blazor script, no live connection)
        var resident = await fx.NewPageAsync(1280, 900);
        var blazor = 0;
        resident.Request += (_, r) => { if (r.Url.Contains("/_blazor") || r.Url.Contains("blazor.web.js")) Interlocked.Increment(ref blazor); };
        await resident.GotoAsync(fx.BaseUrl + "/initiatieven");
        await resident.Locator("[data-resident-page][data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        var residentGrid = resident.Locator("[data-testid=init-grid]");
        await Assertions.Expect(residentGrid).ToContainTextAsync("Geveltuinen Testbuurt");
        Assert.Equal(0, await resident.GetByRole(AriaRole.Button, new() { Name = "Geveltuinen Testbuurt: Uitgevoerd" }).CountAsync());
        Assert.Equal(0, await resident.Locator("[data-testid=init-form]").CountAsync());
        await resident.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        await Assertions.Expect(resident.Locator(".leaflet-marker-icon.kaart-pin-toegekend")).Not.ToHaveCountAsync(0, new() { Timeout = 30000 });
        // a filter is a form: the choice gives the list and the map for it, at an address of its own
        await resident.Locator("#init-status").SelectOptionAsync("afgewezen");
        await resident.WaitForURLAsync(new System.Text.RegularExpressions.Regex("status=afgewezen"));
        await resident.Locator("[data-resident-page][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(residentGrid).Not.ToContainTextAsync("Geveltuinen Testbuurt");
        await Assertions.Expect(resident.Locator("#init-status")).ToHaveValueAsync("afgewezen");
        await resident.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        await Assertions.Expect(resident.Locator(".leaflet-marker-icon.kaart-pin-toegekend")).ToHaveCountAsync(0);
        // sorting is a link that keeps the filter
        await resident.GetByRole(AriaRole.Link, new() { Name = "Titel" }).ClickAsync();
        await resident.WaitForURLAsync(new System.Text.RegularExpressions.Regex("status=afgewezen.*sorteer=titel"));
        await Assertions.Expect(resident.Locator("th[aria-sort=ascending]")).ToContainTextAsync("Titel");
        Assert.Equal(0, blazor);
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));
    }
}
