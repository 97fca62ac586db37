using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The overlay collections of the OGC API (initiatieven, monitorscores, hotspots): counts, paging, filters, ids, privacy.</summary>
public class OgcOverlayTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private readonly HttpClient _http = fx.Factory.CreateClient();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    public async Task InitializeAsync()
    {
        await using var cmd = Db.CreateCommand("SELECT count(*) FROM initiatief");
        if ((long)(await cmd.ExecuteScalarAsync())! == 0) await OverlaySeed.SeedAsync(fx.Factory.Services);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonElement> Json(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<List<string>> Strings(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>Follows next links; asserts numberMatched is stable and every page is consistent.</summary>
    private async Task<List<JsonElement>> AllPages(string url)
    {
        var features = new List<JsonElement>();
        int? matched = null;
        while (true)
        {
            var page = await Json(url);
            matched ??= page.GetProperty("numberMatched").GetInt32();
            Assert.Equal(matched, page.GetProperty("numberMatched").GetInt32());
            var list = page.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(list.Count, page.GetProperty("numberReturned").GetInt32());
            features.AddRange(list);
            var next = page.GetProperty("links").EnumerateArray().FirstOrDefault(l => l.GetProperty("rel").GetString() == "next");
            if (next.ValueKind == JsonValueKind.Undefined) break;
            url = new Uri(next.GetProperty("href").GetString()!).PathAndQuery;
        }
        Assert.Equal(matched, features.Count);
        return features;
    }

    [Fact]
    public async Task The_collections_are_listed_with_both_crss()
    {
        var collections = (await Json("/ogc/collections")).GetProperty("collections").EnumerateArray().ToList();
        foreach (var id in new[] { "initiatieven", "monitorscores", "hotspots" })
        {
            var c = collections.Single(x => x.GetProperty("id").GetString() == id);
            Assert.Equal(2, c.GetProperty("crs").GetArrayLength());
            Assert.Equal("http://www.opengis.net/def/crs/EPSG/0/28992", c.GetProperty("storageCrs").GetString());
        }
    }

    [Fact]
    public async Task Monitor_scores_page_into_exactly_the_stored_scores_with_stable_ids()
    {
        var features = await AllPages("/ogc/collections/monitorscores/items?limit=70");
        var ids = features.Select(f => f.GetProperty("id").GetString()!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var expected = await Strings(
            "SELECT lower(regexp_replace(monitor || '.' || indicator, '[^A-Za-z0-9.]+', '-', 'g')) || '.' || area_code || '.' || year FROM monitor_score");
        Assert.Equal(expected.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.All(features, f => Assert.True(f.GetProperty("properties").GetProperty("demo").GetBoolean()));

        // one by id: the wijk's geometry, the score's value
        var one = features.First(f => f.GetProperty("properties").GetProperty("areaCode").GetString() == "WK036101");
        var single = await Json($"/ogc/collections/monitorscores/items/{Uri.EscapeDataString(one.GetProperty("id").GetString()!)}");
        Assert.Equal(one.GetProperty("properties").GetProperty("value").GetDouble(), single.GetProperty("properties").GetProperty("value").GetDouble());
        Assert.Equal("MultiPolygon", single.GetProperty("geometry").GetProperty("type").GetString());
        await Json("/ogc/collections/monitorscores/items/leefbaarheid.schoon.WK999999.2024", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Monitor_filters_and_datetime_select_what_PostGIS_selects()
    {
        var schoon = await Json("/ogc/collections/monitorscores/items?indicator=Schoon&year=2024&limit=1000");
        var expected = await Strings("SELECT area_code FROM monitor_score WHERE indicator = 'Schoon' AND year = 2024");
        Assert.Equal(expected.Order(), schoon.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("areaCode").GetString()!).Order());

        var years = await Json("/ogc/collections/monitorscores/items?datetime=2022-01-01T00:00:00Z/2023-12-31T00:00:00Z&areaCode=WK036101&limit=1000");
        var n = (await Strings("SELECT year::text FROM monitor_score WHERE area_code = 'WK036101' AND year BETWEEN 2022 AND 2023")).Count;
        Assert.Equal(n, years.GetProperty("numberMatched").GetInt32());
        Assert.All(years.GetProperty("features").EnumerateArray(), f => Assert.InRange(f.GetProperty("properties").GetProperty("year").GetInt32(), 2022, 2023));

        await Json("/ogc/collections/monitorscores/items?limit=5000", HttpStatusCode.BadRequest);
        await Json("/ogc/collections/monitorscores/items?status=x", HttpStatusCode.BadRequest); // not a queryable here
    }

    [Fact]
    public async Task Initiatives_carry_their_fields_but_not_who_changed_them_and_filter_by_status_year_and_bbox()
    {
        var all = await Json("/ogc/collections/initiatieven/items");
        var features = all.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(3, features.Count);
        Assert.DoesNotContain(OverlaySeed.Actor, all.GetRawText());
        Assert.Contains(features, f => f.GetProperty("geometry").GetProperty("type").GetString() == "Polygon");
        var moestuin = features.Single(f => f.GetProperty("properties").GetProperty("title").GetString() == "Buurtmoestuin Zuid");
        Assert.Equal("toegekend", moestuin.GetProperty("properties").GetProperty("status").GetString());
        Assert.Equal(1200, moestuin.GetProperty("properties").GetProperty("subsidy").GetDouble());
        Assert.Equal("GB0361-zuid", moestuin.GetProperty("properties").GetProperty("gebiedCode").GetString());

        Assert.Equal(1, (await Json("/ogc/collections/initiatieven/items?status=toegekend")).GetProperty("numberMatched").GetInt32());
        Assert.Equal(2, (await Json("/ogc/collections/initiatieven/items?datetime=2025-01-01/..")).GetProperty("numberMatched").GetInt32());
        Assert.Equal(2, (await Json("/ogc/collections/initiatieven/items?theme=groen")).GetProperty("numberMatched").GetInt32());
        // bbox in RD around the Noord point only, checked with PostGIS
        var (x, y) = RdNew.FromWgs84(4.7601, 52.6639);
        var bbox = $"{x - 100:F0},{y - 100:F0},{x + 100:F0},{y + 100:F0}";
        var inBox = await Json($"/ogc/collections/initiatieven/items?bbox={bbox}&bbox-crs={Uri.EscapeDataString("http://www.opengis.net/def/crs/EPSG/0/28992")}");
        var expected = await Strings($"SELECT id::text FROM initiatief WHERE ST_Intersects(geom, ST_MakeEnvelope({bbox}, 28992))");
        Assert.Equal(expected, inBox.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));

        var id = moestuin.GetProperty("id").GetString();
        Assert.Equal("Buurtmoestuin Zuid", (await Json($"/ogc/collections/initiatieven/items/{id}")).GetProperty("properties").GetProperty("title").GetString());
        await Json("/ogc/collections/initiatieven/items/999999", HttpStatusCode.NotFound);
        await Json("/ogc/collections/initiatieven/items/abc", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Hotspots_are_the_analysis_with_the_planted_cluster_first_and_follow_period_category_and_gebied()
    {
        var analysis = (await fx.Factory.Services.GetRequiredService<HotspotService>().AnalyseAsync(new HotspotQuery(null, null, null, 100)))!;
        var all = await Json("/ogc/collections/hotspots/items");
        var features = all.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(analysis.Hotspots.Count, features.Count);
        Assert.NotEmpty(features);
        var first = features[0].GetProperty("properties");
        Assert.Equal(1, first.GetProperty("rank").GetInt32());
        Assert.Equal("GB0361-zuid", first.GetProperty("gebiedCode").GetString());
        Assert.StartsWith("afval", first.GetProperty("topCategories").GetString());
        // the planted cluster's centre lies in hotspot 1 (RD answer, checked with NTS)
        var rd = await Json($"/ogc/collections/hotspots/items/hotspot-1?crs={Uri.EscapeDataString("http://www.opengis.net/def/crs/EPSG/0/28992")}");
        var ring = rd.GetProperty("geometry").GetProperty("coordinates")[0][0].EnumerateArray().Select(c => new Coordinate(c[0].GetDouble(), c[1].GetDouble())).ToArray();
        var (cx, cy) = RdNew.FromWgs84(OverlaySeed.ClusterLon, OverlaySeed.ClusterLat);
        Assert.True(new GeometryFactory().CreatePolygon(ring).Covers(new Point(cx, cy)), "the planted cluster lies in hotspot 1");

        // another category, another year, another gebied: not there
        Assert.DoesNotContain((await Json("/ogc/collections/hotspots/items?category=groen")).GetProperty("features").EnumerateArray(),
            f => f.GetProperty("properties").GetProperty("topCategories").GetString()!.StartsWith("afval"));
        Assert.Equal(0, (await Json("/ogc/collections/hotspots/items?datetime=2001-01-01/2001-12-31")).GetProperty("numberMatched").GetInt32());
        Assert.All((await Json("/ogc/collections/hotspots/items?gebiedCode=GB0361-noord")).GetProperty("features").EnumerateArray(),
            f => Assert.Equal("GB0361-noord", f.GetProperty("properties").GetProperty("gebiedCode").GetString()));
        await Json("/ogc/collections/hotspots/items/hotspot-999", HttpStatusCode.NotFound);
    }
}
