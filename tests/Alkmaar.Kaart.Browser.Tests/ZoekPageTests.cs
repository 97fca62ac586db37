using Alkmaar.Kaart.Server.Features.Zoeken;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Search by name on a phone (issue 34): a resident types the street of their address with its number (one letter
/// wrong) in "Wie is mijn gebiedsteam?", picks the suggestion and gets their team; another types a local name
/// ("Nieuw Overdie") and presses Enter without picking, and gets the team of that part of town.
/// </summary>
public class ZoekPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_resident_finds_their_team_by_street_name_and_by_a_local_name_on_a_phone()
    {
        await TestData.EnsureDemoAddressesAsync(fx.App.Services);
        await fx.App.Services.GetRequiredService<ZoekIndex>().RebuildAsync();
        var db = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        string straat, postcode, gebied;
        int nr;
        await using (var cmd = db.CreateCommand(
            """
            SELECT a.straat, a.postcode, a.huisnummer, g.name FROM address a JOIN area_in_force g ON g.level = 'gebied' AND ST_Covers(g.geom, a.geom)
            WHERE a.toevoeging = '' AND a.woonplaats = 'Alkmaar' ORDER BY a.bag_id LIMIT 1
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            (straat, postcode, nr, gebied) = (r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3));
        }

        var page = await fx.NewPageAsync(390, 844, o => { o.IsMobile = true; o.HasTouch = true; });
        await page.GotoAsync(fx.BaseUrl + "/mijn-gebiedsteam");
        await page.Locator("[data-testid=mijn-gebiedsteam][data-interactive=true]").WaitForAsync();
        var box = page.Locator("#zoek");
        // the street with one letter wrong ("Demostraat" → "Demostrat"), then the number
        await box.PressSequentiallyAsync($"{straat.Replace("straat", "strat")} {nr}".ToLowerInvariant());
        var option = page.Locator("#zoek-suggesties [role=option]").First;
        await Assertions.Expect(option).ToContainTextAsync($"{straat} {nr}");
        await Assertions.Expect(box).ToHaveAttributeAsync("aria-expanded", "true");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "zoeken-straat-telefoon.png") });
        await option.ClickAsync();
        await Assertions.Expect(page.GetByTestId("answer-gebied")).ToHaveTextAsync(gebied);
        await Assertions.Expect(page.Locator("#postcode")).ToHaveValueAsync(postcode);
        Assert.Contains($"huisnummer={nr}", page.Url);

        // a local name, Enter without choosing: the best match
        await page.GotoAsync(fx.BaseUrl + "/mijn-gebiedsteam");
        await page.Locator("[data-testid=mijn-gebiedsteam][data-interactive=true]").WaitForAsync();
        await page.Locator("#zoek").FillAsync("Nieuw Overdie");
        await page.Locator("#zoek").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("answer-wijk")).ToHaveTextAsync("Overdie");
        await Assertions.Expect(page.GetByTestId("answer-team")).Not.ToBeEmptyAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "zoeken-alias-telefoon.png"), FullPage = true });
    }

    [Fact]
    public async Task On_the_melding_form_a_street_and_number_fill_the_address_fields()
    {
        await TestData.EnsureDemoAddressesAsync(fx.App.Services);
        await fx.App.Services.GetRequiredService<ZoekIndex>().RebuildAsync();
        var db = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        string straat, postcode;
        int nr;
        await using (var cmd = db.CreateCommand("SELECT straat, postcode, huisnummer FROM address WHERE toevoeging = '' AND woonplaats = 'Alkmaar' ORDER BY bag_id DESC LIMIT 1"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            (straat, postcode, nr) = (r.GetString(0), r.GetString(1), r.GetInt32(2));
        }
        var page = await fx.NewPageAsync(390, 844, o => { o.IsMobile = true; o.HasTouch = true; });
        await page.GotoAsync(fx.BaseUrl + "/melding");
        var box = page.Locator("#melding-zoek");
        await box.WaitForAsync(); // shown once the form's script runs
        await box.PressSequentiallyAsync($"{straat} {nr}");
        var option = page.Locator("#zoek-suggesties [role=option]").First;
        await Assertions.Expect(option).ToContainTextAsync($"{straat} {nr}");
        await option.ClickAsync();
        await Assertions.Expect(page.Locator("#postcode")).ToHaveValueAsync($"{postcode[..4]} {postcode[4..]}");
        await Assertions.Expect(page.Locator("#huisnummer")).ToHaveValueAsync(nr.ToString());
        Assert.EndsWith("/melding", page.Url); // the form stays, with what was typed
    }

    [Fact]
    public async Task The_header_box_on_the_dashboard_and_on_a_staff_page_finds_a_place_by_name()
    {
        await fx.App.Services.GetRequiredService<ZoekIndex>().RebuildAsync();
        // the dashboard: a wijk by name with one letter wrong; the choice answers with its team
        var page = await fx.NewPageAsync(1366, 900);
        await page.GotoAsync(fx.BaseUrl + "/");
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync();
        var box = page.Locator("#kop-zoek-invoer");
        await box.PressSequentiallyAsync("Overdi");
        var option = page.Locator("#zoek-suggesties [role=option]").First;
        await Assertions.Expect(option).ToContainTextAsync("Overdie");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "zoeken-dashboard.png") });
        await option.ClickAsync();
        await Assertions.Expect(page.GetByTestId("answer-wijk")).ToHaveTextAsync("Overdie");
        await Assertions.Expect(page.GetByTestId("answer-team")).Not.ToBeEmptyAsync();

        // a staff page (the meldingen workspace): the same box, Enter without choosing answers with the best match
        var staff = await fx.SignedInPageAsync("zoek-team", "GB0361-noord", "/meldingen");
        await staff.Locator("#kop-zoek-invoer").FillAsync("Nieuw Overdie");
        await staff.Locator("#kop-zoek-invoer").PressAsync("Enter");
        await Assertions.Expect(staff.GetByTestId("answer-wijk")).ToHaveTextAsync("Overdie");
    }
}
