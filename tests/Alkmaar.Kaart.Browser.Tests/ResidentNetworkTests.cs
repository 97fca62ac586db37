using System.Text.RegularExpressions;
using Alkmaar.Kaart.Server.Features.AreaProfiles;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Residents and their network (issue 33) as they use it: a resident joins the wijkpanel of their wijk on a phone, confirms
/// by the link in their mail, the team sends a question, the resident answers it (once) and steps out with one click; a
/// resident follows a gebied from its page, confirms, and the next digest names the new speerpunt.
/// </summary>
public partial class ResidentNetworkTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private async Task<string> MailAsync(string to, string kind)
    {
        var db = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await using var cmd = db.CreateCommand("SELECT body FROM mail_outbox WHERE to_address = $1 AND kind = $2 ORDER BY id DESC LIMIT 1");
        cmd.Parameters.AddWithValue(to);
        cmd.Parameters.AddWithValue(kind);
        return await cmd.ExecuteScalarAsync() as string ?? throw new Xunit.Sdk.XunitException($"no '{kind}' mail to {to}");
    }

    [Fact]
    public async Task A_resident_joins_the_wijkpanel_answers_the_teams_question_once_and_steps_out_with_one_click()
    {
        await TestData.EnsureDemoAddressesAsync(fx.App.Services);
        var db = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        string wijk, gebied, postcode;
        int nr;
        await using (var cmd = db.CreateCommand(
            """
            SELECT w.code, w.parent_code, a.postcode, a.huisnummer FROM area_in_force w JOIN address a ON ST_Covers(w.geom, a.geom)
            WHERE w.level = 'wijk' AND w.parent_code = 'GB0361-oost' AND a.toevoeging = '' ORDER BY w.code, a.postcode, a.huisnummer LIMIT 1
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            (wijk, gebied, postcode, nr) = (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3));
        }

        var resident = await fx.NewPageAsync(390, 844, o => { o.IsMobile = true; o.HasTouch = true; });
        await resident.GotoAsync(fx.BaseUrl + "/wijkpanel");
        await resident.GetByLabel("Postcode").FillAsync(postcode);
        await resident.GetByLabel("Huisnummer").FillAsync(nr.ToString());
        await resident.GetByLabel("E-mailadres").FillAsync("panellid@example.org");
        await resident.GetByTestId("wijkpanel-submit").ClickAsync();
        await Assertions.Expect(resident.GetByTestId("wijkpanel-aangemeld")).ToContainTextAsync("Bevestig met de link");
        await resident.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wijkpanel-aanmelden-telefoon.png"), FullPage = true });
        var link = MemberLink().Match(await MailAsync("panellid@example.org", "wijkpanel bevestigen")).Value;
        await resident.GotoAsync(fx.BaseUrl + link);
        await Assertions.Expect(resident.GetByTestId("wijkpanel-lid")).ToContainTextAsync("U bent lid van het wijkpanel");

        // the team of the gebied asks its panel one question
        await fx.App.EnsureUserAsync("panel-team", ["gebiedsteam"], [gebied]);
        var team = await fx.NewPageAsync(1280, 1000);
        await team.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=" + Uri.EscapeDataString($"/wijkpanels?wijk={wijk}"));
        await team.GetByLabel("Gebruikersnaam").FillAsync("panel-team");
        await team.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await team.GetByLabel("Wachtwoord").PressAsync("Enter");
        await Assertions.Expect(team.GetByTestId("wijkpanels-leden")).ToHaveTextAsync("1");
        await team.Locator("#wps-titel-in").FillAsync("Nieuwe speelplek");
        await team.Locator("#wps-bijeenkomst").FillAsync("Dinsdag 19.30 uur in het buurthuis");
        await team.Locator("#wps-vraag-0").FillAsync("Moet er een speelplek komen op het grasveld?");
        await team.Locator("#wps-opties-0").FillAsync("ja, nee, weet niet");
        await team.GetByTestId("wijkpanels-versturen").ClickAsync();
        await Assertions.Expect(team.GetByTestId("wijkpanels-done")).ToContainTextAsync("verstuurd aan 1 lid");

        // the resident answers from their page by the link in the round's mail (signed anew: another link to the same page), once
        link = MemberLink().Match(await MailAsync("panellid@example.org", "wijkpanel ronde")).Value;
        await resident.GotoAsync(fx.BaseUrl + link);
        await Assertions.Expect(resident.GetByTestId("wijkpanel-bijeenkomst")).ToContainTextAsync("Dinsdag 19.30 uur");
        await resident.GetByLabel("ja", new() { Exact = true }).CheckAsync();
        await resident.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wijkpanel-vraag-telefoon.png"), FullPage = true });
        await resident.GetByTestId("wijkpanel-antwoord-submit").ClickAsync();
        await Assertions.Expect(resident.GetByTestId("wijkpanel-beantwoord")).ToBeVisibleAsync();
        await Assertions.Expect(resident.GetByTestId("wijkpanel-ronde-klaar")).ToBeVisibleAsync();

        // the team sees one answer, not the result (under the minimum)
        await team.ReloadAsync();
        await Assertions.Expect(team.GetByTestId("wijkpanels-te-weinig")).ToContainTextAsync("1 antwoord; de uitslag is zichtbaar vanaf 10 antwoorden");
        await team.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wijkpanels-team.png"), FullPage = true });

        // one click out: erased, and the link is dead
        await resident.GetByTestId("wijkpanel-uitstappen").ClickAsync();
        await Assertions.Expect(resident.GetByTestId("wijkpanel-uit")).ToContainTextAsync("e-mailadres gewist");
        await resident.GotoAsync(fx.BaseUrl + link);
        await Assertions.Expect(resident.GetByTestId("wijkpanel-lid-onbekend")).ToBeVisibleAsync();
        await using var count = db.CreateCommand("SELECT count(*) FROM wijkpanel_lid WHERE email = 'panellid@example.org'");
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_resident_follows_a_gebied_confirms_and_the_digest_names_the_new_speerpunt()
    {
        const string gebied = "GB0361-centrum", email = "volger-browser@example.org";
        var page = await fx.NewPageAsync(1280, 1000);
        await page.GotoAsync(fx.BaseUrl + "/gebied/" + gebied);
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.GetByTestId("volgen-email").FillAsync(email);
        await page.GetByTestId("volgen-knop").ClickAsync();
        await Assertions.Expect(page.GetByTestId("volgen-verstuurd")).ToBeVisibleAsync();
        var token = Regex.Match(await MailAsync(email, "abonnement bevestigen"), @"/volgen/[A-Za-z0-9_-]{40,}").Value;
        await page.GotoAsync(fx.BaseUrl + token);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("volgt");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "volgen-bevestigd.png"), FullPage = true });

        // the team publishes its agenda with a new speerpunt; the next digest names it
        var agendas = fx.App.Services.GetRequiredService<JaaragendaService>();
        var team = TestAccounts.TeamPrincipal(gebied);
        var year = DateTime.Today.Year;
        var agenda = await agendas.CreateAsync(team, gebied, year);
        await agendas.AddSpeerpuntAsync(team, agenda, "Schone Laat", "analyse", null, null, null);
        agenda = (await agendas.GetAsync(gebied, year))!;
        await agendas.AgreeAsync(team, agenda, agenda.Version, DateOnly.FromDateTime(DateTime.Today), "Gebiedsteam+ Centrum");
        agenda = (await agendas.GetAsync(gebied, year))!;
        await agendas.PublishAsync(team, agenda, agenda.Version);
        Assert.True(await fx.App.Services.GetRequiredService<AbonnementService>().SendDigestsAsync(TimeSpan.Zero) >= 1);
        var digest = await MailAsync(email, "abonnement overzicht");
        Assert.Contains($"Speerpunt {year}: Schone Laat", digest);

        // its leave link: one button, and the address is gone
        await page.GotoAsync(fx.BaseUrl + Regex.Match(digest, @"/volgen/afmelden/\S+").Value);
        await page.GetByTestId("afmelden-knop").ClickAsync();
        await Assertions.Expect(page.GetByTestId("afmelden-ok")).ToBeVisibleAsync();
        await using var count = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand($"SELECT count(*) FROM abonnement WHERE email = '{email}'");
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [GeneratedRegex(@"/wijkpanel/lid/[A-Za-z0-9_-]+")] private static partial Regex MemberLink();
}
