using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Talking with the melder, in the browser (issue 29): the team asks the melder a question (the clock stops, the detail
/// says so); the melder answers on the status link on a phone and the team's open page shows the answer live; the team
/// closes it, the melder is not satisfied and has it reopened, and the team's page shows that live too. A melding whose
/// deadline passed three times over is marked "3× te laat" in the team's list.
/// </summary>
public class MeldingFollowUpFlowTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private NpgsqlDataSource Db => fx.App.Services.GetRequiredService<NpgsqlDataSource>();

    public Task InitializeAsync() => TestData.EnsureDemoAddressesAsync(fx.App.Services);

    public Task DisposeAsync() => Task.CompletedTask;

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name), FullPage = true });

    private Task<IPage> SignedInPageAsync(string user, string gebied, string path, int width = 1400, int height = 1000) =>
        fx.SignedInPageAsync(user, gebied, path, width, height);

    private async Task<(long Id, string Link, IPage Resident)> MakeMeldingAsync(string gebied, string text)
    {
        var (postcode, nr) = await TestData.AddressInGebiedAsync(Db, gebied);
        var page = await fx.NewPageAsync(390, 844);
        await page.GotoAsync(fx.BaseUrl + "/melding");
        await page.Locator("body[data-form-ready=true]").WaitForAsync();
        await page.GetByLabel("Postcode").FillAsync(postcode);
        await page.GetByLabel("Huisnummer").FillAsync(nr.ToString());
        await page.GetByLabel("Wat is er aan de hand?").FillAsync(text);
        await page.GetByLabel("Soort melding").SelectOptionAsync("overlast");
        await page.Locator("[data-testid=melding-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=melding-confirmation]")).ToBeVisibleAsync();
        var reference = await page.Locator("[data-testid=melding-reference]").InnerTextAsync();
        return (long.Parse(reference[2..]), await page.Locator("[data-testid=status-link]").InputValueAsync(), page);
    }

    [Fact]
    public async Task The_team_asks_the_melder_who_answers_on_the_status_link_and_after_closing_has_it_reopened_all_seen_live()
    {
        var (id, link, resident) = await MakeMeldingAsync("GB0361-noord", "Scooters scheuren elke avond over het fietspad.");
        var team = await SignedInPageAsync("vraag-noord", "GB0361-noord", $"/meldingen/{id}");
        await team.Locator(".melding-detail[data-interactive=true]").WaitForAsync();

        // the team asks a question: the clock stands still
        await team.GetByLabel("Nieuwe status").SelectOptionAsync("reactie_gevraagd");
        await team.GetByLabel("Vraag aan de melder").FillAsync("Rond welke tijd ziet u de scooters het vaakst?");
        await team.GetByRole(AriaRole.Button, new() { Name = "Status opslaan" }).ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=detail-status]")).ToHaveTextAsync("Reactie gevraagd");
        await Assertions.Expect(team.Locator("[data-testid=detail-paused]")).ToContainTextAsync("klok staat stil");

        // the melder opens the link on a phone, reads the question and answers
        await resident.GotoAsync(link);
        await Assertions.Expect(resident.Locator("[data-testid=melding-status]")).ToHaveTextAsync("Wacht op uw reactie");
        await Assertions.Expect(resident.Locator("[data-testid=followup-question-text]")).ToHaveTextAsync("Rond welke tijd ziet u de scooters het vaakst?");
        await Assertions.Expect(resident.Locator("[data-testid=status-paused]")).ToBeVisibleAsync();
        await resident.GetByLabel("Uw antwoord").FillAsync("Tussen negen en elf uur 's avonds, vooral op vrijdag.");
        await Shot(resident, "melding-vraag-telefoon.png");
        await resident.GetByRole(AriaRole.Button, new() { Name = "Antwoord versturen" }).ClickAsync();
        await Assertions.Expect(resident.Locator("[data-testid=followup-done]")).ToContainTextAsync("uw antwoord is naar het gebiedsteam gestuurd");
        await Assertions.Expect(resident.Locator("[data-testid=melding-status]")).ToHaveTextAsync("In behandeling");
        await Assertions.Expect(resident.Locator("[data-testid=status-replies]")).ToBeVisibleAsync();
        Assert.DoesNotContain("negen en elf", await resident.ContentAsync()); // the link holder sees that it arrived, not what it says

        // the team's open page shows the answer without a reload; the clock runs again
        await Assertions.Expect(team.Locator("[data-testid=detail-history]")).ToContainTextAsync("Reactie van de melder: Tussen negen en elf uur");
        await Assertions.Expect(team.Locator("[data-testid=detail-status]")).ToHaveTextAsync("In behandeling");
        await Assertions.Expect(team.Locator("[data-testid=detail-paused]")).ToHaveCountAsync(0);
        await Shot(team, "melding-reactie-team.png");

        // closed; the melder is not satisfied and has it reopened with a reason
        await team.GetByLabel("Nieuwe status").SelectOptionAsync("afgehandeld");
        await team.GetByLabel("Bericht aan de melder").FillAsync("De wijkagent heeft op vrijdagavond gecontroleerd.");
        await team.GetByRole(AriaRole.Button, new() { Name = "Status opslaan" }).ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=detail-status]")).ToHaveTextAsync("Afgehandeld");
        await resident.GotoAsync(link);
        await Assertions.Expect(resident.Locator("[data-testid=followup-satisfaction]")).ToContainTextAsync("Bent u tevreden");
        await resident.GetByLabel("Nee").CheckAsync();
        await resident.GetByLabel("Waarom?").FillAsync("Vorige week waren ze er weer, elke avond.");
        await resident.Locator("[data-testid=reopen]").CheckAsync();
        await Shot(resident, "melding-tevredenheid-telefoon.png");
        await resident.GetByRole(AriaRole.Button, new() { Name = "Versturen" }).ClickAsync();
        await Assertions.Expect(resident.Locator("[data-testid=followup-done]")).ToContainTextAsync("Uw melding is heropend");
        await Assertions.Expect(resident.Locator("[data-testid=melding-status]")).ToHaveTextAsync("Ontvangen");
        await Assertions.Expect(team.Locator("[data-testid=detail-reopened]")).ToContainTextAsync("1× op verzoek van de melder");
        await Assertions.Expect(team.Locator("[data-testid=detail-satisfied]")).ToContainTextAsync("Nee: Vorige week waren ze er weer");
        await Assertions.Expect(team.Locator("[data-testid=detail-status]")).ToHaveTextAsync("Nieuw");
    }

    [Fact]
    public async Task The_team_hands_a_part_to_the_woningcorporatie_whose_contact_works_it_by_link_without_seeing_the_melder()
    {
        await using (var cmd = Db.CreateCommand(
            """
            INSERT INTO gebiedsteam_partner (gebied_code, organisation, kind, contact_email)
            SELECT 'GB0361-noord', 'Woningcorporatie (test)', 'Woningcorporatie', 'wijkbeheer@example.nl'
            WHERE NOT EXISTS (SELECT 1 FROM gebiedsteam_partner WHERE gebied_code = 'GB0361-noord' AND organisation = 'Woningcorporatie (test)')
            """))
            await cmd.ExecuteNonQueryAsync();
        // the melder leaves a name, an address and a phone number, and writes about a neighbour
        var (postcode, nr) = await TestData.AddressInGebiedAsync(Db, "GB0361-noord");
        var resident = await fx.NewPageAsync(390, 844);
        await resident.GotoAsync(fx.BaseUrl + "/melding");
        await resident.Locator("body[data-form-ready=true]").WaitForAsync();
        await resident.GetByLabel("Postcode").FillAsync(postcode);
        await resident.GetByLabel("Huisnummer").FillAsync(nr.ToString());
        await resident.GetByLabel("Wat is er aan de hand?").FillAsync("Schimmel en lekkage in de portiek bij buurman Pietersen.");
        await resident.GetByLabel("Soort melding").SelectOptionAsync("overlast");
        await resident.GetByLabel("Naam", new() { Exact = true }).FillAsync("Anna Melder");
        await resident.GetByLabel("E-mailadres").FillAsync("anna.melder@example.nl");
        await resident.GetByLabel("Telefoonnummer").FillAsync("06 11223344");
        await resident.Locator("[data-testid=melding-submit]").ClickAsync();
        await Assertions.Expect(resident.Locator("[data-testid=melding-confirmation]")).ToBeVisibleAsync();
        var id = long.Parse((await resident.Locator("[data-testid=melding-reference]").InnerTextAsync())[2..]);
        var link = await resident.Locator("[data-testid=status-link]").InputValueAsync();

        // the team hands the portiek to the woningcorporatie
        var team = await SignedInPageAsync("partij-noord", "GB0361-noord", $"/meldingen/{id}");
        await team.Locator(".melding-detail[data-interactive=true]").WaitForAsync();
        await team.GetByLabel("Partij", new() { Exact = true }).SelectOptionAsync("Woningcorporatie (test)");
        await team.GetByLabel("Vraag aan de partij").FillAsync("Lekkage en schimmel in de portiek: wilt u een monteur sturen?");
        await team.GetByRole(AriaRole.Button, new() { Name = "Uitzetten" }).ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=taken-message]")).ToHaveTextAsync("Uitgezet bij Woningcorporatie (test).");
        var taskLink = await team.Locator("[data-testid=taken-link]").InputValueAsync();
        Assert.Matches("/taak/[A-Za-z0-9_-]{43}$", taskLink);

        // the corporation's contact opens the link: every response the page loads is free of the melder's data
        var partner = await fx.NewPageAsync(1024, 800);
        var bodies = new List<string>();
        partner.Response += async (_, r) =>
        {
            try { if ((r.Headers.GetValueOrDefault("content-type") ?? "").Contains("text") || (r.Headers.GetValueOrDefault("content-type") ?? "").Contains("json")) bodies.Add(await r.TextAsync()); }
            catch (PlaywrightException) { } // a redirect has no body
        };
        await partner.GotoAsync(taskLink);
        await Assertions.Expect(partner.Locator("[data-testid=taak-question]")).ToHaveTextAsync("Lekkage en schimmel in de portiek: wilt u een monteur sturen?");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Taak accepteren" }).ClickAsync();
        await Assertions.Expect(partner.Locator("[data-testid=taak-status]")).ToHaveTextAsync("Geaccepteerd, in uitvoering");
        await Assertions.Expect(team.Locator("[data-testid=taak][data-status=geaccepteerd]")).ToBeVisibleAsync(); // live on the team's page
        await partner.GetByLabel("Uw antwoord of wat er is gedaan").FillAsync("Monteur is geweest; lek gedicht, schimmel behandeld.");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Afronden" }).ClickAsync();
        await Assertions.Expect(partner.Locator("[data-testid=taak-done]")).ToContainTextAsync("afgerond");
        await Shot(partner, "taak-partij.png");
        foreach (var secret in new[] { "Anna", "anna.melder", "11223344", "Pietersen", "Schimmel en lekkage in de portiek bij" })
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.OrdinalIgnoreCase));
        Assert.NotEmpty(bodies);

        // the team sees it done live, and the melding closed with its only part; the resident sees to whom it went
        await Assertions.Expect(team.Locator("[data-testid=taak][data-status=afgerond]")).ToContainTextAsync("Monteur is geweest");
        await Assertions.Expect(team.Locator("[data-testid=detail-status]")).ToHaveTextAsync("Afgehandeld");
        await Shot(team, "melding-taak-team.png");
        await resident.GotoAsync(link);
        await Assertions.Expect(resident.Locator("[data-testid=status-handed-to]")).ToContainTextAsync("Woningcorporatie (test)");
        await Assertions.Expect(resident.Locator("[data-testid=melding-status]")).ToHaveTextAsync("Afgehandeld");
    }

    [Fact]
    public async Task The_handling_figures_page_shows_what_the_meldingen_count_and_keeps_its_choice_in_the_address()
    {
        await MakeMeldingAsync("GB0361-noord", "Losliggende stoeptegels bij de bushalte.");
        var page = await SignedInPageAsync("cijfers-noord", "GB0361-noord", "/meldingen/cijfers");
        await page.Locator("[data-testid=cijfers][data-interactive=true][data-loaded=true]").WaitForAsync();
        await using (var cmd = Db.CreateCommand(
            """
            SELECT count(*) FROM melding WHERE created_at >= (date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - interval '11 months') AT TIME ZONE 'Europe/Amsterdam'
            """))
        {
            var n = (long)(await cmd.ExecuteScalarAsync())!;
            await Assertions.Expect(page.Locator("tr[data-groep=totaal] [data-testid=ontvangen]")).ToHaveTextAsync(n.ToString());
        }
        await page.GetByLabel("Per").SelectOptionAsync("kanaal");
        await Assertions.Expect(page.Locator("tr[data-groep=formulier]")).ToContainTextAsync("Meldformulier");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("per=kanaal"));
        await Shot(page, "afhandelcijfers.png");
    }

    [Fact]
    public async Task A_team_member_records_a_phone_melding_for_a_resident_and_reads_out_its_reference()
    {
        var (postcode, nr) = await TestData.AddressInGebiedAsync(Db, "GB0361-centrum");
        var page = await SignedInPageAsync("balie-centrum", "GB0361-centrum", "/meldingen/opnemen");
        await page.Locator("[data-testid=intake][data-interactive=true]").WaitForAsync();
        await page.GetByLabel("Balie").CheckAsync();
        await page.GetByLabel("Postcode").FillAsync(postcode);
        await page.GetByLabel("Huisnummer").FillAsync(nr.ToString());
        await page.GetByLabel("Soort melding").SelectOptionAsync("verlichting");
        await page.GetByLabel("Wat is er aan de hand?").FillAsync("Bewoner aan de balie: lantaarnpaal brandt niet.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Melding opnemen" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=intake-done]")).ToContainTextAsync("is opgenomen");
        await Assertions.Expect(page.Locator("[data-testid=intake-team]")).ToHaveTextAsync("Gebiedsteam Centrum");
        Assert.Matches("/melding/status/[A-Za-z0-9_-]{43}$", await page.Locator("[data-testid=intake-link]").InputValueAsync());
        await Shot(page, "melding-opnemen.png");
        await using var cmd = Db.CreateCommand("SELECT channel FROM melding WHERE description = 'Bewoner aan de balie: lantaarnpaal brandt niet.'");
        Assert.Equal("balie", (string)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_resident_sees_that_it_was_already_reported_nearby_and_follows_those_meldingen_instead()
    {
        var (postcode, nr) = await TestData.AddressInGebiedAsync(Db, "GB0361-oost");
        // five afval meldingen three days ago at this address (the release rule's minimum; today's would not count)
        await using (var cmd = Db.CreateCommand(
            """
            INSERT INTO melding (category, geom, location_source, buurt_code, wijk_code, gebied_code, routing_kind, routing_reason, boundary_version_id, source, created_at)
            SELECT 'afval', a.geom, 'adres', 'x', 'x', 'GB0361-oost', 'inside', 'test', (SELECT max(id) FROM boundary_version), 'formulier', now() - interval '3 days'
            FROM generate_series(1, 5), address a WHERE a.postcode = $1 AND a.huisnummer = $2 AND a.toevoeging = ''
            """))
        {
            cmd.Parameters.AddWithValue(postcode);
            cmd.Parameters.AddWithValue(nr);
            Assert.Equal(5, await cmd.ExecuteNonQueryAsync());
        }
        var page = await fx.NewPageAsync(390, 844);
        await page.GotoAsync(fx.BaseUrl + "/melding");
        await page.Locator("body[data-form-ready=true]").WaitForAsync();
        await page.GetByLabel("Postcode").FillAsync(postcode);
        await page.GetByLabel("Huisnummer").FillAsync(nr.ToString());
        await page.GetByLabel("Wat is er aan de hand?").FillAsync("Weer vuilniszakken naast de container.");
        await page.GetByLabel("Soort melding").SelectOptionAsync("afval");
        var box = page.Locator("[data-testid=al-gemeld]");
        await Assertions.Expect(box).ToContainTextAsync("Is dit al gemeld?");
        await Assertions.Expect(box).ToContainTextAsync("5 meldingen");
        await page.GetByLabel("Uw e-mailadres (om de stappen te volgen)").FillAsync("buurvrouw@example.nl");
        await box.Locator("[data-testid=al-gemeld-volg]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=al-gemeld-result]")).ToContainTextAsync("U volgt deze meldingen");
        await Shot(page, "al-gemeld-telefoon.png");
        await using var count = Db.CreateCommand("SELECT count(*) FROM melding_volger WHERE email = 'buurvrouw@example.nl'");
        Assert.Equal(5L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_team_member_selects_meldingen_and_gives_them_one_status_with_one_reason()
    {
        var (a, _, _) = await MakeMeldingAsync("GB0361-west", "Hondenpoep op het grasveld aan de noordkant.");
        var (b, _, _) = await MakeMeldingAsync("GB0361-west", "Hondenpoep bij de speeltuin.");
        var page = await SignedInPageAsync("bulk-west", "GB0361-west", "/meldingen");
        await page.Locator(".werkruimte[data-interactive=true][data-live=true]").WaitForAsync();
        foreach (var id in new[] { a, b })
            await page.Locator($"tr:has([data-testid=werk-open][data-id='{id}']) [data-testid=werk-select]").CheckAsync();
        await Assertions.Expect(page.Locator("[data-testid=bulk-bar]")).ToContainTextAsync("2 geselecteerd");
        await page.Locator("[data-testid=bulk-value]").SelectOptionAsync("in_behandeling");
        await page.Locator("[data-testid=bulk-reason]").FillAsync("Handhaving loopt deze week extra rondes");
        await Shot(page, "werkruimte-selectie.png");
        await page.Locator("[data-testid=bulk-bar] button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=bulk-message]")).ToHaveTextAsync("2 van 2 bijgewerkt.");
        await Assertions.Expect(page.Locator("[data-testid=bulk-bar]")).ToHaveCountAsync(0); // done: the selection is cleared
        await using var cmd = Db.CreateCommand("SELECT count(*) FROM melding WHERE id = ANY ($1) AND status = 'in_behandeling'");
        cmd.Parameters.AddWithValue(new[] { a, b });
        Assert.Equal(2L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_melding_whose_deadline_passed_three_times_over_is_marked_in_the_teams_list()
    {
        var (id, _, _) = await MakeMeldingAsync("GB0361-zuid", "Al weken overlast van een loslopende hond in het park.");
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET created_at = now() - interval '60 days', due_on = current_date - 40, three_times_due_on = current_date - 5 WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await cmd.ExecuteNonQueryAsync();
        }
        var team = await SignedInPageAsync("laat-zuid", "GB0361-zuid", "/meldingen?status=3x-te-laat");
        await team.Locator(".werkruimte[data-interactive=true]").WaitForAsync();
        var row = team.Locator($"tr:has([data-testid=werk-open][data-id='{id}'])");
        await Assertions.Expect(row.Locator("[data-testid=werk-late]")).ToHaveTextAsync("3× te laat");
        await Assertions.Expect(row.Locator("[data-testid=werk-late]")).ToBeVisibleAsync();
        await team.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync();
        await Shot(team, "werkruimte-3x-te-laat.png");
    }

    [Fact]
    public async Task A_partner_account_works_its_partys_tasks_from_two_gebieden_on_one_page_without_seeing_the_melder()
    {
        const string party = "Woonstichting Partnerpagina (test)";
        // two teams hand a part to the same party; the melders left their names and wrote about neighbours
        var (_, noordTaak) = await TestData.HandedToPartyAsync(fx.App.Services, "GB0361-noord", party,
            "Buurman De Vries laat zijn afval in de galerij staan.", "Wilt u de bewoners van de galerij aanschrijven over het afval?");
        var (zuidMelding, zuidTaak) = await TestData.HandedToPartyAsync(fx.App.Services, "GB0361-zuid", party,
            "Portiekdeur van nummer 12 sluit niet, daklozen slapen er.", "Kunt u de portiekdeur laten repareren?");

        // the party's contact signs in and lands on its tasks; every response its browser loads is free of the melders
        await fx.App.EnsureUserAsync("partner-pagina", ["partner"], [], partij: party);
        var page = await fx.NewPageAsync(1100, 900);
        var bodies = new List<string>();
        page.Response += async (_, r) =>
        {
            try { if ((r.Headers.GetValueOrDefault("content-type") ?? "") is var type && (type.Contains("text") || type.Contains("json"))) bodies.Add(await r.TextAsync()); }
            catch (PlaywrightException) { } // a redirect has no body
        };
        await page.GotoAsync(fx.BaseUrl + "/inloggen");
        await page.GetByLabel("Gebruikersnaam").FillAsync("partner-pagina");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await page.Locator("[data-testid=taken-page]").WaitForAsync();
        Assert.EndsWith("/taken", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(page.Locator("[data-testid=nav-taken]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=nav-meldingen]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=taken-partij]")).ToHaveTextAsync(party);
        var noord = page.Locator($"[data-testid=partner-taak][data-taak='{noordTaak}']");
        var zuid = page.Locator($"[data-testid=partner-taak][data-taak='{zuidTaak}']");
        await Assertions.Expect(noord.Locator("[data-testid=taak-question]")).ToHaveTextAsync("Wilt u de bewoners van de galerij aanschrijven over het afval?");
        await Assertions.Expect(zuid.Locator("[data-testid=taak-question]")).ToHaveTextAsync("Kunt u de portiekdeur laten repareren?");

        // accept and finish the zuid task: the melding closes with its only part
        await zuid.GetByRole(AriaRole.Button, new() { Name = "Taak accepteren" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=taak-done]")).ToContainTextAsync("geaccepteerd");
        zuid = page.Locator($"[data-testid=partner-taak][data-taak='{zuidTaak}']");
        await Assertions.Expect(zuid.Locator("[data-testid=taak-status]")).ToHaveTextAsync("Geaccepteerd, in uitvoering");
        await zuid.GetByLabel("Uw antwoord of wat er is gedaan").FillAsync("Slot vervangen, deur sluit weer.");
        await zuid.GetByRole(AriaRole.Button, new() { Name = "Afronden" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=taak-done]")).ToContainTextAsync("afgerond");
        await Assertions.Expect(page.Locator($"[data-testid=partner-taak-closed][data-taak='{zuidTaak}']")).ToContainTextAsync("Afgerond");
        await using (var cmd = Db.CreateCommand("SELECT status FROM melding WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(zuidMelding);
            Assert.Equal("afgehandeld", (string)(await cmd.ExecuteScalarAsync())!);
        }
        await Shot(page, "mijn-taken-partner.png");

        // the noord team withdraws its task while the page is open: the step is refused in Dutch and the typing stays
        await using (var cmd = Db.CreateCommand("UPDATE melding_taak SET status = 'ingetrokken', token_revoked_at = now(), closed_at = now() WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(noordTaak);
            await cmd.ExecuteNonQueryAsync();
        }
        noord = page.Locator($"[data-testid=partner-taak][data-taak='{noordTaak}']");
        await noord.GetByLabel("Toelichting (nodig bij teruggeven)").FillAsync("Dit complex is niet van ons; het hoort bij een andere corporatie.");
        await noord.GetByRole(AriaRole.Button, new() { Name = "Teruggeven aan het gebiedsteam" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=taak-error]")).ToContainTextAsync("niet (meer) voor u open");
        await Assertions.Expect(page.Locator($"[data-testid=partner-taak-stale][data-taak='{noordTaak}'] textarea"))
            .ToHaveValueAsync("Dit complex is niet van ons; het hoort bij een andere corporatie.");

        // whole phrases (with a space or a dot): a four-letter name also turns up by chance in the pages' random base64 tokens
        foreach (var secret in new[] { "Bram Melder", "bram.melder", "55667788", "De Vries", "daklozen slapen" })
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.OrdinalIgnoreCase));
        Assert.NotEmpty(bodies);
        // a partner does not get the team's pages
        await page.GotoAsync(fx.BaseUrl + "/meldingen");
        Assert.Contains("/geen-toegang", page.Url);
    }
}
