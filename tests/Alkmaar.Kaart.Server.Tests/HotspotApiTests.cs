using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Demo;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The demo year of meldingen and /api/hotspots on it: every planted cluster is found, with its gebied and team.</summary>
public class HotspotApiTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private IReadOnlyList<PlantedCluster> _planted = [];
    private readonly HttpClient _http = fx.Factory.CreateClient();

    public async Task InitializeAsync() => _planted = (await fx.Factory.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(2025, 25_000)).Planted;

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_demo_year_is_deterministic_routed_and_without_personal_data()
    {
        await using var db = fx.Database.CreateDataSource();
        async Task<string> State()
        {
            await using var cmd = db.CreateCommand("SELECT count(*) || '/' || md5(string_agg(category || ST_AsText(geom) || created_at, ',' ORDER BY id)) FROM melding WHERE source = 'demo'");
            return (string)(await cmd.ExecuteScalarAsync())!;
        }
        var first = await State();
        await fx.Factory.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(2025, 25_000);
        Assert.Equal(first, await State());
        await using var check = db.CreateCommand(
            "SELECT count(*) FILTER (WHERE description IS NOT NULL OR melder_naam IS NOT NULL OR melder_email IS NOT NULL OR address_text IS NOT NULL), " +
            "count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM area g WHERE g.level = 'gebied' AND g.valid_to IS NULL AND g.code = m.gebied_code AND ST_Covers(g.geom, m.geom))), " +
            "count(*) FILTER (WHERE created_at < '2025-01-01' OR created_at >= '2026-01-01'), count(*) FILTER (WHERE category = 'verlichting' AND extract(month FROM created_at) IN (12, 1)), " +
            "count(*) FILTER (WHERE category = 'verlichting' AND extract(month FROM created_at) IN (6, 7)) FROM melding m WHERE source = 'demo'");
        await using var r = await check.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(0L, r.GetInt64(0)); // no text, no person
        Assert.Equal(0L, r.GetInt64(1)); // routed to the gebied that covers it (PostGIS)
        Assert.Equal(0L, r.GetInt64(2)); // in the year asked
        Assert.True(r.GetInt64(3) > 2 * r.GetInt64(4), "street lights are reported more in the dark months");
    }

    [Fact]
    public async Task Every_planted_cluster_lies_in_a_hotspot_with_its_gebied_and_team()
    {
        var response = await _http.GetAsync("/api/hotspots?crs=EPSG:28992");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(body).RootElement;
        Assert.True(json.GetProperty("demo").GetBoolean());
        var options = new JsonSerializerOptions { Converters = { new GeoJsonConverterFactory() } };
        var features = JsonSerializer.Deserialize<FeatureCollection>(body, options)!;
        Assert.InRange(features.Count, 1, _planted.Count);
        foreach (var p in _planted)
        {
            var at = RdNew.RdFactory.CreatePoint(new Coordinate(p.X, p.Y));
            var hotspot = features.SingleOrDefault(f => f.Geometry.Covers(at));
            Assert.True(hotspot is not null, $"planted cluster at {p.X} {p.Y} ({p.Category}) not in a hotspot");
            Assert.StartsWith("Gebiedsteam ", (string)hotspot.Attributes["gebiedsteam"]);
        }
        var ranks = features.Select(f => Convert.ToInt32(f.Attributes["rank"])).ToList();
        Assert.Equal(Enumerable.Range(1, features.Count), ranks);

        // a single category: its planted clusters only
        var groen = _planted.Where(p => p.Category == "groen").ToList();
        var onlyGroen = JsonSerializer.Deserialize<FeatureCollection>(await _http.GetStringAsync("/api/hotspots?crs=EPSG:28992&category=groen"), options)!;
        Assert.Equal(groen.Count, onlyGroen.Count(f => groen.Any(p => f.Geometry.Covers(RdNew.RdFactory.CreatePoint(new Coordinate(p.X, p.Y))))));
        // a period without meldingen: none
        var empty = JsonDocument.Parse(await _http.GetStringAsync("/api/hotspots?from=2019-01-01&to=2019-12-31")).RootElement;
        Assert.Equal(0, empty.GetProperty("numberReturned").GetInt32());
        // a period that is not over: refused (the release rule: nothing after yesterday), in Dutch
        var future = await _http.GetAsync("/api/hotspots?from=2030-01-01&to=2030-12-31");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Contains("tot en met gisteren", JsonDocument.Parse(await future.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("from=gisteren", "from")]
    [InlineData("from=2025-05-01&to=2025-01-01", "from")]
    [InlineData("category=vuurwerk", "category")]
    [InlineData("cellSize=5", "cellSize")]
    [InlineData("cellSize=25", "cellSize")]                         // finer than the 50 m public grid
    [InlineData("from=2025-03-01&to=2025-03-01", "from")]           // one day: shorter than the 7-day minimum
    [InlineData("cellSize=abc", "cellSize")]
    [InlineData("crs=EPSG:3857", "crs")]
    public async Task Bad_parameters_get_a_problem(string query, string parameter)
    {
        var response = await _http.GetAsync("/api/hotspots?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("parameter").GetString());
    }
}
