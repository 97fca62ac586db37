using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;

namespace Alkmaar.Kaart.Server.Tests;

public class LocateApiTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _http = fx.Factory.CreateClient();

    private async Task<JsonElement> Get(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task A_point_in_De_Rijp_is_routed_to_dorp_wijk_gebied_and_Gebiedsteam_Oost_in_RD_and_in_WGS84()
    {
        // an interior point of buurt/dorp De Rijp, from PostGIS
        var point = await Get("/api/areas/BU03611003?crs=EPSG:28992");
        var label = point.GetProperty("properties").GetProperty("labelPoint");
        var (x, y) = (label[0].GetDouble(), label[1].GetDouble());

        var rd = await Get($"/api/locate?x={x.ToString(System.Globalization.CultureInfo.InvariantCulture)}&y={y.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Assert.Equal("inside", rd.GetProperty("kind").GetString());
        Assert.Equal("BU03611003", rd.GetProperty("buurt").GetProperty("code").GetString());
        Assert.Equal("De Rijp", rd.GetProperty("dorp").GetProperty("name").GetString());
        Assert.Equal("WK036110", rd.GetProperty("wijk").GetProperty("code").GetString());
        Assert.Equal("GB0361-oost", rd.GetProperty("gebied").GetProperty("code").GetString());
        Assert.Equal("Gebiedsteam Oost", rd.GetProperty("gebiedsteam").GetString());
        Assert.True(rd.GetProperty("boundaryVersion").GetInt32() > 0);

        var (lon, lat) = RdNew.ToWgs84(x, y);
        var wgs = await Get(FormattableString.Invariant($"/api/locate?lat={lat}&lon={lon}"));
        Assert.Equal("BU03611003", wgs.GetProperty("buurt").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_point_far_from_Alkmaar_is_outside()
    {
        var r = await Get("/api/locate?x=155000&y=463000"); // Amersfoort
        Assert.Equal("outside", r.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("buurt").ValueKind);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("gebiedsteam").ValueKind);
    }

    [Theory]
    [InlineData("/api/locate?x=1e9&y=500000")]
    [InlineData("/api/locate?x=111000")]
    [InlineData("/api/locate?lat=48.85&lon=2.35")]
    [InlineData("/api/locate?x=111000&y=515000&lat=52.6&lon=4.7")]
    [InlineData("/api/locate?x=NaN&y=515000")]
    [InlineData("/api/locate")]
    public async Task Missing_or_out_of_range_coordinates_are_a_400_problem(string url)
    {
        var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var p = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(p.GetProperty("title").GetString()));
    }
}

public class LocateOutsideTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task A_point_in_Heiloo_is_outside_and_names_Heiloo_and_a_point_just_outside_is_routed_with_its_distance()
    {
        var http = fx.Factory.CreateClient();
        // an interior point of Heiloo, well away from Alkmaar
        await using var ds = fx.Database.CreateDataSource();
        await using var cmd = ds.CreateCommand(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Buffer(geom, -500)) p FROM municipality WHERE code = 'GM0399') t");
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        var (x, y) = (r.GetDouble(0), r.GetDouble(1));
        var heiloo = JsonDocument.Parse(await http.GetStringAsync(FormattableString.Invariant($"/api/locate?x={x}&y={y}"))).RootElement;
        Assert.Equal("outside", heiloo.GetProperty("kind").GetString());
        Assert.Equal("Heiloo", heiloo.GetProperty("municipality").GetProperty("name").GetString());

        // 10 m outside the gemeente, measured by PostGIS
        await using var edge = ds.CreateCommand(
            """
            SELECT ST_X(p), ST_Y(p), ST_Distance(p, geom) FROM (
              SELECT geom, ST_PointN(ST_ExteriorRing(ST_GeometryN(ST_Buffer(geom, 10), 1)), 1) AS p
              FROM area WHERE level = 'gemeente' AND valid_to IS NULL) t
            """);
        await using var e = await edge.ExecuteReaderAsync();
        await e.ReadAsync();
        var (ex, ey, dist) = (e.GetDouble(0), e.GetDouble(1), e.GetDouble(2));
        var near = JsonDocument.Parse(await http.GetStringAsync(FormattableString.Invariant($"/api/locate?x={ex}&y={ey}"))).RootElement;
        Assert.Equal("near", near.GetProperty("kind").GetString());
        Assert.Equal(dist, near.GetProperty("distanceM").GetDouble(), 1);
        Assert.InRange(dist, 9.8, 10.1);
    }
}

