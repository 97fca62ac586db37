using System.Diagnostics;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The real server on Kestrel (loopback) with the real boundaries and a few meldingen, for clients over TCP.</summary>
public sealed class KestrelAppFixture : IAsyncLifetime
{
    public KaartAppFactory App { get; private set; } = null!;
    public TestDatabase Database { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        App = new KaartAppFactory(Database);
        App.UseKestrel(0);
        App.StartServer();
        await App.ImportRealBuurtenAsync();
        BaseUrl = App.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        var service = App.Services.GetRequiredService<MeldingService>();
        var random = new Random(5);
        for (var i = 0; i < 40; i++)
            await service.CreateAsync(new NewMelding
            {
                Category = i % 3 == 0 ? "afval" : "groen", Description = "GDAL-geheim " + i, Naam = "GDAL Persoon",
                Lat = 52.62 + random.NextDouble() * 0.03, Lon = 4.73 + random.NextDouble() * 0.04,
            }, "api", "test");
        await App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().AgeRecentMeldingenAsync(); // public answers end at yesterday
        await OverlaySeed.SeedAsync(App.Services);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// GDAL (Debian's gdal-bin, installed by ./kaart test) reads the OGC API: its OAPIF driver for every collection in CRS84
/// with paging, and its GeoJSON driver for the RD New answers (GDAL 3.6's OAPIF driver predates Part 2's crs parameter).
/// Counts and geometry types are checked against PostGIS.
/// </summary>
public class GdalClientTests(KestrelAppFixture fx) : IClassFixture<KestrelAppFixture>
{
    private const string Rd = "http://www.opengis.net/def/crs/EPSG/0/28992";

    private static async Task<string> Ogrinfo(params string[] args)
    {
        var psi = new ProcessStartInfo("ogrinfo") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ogrinfo (gdal-bin) is not installed; ./kaart test installs it.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"ogrinfo {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    private async Task<long> PostGisCount(string collection)
    {
        if (collection == "hotspots") // no SQL oracle: the analysis the server runs
            return (await fx.App.Services.GetRequiredService<Features.Hotspots.HotspotService>().AnalyseAsync(new(null, null, null, 100)))!.Hotspots.Count;
        await using var db = fx.Database.CreateDataSource();
        var sql = collection switch
        {
            // disclosure control: only cells of at least 5 meldingen are published
            "meldingen" => "SELECT count(*) FROM (SELECT 1 FROM melding GROUP BY floor(ST_X(geom) / 50), floor(ST_Y(geom) / 50) HAVING count(*) >= 5) s",
            "initiatieven" => "SELECT count(*) FROM initiatief",
            "monitorscores" => "SELECT count(*) FROM monitor_score",
            _ => $"SELECT count(*) FROM area WHERE valid_to IS NULL AND level = '{collection.TrimEnd('n').TrimEnd('e')}'",
        };
        await using var cmd = db.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static long FeatureCount(string info) => long.Parse(Regex.Match(info, @"Feature Count: (\d+)").Groups[1].Value);

    [Theory]
    [InlineData("gebieden", "Multi Polygon")]
    [InlineData("wijken", "Multi Polygon")]
    [InlineData("buurten", "Multi Polygon")]
    [InlineData("dorpen", "Multi Polygon")]
    [InlineData("meldingen", "Point")]
    [InlineData("initiatieven", "Unknown (any)")]
    [InlineData("monitorscores", "Multi Polygon")]
    [InlineData("hotspots", "Multi Polygon")]
    public async Task Gdal_reads_every_collection_with_the_right_count_geometry_and_crs_in_both_crss(string collection, string geometry)
    {
        var expected = await PostGisCount(collection);
        Assert.True(expected > 0);

        var wgs = await Ogrinfo("-ro", "-so", "-al", $"OAPIF:{fx.BaseUrl}/ogc/collections/{collection}");
        Assert.Equal(expected, FeatureCount(wgs));
        Assert.Contains($"Geometry: {geometry}", wgs);
        Assert.Contains("ID[\"EPSG\",4326]", wgs);

        var rd = await Ogrinfo("-ro", "-so", "-al", $"{fx.BaseUrl}/ogc/collections/{collection}/items?limit=1000&crs={Uri.EscapeDataString(Rd)}");
        Assert.Equal(expected, FeatureCount(rd));
        Assert.Contains($"Geometry: {geometry}", rd);
        Assert.Contains("ID[\"EPSG\",28992]", rd);
        var extent = Regex.Match(rd, @"Extent: \(([\d.]+), ([\d.]+)\)");
        Assert.InRange(double.Parse(extent.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 100_000, 130_000);
    }

    [Fact]
    public async Task Gdal_pages_through_a_collection_larger_than_its_page_size()
    {
        var all = await Ogrinfo("-ro", "-al", "-q", "-oo", "PAGE_SIZE=10", $"OAPIF:{fx.BaseUrl}/ogc/collections/buurten");
        var ids = Regex.Matches(all, @"^\s*id \(String\) = (\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(66, ids.Count);
        Assert.Equal(66, ids.Distinct().Count());
        Assert.DoesNotContain("GDAL-geheim", await Ogrinfo("-ro", "-al", "-q", "-oo", "PAGE_SIZE=7", $"OAPIF:{fx.BaseUrl}/ogc/collections/meldingen"));
    }

    private async Task<string> Download(string url)
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(fx.BaseUrl + url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.StartsWith("attachment;", response.Content.Headers.ContentDisposition?.ToString() ?? response.Headers.GetValues("Content-Disposition").FirstOrDefault());
        var ext = url.Contains("format=gpkg") ? "gpkg" : url.Contains("format=csv") ? "csv" : "geojson";
        var path = Path.Combine(Path.GetTempPath(), $"kaart-export-test-{Guid.NewGuid():N}.{ext}");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    private static string[] CsvOptions(string path) =>
        path.EndsWith(".csv") ? ["-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO"] : [];

    [Theory]
    [InlineData("geojson", "EPSG:4326", "4326")]
    [InlineData("geojson", "EPSG:28992", "28992")]
    [InlineData("gpkg", "EPSG:4326", "4326")]
    [InlineData("gpkg", "EPSG:28992", "28992")]
    [InlineData("csv", "EPSG:4326", null)]
    [InlineData("csv", "EPSG:28992", null)]
    public async Task Gdal_reads_every_export_format_in_both_crss_with_the_attribution(string format, string crs, string? epsg)
    {
        foreach (var (layer, geometry) in new[] { ("buurten", "MULTIPOLYGON"), ("meldingen", "POINT"), ("initiatieven", "POINT"), ("monitorscores", "MULTIPOLYGON"), ("hotspots", "MULTIPOLYGON") })
        {
            var path = await Download($"/api/export/{layer}?format={format}&crs={crs}");
            try
            {
                var summary = await Ogrinfo([.. new[] { "-ro", "-so", "-al" }, .. CsvOptions(path), path]);
                Assert.Equal(await PostGisCount(layer), FeatureCount(summary));
                if (epsg is not null) Assert.Contains($"ID[\"EPSG\",{epsg}]", summary);
                var all = await Ogrinfo([.. new[] { "-ro", "-al" }, .. CsvOptions(path), path]);
                Assert.Contains($"{geometry} (", all); // 2D, as exported (no Z or M)
                var file = await File.ReadAllTextAsync(path);
                Assert.Contains("Gemeente Alkmaar; Kadaster / Centraal Bureau voor de Statistiek, 2024", file); // the attribution travels with the data
                foreach (var secret in new[] { "GDAL-geheim", "GDAL Persoon", OverlaySeed.Secret, "Seed Persoon", OverlaySeed.Actor })
                {
                    Assert.DoesNotContain(secret, all);
                    Assert.DoesNotContain(secret, file);
                }
                // coordinates in the CRS asked for
                var first = Regex.Match(all, geometry + @" \(+([\d.]+) ([\d.]+)");
                var x = double.Parse(first.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(x, crs == "EPSG:28992" ? 100_000 : 4.6, crs == "EPSG:28992" ? 130_000 : 5.0);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public async Task Export_filters_select_what_PostGIS_selects_and_bad_requests_are_refused()
    {
        await using var db = fx.Database.CreateDataSource();
        await using (var cmd = db.CreateCommand(
            "SELECT count(*) FROM area b JOIN area g ON g.level = 'gebied' AND g.code = 'GB0361-oost' AND g.valid_to IS NULL " +
            "WHERE b.level = 'buurt' AND b.valid_to IS NULL AND ST_Relate(b.geom, g.geom, 'T********')"))
        {
            var expected = (long)(await cmd.ExecuteScalarAsync())!;
            var path = await Download("/api/export/buurten?format=gpkg&area=GB0361-oost");
            Assert.Equal(expected, FeatureCount(await Ogrinfo("-ro", "-so", "-al", path)));
            File.Delete(path);
        }
        await using (var cmd = db.CreateCommand(
            "SELECT coalesce(sum(n), 0)::int FROM (SELECT count(*) n FROM melding WHERE category = 'afval' " +
            "GROUP BY floor(ST_X(geom) / 50), floor(ST_Y(geom) / 50) HAVING count(*) >= 5) s"))
        {
            var expected = (int)(await cmd.ExecuteScalarAsync())!;
            using var http = new HttpClient();
            var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(fx.BaseUrl + "/api/export/meldingen?category=afval")).RootElement;
            Assert.Equal(expected, json.GetProperty("features").EnumerateArray().Sum(f => f.GetProperty("properties").GetProperty("count").GetInt32()));
        }

        using var client = new HttpClient();
        // the overlay layers' own filters: an initiative status, a hotspot category, an area
        static int Count(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("features").GetArrayLength();
        Assert.Equal(1, Count(await client.GetStringAsync(fx.BaseUrl + "/api/export/initiatieven?status=toegekend")));
        Assert.Equal(1, Count(await client.GetStringAsync(fx.BaseUrl + "/api/export/initiatieven?area=GB0361-noord")));
        Assert.Equal(0, Count(await client.GetStringAsync(fx.BaseUrl + "/api/export/hotspots?category=groen&area=GB0361-zuid")));
        Assert.True(Count(await client.GetStringAsync(fx.BaseUrl + "/api/export/hotspots?category=afval&area=GB0361-zuid")) > 0);
        foreach (var (url, status) in new[]
        {
            ("/api/export/straten", 404), ("/api/export/buurten?format=shp", 400), ("/api/export/buurten?crs=EPSG:3857", 400),
            ("/api/export/buurten?area=GB0361-mars", 400), ("/api/export/buurten?from=gisteren", 400),
            ("/api/export/buurten?from=2025-01-02&to=2025-01-01", 400), ("/api/export/buurten?category=afval", 400),
            ("/api/export/meldingen?status=weg", 400), ("/api/export/meldingen?category=onbekend", 400),
            ("/api/export/initiatieven?category=afval", 400), ("/api/export/initiatieven?status=nieuw", 400),
            ("/api/export/monitorscores?status=toegekend", 400), ("/api/export/hotspots?category=onbekend", 400),
        })
        {
            var response = await client.GetAsync(fx.BaseUrl + url);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
