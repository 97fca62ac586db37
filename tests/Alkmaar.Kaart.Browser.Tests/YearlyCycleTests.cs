using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// The yearly cycle of issue 31 in one browser run, as the people do it: gebiedsteam Oost drafts and publishes its 2027
/// agenda (a speerpunt aimed at a monitor indicator, an action carried by a Gebiedsteam+ partner); plans a Gebiedsteam+
/// overleg whose agenda is filled in for it; ticks who came and makes two afspraken; the partner signs in, sees only its
/// part and reports one done; the next overleg brings back the open one; the toetsing carries the open speerpunt into a
/// draft for 2028; the council report prints.
/// </summary>
public class YearlyCycleTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Gebied = "GB0361-oost", Partner = "Buurtwerk Oost (test)", Other = "Sportbedrijf Oost (test)";

    public async Task InitializeAsync()
    {
        await fx.App.Services.GetRequiredService<MonitorStore>().GenerateDemoAsync();
        await TestData.RegisterPartnerAsync(fx.App.Services, Gebied, Partner, "Welzijn");
        await TestData.RegisterPartnerAsync(fx.App.Services, Gebied, Other, "Sport");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Shot(string name) => Path.Combine(BrowserFixture.ScreenshotFolder, name);

    private static async Task WaitInteractiveAsync(IPage page, string testId) =>
        await page.Locator($"[data-testid={testId}][data-interactive=true]").WaitForAsync();

    private async Task PlanOverlegAsync(IPage team, string datum)
    {
        await team.GotoAsync(fx.BaseUrl + "/overleg");
        await WaitInteractiveAsync(team, "overleggen-page");
        await team.Locator("[data-testid=overleg-soort]").SelectOptionAsync("gebiedsteamplus");
        await team.Locator("#ov-datum").FillAsync(datum);
        await team.Locator("#ov-plaats").FillAsync("Wijkcentrum Oost");
        await team.Locator("[data-testid=overleg-create]").ClickAsync();
        await WaitInteractiveAsync(team, "overleg-page");
    }

    [Fact]
    public async Task A_team_runs_the_year_from_agenda_through_overleg_and_partner_to_toetsing_and_the_council_report()
    {
        // 1. the 2027 agenda: a speerpunt aimed at a monitor indicator, an action carried by a Gebiedsteam+ partner
        var team = await fx.SignedInPageAsync("cyclus-oost", Gebied, "/agenda/GB0361-oost?jaar=2027");
        await WaitInteractiveAsync(team, "agenda-page");
        await team.Locator("[data-testid=agenda-create]").ClickAsync();
        await team.GetByLabel("Speerpunt", new() { Exact = true }).FillAsync("Minder overlast in de Rivierenbuurt");
        await team.GetByLabel("Gericht op (optioneel)").SelectOptionAsync(new SelectOptionValue { Label = "Veiligheidsmonitor — Ervaart veel overlast in de buurt" });
        await team.GetByLabel("Nulmeting").FillAsync("14");
        await team.GetByLabel("Streefwaarde").FillAsync("11");
        await team.Locator("[data-testid=agenda-speerpunt-add]").ClickAsync();
        var speerpunt = team.Locator("[data-testid=agenda-speerpunt]");
        await speerpunt.Locator("[data-testid=agenda-actie-title]").FillAsync("Buurtbemiddeling aanbieden bij burenruzies");
        await speerpunt.Locator("[data-testid=agenda-actie-kind]").SelectOptionAsync("partner");
        await speerpunt.Locator("[data-testid=agenda-actie-partner]").SelectOptionAsync(Partner);
        await speerpunt.Locator("input[placeholder=dd-mm-jjjj]").FillAsync("01-05-2027");
        await speerpunt.Locator("[data-testid=agenda-actie-add]").ClickAsync();
        await Assertions.Expect(speerpunt.Locator("[data-testid=agenda-actie]")).ToContainTextAsync($"{Partner} (partner)");
        await team.Locator("#agenda-vastgesteld-op").FillAsync("12-01-2027");
        await team.Locator("[data-testid=agenda-agreed-by]").FillAsync("Gebiedsteam+ Oost");
        await team.Locator("[data-testid=agenda-agree]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=agenda-status]")).ToHaveAttributeAsync("data-status", "vastgesteld");
        await team.Locator("[data-testid=agenda-publish]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=agenda-status]")).ToHaveAttributeAsync("data-status", "gepubliceerd");

        // 2. a Gebiedsteam+ overleg: its agenda is filled in from what is open on its day
        await PlanOverlegAsync(team, "12-01-2027");
        var agenda = team.Locator("[data-testid=overleg-agenda]");
        await Assertions.Expect(agenda).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("Voortgang van de agenda"));
        var text = await agenda.InputValueAsync();
        Assert.Contains("Gebiedsagenda Oost 2027 (gepubliceerd): 0 van 1 acties klaar", text);
        Assert.Contains("Buurtbemiddeling aanbieden bij burenruzies", text);
        Assert.Contains("Afspraken van vorige keer: geen open afspraken", text);
        await Assertions.Expect(team.Locator("[data-testid=overleg-title]")).ToHaveTextAsync("Gebiedsteam+ Oost — 12-01-2027");
        // who came: the partner by its tick; the notes; saved
        await team.Locator($"[data-testid=overleg-partij][data-partij='{Partner}']").CheckAsync();
        await team.Locator("[data-testid=overleg-anderen]").FillAsync("Wijkraad Oost");
        await team.Locator("[data-testid=overleg-notities]").FillAsync("Burenruzies nemen toe in de Rivierenbuurt; bemiddeling start in februari.");
        await team.Locator("[data-testid=overleg-save]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=overleg-saved]")).ToContainTextAsync("Opgeslagen");
        // two afspraken: one carried by the partner, one by the team
        async Task AfspraakAsync(string wat, string? wie, string? partij, string datum)
        {
            await team.Locator("[data-testid=afspraak-wat]").FillAsync(wat);
            if (wie is not null) await team.Locator("[data-testid=afspraak-wie]").FillAsync(wie);
            if (partij is not null) await team.Locator("[data-testid=afspraak-partij]").SelectOptionAsync(partij);
            await team.Locator("#afspraak-uiterlijk").FillAsync(datum);
            await team.Locator("[data-testid=afspraak-add]").ClickAsync();
            await Assertions.Expect(team.Locator("[data-testid=afspraak]", new() { HasText = wat })).ToBeVisibleAsync();
        }
        await AfspraakAsync("Folder over buurtbemiddeling bij de huisartsen leggen", null, Partner, "01-02-2027");
        await AfspraakAsync("Speelplek Vondelstraat laten schouwen", "Gebiedsregisseur", null, "15-02-2027");
        await team.EmulateMediaAsync(new() { Media = Media.Print });
        await team.ScreenshotAsync(new() { Path = Shot("overleg-gebiedsteamplus-print.png"), FullPage = true });
        var printed = Shot("overleg-gebiedsteamplus.pdf");
        await team.PdfAsync(new() { Path = printed, Format = "A4" });
        await team.EmulateMediaAsync(new() { Media = Media.Screen });
        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(printed))
        {
            var words = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
            Assert.Contains("Buurtbemiddeling", words);
            Assert.Contains("Wijkraad", words);
            Assert.Contains("huisartsen", words);
        }

        // 3. the partner signs in: only its own part, never the other organisation's; it reports its afspraak done
        await fx.App.EnsureUserAsync("partner-cyclus", ["partner"], [Gebied], partij: Partner);
        var partner = await fx.NewPageAsync(1100, 1000);
        var bodies = new List<string>();
        partner.Response += async (_, r) =>
        {
            try { if ((r.Headers.GetValueOrDefault("content-type") ?? "") is var type && (type.Contains("text") || type.Contains("json"))) bodies.Add(await r.TextAsync()); }
            catch (PlaywrightException) { } // a redirect has no body
        };
        await partner.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=%2Fsamenwerking");
        await partner.GetByLabel("Gebruikersnaam").FillAsync("partner-cyclus");
        await partner.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await partner.GetByLabel("Wachtwoord").PressAsync("Enter");
        await partner.Locator("[data-testid=samenwerking-page]").WaitForAsync();
        await Assertions.Expect(partner.Locator("[data-testid=partner-actie]")).ToHaveCountAsync(1);
        await Assertions.Expect(partner.Locator("[data-testid=partner-actie]")).ToContainTextAsync("Buurtbemiddeling aanbieden bij burenruzies");
        await Assertions.Expect(partner.Locator("[data-testid=partner-afspraak]")).ToHaveCountAsync(1);
        await Assertions.Expect(partner.Locator("[data-testid=partner-overleg]")).ToHaveCountAsync(1);
        await Assertions.Expect(partner.Locator("[data-testid=partner-agenda]")).ToContainTextAsync("Minder overlast in de Rivierenbuurt");
        var afspraak = partner.Locator("[data-testid=partner-afspraak]");
        await afspraak.GetByLabel("Toelichting (optioneel)").FillAsync("Ligt sinds 20-01 bij drie praktijken.");
        await afspraak.Locator("[data-testid=partner-afspraak-gedaan]").ClickAsync();
        await Assertions.Expect(partner.Locator("[data-testid=samenwerking-done]")).ToContainTextAsync("gedaan");
        await Assertions.Expect(partner.Locator("[data-testid=partner-afspraak]")).ToHaveAttributeAsync("data-status", "gedaan");
        var actie = partner.Locator("[data-testid=partner-actie]");
        await actie.GetByLabel("Stand").SelectOptionAsync("bezig");
        await actie.GetByLabel(new System.Text.RegularExpressions.Regex("Wat is er gebeurd")).FillAsync("Eerste twee bemiddelingen gestart.");
        await actie.Locator("[data-testid=partner-actie-submit]").ClickAsync();
        await Assertions.Expect(partner.Locator("[data-testid=partner-actie]")).ToHaveAttributeAsync("data-status", "bezig");
        await partner.ScreenshotAsync(new() { Path = Shot("samenwerking-partner.png"), FullPage = true });
        foreach (var body in bodies)
        {
            Assert.DoesNotContain("Speelplek Vondelstraat", body); // the team's own afspraak
            Assert.DoesNotContain(Other, body);
        }
        // a staff page stays closed to it
        await partner.GotoAsync(fx.BaseUrl + "/overleg");
        await Assertions.Expect(partner).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("geen-toegang|inloggen"));

        // 4. the next overleg: the open afspraak comes back, the done one does not; the partner's progress shows
        await PlanOverlegAsync(team, "09-02-2027");
        text = await team.Locator("[data-testid=overleg-agenda]").InputValueAsync();
        Assert.Contains("Open afspraken (1)", text);
        Assert.Contains("Speelplek Vondelstraat laten schouwen (Gebiedsregisseur, uiterlijk 15-02-2027)", text);
        Assert.DoesNotContain("huisartsen", text);
        await Assertions.Expect(team.Locator("[data-testid=afspraak][data-status=gedaan]")).ToContainTextAsync("Ligt sinds 20-01 bij drie praktijken.");
        await team.ScreenshotAsync(new() { Path = Shot("overleg-volgende.png"), FullPage = true });

        // 5. the toetsing of 2027: not achieved, and why; carried into a draft for 2028
        await team.GotoAsync(fx.BaseUrl + "/agenda/GB0361-oost/toetsing?jaar=2027");
        await WaitInteractiveAsync(team, "toetsing-page");
        var toets = team.Locator("[data-testid=toetsing-speerpunt]");
        await Assertions.Expect(toets).ToContainTextAsync("0 van 1 klaar");
        await Assertions.Expect(toets.Locator("[data-testid=toetsing-indicator]")).ToContainTextAsync("Veiligheidsmonitor — Ervaart veel overlast in de buurt");
        await toets.Locator("[data-testid=toetsing-oordeel]").SelectOptionAsync("niet behaald");
        await toets.Locator("[data-testid=toetsing-waarom]").FillAsync("Bemiddeling liep pas vanaf februari; het effect komt later.");
        await toets.Locator("[data-testid=toetsing-save]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=toetsing-message]")).ToHaveTextAsync("Het oordeel is opgeslagen.");
        await team.Locator("[data-testid=toetsing-carry]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=toetsing-message]")).ToContainTextAsync("1 speerpunt(en) overgenomen in het concept 2028");
        await team.ScreenshotAsync(new() { Path = Shot("toetsing-2027.png"), FullPage = true });
        await team.Locator("[data-testid=toetsing-next]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=agenda-title]")).ToHaveTextAsync("Gebiedsagenda 2028 — Oost");
        await Assertions.Expect(team.Locator("[data-testid=agenda-status]")).ToHaveAttributeAsync("data-status", "concept");
        await Assertions.Expect(team.Locator("[data-testid=agenda-speerpunt]")).ToContainTextAsync("Minder overlast in de Rivierenbuurt");
        await Assertions.Expect(team.Locator("[data-testid=agenda-speerpunt] [data-testid=agenda-actie]")).ToContainTextAsync("Buurtbemiddeling");

        // 6. the council report of 2027 prints, with Oost's line
        await team.GotoAsync(fx.BaseUrl + "/raadsrapportage?jaar=2027");
        var row = team.Locator("[data-testid=raad-row][data-code='GB0361-oost']");
        await Assertions.Expect(row.Locator("[data-testid=raad-acties]")).ToHaveTextAsync("0 van 1 (0%)");
        await Assertions.Expect(row).ToContainTextAsync("gepubliceerd");
        var report = Shot("raadsrapportage-2027.pdf");
        await team.EmulateMediaAsync(new() { Media = Media.Print });
        await team.PdfAsync(new() { Path = report, Format = "A4", Landscape = true });
        await team.ScreenshotAsync(new() { Path = Shot("raadsrapportage-2027.png"), FullPage = true });
        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(report))
        {
            var words = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
            Assert.Contains("rapportage aan de raad over 2027", words);
            Assert.Contains("Oost", words);
        }
    }
}
