using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>The export page as a partner uses it: choose layer, area, CRS and format, see the count, download.</summary>
public class ExportPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_partner_exports_the_buurten_of_a_gebied_as_geopackage_in_rd()
    {
        await using var cmd = fx.App.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "SELECT count(*)::int FROM area b JOIN area g ON g.level = 'gebied' AND g.code = 'GB0361-oost' AND g.valid_to IS NULL " +
            "WHERE b.level = 'buurt' AND b.valid_to IS NULL AND ST_Relate(b.geom, g.geom, 'T********')");
        var expected = (int)(await cmd.ExecuteScalarAsync())!;

        var page = await fx.NewPageAsync(1280, 900);
        await page.GotoAsync(fx.BaseUrl + "/export");
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-testid=export-count]")).ToHaveTextAsync("66");

        await page.GetByLabel("Gebied", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Gebied Oost" });
        await page.GetByLabel("RD New (EPSG:28992)").CheckAsync();
        await page.GetByLabel("GeoPackage").CheckAsync();
        await Assertions.Expect(page.Locator("[data-testid=export-count]")).ToHaveTextAsync(expected.ToString());
        // the count does not depend on format or CRS, so wait for the link itself to follow the last choice
        await Assertions.Expect(page.Locator("[data-testid=export-download]")).ToHaveAttributeAsync(
            "href", "/api/export/buurten?format=gpkg&crs=EPSG%3A28992&area=GB0361-oost", new() { Timeout = 30000 });

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-download]").ClickAsync());
        Assert.Equal("alkmaar-buurten-rd.gpkg", download.SuggestedFilename);
        var path = Path.Combine(Path.GetTempPath(), $"export-page-{Guid.NewGuid():N}.gpkg");
        await download.SaveAsAsync(path);
        try
        {
            var header = new byte[16];
            await using (var f = File.OpenRead(path)) Assert.Equal(16, await f.ReadAsync(header));
            Assert.Equal("SQLite format 3\0", System.Text.Encoding.ASCII.GetString(header));
            await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            await conn.OpenAsync();
            await using var count = conn.CreateCommand();
            count.CommandText = "SELECT (SELECT count(*) FROM buurten), (SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'buurten')";
            await using var r = await count.ExecuteReaderAsync();
            await r.ReadAsync();
            Assert.Equal(expected, r.GetInt32(0));
            Assert.Equal(28992, r.GetInt32(1));
        }
        finally
        {
            File.Delete(path);
        }

        // a filter that does not apply gets a readable message, not a broken link
        await page.Locator("#from").FillAsync("2025-02-01");
        await page.Locator("#from").BlurAsync();
        await Assertions.Expect(page.Locator("[data-testid=export-url]")).ToContainTextAsync("from=2025-02-01", new() { Timeout = 30000 });
        await page.Locator("#to").FillAsync("2025-01-01");
        await page.Locator("#to").BlurAsync();
        await Assertions.Expect(page.Locator("[data-testid=export-error]")).ToContainTextAsync("begindatum ligt na de einddatum", new() { Timeout = 30000 });
        await page.Locator("#to").FillAsync("2025-03-01");
        await page.Locator("#to").BlurAsync();
        await Assertions.Expect(page.Locator("[data-testid=export-count]")).ToHaveTextAsync(expected.ToString(), new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-testid=export-url]")).ToContainTextAsync("to=2025-03-01");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "export.png"), FullPage = true });
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));
    }
}
