using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

public class AreasApiTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _http = fx.Factory.CreateClient();

    private async Task<JsonElement> GetJson(string url, HttpStatusCode expected = HttpStatusCode.OK, string? contentType = "application/geo+json")
    {
        var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode} {body}");
        if (contentType is not null) Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    [Theory]
    [InlineData("gemeente", 1)]
    [InlineData("gebied", 5)]
    [InlineData("wijk", 11)]
    [InlineData("buurt", 66)]
    [InlineData("dorp", 14)]
    public async Task Each_level_has_its_areas_in_RFC7946_WGS84_by_default(string level, int count)
    {
        var fc = await GetJson($"/api/areas?level={level}");
        Assert.Equal("FeatureCollection", fc.GetProperty("type").GetString());
        Assert.False(fc.TryGetProperty("crs", out _));
        var features = fc.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(count, features.Count);
        foreach (var f in features)
        {
            Assert.Equal(level, f.GetProperty("properties").GetProperty("level").GetString());
            Assert.Equal(f.GetProperty("id").GetString(), f.GetProperty("properties").GetProperty("code").GetString());
            var first = f.GetProperty("geometry").GetProperty("coordinates")[0][0][0];
            Assert.InRange(first[0].GetDouble(), 4.6, 5.0);   // longitude first
            Assert.InRange(first[1].GetDouble(), 52.4, 52.8); // then latitude
        }
        Assert.Equal("Gemeente Alkmaar; Kadaster / Centraal Bureau voor de Statistiek, 2024", fc.GetProperty("attribution").GetString());
    }

    [Fact]
    public async Task RD_output_states_its_crs_and_matches_the_WGS84_output_through_the_transform()
    {
        var response = await _http.GetAsync("/api/areas?level=gebied&crs=EPSG:28992");
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/28992>", response.Headers.GetValues("Content-Crs").Single());
        var rd = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("urn:ogc:def:crs:EPSG::28992", rd.GetProperty("crs").GetProperty("properties").GetProperty("name").GetString());
        var wgs = await GetJson("/api/areas?level=gebied&crs=EPSG:4326");

        var rdFeatures = rd.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("id").GetString()!);
        foreach (var f in wgs.GetProperty("features").EnumerateArray())
        {
            var r = rdFeatures[f.GetProperty("id").GetString()!];
            var rdLabel = r.GetProperty("properties").GetProperty("labelPoint");
            var wgsLabel = f.GetProperty("properties").GetProperty("labelPoint");
            Assert.InRange(rdLabel[0].GetDouble(), 100000, 130000);
            Assert.InRange(rdLabel[1].GetDouble(), 495000, 525000);
            var (x, y) = RdNew.FromWgs84(wgsLabel[0].GetDouble(), wgsLabel[1].GetDouble());
            Assert.True(Math.Abs(x - rdLabel[0].GetDouble()) < 0.05 && Math.Abs(y - rdLabel[1].GetDouble()) < 0.05);
        }
    }

    [Theory]
    [InlineData("/api/areas?level=stadsdeel", "level")]
    [InlineData("/api/areas?level=gebied&crs=EPSG:3857", "crs")]
    [InlineData("/api/areas/GB0361-noord?crs=banana", "crs")]
    [InlineData("/api/areas/GB0361-noord?level=provincie", "level")]
    public async Task Unknown_level_or_crs_is_a_400_problem_with_a_Dutch_title(string url, string parameter)
    {
        var p = await GetJson(url, HttpStatusCode.BadRequest, "application/problem+json");
        Assert.Equal(400, p.GetProperty("status").GetInt32());
        Assert.StartsWith("Onbekend", p.GetProperty("title").GetString());
        Assert.Contains(parameter, p.GetProperty("detail").GetString());
        Assert.Equal(parameter, p.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task One_area_comes_with_its_chain_and_team_and_a_dorp_is_found_by_level()
    {
        var buurt = await GetJson("/api/areas/BU03611003");
        var props = buurt.GetProperty("properties");
        Assert.Equal("De Rijp", props.GetProperty("name").GetString());
        Assert.Equal("buurt", props.GetProperty("level").GetString());
        Assert.Equal(["WK036110", "GB0361-oost", "GM0361"],
            props.GetProperty("chain").EnumerateArray().Select(c => c.GetProperty("code").GetString()));
        Assert.Equal("Gebiedsteam Oost", props.GetProperty("gebiedsteam").GetString());
        Assert.Equal(["dorp"], props.GetProperty("alsoLevels").EnumerateArray().Select(l => l.GetString()));

        var dorp = await GetJson("/api/areas/BU03611003?level=dorp");
        Assert.Equal("dorp", dorp.GetProperty("properties").GetProperty("level").GetString());

        var rd = await GetJson("/api/areas/GM0361?crs=EPSG:28992");
        Assert.Equal("urn:ogc:def:crs:EPSG::28992", rd.GetProperty("crs").GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, rd.GetProperty("properties").GetProperty("gebiedsteam").ValueKind);
        Assert.InRange(rd.GetProperty("properties").GetProperty("areaKm2").GetDouble(), 117.0, 118.0);
    }

    [Fact]
    public async Task An_unknown_code_is_a_404_problem()
    {
        var p = await GetJson("/api/areas/BU99999999", HttpStatusCode.NotFound, "application/problem+json");
        Assert.Equal("Gebied niet gevonden", p.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Area_collections_are_cacheable_and_compressed()
    {
        var first = await _http.GetAsync("/api/areas?level=buurt");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/areas?level=buurt");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(conditional)).StatusCode);

        using var compressed = new HttpRequestMessage(HttpMethod.Get, "/api/areas?level=buurt");
        compressed.Headers.AcceptEncoding.ParseAdd("gzip");
        var response = await _http.SendAsync(compressed);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
    }

    [Fact]
    public async Task Health_reports_PostGIS_and_the_loaded_boundaries()
    {
        var h = await GetJson("/health", contentType: "application/json");
        Assert.Equal("Healthy", h.GetProperty("status").GetString());
        var pg = h.GetProperty("checks").GetProperty("postgis");
        Assert.StartsWith("3.", pg.GetProperty("data").GetProperty("postgis").GetString());
        Assert.Equal(97, pg.GetProperty("data").GetProperty("areasInForce").GetInt32());
    }
}
