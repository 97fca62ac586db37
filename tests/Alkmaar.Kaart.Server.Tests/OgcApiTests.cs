using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>OGC API Features under /ogc: the documents, items with every parameter, paging, errors, privacy.</summary>
public class OgcApiTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private const string Rd = "http://www.opengis.net/def/crs/EPSG/0/28992";
    private const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    private static readonly string RdQ = Uri.EscapeDataString(Rd);
    private readonly HttpClient _http = fx.Factory.CreateClient();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    public static readonly string[] Personal = ["OGC-geheime-omschrijving", "Jan OGC-Persoon", "ogc.persoon@example.org", "0611223344"];

    public async Task InitializeAsync()
    {
        await using var cmd = Db.CreateCommand("SELECT count(*) FROM melding");
        if ((long)(await cmd.ExecuteScalarAsync())! > 0) return;
        var service = fx.Factory.Services.GetRequiredService<MeldingService>();
        // all with personal data. Cell A: 6 afval and 5 verlichting (published with both categories); cell B: 5 afval and
        // 2 groen (published with its total only: 2 groen is too few to show); one groen elsewhere (not published).
        var a = Enumerable.Range(0, 11).Select(i => (52.63101 + (i % 3) * 0.00001, 4.74801 + (i % 3) * 0.00001, i < 6 ? "afval" : "verlichting"));
        var b = Enumerable.Range(0, 7).Select(i => (52.6420 + (i % 3) * 0.00001, 4.7600 + (i % 3) * 0.00001, i < 5 ? "afval" : "groen"));
        foreach (var (lat, lon, category) in a.Concat(b).Append((52.6500, 4.7400, "groen")))
            await service.CreateAsync(new NewMelding
            {
                Category = category, Description = Personal[0], Lat = lat, Lon = lon, Naam = Personal[1], Email = Personal[2], Telefoon = Personal[3],
            }, "api", "test");
        await Db.AgeRecentMeldingenAsync(); // public answers end at yesterday (the release rule)
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(HttpResponseMessage Response, JsonElement Json)> Get(string url)
    {
        var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        return (response, body.StartsWith('{') ? JsonDocument.Parse(body).RootElement : default);
    }

    private static string Href(JsonElement links, string rel) =>
        links.EnumerateArray().First(l => l.GetProperty("rel").GetString() == rel).GetProperty("href").GetString()!;

    [Fact]
    public async Task Landing_conformance_api_and_collections_describe_the_service()
    {
        var (_, landing) = await Get("/ogc");
        var links = landing.GetProperty("links");
        Assert.EndsWith("/ogc/api", Href(links, "service-desc"));
        Assert.EndsWith("/ogc/conformance", Href(links, "conformance"));
        Assert.EndsWith("/ogc/collections", Href(links, "data"));

        var (_, conformance) = await Get("/ogc/conformance");
        var classes = conformance.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", classes);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs", classes);

        var api = await _http.GetAsync("/ogc/api");
        Assert.StartsWith("application/vnd.oai.openapi+json", api.Content.Headers.ContentType!.ToString());
        var doc = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("3.0.3", doc.GetProperty("openapi").GetString());
        Assert.True(doc.GetProperty("paths").TryGetProperty("/collections/{collectionId}/items", out _));

        var (_, collections) = await Get("/ogc/collections");
        var list = collections.GetProperty("collections").EnumerateArray().ToList();
        Assert.Equal(["gebieden", "wijken", "buurten", "dorpen", "meldingen", "initiatieven", "monitorscores", "hotspots", "bewonersorganisaties"], list.Select(c => c.GetProperty("id").GetString()));
        foreach (var c in list)
        {
            Assert.Equal([Crs84, Rd], c.GetProperty("crs").EnumerateArray().Select(x => x.GetString()));
            Assert.Equal(Rd, c.GetProperty("storageCrs").GetString());
            // an empty collection (this fixture has no initiatives or monitor scores) has no extent; the others have one
            var (_, items) = await Get($"/ogc/collections/{c.GetProperty("id").GetString()}/items?limit=1");
            var empty = items.GetProperty("numberReturned").GetInt32() == 0; // numberMatched is optional (meldingen: not counted)
            Assert.Equal(!empty, c.TryGetProperty("extent", out _));
            if (empty) continue;
            var bbox = c.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0];
            Assert.InRange(bbox[0].GetDouble(), 4.6, 5.0);
            Assert.InRange(bbox[1].GetDouble(), 52.4, 52.8);
        }
    }

    [Theory]
    [InlineData("gebieden", 5)]
    [InlineData("wijken", 11)]
    [InlineData("buurten", 66)]
    [InlineData("dorpen", 14)]
    public async Task Every_area_collection_has_all_its_features_in_both_crss(string collection, int count)
    {
        var (wgs, json) = await Get($"/ogc/collections/{collection}/items?limit=1000");
        Assert.Equal("application/geo+json", wgs.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"<{Crs84}>", wgs.Headers.GetValues("Content-Crs").Single());
        Assert.Equal(count, json.GetProperty("numberMatched").GetInt32());
        Assert.Equal(count, json.GetProperty("numberReturned").GetInt32());
        var first = json.GetProperty("features")[0];
        Assert.Equal(first.GetProperty("properties").GetProperty("code").GetString(), first.GetProperty("id").GetString()); // stable ids: the codes
        var lon = first.GetProperty("geometry").GetProperty("coordinates")[0][0][0][0].GetDouble();
        Assert.InRange(lon, 4.6, 5.0);

        var (rd, rdJson) = await Get($"/ogc/collections/{collection}/items?limit=1000&crs={RdQ}");
        Assert.Equal($"<{Rd}>", rd.Headers.GetValues("Content-Crs").Single());
        Assert.Equal(count, rdJson.GetProperty("numberReturned").GetInt32());
        var x = rdJson.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates")[0][0][0][0].GetDouble();
        Assert.InRange(x, 100_000, 130_000);
    }

    [Fact]
    public async Task Paging_through_next_links_gives_the_whole_collection_once()
    {
        var ids = new List<string>();
        var url = "/ogc/collections/buurten/items?limit=7";
        var pages = 0;
        while (true)
        {
            var (_, page) = await Get(url);
            pages++;
            Assert.Equal(66, page.GetProperty("numberMatched").GetInt32());
            var features = page.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(features.Count, page.GetProperty("numberReturned").GetInt32());
            ids.AddRange(features.Select(f => f.GetProperty("id").GetString()!));
            var links = page.GetProperty("links").EnumerateArray().ToList();
            Assert.Equal(pages > 1, links.Any(l => l.GetProperty("rel").GetString() == "prev"));
            var next = links.FirstOrDefault(l => l.GetProperty("rel").GetString() == "next");
            if (next.ValueKind == JsonValueKind.Undefined) break;
            url = new Uri(next.GetProperty("href").GetString()!).PathAndQuery;
            Assert.Contains("limit=7", url);
        }
        Assert.Equal(10, pages);
        Assert.Equal(66, ids.Count);
        Assert.Equal(66, ids.Distinct().Count());
        await using var cmd = Db.CreateCommand("SELECT array_agg(code ORDER BY code) FROM area WHERE level = 'buurt' AND valid_to IS NULL");
        Assert.Equal((string[])(await cmd.ExecuteScalarAsync())!, ids.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Bbox_datetime_and_property_filters_select_what_PostGIS_selects()
    {
        // bbox in RD against PostGIS as the oracle
        await using (var cmd = Db.CreateCommand("SELECT array_agg(code ORDER BY code) FROM area WHERE level = 'buurt' AND valid_to IS NULL AND ST_Intersects(geom, ST_MakeEnvelope(111000, 514000, 113000, 516000, 28992))"))
        {
            var expected = (string[])(await cmd.ExecuteScalarAsync())!;
            var (_, json) = await Get($"/ogc/collections/buurten/items?bbox=111000,514000,113000,516000&bbox-crs={RdQ}");
            Assert.Equal(expected, json.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToArray());
            Assert.InRange(expected.Length, 2, 30);
        }
        // the same place in CRS84 finds the buurt around the Waag
        var (_, waag) = await Get("/ogc/collections/buurten/items?bbox=4.7480,52.6315,4.7490,52.6320");
        Assert.Contains(waag.GetProperty("features").EnumerateArray(), f => f.GetProperty("properties").GetProperty("parentCode").GetString() == "WK036108");

        var (_, oost) = await Get("/ogc/collections/wijken/items?parentCode=GB0361-oost");
        Assert.Equal(["WK036102", "WK036109", "WK036110"], oost.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()).Order());
        var (_, one) = await Get("/ogc/collections/buurten/items?code=BU03610800");
        Assert.Equal(1, one.GetProperty("numberMatched").GetInt32());

        // boundaries are in force from 2024-01-01
        Assert.Equal(0, (await Get("/ogc/collections/buurten/items?datetime=2023-06-01T00:00:00Z")).Json.GetProperty("numberMatched").GetInt32());
        Assert.Equal(66, (await Get("/ogc/collections/buurten/items?datetime=2024-06-01T00:00:00Z")).Json.GetProperty("numberMatched").GetInt32());
        Assert.Equal(0, (await Get("/ogc/collections/buurten/items?datetime=../2023-12-31T00:00:00Z")).Json.GetProperty("numberMatched").GetInt32());
        Assert.Equal(66, (await Get("/ogc/collections/buurten/items?datetime=2023-01-01T00:00:00Z/..")).Json.GetProperty("numberMatched").GetInt32());

        var (item, feature) = await Get($"/ogc/collections/buurten/items/BU03610800?crs={RdQ}");
        Assert.Equal(HttpStatusCode.OK, item.StatusCode);
        Assert.Equal($"<{Rd}>", item.Headers.GetValues("Content-Crs").Single());
        Assert.Equal("Binnenstad-West", feature.GetProperty("properties").GetProperty("name").GetString());
        Assert.EndsWith("/ogc/collections/buurten", Href(feature.GetProperty("links"), "collection"));
    }

    [Theory]
    [InlineData("/ogc/collections/buurten/items?bbox=1,2,3", 400, "bbox")]
    [InlineData("/ogc/collections/buurten/items?bbox=5,52,4,53", 400, "bbox")]
    [InlineData("/ogc/collections/buurten/items?bbox=a,b,c,d", 400, "bbox")]
    [InlineData("/ogc/collections/buurten/items?bbox=4,52,5,95", 400, "bbox")]
    [InlineData("/ogc/collections/buurten/items?crs=EPSG:4326", 400, "crs")]
    [InlineData("/ogc/collections/buurten/items?crs=http://www.opengis.net/def/crs/EPSG/0/4326", 400, "crs")]
    [InlineData("/ogc/collections/buurten/items?bbox=4,52,5,53&bbox-crs=urn:x", 400, "bbox-crs")]
    [InlineData("/ogc/collections/buurten/items?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/28992", 400, "bbox-crs")]
    [InlineData("/ogc/collections/buurten/items?limit=0", 400, "limit")]
    [InlineData("/ogc/collections/buurten/items?limit=1001", 400, "limit")]
    [InlineData("/ogc/collections/buurten/items?limit=ten", 400, "limit")]
    [InlineData("/ogc/collections/buurten/items?offset=-1", 400, "offset")]
    [InlineData("/ogc/collections/buurten/items?datetime=gisteren", 400, "datetime")]
    [InlineData("/ogc/collections/buurten/items?datetime=2025-01-01T00:00:00Z/2024-01-01T00:00:00Z", 400, "datetime")]
    [InlineData("/ogc/collections/buurten/items?kleur=rood", 400, "kleur")]
    [InlineData("/ogc/collections/buurten/items?limit=5&limit=6", 400, "limit")]
    [InlineData("/ogc/collections/buurten/items?f=xml", 400, "f")]
    [InlineData("/ogc/collections/straten/items", 404, null)]
    [InlineData("/ogc/collections/straten", 404, null)]
    [InlineData("/ogc/collections/buurten/items/BU99999999", 404, null)]
    [InlineData("/ogc/collections/meldingen/items/cel-x-y", 404, null)]
    [InlineData("/ogc/collections/meldingen/items/1", 404, null)]
    public async Task Bad_parameters_get_a_problem(string url, int status, string? parameter)
    {
        var response = await _http.GetAsync(url);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        if (parameter is not null) Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Meldingen_are_only_counts_per_cell_and_no_personal_data_reaches_any_ogc_answer()
    {
        var (_, json) = await Get("/ogc/collections/meldingen/items?limit=1000");
        var features = json.GetProperty("features").EnumerateArray().ToList();
        // disclosure control: only cells of at least 5 meldingen (PostGIS oracle), no category below 5
        await using (var cmd = Db.CreateCommand(
            "SELECT coalesce(sum(n), 0)::int FROM (SELECT count(*) n FROM melding GROUP BY floor(ST_X(geom) / 50), floor(ST_Y(geom) / 50) HAVING count(*) >= 5) s"))
            Assert.Equal((int)(await cmd.ExecuteScalarAsync())!, features.Sum(f => f.GetProperty("properties").GetProperty("count").GetInt32()));
        Assert.Equal(18, features.Sum(f => f.GetProperty("properties").GetProperty("count").GetInt32()));
        Assert.Contains(features, f => f.GetProperty("properties").GetProperty("count").GetInt32() >= 3);
        var withCategories = features.Single(f => f.GetProperty("properties").GetProperty("count").GetInt32() == 11);
        Assert.Equal(6, withCategories.GetProperty("properties").GetProperty("categories").GetProperty("afval").GetInt32());
        var totalOnly = features.Single(f => f.GetProperty("properties").GetProperty("count").GetInt32() == 7);
        Assert.Equal(JsonValueKind.Null, totalOnly.GetProperty("properties").GetProperty("categories").ValueKind);

        var (_, rd) = await Get($"/ogc/collections/meldingen/items?limit=1000&crs={RdQ}");
        foreach (var f in rd.GetProperty("features").EnumerateArray())
        {
            var c = f.GetProperty("geometry").GetProperty("coordinates");
            Assert.Equal(25, c[0].GetDouble() % 50, 6); // a 50 m cell centre, not a melding's place
            Assert.Equal(25, c[1].GetDouble() % 50, 6);
            Assert.Equal(["categories", "count", "demo", "topCategory"], f.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        }
        var cellId = rd.GetProperty("features")[0].GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"/ogc/collections/meldingen/items/{cellId}")).StatusCode);
        var (_, afval) = await Get("/ogc/collections/meldingen/items?category=afval");
        Assert.Equal(11, afval.GetProperty("features").EnumerateArray().Sum(f => f.GetProperty("properties").GetProperty("count").GetInt32()));
        // a period shorter than 7 days is refused
        var (shortPeriod, _) = await Get("/ogc/collections/meldingen/items?datetime=2026-01-01T00:00:00Z/2026-01-03T00:00:00Z");
        Assert.Equal(HttpStatusCode.BadRequest, shortPeriod.StatusCode);

        foreach (var url in new[] { "/ogc/collections/meldingen/items?limit=1000", $"/ogc/collections/meldingen/items?f=html", $"/ogc/collections/meldingen/items/{cellId}",
                     $"/ogc/collections/meldingen/items/{cellId}?f=html", "/ogc/collections/meldingen", "/ogc/collections" })
        {
            var body = await _http.GetStringAsync(url);
            foreach (var secret in Personal) Assert.DoesNotContain(secret, body);
        }
    }

    [Fact]
    public async Task Html_is_served_for_f_html_and_for_browsers()
    {
        var landing = await _http.GetAsync("/ogc?f=html");
        Assert.Equal("text/html", landing.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<a href=\"http://localhost/ogc/collections\">Collecties</a>", await landing.Content.ReadAsStringAsync());

        var request = new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/buurten/items?limit=5");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        var items = await _http.SendAsync(request);
        Assert.Equal("text/html", items.Content.Headers.ContentType!.MediaType);
        var html = await items.Content.ReadAsStringAsync();
        Assert.Contains("Features 1–5 van 66", html);
        Assert.Contains("offset=5", html); // the next page
    }

    [Fact]
    public async Task The_html_pages_describe_every_collection_in_dutch()
    {
        // Issue 27, M18: the collections' descriptions were English on the Dutch pages
        var english = new System.Text.RegularExpressions.Regex(@"\b(the|with|and|where|without|each|given|their|which)\b"); // ("of" and "over" are Dutch too)
        var collections = JsonDocument.Parse(await _http.GetStringAsync("/ogc/collections")).RootElement.GetProperty("collections");
        foreach (var c in collections.EnumerateArray())
        {
            var id = c.GetProperty("id").GetString()!;
            var description = c.GetProperty("description").GetString()!;
            Assert.False(english.IsMatch(description), $"{id}: {description}");
            var html = await _http.GetStringAsync($"/ogc/collections/{id}?f=html");
            Assert.Contains(description, System.Net.WebUtility.HtmlDecode(html));
        }
    }
}
