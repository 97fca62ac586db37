using System.Globalization;
using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.Gebiedsteams;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// "Wie is mijn gebiedsteam?" as a resident uses it: by keyboard with a demo address, from a shared link on a phone, by a
/// map click, with "use my location" (allowed and refused), for a place outside Alkmaar and for unknown addresses.
/// Expected areas come from PostGIS (ST_Covers on the areas in force), not from the code under test.
/// </summary>
public class ResidentPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private NpgsqlDataSource Db => fx.App.Services.GetRequiredService<NpgsqlDataSource>();

    public Task InitializeAsync() => TestData.EnsureDemoAddressesAsync(fx.App.Services);

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A demo address in the given buurt, with its gebied and wijk names by PostGIS.</summary>
    private async Task<(string Postcode, int Nr, string Gebied, string Wijk, string Buurt, string BuurtCode)> AddressIn(string buurtCode)
    {
        await using var cmd = Db.CreateCommand(
            """
            SELECT a.postcode, a.huisnummer, g.name, w.name, b.name, b.code
            FROM address a
            JOIN area b ON b.level = 'buurt' AND b.valid_to IS NULL AND ST_Covers(b.geom, a.geom)
            JOIN area w ON w.level = 'wijk' AND w.valid_to IS NULL AND w.code = b.parent_code
            JOIN area g ON g.level = 'gebied' AND g.valid_to IS NULL AND g.code = w.parent_code
            WHERE b.code = $1 AND a.toevoeging = '' ORDER BY a.bag_id LIMIT 1
            """);
        cmd.Parameters.AddWithValue(buurtCode);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), $"no demo address in {buurtCode}");
        return (r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5));
    }

    private async Task<IPage> Open(string query = "", int width = 1280, int height = 800, Action<BrowserNewContextOptions>? configure = null)
    {
        var page = await fx.NewPageAsync(width, height, configure);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(fx.BaseUrl + "/mijn-gebiedsteam" + query);
        await page.Locator("[data-testid=mijn-gebiedsteam][data-interactive=true]").WaitForAsync();
        // server-rendered (issue 35): the map loads after the first paint on a wide screen, on request on a phone
        if (width < 700) await page.GetByTestId("show-map").ClickAsync();
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        Assert.Empty(errors);
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));
        return page;
    }

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name) });

    [Fact]
    public async Task A_resident_finds_the_team_of_a_demo_address_by_keyboard_and_the_map_highlights_the_buurt()
    {
        var a = await AddressIn("BU03610800"); // a buurt in wijk Centrum
        var page = await Open();
        Assert.Contains("demo-adressen", await page.Locator("[data-testid=demo-note]").InnerTextAsync());

        await page.Locator("#postcode").FocusAsync();
        await page.Keyboard.TypeAsync($"{a.Postcode[..4]} {a.Postcode[4..].ToLowerInvariant()}");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(a.Nr.ToString(CultureInfo.InvariantCulture));
        await page.Keyboard.PressAsync("Enter");

        var answer = page.Locator("[data-testid=answer][data-kind=found]");
        await Assertions.Expect(answer.Locator("[data-testid=answer-team]")).ToHaveTextAsync($"Gebiedsteam {a.Gebied}");
        await Assertions.Expect(answer.Locator("[data-testid=answer-gebied]")).ToHaveTextAsync(a.Gebied);
        await Assertions.Expect(answer.Locator("[data-testid=answer-wijk]")).ToHaveTextAsync(a.Wijk);
        await Assertions.Expect(answer.Locator("[data-testid=answer-buurt]")).ToHaveTextAsync(a.Buurt);
        await Assertions.Expect(answer.Locator("[data-testid=demo-badge]")).ToBeVisibleAsync();
        await Assertions.Expect(answer.Locator("[data-testid=answer-contact]")).ToContainTextAsync("14 072");
        Assert.Equal("tel:14072", await answer.Locator("[data-testid=answer-contact] a[href^=tel]").GetAttributeAsync("href"));
        await Assertions.Expect(answer.Locator("[data-testid=answer-roles] li")).ToHaveCountAsync(4);
        await Assertions.Expect(answer.Locator("[data-role=wijkagent]")).ToContainTextAsync("0900-8844");
        // focus moved to the answer, for screen readers and keyboard users
        await Assertions.Expect(page.Locator("#answer-title")).ToBeFocusedAsync();

        // the URL is the answer: shareable, and shown for copying
        Assert.Contains($"postcode={a.Postcode}", page.Url);
        Assert.Contains($"huisnummer={a.Nr}", page.Url);
        Assert.Equal(page.Url, await page.Locator("[data-testid=share-url]").InputValueAsync());

        // the buurt is highlighted on the map, with a marker at the address
        await Assertions.Expect(page.Locator($"[data-testid=kaart-map][data-focus={a.BuurtCode}]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".leaflet-overlay-pane path[stroke='#d4351c']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".leaflet-marker-pane img")).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('.leaflet-marker-pane img'); return i && i.complete; }");
        Assert.True(await page.Locator(".leaflet-marker-pane img").EvaluateAsync<bool>("i => i.naturalWidth > 0"), "the marker image did not load");
        await BrowserFixture.AnimationsDoneAsync(page);
        await Shot(page, "mijn-gebiedsteam.png");

        // the shared link, opened on a phone, gives the same answer
        var phone = await Open(new Uri(page.Url).Query, 390, 844);
        await Assertions.Expect(phone.Locator("[data-testid=answer-team]")).ToHaveTextAsync($"Gebiedsteam {a.Gebied}");
        await Assertions.Expect(phone.Locator("#postcode")).ToHaveValueAsync(a.Postcode);
        await BrowserFixture.AnimationsDoneAsync(phone);
        await Shot(phone, "mijn-gebiedsteam-telefoon.png");
    }

    [Fact]
    public async Task A_click_on_the_map_answers_for_that_place()
    {
        var a = await AddressIn("BU03610600");
        var page = await Open($"?postcode={a.Postcode}&huisnummer={a.Nr}");
        await Assertions.Expect(page.Locator($"[data-testid=kaart-map][data-focus={a.BuurtCode}]")).ToHaveCountAsync(1);
        // click where the marker points (the marker itself lets clicks through to the map); data-focus is set once the
        // focused view is drawn, so the marker is where it stays
        var marker = (await page.Locator(".leaflet-marker-pane img").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(marker.X + marker.Width / 2, marker.Y + marker.Height - 1);
        // Blazor changes the URL in the page (history API); WaitForURL waits for a navigation event that it can miss on a busy
        // machine (the URL had changed when it timed out), so the URL itself is polled, and the answer is the page's own signal
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("lat="));
        await Assertions.Expect(page.Locator("[data-testid=answer][data-kind=found] [data-testid=answer-gebied]")).ToHaveTextAsync(a.Gebied);
        await Assertions.Expect(page.Locator("[data-testid=answer-address]")).ToHaveCountAsync(0); // a place, not an address
    }

    [Fact]
    public async Task A_place_outside_Alkmaar_names_the_municipality_it_lies_in()
    {
        // the centre of Heiloo, Alkmaar's southern neighbour
        var page = await Open("?lat=52.6010&lon=4.7010");
        var answer = page.Locator("[data-testid=answer][data-kind=outside]");
        await Assertions.Expect(answer.Locator("#answer-title")).ToHaveTextAsync("Deze plek ligt niet in de gemeente Alkmaar");
        await Assertions.Expect(answer.Locator("[data-testid=answer-outside]")).ToContainTextAsync("gemeente Heiloo");
        await Assertions.Expect(page.Locator("[data-testid=kaart-map][data-focus=point]")).ToHaveCountAsync(1);
        await BrowserFixture.AnimationsDoneAsync(page);
        await Shot(page, "mijn-gebiedsteam-buiten.png");

        // far away: still a helpful answer, not an error page
        var far = await Open("?lat=51.4416&lon=5.4697");
        await Assertions.Expect(far.Locator("[data-testid=answer-outside]")).ToContainTextAsync("website van de gemeente waar u woont");
    }

    [Fact]
    public async Task Use_my_location_answers_for_the_device_position_or_explains_why_not()
    {
        var a = await AddressIn("BU03610800");
        var (lat, lon) = await LatLon(a.Postcode, a.Nr);
        var page = await Open(configure: o =>
        {
            o.Geolocation = new Geolocation { Latitude = (float)lat, Longitude = (float)lon, Accuracy = 10 };
            o.Permissions = ["geolocation"];
        });
        await page.Locator("[data-testid=use-location]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=answer][data-kind=found] [data-testid=answer-buurt]")).ToHaveTextAsync(a.Buurt);

        var refused = await Open(); // no permission granted: headless Chromium refuses
        await refused.Locator("[data-testid=use-location]").ClickAsync();
        await Assertions.Expect(refused.Locator("[data-testid=location-error]")).ToContainTextAsync("postcode en huisnummer");
    }

    [Fact]
    public async Task Unknown_or_malformed_addresses_get_a_helpful_answer()
    {
        var a = await AddressIn("BU03610800");
        var page = await Open($"?postcode={a.Postcode}&huisnummer=99999");
        var answer = page.Locator("[data-testid=answer][data-kind=addressnotfound]");
        await Assertions.Expect(answer.Locator("#answer-title")).ToHaveTextAsync("We kennen dit adres niet");
        await Assertions.Expect(answer.Locator("[data-testid=answer-postcode-hint]")).ToContainTextAsync(a.Gebied);

        await page.Locator("#postcode").FillAsync("18");
        await page.Locator("#huisnummer").FillAsync("1");
        await page.Locator("#huisnummer").PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=form-error]")).ToContainTextAsync("vier cijfers en twee letters");
        Assert.Equal("true", await page.Locator("#postcode").GetAttributeAsync("aria-invalid"));

        await page.Locator("#postcode").FillAsync("9999 ZZ");
        await page.Locator("#huisnummer").PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=answer-not-found]")).ToContainTextAsync("9999 ZZ 1");
        await Assertions.Expect(page.Locator("[data-testid=answer]")).ToContainTextAsync("kennen we niet in de gemeente Alkmaar");
    }

    [Fact]
    public async Task What_a_beheerder_enters_for_a_team_reaches_residents_without_personal_contacts()
    {
        var a = await AddressIn("BU03610600");
        var gebied = await Scalar($"SELECT w.parent_code FROM area w WHERE w.level = 'wijk' AND w.valid_to IS NULL AND w.code = (SELECT parent_code FROM area WHERE level = 'buurt' AND valid_to IS NULL AND code = '{a.BuurtCode}')");
        var store = fx.App.Services.GetRequiredService<GebiedsteamStore>();
        // a real beheerder account: the store re-reads the actor from the account store before it changes a team
        await fx.App.EnsureUserAsync("beheerder", [KaartRoles.Beheerder], []);
        ClaimsPrincipal beheerder;
        await using (var scope = fx.App.Services.CreateAsyncScope())
            beheerder = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.IUserClaimsPrincipalFactory<KaartUser>>().CreateAsync(
                (await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<KaartUser>>().FindByNameAsync("beheerder"))!);
        var team = (await store.GetAsync(gebied))!;
        await store.UpdateAsync(beheerder, gebied, new GebiedsteamEdit(team.Name, "gebiedsteam-test@example.org", null, null,
            [new TeamMember("wijkagent", "Agent Openbaar", "agent.prive@example.org", "06-12345678", NamePublic: true),
             new TeamMember("gebiedsregisseur", "Regisseur Niet Openbaar", "regisseur@example.org", null, NamePublic: false)],
            [new TeamPartner("Woningstichting Voorbeeld", "Woningcorporatie", "Contact Persoon", "contact@example.org", null)]), default, team.Version);

        var page = await Open($"?postcode={a.Postcode}&huisnummer={a.Nr}");
        var answer = page.Locator("[data-testid=answer]");
        await Assertions.Expect(answer.Locator("[data-role=wijkagent]")).ToContainTextAsync("Agent Openbaar");
        await Assertions.Expect(answer.Locator("[data-testid=answer-contact]")).ToContainTextAsync("gebiedsteam-test@example.org");
        await Assertions.Expect(answer.Locator("[data-testid=answer-partners]")).ToContainTextAsync("Woningstichting Voorbeeld");
        var html = await page.ContentAsync();
        foreach (var secret in new[] { "Regisseur Niet Openbaar", "agent.prive@example.org", "06-12345678", "regisseur@example.org", "Contact Persoon", "contact@example.org" })
            Assert.DoesNotContain(secret, html);
    }

    private async Task<(double Lat, double Lon)> LatLon(string postcode, int nr)
    {
        await using var cmd = Db.CreateCommand("SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_Transform(geom, 4326) p FROM address WHERE postcode = $1 AND huisnummer = $2 AND toevoeging = '') s");
        cmd.Parameters.AddWithValue(postcode);
        cmd.Parameters.AddWithValue(nr);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetDouble(0), r.GetDouble(1));
    }

    private async Task<string> Scalar(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
