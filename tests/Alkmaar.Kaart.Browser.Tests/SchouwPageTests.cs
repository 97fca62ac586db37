using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// The wijkschouw on a phone (issue 34, part 3): a team member plans a round for a buurt, opens it on a phone-size screen,
/// loses the connection, opens the page again (served by the service worker), records three findings where they stand
/// (the device's location; one with a photo) — kept on the phone — comes back online, and the three are sent; on the
/// report two become meldingen with one tap each, and they are in the team's own inbox, routed to the gebied PostGIS
/// finds for their places.
/// </summary>
public class SchouwPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    // a 1 × 1 PNG: the phone's photo
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task A_round_on_a_phone_records_three_findings_offline_sends_them_online_and_two_become_meldingen_in_the_teams_inbox()
    {
        const string gebied = "GB0361-oost", user = "schouw-oost";
        await fx.App.EnsureUserAsync(user, ["gebiedsteam"], [gebied]);
        var db = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        string buurtNaam;
        var points = new List<(double Lat, double Lon)>();
        await using (var cmd = db.CreateCommand(
            """
            WITH b AS (SELECT b.code, b.name, b.geom FROM area_in_force b JOIN area_in_force w ON w.level = 'wijk' AND w.code = b.parent_code
                       WHERE b.level = 'buurt' AND w.parent_code = $1 ORDER BY ST_Area(b.geom) DESC LIMIT 1)
            SELECT b.name, ST_Y(p), ST_X(p) FROM b, LATERAL (SELECT ST_Transform((ST_Dump(ST_GeneratePoints(ST_Buffer(b.geom, -25), 3, 7))).geom, 4326) AS p) q
            """))
        {
            cmd.Parameters.AddWithValue(gebied);
            await using var r = await cmd.ExecuteReaderAsync();
            buurtNaam = "";
            while (await r.ReadAsync()) { buurtNaam = r.GetString(0); points.Add((r.GetDouble(1), r.GetDouble(2))); }
        }
        Assert.Equal(3, points.Count);

        var page = await fx.NewPageAsync(390, 844, o =>
        {
            o.IsMobile = true;
            o.HasTouch = true;
            o.Permissions = ["geolocation"];
            o.Geolocation = new Geolocation { Latitude = (float)points[0].Lat, Longitude = (float)points[0].Lon, Accuracy = 6 };
        });
        await page.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=" + Uri.EscapeDataString("/schouwen"));
        await page.GetByLabel("Gebruikersnaam").FillAsync(user);
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");

        // plan the round
        var plan = page.GetByTestId("schouw-plan");
        await plan.WaitForAsync();
        await page.Locator("#schouw-buurt").SelectOptionAsync(new SelectOptionValue { Label = (await page.Locator("#schouw-buurt option").AllTextContentsAsync()).First(t => t.StartsWith(buurtNaam + " (")) });
        await page.Locator("#schouw-route").FillAsync("Start bij het dorpshuis");
        await page.GetByTestId("schouw-plannen").ClickAsync();
        await page.GetByTestId("schouw-rapport").WaitForAsync();
        var reportUrl = page.Url;

        // on the street: the page makes itself ready for use without a connection
        await page.GetByTestId("schouw-lopen").ClickAsync();
        var lopen = page.Locator("[data-testid=schouw-lopen-page][data-offline-ready=true]");
        await lopen.WaitForAsync();

        // the connection is gone; the page opens again, from the phone
        await page.Context.SetOfflineAsync(true);
        var again = await page.ReloadAsync();
        Assert.True(again?.FromServiceWorker, "offline, the page comes from the service worker");
        await page.Locator("[data-testid=schouw-lopen-page][data-offline-ready=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("schouw-status")).ToContainTextAsync("Geen verbinding");

        var findings = new[] { ("zwerfafval", "C", "Zakken naast de container"), ("verlichting", "D", "Lantaarnpaal scheef"), ("bomen", "A", "") };
        for (var i = 0; i < findings.Length; i++)
        {
            var (item, score, text) = findings[i];
            await page.Context.SetGeolocationAsync(new Geolocation { Latitude = (float)points[i].Lat, Longitude = (float)points[i].Lon, Accuracy = 6 });
            await page.Locator("#bev-item").SelectOptionAsync(item);
            await page.Locator($"input[name=score][value='{score}']").CheckAsync();
            if (text.Length > 0) await page.Locator("#bev-toelichting").FillAsync(text);
            if (i == 1) await page.Locator("#bev-foto").SetInputFilesAsync(new FilePayload { Name = "lamp.png", MimeType = "image/png", Buffer = Png });
            await page.GetByTestId("bevinding-vastleggen").ClickAsync();
            await page.Locator($"[data-testid=schouw-lopen-page][data-pending='{i + 1}']").WaitForAsync();
        }
        await Assertions.Expect(page.Locator("[data-testid=schouw-lijst] li[data-state=bewaard]")).ToHaveCountAsync(3);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "schouw-offline-telefoon.png"), FullPage = true });

        // back online: all three are sent, each once
        await page.Context.SetOfflineAsync(false);
        await page.Locator("[data-testid=schouw-lopen-page][data-pending='0'][data-sent='3']").WaitForAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "schouw-verstuurd-telefoon.png"), FullPage = true });

        // the report: three findings; two become meldingen, one tap each
        await page.GotoAsync(reportUrl);
        var rows = page.GetByTestId("schouw-bevinding");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-testid=schouw-rapport-tabel] tr[data-item=verlichting] [data-testid=oordeel]")).ToHaveTextAsync("onder het doel");
        var made = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            await rows.Nth(i).GetByTestId("schouw-maak-melding").ClickAsync();
            await Assertions.Expect(rows.Nth(i).GetByTestId("schouw-melding")).ToBeVisibleAsync();
            var href = await rows.Nth(i).GetByTestId("schouw-melding").Locator("a").GetAttributeAsync("href");
            made.Add(long.Parse(href!.Split('/').Last()));
        }
        await Assertions.Expect(page.GetByTestId("schouw-maak-melding")).ToHaveCountAsync(1);
        await page.Locator("[data-schouw-kaart][data-loaded=true]").WaitForAsync(); // the walked route and the findings drawn
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "schouw-rapport-telefoon.png"), FullPage = true });

        // routed where PostGIS puts each place, and in the team's inbox
        foreach (var (mid, p) in made.Zip(points))
        {
            await using var cmd = db.CreateCommand(
                """
                SELECT m.gebied_code = g.code, m.source FROM melding m, area_in_force g
                WHERE m.id = $1 AND g.level = 'gebied' AND ST_Covers(g.geom, ST_Transform(ST_SetSRID(ST_MakePoint($3, $2), 4326), 28992))
                """);
            cmd.Parameters.AddWithValue(mid);
            cmd.Parameters.AddWithValue(p.Lat);
            cmd.Parameters.AddWithValue(p.Lon);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.True(r.GetBoolean(0), $"melding {mid} routed to the gebied covering its place");
            Assert.Equal("schouw", r.GetString(1));
        }
        await page.GotoAsync(fx.BaseUrl + "/meldingen");
        foreach (var mid in made) await page.Locator($"[data-testid=werk-open][data-id='{mid}']").WaitForAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "schouw-inbox-telefoon.png"), FullPage = true });
    }
}
