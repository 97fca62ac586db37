using System.Globalization;
using Alkmaar.Kaart.Server.Features.CrossBoundary;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Cross-boundary views in the browser (issue 19): an area page names its neighbours and the neighbouring municipalities
/// with their contact; the border band of gebied West per side (team or municipality) on a map and in a table, another
/// distance; the grensoverleg page of West and Heiloo, as printed; the discrepancies on the planners' page.
/// </summary>
public class GrensbandTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static string Shot(string name) => Path.Combine(BrowserFixture.ScreenshotFolder, name);

    public async Task InitializeAsync()
    {
        if (await fx.App.Services.GetRequiredService<DemoMeldingen>().CountAsync() == 0)
            await fx.App.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(DateTime.UtcNow.Year, 20_000);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_team_sees_its_neighbours_the_border_band_per_side_and_the_grensoverleg_page_with_Heiloo()
    {
        var service = fx.App.Services.GetRequiredService<CrossBoundaryService>();
        var west = (await service.NeighboursAsync("GB0361-west", Geo.Areas.AreaLevel.Gebied))!;
        var page = await fx.NewPageAsync(1400, 1000);
        await page.GotoAsync(fx.BaseUrl + "/gebied/GB0361-west");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        var buren = page.GetByTestId("area-neighbours");
        foreach (var n in west.Areas) await Assertions.Expect(buren.Locator($"li[data-code='{n.Code}']")).ToContainTextAsync(n.Name);
        await Assertions.Expect(buren.Locator("[data-testid=area-municipalities] li[data-code=GM0399]")).ToContainTextAsync("Gemeente Heiloo");
        await Assertions.Expect(buren.Locator("[data-testid=area-municipalities] li[data-code=GM0399] a[href='https://www.heiloo.nl']")).ToHaveCountAsync(1);

        // the border band of West: every side, the band on the map
        await page.GetByTestId("area-band-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("grensband-title")).ToHaveTextAsync("Grensband van gebied West");
        await page.Locator("[data-testid=grensband][data-interactive=true]").WaitForAsync();
        var map = page.GetByTestId("kaart-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-grensband", "2");
        var report = (await service.BandAsync("GB0361-west", null, 250))!;
        var sides = page.Locator("[data-testid=grensband-sides] tbody tr");
        await Assertions.Expect(sides).ToHaveCountAsync(report.Sides.Count);
        await Assertions.Expect(sides.First).ToHaveAttributeAsync("data-side", "GB0361-west");
        await Assertions.Expect(page.Locator("[data-testid=grensband-sides] tr[data-side=GM0399]")).ToHaveAttributeAsync("data-kind", "gemeente");
        var own = report.Sides.First(s => s.Code == "GB0361-west");
        Assert.True(own.Meldingen > 0);
        await Assertions.Expect(page.Locator("[data-testid=grensband-sides] tr[data-side=GB0361-west] td[data-count]")).ToHaveAttributeAsync("data-count", own.Meldingen!.Value.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("grensband-demo")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Shot("grensband.png") });

        // a wider band: more meldingen on West's side
        await page.GetByTestId("grensband-distance").SelectOptionAsync("500");
        var wider = (await service.BandAsync("GB0361-west", null, 500))!.Sides.First(s => s.Code == "GB0361-west").Meldingen!.Value;
        Assert.True(wider > own.Meldingen);
        try { await Assertions.Expect(page.Locator("[data-testid=grensband-sides] tr[data-side=GB0361-west] td[data-count]")).ToHaveAttributeAsync("data-count", wider.ToString(CultureInfo.InvariantCulture)); }
        catch (PlaywrightException) { throw new Exception("console: " + string.Join("\n", fx.ConsoleErrors.GetOrCreateValue(page))); }
        await Assertions.Expect(map).ToHaveAttributeAsync("data-url-grensband", new System.Text.RegularExpressions.Regex("afstand=500"));

        // the grensoverleg with Heiloo: its agenda, contact and export
        await page.GotoAsync(fx.BaseUrl + "/grensoverleg/GB0361-west/GM0399");
        await Assertions.Expect(page.GetByTestId("grensband-title")).ToHaveTextAsync("Grensoverleg West – Heiloo");
        await page.Locator("[data-testid=grensband][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("kaart-map")).ToHaveAttributeAsync("data-loaded-grensband", "2");
        await Assertions.Expect(page.Locator("[data-testid=grensband-sides] tr[data-side=GM0399]")).ToContainTextAsync("buurgemeente");
        await Assertions.Expect(page.GetByText("Contact Heiloo: Gemeente Heiloo")).ToBeVisibleAsync();
        var csvHref = await page.GetByTestId("grensband-export-csv").GetAttributeAsync("href");
        var csv = await fx.App.CreateClient().GetStringAsync("/" + csvHref);
        Assert.StartsWith("kant,naam,soort,team,meldingen_12_maanden,", csv);
        Assert.Contains("\nGM0399,Heiloo,gemeente,", csv);
        await page.ScreenshotAsync(new() { Path = Shot("grensoverleg.png"), FullPage = true });
        // as printed: no menu, no controls
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        Assert.False(await page.Locator(".kaart-header").IsVisibleAsync());
        Assert.False(await page.GetByTestId("grensband-distance").IsVisibleAsync());
        await page.ScreenshotAsync(new() { Path = Shot("grensoverleg-print.png"), FullPage = true });
        Assert.Empty(fx.ConsoleErrors.GetOrCreateValue(page));
        // no meldingen in full for the public …
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
        Assert.Equal(0, await page.GetByTestId("grensband-meldingen").CountAsync());

        // … but for the team at this border: the meldingen in the band, linked to their pages
        await fx.App.EnsureUserAsync("browser-team-west", ["gebiedsteam"], ["GB0361-west"]);
        var team = await fx.NewPageAsync(1280, 1000);
        await team.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=" + Uri.EscapeDataString("/grensband/GB0361-west"));
        await team.GetByLabel("Gebruikersnaam").FillAsync("browser-team-west");
        await team.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await team.GetByLabel("Wachtwoord").PressAsync("Enter");
        var rows = team.Locator("[data-testid=grensband-meldingen] tbody tr");
        // (the page may still be arriving when its first row shows: the count is waited for, not read at once)
        await team.Locator("[data-testid=grensband][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(rows).ToHaveCountAsync((int)Math.Min(200, report.Sides.Where(x => x.Kind == "team").Sum(x => x.Meldingen ?? 0)));
    }

    [Fact]
    public async Task The_planners_page_lists_the_discrepancies_with_the_neighbouring_municipalities()
    {
        await fx.App.EnsureUserAsync("browser-planner-19", ["planner"], []);
        var page = await fx.NewPageAsync(1280, 1000);
        await page.GotoAsync(fx.BaseUrl + "/beheer/grenzen");
        await page.GetByLabel("Gebruikersnaam").FillAsync("browser-planner-19");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        var expected = await fx.App.Services.GetRequiredService<CrossBoundaryService>().DiscrepanciesAsync();
        await Assertions.Expect(page.Locator("[data-testid=discrepancies-table] tbody tr")).ToHaveCountAsync(expected.Count);
        await Assertions.Expect(page.Locator("[data-testid=discrepancies-table] tr[data-kind=overlap][data-municipality=GM0399]").First).ToContainTextAsync("Heiloo");
        await Assertions.Expect(page.GetByTestId("kaart-map")).ToHaveAttributeAsync("data-loaded-afwijkingen", expected.Count.ToString(CultureInfo.InvariantCulture));
    }
}
