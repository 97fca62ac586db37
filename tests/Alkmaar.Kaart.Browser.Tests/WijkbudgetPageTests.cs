using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Wijkbudget, draagvlak and regiegroep (issue 33) as their people use them: a resident on a phone taps the place of an
/// initiative, sees how much is left in that wijk's budget (€ 2.000) and asks € 750; the team makes the application public
/// for support; two neighbours support it on their phones with their letters' codes (the same code twice is refused, the
/// typing kept); the regiegroep of the wijk judges it and advises to grant; the team sees the advice, lets the comment
/// through and grants it: € 1.250 left; a second application of € 1.500 at the same place cannot be granted.
/// </summary>
public class WijkbudgetPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_resident_asks_750_from_a_wijk_with_2000_left_the_team_grants_it_and_a_grant_beyond_what_is_left_is_refused()
    {
        var year = DateTime.Today.Year;
        var db = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        // every wijk and dorp gets € 2.000 this year, so wherever the tap lands there is a budget
        await db.ExecAsync("INSERT INTO wijkbudget (area_code, year, amount_eur, updated_by) SELECT DISTINCT code, $1, 2000, 'test' FROM area_in_force WHERE level IN ('wijk', 'dorp') ON CONFLICT DO NOTHING", year);

        var resident = await fx.NewPageAsync(390, 844, o => { o.IsMobile = true; o.HasTouch = true; });
        await resident.GotoAsync(fx.BaseUrl + "/initiatief-aanvragen");
        await resident.Locator("[data-testid=initiatief-aanvragen][data-interactive=true]").WaitForAsync();
        await resident.GetByTestId("ia-open-map").ClickAsync(); // a phone loads the map when asked
        await resident.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync();
        await resident.Locator("[data-testid=kaart-map]").TapAsync();
        await Assertions.Expect(resident.Locator("#ia-bedrag-uitleg")).ToContainTextAsync($"Wijkbudget {year} van");
        await Assertions.Expect(resident.Locator("#ia-bedrag-uitleg")).ToContainTextAsync("nog € 2.000 over (van € 2.000)");
        await resident.Locator("#ia-titel").FillAsync("Buurtfeest Wijkbudget (test)");
        await resident.Locator("#ia-tekst").FillAsync("Een straatfeest met alle buren, muziek en een springkussen.");
        await resident.Locator("#ia-bedrag").FillAsync("750");
        await resident.Locator("#ia-bedrag").ScrollIntoViewIfNeededAsync();
        await resident.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wijkbudget-formulier-telefoon.png") });
        await resident.GetByTestId("ia-submit").ClickAsync();
        await Assertions.Expect(resident.GetByTestId("aanvraag-done")).ToBeVisibleAsync();
        await resident.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wijkbudget-aanvraag-telefoon.png"), FullPage = true });

        // where it landed: its gebied and the wijk or dorp whose budget it draws on
        string gebied = "", area = "";
        long id = 0;
        await using (var cmd = db.CreateCommand("SELECT id, gebied_code, initiatief_budget_area(geom, wijk_code) FROM initiatief WHERE title = 'Buurtfeest Wijkbudget (test)'"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            (id, gebied, area) = (r.GetInt64(0), r.GetString(1), r.GetString(2));
        }
        // a second application of € 1.500 at the same place (as another resident would make it)
        await db.ExecAsync(
            """
            INSERT INTO initiatief (title, description, theme, status, year, geom, buurt_code, wijk_code, gebied_code, updated_by, requested_eur)
            SELECT 'Speeltuin Wijkbudget (test)', 'Nieuwe speeltoestellen', 'spelen', 'aangevraagd', year, geom, buurt_code, wijk_code, gebied_code, 'bewoner', 1500
            FROM initiatief WHERE id = $1
            """, id);

        // the team checks the application: public now, so neighbours can find and support it
        await fx.App.EnsureUserAsync("budget-team", ["gebiedsteam"], [gebied]);
        var team = await fx.NewPageAsync(1400, 1000);
        await team.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=%2Finitiatieven");
        await team.GetByLabel("Gebruikersnaam").FillAsync("budget-team");
        await team.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await team.GetByLabel("Wachtwoord").PressAsync("Enter");
        await team.Locator("[data-interactive=true]").WaitForAsync();
        await team.GetByRole(AriaRole.Button, new() { Name = "Buurtfeest Wijkbudget (test): openbaar voor steun" }).ClickAsync();
        await Assertions.Expect(team.GetByTestId("controle-message")).ToContainTextAsync("openbaar");

        // two neighbours support it on their phones with the codes from their letters; the first offers help and a comment
        var codes = await fx.App.Services.GetRequiredService<DraagvlakService>().StoreCodesAsync(area, year, [("1811AA", 1, ""), ("1811AA", 2, "")], "test");
        IPage? neighbour = null;
        for (var n = 0; n < codes.Count; n++)
        {
            neighbour = await fx.NewPageAsync(390, 844, o => { o.IsMobile = true; o.HasTouch = true; });
            await neighbour.GotoAsync($"{fx.BaseUrl}/initiatief/{id}/steunen");
            await Assertions.Expect(neighbour.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Buurtfeest Wijkbudget (test)");
            await neighbour.Locator("#steun-code").FillAsync(codes[n].Code.ToLowerInvariant());
            if (n == 0)
            {
                await neighbour.GetByLabel("Ik help mee").CheckAsync();
                await neighbour.Locator("#steun-reactie").FillAsync("Leuk! Ik zet de tafels klaar.");
            }
            await neighbour.GetByTestId("steun-submit").ClickAsync();
            await Assertions.Expect(neighbour.GetByTestId("steun-done")).ToBeVisibleAsync();
            await Assertions.Expect(neighbour.GetByTestId("steun-stand")).ToHaveAttributeAsync("data-steun", (n + 1).ToString());
        }
        await neighbour!.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "draagvlak-steunen-telefoon.png"), FullPage = true });
        // the first code again: refused in Dutch, and what was typed stays
        await neighbour.GotoAsync($"{fx.BaseUrl}/initiatief/{id}/steunen");
        await neighbour.Locator("#steun-code").FillAsync(codes[0].Code);
        await neighbour.Locator("#steun-reactie").FillAsync("Nog een keer");
        await neighbour.GetByTestId("steun-submit").ClickAsync();
        await Assertions.Expect(neighbour.GetByTestId("steun-error")).ToContainTextAsync("al gesteund");
        await Assertions.Expect(neighbour.Locator("#steun-reactie")).ToHaveValueAsync("Nog een keer");
        await Assertions.Expect(neighbour.GetByTestId("steun-stand")).ToHaveAttributeAsync("data-steun", "2");

        // the regiegroep of its wijk (or dorp) judges it and advises the team
        await fx.App.EnsureUserAsync("rg-lid", ["regiegroep"], [area]);
        var rg = await fx.NewPageAsync(1280, 1000);
        await rg.GotoAsync(fx.BaseUrl + "/inloggen");
        await rg.GetByLabel("Gebruikersnaam").FillAsync("rg-lid");
        await rg.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await rg.GetByLabel("Wachtwoord").PressAsync("Enter");
        var card = rg.Locator($"[data-testid=regiegroep-aanvraag][data-id='{id}']");
        await Assertions.Expect(card).ToContainTextAsync("gevraagd: € 750");
        await card.GetByLabel("voor", new() { Exact = true }).CheckAsync();
        await card.Locator($"#oordeel-tekst-{id}").FillAsync("Twee buren steunen het; past in het budget.");
        await card.GetByTestId("regiegroep-oordeel-submit").ClickAsync();
        await Assertions.Expect(rg.GetByTestId("regiegroep-done")).ToContainTextAsync("opgeslagen");
        await Assertions.Expect(card.Locator("[data-testid=regiegroep-oordelen] li[data-oordeel=voor]")).ToContainTextAsync("rg-lid");
        await card.GetByLabel("toekennen", new() { Exact = true }).CheckAsync();
        await card.Locator($"#besluit-reden-{id}").FillAsync("Breed gedragen: twee buren steunen het en één helpt mee.");
        await card.GetByTestId("regiegroep-besluit-submit").ClickAsync();
        await Assertions.Expect(card.GetByTestId("regiegroep-besluit")).ToHaveAttributeAsync("data-uitkomst", "toekennen");
        await Assertions.Expect(card.GetByTestId("regiegroep-besluit")).ToContainTextAsync("Advies van de regiegroep");
        await rg.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "regiegroep-advies.png"), FullPage = true });

        // the team sees the advice and the neighbours' support, lets the comment through, and grants it: € 1.250 left
        await team.ReloadAsync();
        await team.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(team.Locator("[data-testid=init-regiegroep][data-uitkomst=toekennen]")).ToContainTextAsync("advies: toekennen € 750 (1 voor, 0 tegen)");
        await team.GetByRole(AriaRole.Button, new() { Name = "Reactie bij Buurtfeest Wijkbudget (test) tonen" }).ClickAsync();
        await Assertions.Expect(team.GetByTestId("controle-message")).ToContainTextAsync("staat nu bij het initiatief");
        await team.GetByRole(AriaRole.Button, new() { Name = "Buurtfeest Wijkbudget (test): Toegekend" }).ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=init-message]")).ToContainTextAsync("toegekend");
        var row = team.Locator($"[data-testid=wijkbudget-row][data-code='{area}']");
        await Assertions.Expect(row.Locator("[data-testid=wijkbudget-left]")).ToHaveTextAsync("€ 1.250");

        // the second cannot be granted from what is left
        await team.GetByRole(AriaRole.Button, new() { Name = "Speeltuin Wijkbudget (test): Toegekend" }).ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=init-message]")).ToContainTextAsync("Wijkbudget niet toereikend");
        await Assertions.Expect(team.Locator("[data-testid=init-message]")).ToContainTextAsync("over € 1.250");
        await Assertions.Expect(row.Locator("[data-testid=wijkbudget-left]")).ToHaveTextAsync("€ 1.250");
        await row.ScrollIntoViewIfNeededAsync();
        await team.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wijkbudget-team.png"), FullPage = true });
        // the comment is public now, on the neighbours' page
        await neighbour.ReloadAsync();
        await Assertions.Expect(neighbour.GetByTestId("steun-reacties")).ToContainTextAsync("Leuk! Ik zet de tafels klaar.");
        await using var check = db.CreateCommand("SELECT status, subsidy_eur FROM initiatief WHERE title = 'Speeltuin Wijkbudget (test)'");
        await using var rr = await check.ExecuteReaderAsync();
        Assert.True(await rr.ReadAsync());
        Assert.Equal(("aangevraagd", true), (rr.GetString(0), rr.IsDBNull(1)));
    }

    [Fact]
    public async Task The_area_page_of_a_wijk_shows_its_bewonersorganisaties_and_the_register_lists_them()
    {
        var db = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        string wijk, naam;
        double lat, lon;
        await using (var cmd = db.CreateCommand(
            "SELECT code, name, ST_Y(p), ST_X(p) FROM (SELECT code, name, ST_Transform(ST_PointOnSurface(geom), 4326) p FROM area_in_force WHERE level = 'wijk' AND parent_code = 'GB0361-zuid' ORDER BY code LIMIT 1) w"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            (wijk, naam, lat, lon) = (r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetDouble(3));
        }
        await fx.App.Services.GetRequiredService<Server.Features.Organisaties.OrganisatieStore>().AddAsync(TestAccounts.TeamPrincipal("GB0361-zuid"),
            new Server.Features.Organisaties.OrganisatieInput { Soort = "wijkraad", Naam = "Wijkraad Zuid (test)", Adres = "Kennemerstraatweg 1", Openingstijden = "elke eerste dinsdag, 20 uur", Website = "https://example.org/wijkraad", Lat = lat, Lon = lon });

        var page = await fx.NewPageAsync(1280, 1000);
        await page.GotoAsync(fx.BaseUrl + "/gebied/" + wijk);
        await page.Locator("[data-interactive=true]").WaitForAsync();
        var section = page.Locator("[data-testid=area-organisaties]");
        await Assertions.Expect(section.Locator("[data-testid=area-organisatie]")).ToContainTextAsync("Wijkraad Zuid (test) — Wijkraad, Kennemerstraatweg 1");
        await Assertions.Expect(section).ToContainTextAsync("elke eerste dinsdag, 20 uur");
        await section.ScrollIntoViewIfNeededAsync();
        await section.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "bewonersorganisaties-wijk.png") });

        await page.GotoAsync(fx.BaseUrl + "/bewonersorganisaties");
        await page.Locator("[data-testid=organisaties-page][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("[data-testid=organisatie]", new() { HasText = "Wijkraad Zuid (test)" })).ToBeVisibleAsync();
        Assert.False(string.IsNullOrEmpty(naam));

        // the team of Zuid changes its opening hours on the page
        await fx.App.EnsureUserAsync("org-zuid", ["gebiedsteam"], ["GB0361-zuid"]);
        var team = await fx.NewPageAsync(1280, 1000);
        await team.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=%2Fbewonersorganisaties");
        await team.GetByLabel("Gebruikersnaam").FillAsync("org-zuid");
        await team.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await team.GetByLabel("Wachtwoord").PressAsync("Enter");
        await team.Locator("[data-testid=organisaties-page][data-interactive=true]").WaitForAsync();
        await team.GetByRole(AriaRole.Button, new() { Name = "Wijkraad Zuid (test) wijzigen" }).ClickAsync();
        await Assertions.Expect(team.Locator("#org-open")).ToHaveValueAsync("elke eerste dinsdag, 20 uur");
        await team.Locator("#org-open").FillAsync("elke eerste woensdag, 19.30 uur");
        await team.Locator("[data-testid=org-save]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=org-message]")).ToContainTextAsync("bijgewerkt");
        await Assertions.Expect(team.Locator("[data-testid=organisatie]", new() { HasText = "Wijkraad Zuid (test)" })).ToContainTextAsync("elke eerste woensdag, 19.30 uur");
    }
}
