using System.Net.Http.Json;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Wij(k) aan zet! in the browser (issue 20): a resident submits a verbeterpunt and is shown a similar one while typing; a
/// gebiedsteam merges the two; the campaign moves on (its dates, as time passing) and residents vote with their codes, the
/// counts showing at once; the team announces the result; the chosen point is a speerpunt on the wijk's page, where the team
/// adds an action and ticks it off.
/// </summary>
public class WijkAanZetPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static string Shot(string name) => Path.Combine(BrowserFixture.ScreenshotFolder, name);

    /// <summary>Moves the campaign's dates so that today falls in <paramref name="phase"/> (the calendar moving on).</summary>
    private async Task PhaseAsync(int campagne, string phase)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (a, b, c, d, e) = phase switch
        {
            "indienen" => (today.AddDays(-1), today.AddDays(10), today.AddDays(20), today.AddDays(30), today.AddDays(60)),
            "stemmen" => (today.AddDays(-30), today.AddDays(-20), today.AddDays(-1), today.AddDays(10), today.AddDays(40)),
            _ => (today.AddDays(-90), today.AddDays(-80), today.AddDays(-60), today.AddDays(-50), today.AddDays(-1)),
        };
        await using var cmd = fx.App.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "UPDATE campagne SET indienen_from = $2, indienen_to = $3, stemmen_from = $4, stemmen_to = $5, uitslag_on = $6 WHERE id = $1");
        foreach (var v in new object[] { campagne, a, b, c, d, e }) cmd.Parameters.AddWithValue(v);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task SignInAsync(IPage page, string user)
    {
        await page.GetByLabel("Gebruikersnaam").FillAsync(user);
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
    }

    [Fact]
    public async Task A_team_starts_a_campaign_from_the_plain_list_page_and_a_refused_form_keeps_what_was_typed()
    {
        // the list is server-rendered (no live connection); the team's form is posted
        var page = await fx.SignedInPageAsync("browser-team-west-campagne", "GB0361-west", "/wijkaanzet");
        await page.Locator("details:has([data-testid=campagne-form]) summary").ClickAsync();
        await page.GetByTestId("campagne-area").SelectOptionAsync(new SelectOptionValue { Label = "Huiswaard (wijk)" });
        await page.GetByTestId("campagne-title").FillAsync("Wij(k) aan zet! Huiswaard");
        var today = DateOnly.FromDateTime(DateTime.Today);
        string D(int days) => today.AddDays(days).ToString("dd-MM-yyyy", System.Globalization.CultureInfo.InvariantCulture);
        await page.Locator("#c-a").FillAsync(D(1));
        await page.Locator("#c-b").FillAsync("31-02-2027"); // no date
        await page.Locator("#c-c").FillAsync(D(20));
        await page.Locator("#c-d").FillAsync(D(30));
        await page.Locator("#c-e").FillAsync(D(40));
        await page.GetByTestId("campagne-create").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=wijkaanzet] .form-error")).ToContainTextAsync("Vul alle datums in");
        await Assertions.Expect(page.GetByTestId("campagne-title")).ToHaveValueAsync("Wij(k) aan zet! Huiswaard");
        await Assertions.Expect(page.Locator("#c-b")).ToHaveValueAsync("31-02-2027");
        await Assertions.Expect(page.Locator("#c-e")).ToHaveValueAsync(D(40));
        await page.Locator("#c-b").FillAsync(D(10));
        await page.GetByTestId("campagne-create").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/wijkaanzet/[0-9]+$"));
        var id = int.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var made = (await fx.App.Services.GetRequiredService<WijkAanZetService>().CampagnesAsync()).Single(c => c.Id == id);
        Assert.Equal("Wij(k) aan zet! Huiswaard", made.Title);
        Assert.Equal("WK036105", made.AreaCode);
        Assert.Equal(today.AddDays(10), made.IndienenTo);
    }

    [Fact]
    public async Task Submit_merge_vote_result_and_the_speerpunt_on_the_area_page()
    {
        var service = fx.App.Services.GetRequiredService<WijkAanZetService>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var id = await service.CreateCampagneAsync("WK036106", "wijk", "Wij(k) aan zet!", today.AddDays(-1), today.AddDays(10), today.AddDays(20), today.AddDays(30), today.AddDays(60), "test");
        var earlier = (await service.SubmitAsync(id, "Meer bankjes in het park", "Er zijn te weinig bankjes om even te zitten", "ontmoeten", null, null)).Id;
        var other = (await service.SubmitAsync(id, "Drempels bij de school", "Auto's rijden te hard", "verkeer", null, null)).Id;

        // a resident submits, and sees the similar point while typing
        var page = await fx.NewPageAsync(1280, 1000);
        await page.GotoAsync(fx.BaseUrl + $"/wijkaanzet/{id}");
        await page.Locator("[data-testid=campagne][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("campagne-phase")).ToContainTextAsync("indienen");
        await page.GetByTestId("vp-title").FillAsync("Bankjes in het park");
        await page.GetByTestId("vp-text").FillAsync("Graag meer bankjes in het park om te zitten");
        await Assertions.Expect(page.Locator($"[data-testid=vp-similar] li[data-id='{earlier}']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Shot("wijkaanzet-indienen.png") });
        await page.GetByTestId("vp-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campagne-message")).ToContainTextAsync("ingediend");
        var statusUrl = await page.GetByTestId("campagne-status-link").GetAttributeAsync("href");
        var mine = (await service.PointsAsync(id)).Single(p => p.Title == "Bankjes in het park").Id;

        // the gebiedsteam merges it with the earlier one
        await fx.App.EnsureUserAsync("browser-team-noord", ["gebiedsteam"], ["GB0361-noord"]);
        var team = await fx.NewPageAsync(1280, 1100);
        await team.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=" + Uri.EscapeDataString($"/wijkaanzet/{id}"));
        await SignInAsync(team, "browser-team-noord");
        await team.Locator("[data-testid=campagne-staff]").WaitForAsync();
        await team.Locator("[data-testid=campagne][data-interactive=true]").WaitForAsync();
        await team.GetByTestId("merge-target").SelectOptionAsync(earlier.ToString());
        await team.GetByTestId($"merge-source-{mine}").CheckAsync();
        await team.GetByTestId("merge-submit").ClickAsync();
        await Assertions.Expect(team.GetByTestId("campagne-message")).ToContainTextAsync("samengevoegd");
        // the submitter's link says so
        await page.GotoAsync(fx.BaseUrl + "/" + statusUrl);
        await Assertions.Expect(page.GetByTestId("vp-status-merged")).ToContainTextAsync("Meer bankjes in het park");

        // voting: two residents with their codes (a posted form); the counts show at once
        await PhaseAsync(id, "stemmen");
        var codes = (await fx.App.Services.GetRequiredService<StemService>().StoreCodesAsync(id, [("1823AA", 1, ""), ("1823AA", 2, "")], "test")).Select(c => c.Code).ToList();
        await page.GotoAsync(fx.BaseUrl + $"/wijkaanzet/{id}");
        await page.Locator("[data-testid=campagne][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("[data-testid=campagne]")).ToHaveAttributeAsync("data-phase", "stemmen");
        foreach (var code in codes)
        {
            await page.GetByTestId("vote-code").FillAsync(code);
            await page.GetByLabel("Stem op Meer bankjes in het park").CheckAsync();
            if (code == codes[0]) await page.GetByLabel("Stem op Drempels bij de school").CheckAsync();
            await page.GetByTestId("vote-submit").ClickAsync();
            await Assertions.Expect(page.GetByTestId("campagne-message")).ToContainTextAsync("geteld");
        }
        await Assertions.Expect(page.Locator($"[data-testid=vp-table] tr[data-id='{earlier}']")).ToHaveAttributeAsync("data-votes", "2");
        await Assertions.Expect(page.Locator($"[data-testid=vp-table] tr[data-id='{other}']")).ToHaveAttributeAsync("data-votes", "1");
        // a code used again is refused in Dutch
        await page.GetByTestId("vote-code").FillAsync(codes[0]);
        await page.GetByLabel("Stem op Drempels bij de school").CheckAsync();
        await page.GetByTestId("vote-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campagne-message")).ToContainTextAsync("al gestemd");
        // the counts stay live while the page is open: a ballot cast elsewhere shows without a reload
        await page.Locator("[data-testid=vp-table][data-live=true]").WaitForAsync();
        var third = (await fx.App.Services.GetRequiredService<StemService>().StoreCodesAsync(id, [("1823AA", 3, "")], "test")).Single().Code;
        await fx.App.Services.GetRequiredService<StemService>().VoteAsync(id, third, [other]);
        await Assertions.Expect(page.Locator($"[data-testid=vp-table] tr[data-id='{other}']")).ToHaveAttributeAsync("data-votes", "2");
        await Assertions.Expect(page.Locator($"[data-testid=vp-table] tr[data-id='{other}'] [data-votes-cell]")).ToHaveTextAsync("2");
        await page.ScreenshotAsync(new() { Path = Shot("wijkaanzet-stemmen.png"), FullPage = true });

        // the result: checked, announced, on the agenda of wijk De Mare
        await service.CheckAsync(id, earlier, true, true, null, "test");
        await service.CheckAsync(id, other, true, true, null, "test");
        await PhaseAsync(id, "uitslag");
        await team.GotoAsync(fx.BaseUrl + $"/wijkaanzet/{id}");
        await team.Locator("[data-testid=campagne][data-interactive=true]").WaitForAsync();
        await team.GetByTestId("choose").ClickAsync();
        await Assertions.Expect(team.GetByTestId("campagne-message")).ToContainTextAsync("2 speerpunt(en)");
        await Assertions.Expect(team.GetByTestId("vp-result")).ToContainTextAsync("Meer bankjes in het park");
        await team.ScreenshotAsync(new() { Path = Shot("wijkaanzet-uitslag.png"), FullPage = true });

        await team.GotoAsync(fx.BaseUrl + "/gebied/WK036106");
        await team.Locator("[data-interactive=true]").WaitForAsync();
        var speerpunt = team.Locator("[data-testid=speerpunt]").First;
        await Assertions.Expect(speerpunt).ToContainTextAsync("Meer bankjes in het park");
        var sid = (await fx.App.Services.GetRequiredService<GebiedsagendaService>().AgendaAsync("WK036106")).First().Id;
        await team.GetByTestId($"actie-new-{sid}").FillAsync("Locaties kiezen met bewoners");
        await team.GetByTestId($"actie-add-{sid}").ClickAsync();
        await Assertions.Expect(speerpunt).ToContainTextAsync("0 van 1 acties gereed");
        await team.GetByTestId($"actie-new-{sid}").FillAsync("Bankjes plaatsen");
        await team.GetByTestId($"actie-add-{sid}").ClickAsync();
        await Assertions.Expect(speerpunt).ToContainTextAsync("0 van 2 acties gereed");
        await speerpunt.GetByRole(AriaRole.Button, new() { Name = "Locaties kiezen met bewoners: gereed" }).ClickAsync();
        await Assertions.Expect(speerpunt).ToHaveAttributeAsync("data-progress", "0.5");
        await Assertions.Expect(speerpunt).ToContainTextAsync("in uitvoering");
        await speerpunt.ScrollIntoViewIfNeededAsync();
        await team.ScreenshotAsync(new() { Path = Shot("gebiedsagenda.png") });
        Assert.Empty(fx.ConsoleErrors.GetOrCreateValue(page));
    }

    [Fact]
    public async Task A_verbeterpunt_sent_after_submitting_closed_is_answered_in_dutch_with_what_was_typed()
    {
        // found while making the page server-rendered: a form posted to a page that no longer shows it (the phase moved on
        // while the resident typed) got Blazor's bare 400 "no form on the page currently has that name"
        var service = fx.App.Services.GetRequiredService<WijkAanZetService>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var id = await service.CreateCampagneAsync("WK036104", "wijk", "Wij(k) aan zet!", today.AddDays(-1), today.AddDays(10), today.AddDays(20), today.AddDays(30), today.AddDays(60), "test");
        var page = await fx.NewPageAsync(390, 844);
        await page.GotoAsync(fx.BaseUrl + $"/wijkaanzet/{id}");
        await page.Locator("[data-testid=campagne][data-interactive=true]").WaitForAsync();
        await page.GetByTestId("vp-title").FillAsync("Een zebrapad bij de school");
        await page.GetByTestId("vp-text").FillAsync("Kinderen steken daar over");
        await PhaseAsync(id, "stemmen"); // submitting closes meanwhile
        var answer = page.WaitForResponseAsync(r => r.Url.EndsWith($"/wijkaanzet/{id}") && r.Request.Method == "POST");
        await page.GetByTestId("vp-submit").ClickAsync();
        Assert.Equal(200, (await answer).Status);
        await Assertions.Expect(page.GetByTestId("campagne-message")).ToContainTextAsync("fase 'stemmen'");
        await Assertions.Expect(page.GetByTestId("vp-typed-before")).ToHaveValueAsync("Een zebrapad bij de school\nKinderen steken daar over");
        Assert.DoesNotContain(await service.PointsAsync(id), p => p.Title == "Een zebrapad bij de school");
        // a visitor posting the staff's form (a sign-in that ended) is told in Dutch too, and nothing changes
        using var http = new HttpClient { BaseAddress = new Uri(fx.BaseUrl) };
        var html = await http.GetStringAsync($"/wijkaanzet/{id}");
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var staff = await http.PostAsync($"/wijkaanzet/{id}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "beheer", ["__RequestVerificationToken"] = token, ["actie"] = "uitslag",
        }));
        Assert.Equal(System.Net.HttpStatusCode.OK, staff.StatusCode);
        Assert.Contains("Alleen het gebiedsteam van deze wijk of dorp", await staff.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_resident_signs_in_with_the_municipality_and_votes_without_a_code()
    {
        var ds = fx.App.Services.GetRequiredService<NpgsqlDataSource>();
        var service = fx.App.Services.GetRequiredService<WijkAanZetService>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var id = await service.CreateCampagneAsync("WK036105", "wijk", "Wij(k) aan zet!", today.AddDays(-1), today.AddDays(10), today.AddDays(20), today.AddDays(30), today.AddDays(60), "test");
        var groen = (await service.SubmitAsync(id, "Meer groen op het Huiswaardplein", "", "groen", null, null)).Id;
        var licht = (await service.SubmitAsync(id, "Betere verlichting bij het fietspad", "", "veilig", null, null)).Id;
        await PhaseAsync(id, "stemmen");
        var (x, y) = await TestData.InsideAsync(ds, "WK036105");
        await ds.ExecAsync("INSERT INTO address (bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom) VALUES ('browser-1', '1822ZZ', 5, '', 'Teststraat', 'Alkmaar', ST_SetSRID(ST_MakePoint($1, $2), 28992)) ON CONFLICT DO NOTHING", x, y);
        fx.Idp.Resident = ("999990101", "1822ZZ", 5, null);

        var page = await fx.NewPageAsync(1280, 1000);
        await page.GotoAsync(fx.BaseUrl + $"/wijkaanzet/{id}");
        await page.Locator("[data-testid=campagne][data-interactive=true]").WaitForAsync();
        await page.Locator("[data-testid=resident-signin][data-state=uit]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("vote-code")).ToBeVisibleAsync();
        await page.GetByTestId("resident-signin-link").ClickAsync();
        // to the provider and back, signed in: no code field, the address and the votes left
        try
        {
            // the page's own signal: only the page after a successful sign-in says "in" (no wait for the URL's load event,
            // which the jump to #stemmen can leave unfired)
            await page.Locator("[data-testid=resident-signin][data-state=in]").WaitForAsync();
            Assert.Contains($"/wijkaanzet/{id}?ingelogd=1", page.Url);
        }
        catch (TimeoutException e)
        {
            await page.ScreenshotAsync(new() { Path = Shot("wijkaanzet-inloggen-fout.png"), FullPage = true });
            throw new TimeoutException($"{e.Message}\nat {page.Url} after {fx.Idp.SignIns} sign-ins", e);
        }
        await Assertions.Expect(page.GetByTestId("resident-standing")).ToContainTextAsync("1822ZZ 5");
        await Assertions.Expect(page.GetByTestId("resident-standing")).ToContainTextAsync("nog 3 stemmen");
        await Assertions.Expect(page.GetByTestId("vote-code")).ToHaveCountAsync(0);
        await page.GetByLabel("Stem op Meer groen op het Huiswaardplein").CheckAsync();
        await page.GetByLabel("Stem op Betere verlichting bij het fietspad").CheckAsync();
        await page.GetByTestId("vote-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campagne-message")).ToContainTextAsync("Uw 2 stemmen zijn geteld");
        await Assertions.Expect(page.GetByTestId("resident-standing")).ToContainTextAsync("nog 0 stemmen");
        await Assertions.Expect(page.Locator($"[data-testid=vp-table] tr[data-id='{groen}']")).ToHaveAttributeAsync("data-votes", "1");
        await page.ScreenshotAsync(new() { Path = Shot("wijkaanzet-inloggen.png"), FullPage = true });
        // one ballot: the button says so (the server refuses a second one too: ResidentSignInTests)
        await Assertions.Expect(page.GetByTestId("vote-submit")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("vote-submit")).ToHaveTextAsync("U heeft gestemd");
        Assert.Equal(1L, await ds.ScalarAsync<long>("SELECT count(*) FROM stem WHERE verbeterpunt_id = $1 AND returned_at IS NULL", licht));
        // signing out brings the code back
        await page.GetByTestId("resident-signout").ClickAsync();
        await page.Locator("[data-testid=resident-signin][data-state=uit]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("vote-code")).ToBeVisibleAsync();
        Assert.Empty(fx.ConsoleErrors.GetOrCreateValue(page));
    }

    [Fact]
    public async Task The_beheerder_sees_the_messages_to_residents_waiting_without_their_addresses()
    {
        var service = fx.App.Services.GetRequiredService<WijkAanZetService>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var id = await service.CreateCampagneAsync("WK036104", "wijk", "Wij(k) aan zet!", today.AddDays(-1), today.AddDays(10), today.AddDays(20), today.AddDays(30), today.AddDays(60), "test");
        await service.SubmitAsync(id, "Bankjes bij de Kennemerstraatweg", "", "ontmoeten", null, "browser-bewoner@example.org");
        await fx.App.EnsureUserAsync("browser-beheerder", ["beheerder"], []);
        var page = await fx.NewPageAsync(1280, 900);
        await page.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=" + Uri.EscapeDataString("/beheer/berichten"));
        await SignInAsync(page, "browser-beheerder");
        await page.Locator("[data-testid=berichten][data-interactive=true][data-loaded=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("mail-not-configured")).ToBeVisibleAsync();
        var waiting = int.Parse(await page.GetByTestId("mail-waiting").InnerTextAsync());
        Assert.True(waiting >= 1, $"waiting: {waiting}");
        await Assertions.Expect(page.Locator("table")).ToContainTextAsync("Uw verbeterpunt is ontvangen (nummer");
        Assert.DoesNotContain("example.org", await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Shot("beheer-berichten.png") });
    }

    [Fact]
    public async Task The_beheerder_adds_a_standard_answer_that_a_team_then_picks_on_a_melding()
    {
        await fx.App.EnsureUserAsync("browser-beheerder", ["beheerder"], []);
        var page = await fx.NewPageAsync(1280, 900);
        await page.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=" + Uri.EscapeDataString("/beheer/standaardantwoorden"));
        await SignInAsync(page, "browser-beheerder");
        await page.Locator("[data-testid=standaardantwoorden][data-interactive=true][data-loaded=true]").WaitForAsync();
        await page.GetByLabel("Soort melding").SelectOptionAsync("*"); // for every category
        await page.GetByLabel("Titel").FillAsync("Wijkagent ingeschakeld");
        await page.GetByLabel("Tekst aan de melder").FillAsync("Wij hebben de wijkagent gevraagd langs te gaan. Dank voor uw melding.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Toevoegen" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("sa-message")).ToHaveTextAsync("'Wijkagent ingeschakeld' is toegevoegd.");
        await Assertions.Expect(page.GetByTestId("sa-table")).ToContainTextAsync("Wij hebben de wijkagent gevraagd langs te gaan.");
        await page.ScreenshotAsync(new() { Path = Shot("beheer-standaardantwoorden.png") });

        // a melding offers it on its page; picking it fills the message to the melder
        using var http = new HttpClient { BaseAddress = new Uri(fx.BaseUrl) };
        var made = await http.PostAsJsonAsync("/api/meldingen", new { category = "overlast", description = "Standaardantwoord", x = 112000, y = 516000 });
        var melding = (await made.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        await page.GotoAsync(fx.BaseUrl + $"/meldingen/{melding}");
        await page.Locator(".melding-detail[data-interactive=true]").WaitForAsync();
        await page.GetByTestId("standard-answer").WaitForAsync();
        await page.GetByTestId("standard-answer").SelectOptionAsync(new SelectOptionValue { Label = "Wijkagent ingeschakeld" });
        await Assertions.Expect(page.GetByLabel("Bericht aan de melder")).ToHaveValueAsync("Wij hebben de wijkagent gevraagd langs te gaan. Dank voor uw melding.");
    }
}