/// <summary>
/// The lean path of GET /api/locate (issue 35) answers what the endpoint answers — the same bytes' meaning for a point
/// inside, near, outside in a neighbouring municipality and outside everything — with the security headers and within
/// the same read budget per client; HEAD and a request with a date go the full way.
/// </summary>
public class LeanLocateTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task The_lean_answer_equals_the_endpoints_answer_for_every_kind_of_point()
    {
        var http = fx.Factory.CreateClient();
        await using var ds = fx.Database.CreateDataSource();
        var points = new List<(double X, double Y)>();
        await using (var cmd = ds.CreateCommand(
            """
            SELECT ST_X(p), ST_Y(p) FROM (
              SELECT ST_PointOnSurface(geom) p FROM area_in_force WHERE level = 'buurt' ORDER BY code LIMIT 5) a
            UNION ALL SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Buffer(geom, -500)) p FROM municipality WHERE code = 'GM0399') h
            UNION ALL SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(ST_Buffer(geom, 10), 1)), 1) p FROM area_in_force WHERE level = 'gemeente') n
            UNION ALL SELECT 155000.5, 463000.25
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) points.Add((r.GetDouble(0), r.GetDouble(1)));
        var today = Features.DutchTime.Day(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd");
        var kinds = new HashSet<string>();
        foreach (var (x, y) in points)
        {
            var query = FormattableString.Invariant($"x={x}&y={y}");
            var lean = await http.GetAsync("/api/locate?" + query);
            var full = await http.GetAsync($"/api/locate?{query}&date={today}"); // a date: the endpoint's own answer
            Assert.Equal(HttpStatusCode.OK, lean.StatusCode);
            Assert.Equal("application/json", lean.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", lean.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("default-src 'self'", lean.Headers.GetValues("Content-Security-Policy").Single());
            var a = System.Text.Json.Nodes.JsonNode.Parse(await lean.Content.ReadAsStringAsync())!;
            var b = System.Text.Json.Nodes.JsonNode.Parse(await full.Content.ReadAsStringAsync())!;
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(a, b), $"{query}:\n{a.ToJsonString()}\n{b.ToJsonString()}");
            kinds.Add(a["kind"]!.GetValue<string>());
            // asked again: the same (the answer's bytes are kept per area)
            Assert.Equal(a.ToJsonString(), System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/api/locate?" + query))!.ToJsonString());
        }
        Assert.Equal(["inside", "near", "outside"], kinds.Order());
        // in WGS84 too
        var (lon, lat) = RdNew.ToWgs84(points[0].X, points[0].Y);
        var wgs = JsonDocument.Parse(await http.GetStringAsync(FormattableString.Invariant($"/api/locate?lat={lat}&lon={lon}"))).RootElement;
        Assert.Equal("inside", wgs.GetProperty("kind").GetString());
        // HEAD goes the full way: the headers, no body
        var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, FormattableString.Invariant($"/api/locate?x={points[0].X}&y={points[0].Y}")));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_lean_path_spends_the_same_read_budget_as_the_rest_of_the_api()
    {
        await using var limited = fx.Factory.WithWebHostBuilder(b => b.UseSetting("RateLimits:PublicReadsPerMinute", "4"));
        var http = limited.CreateClient();
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/locate?x=111000&y=516000")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/areas?level=gebied")).StatusCode); // the fourth read
        var refused = await http.GetAsync("/api/locate?x=111000&y=516000");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.GetAsync("/api/areas?level=gemeente")).StatusCode);
    }
}
