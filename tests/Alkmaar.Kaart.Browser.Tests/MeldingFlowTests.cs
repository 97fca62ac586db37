using System.Text.RegularExpressions;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// A melding from the resident's phone to the gebiedsteam and back: the resident makes it by address on a phone-size
/// screen and opens the status link; a team member sees it appear live in the list and on the map, answers with a status
/// change (the status link shows it), and moves it to another team (it leaves this list, appears in the other's); a
/// member of another gebied cannot open it.
/// </summary>
public class MeldingFlowTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private NpgsqlDataSource Db => fx.App.Services.GetRequiredService<NpgsqlDataSource>();

    public async Task InitializeAsync()
    {
        var store = fx.App.Services.GetRequiredService<AddressStore>();
        if (!await store.HasPostcode4Async()) await store.ImportPostcode4Async(TestPaths.Cbs("alkmaar_postcode4_2024.geojson"));
        if (await store.CountAsync() == 0) await store.GenerateDemoAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name), FullPage = true });

    /// <summary>A demo address in gebied <paramref name="gebied"/> (by PostGIS), not in a dorp.</summary>
    private async Task<(string Postcode, int Nr)> AddressIn(string gebied)
    {
        await using var cmd = Db.CreateCommand(
            """
            SELECT a.postcode, a.huisnummer FROM address a
            JOIN area_in_force g ON g.level = 'gebied' AND g.code = $1 AND ST_Covers(g.geom, a.geom)
            WHERE a.toevoeging = '' ORDER BY a.bag_id LIMIT 1
            """);
        cmd.Parameters.AddWithValue(gebied);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return (r.GetString(0), r.GetInt32(1));
    }

    private async Task<IPage> MakeMeldingOnPhoneAsync(string postcode, int nr, string text)
    {
        var page = await fx.NewPageAsync(390, 844);
        await page.GotoAsync(fx.BaseUrl + "/melding");
        await page.Locator("body[data-form-ready=true]").WaitForAsync();
        await page.GetByLabel("Postcode").FillAsync(postcode);
        await page.GetByLabel("Huisnummer").FillAsync(nr.ToString());
        await page.GetByLabel("Wat is er aan de hand?").FillAsync(text);
        return page;
    }

    [Fact]
    public async Task A_resident_makes_a_melding_by_address_on_a_phone_and_opens_its_status_link()
    {
        var (postcode, nr) = await AddressIn("GB0361-noord");
        var page = await MakeMeldingOnPhoneAsync(postcode, nr, "Er ligt al dagen een berg zwerfvuil en vuilniszakken naast de container.");
        // the text suggests a category; the resident takes it
        await Assertions.Expect(page.Locator("[data-testid=category-suggestion]")).ToContainTextAsync("Afval");
        await page.GetByRole(AriaRole.Button, new() { Name = "Kies dit" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Soort melding")).ToHaveValueAsync("afval");
        await Shot(page, "melding-formulier-telefoon.png");
        var submit = (await page.Locator("[data-testid=melding-submit]").BoundingBoxAsync())!;
        Assert.True(submit.X >= 0 && submit.X + submit.Width <= 390, "the button fits the phone's screen");
        await page.Locator("[data-testid=melding-submit]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=melding-confirmation]")).ToContainTextAsync("Bedankt, uw melding is ontvangen");
        var reference = await page.Locator("[data-testid=melding-reference]").InnerTextAsync();
        Assert.Matches(new Regex("^M-[0-9]+$"), reference);
        await Assertions.Expect(page.Locator("[data-testid=melding-team]")).ToHaveTextAsync("Gebiedsteam Noord");
        await Assertions.Expect(page.Locator("[data-testid=melding-forwarded]")).ToHaveTextAsync("Stadswerk072"); // afval: openbare ruimte
        var link = await page.Locator("[data-testid=status-link]").InputValueAsync();
        Assert.Matches(new Regex("/melding/status/[A-Za-z0-9_-]{43}$"), link);
        await Shot(page, "melding-bevestiging-telefoon.png");

        // the status link, opened anew: status and team, none of what the resident typed
        var status = await fx.NewPageAsync(390, 844);
        await status.GotoAsync(link);
        await Assertions.Expect(status.Locator("h1")).ToHaveTextAsync($"Melding {reference}");
        await Assertions.Expect(status.Locator("[data-testid=melding-status]")).ToHaveTextAsync("Ontvangen");
        Assert.DoesNotContain("zwerfvuil", await status.ContentAsync());
        Assert.DoesNotContain(postcode, await status.ContentAsync());

        await using var cmd = Db.CreateCommand("SELECT gebied_code, category, source, forwarded_to FROM melding WHERE id = $1");
        cmd.Parameters.AddWithValue(long.Parse(reference[2..]));
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(("GB0361-noord", "afval", "formulier", "stadswerk072"), (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
    }

    [Fact]
    public async Task A_form_with_mistakes_says_what_to_fix_and_keeps_what_was_typed()
    {
        var page = await MakeMeldingOnPhoneAsync("9999ZZ", 1, "Lantaarnpaal kapot bij de speeltuin");
        await page.Locator("[data-testid=melding-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=melding-errors]")).ToContainTextAsync("Adres niet gevonden");
        await Assertions.Expect(page.GetByLabel("Wat is er aan de hand?")).ToHaveValueAsync("Lantaarnpaal kapot bij de speeltuin");
        await Assertions.Expect(page.GetByLabel("Postcode")).ToHaveAttributeAsync("aria-invalid", "true");
    }
}
