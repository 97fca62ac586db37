using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// A boundary upload cannot silently replace the boundaries in force: coordinates outside the Netherlands in the declared
/// CRS (WGS84 degrees labelled RD; latitude and longitude swapped) are refused, and a change beyond the thresholds (a
/// missing border buurt) needs a confirmation after its preview; every rejection is audited.
/// </summary>
public class BoundaryUploadGuardTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private static ByteArrayContent GeoJson(string text) => new(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new("application/geo+json") } };

    private async Task<string?> BuurtAtAsync(double lat, double lon) =>
        JsonDocument.Parse(await fx.Factory.CreateClient().GetStringAsync(FormattableString.Invariant($"/api/locate?lat={lat}&lon={lon}")))
            .RootElement.GetProperty("kind").GetString();

    [Fact]
    public async Task WGS84_labelled_as_RD_and_swapped_coordinates_are_refused_and_nothing_changes()
    {
        var planner = await fx.Factory.SignedInAsync("planner");
        Assert.Equal("inside", await BuurtAtAsync(52.6318, 4.7483));
        var wgs = JsonNode.Parse(await File.ReadAllTextAsync(TestPaths.FullRes("wgs84/alkmaar_buurten.geojson")))!;

        var mislabelled = wgs.DeepClone();
        mislabelled["crs"] = JsonNode.Parse("""{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}""");
        var response = await planner.PostAsync("/api/boundaries", GeoJson(mislabelled.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("lijken op WGS84-graden", await response.Content.ReadAsStringAsync());

        var swapped = wgs.DeepClone();
        swapped.AsObject().Remove("crs");
        foreach (var f in swapped["features"]!.AsArray()) Swap(f!["geometry"]!["coordinates"]!);
        response = await planner.PostAsync("/api/boundaries", GeoJson(swapped.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Breedte- en lengtegraad lijken verwisseld", await response.Content.ReadAsStringAsync());

        Assert.Equal("inside", await BuurtAtAsync(52.6318, 4.7483)); // routing untouched
        var audit = await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "grenzen");
        Assert.True(audit.Count(e => e.Action == "grenzen afgekeurd" && e.Actor == "planner") >= 2);
    }

    [Fact]
    public async Task A_set_missing_a_border_buurt_needs_a_confirmation_after_its_preview()
    {
        var planner = await fx.Factory.SignedInAsync("planner");
        var rd = JsonNode.Parse(await File.ReadAllTextAsync(TestPaths.RealBuurten))!;
        var features = rd["features"]!.AsArray();
        // a buurt on the gemeente's outer border whose wijk keeps other buurten: leaving it out shrinks the gemeente
        var buurten = Geo.GeoJson.BuurtFileReader.Read(File.OpenRead(TestPaths.RealBuurten)).Buurten;
        var outline = NetTopologySuite.Operation.Union.UnaryUnionOp.Union(buurten.Select(b => b.Geometry.Buffer(0.05)).ToList()).Boundary;
        var border = buurten.Where(b => b.Geometry.Boundary.Intersection(outline.Buffer(0.5)).Length > 500)
            .Where(b => buurten.Count(o => o.Code[..8] == b.Code[..8]) > 2)
            .OrderBy(b => b.Geometry.Area).First().Code;
        features.Remove(features.First(f => f!["properties"]!["statcode"]!.GetValue<string>() == border));
        var text = rd.ToJsonString();

        var refused = await planner.PostAsync("/api/boundaries", GeoJson(text));
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal([border], problem.GetProperty("change").GetProperty("missingBuurten").EnumerateArray().Select(e => e.GetString()));
        Assert.True(problem.GetProperty("change").GetProperty("gemeenteAreaChangePct").GetDouble() < 0);

        var preview = JsonDocument.Parse(await (await planner.PostAsync("/api/boundaries?preview=true", GeoJson(text))).Content.ReadAsStringAsync()).RootElement;
        Assert.True(preview.GetProperty("preview").GetBoolean());
        Assert.Equal(JsonValueKind.Null, preview.GetProperty("version").ValueKind);
        Assert.NotEmpty(preview.GetProperty("change").GetProperty("exceeded").EnumerateArray());
        await using (var db = fx.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand("SELECT count(*) FROM area_in_force WHERE level = 'buurt' AND code = $1"))
        {
            cmd.Parameters.AddWithValue(border);
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!); // still in force after the refusal and the preview
        }

        // confirming without the preview's code (or with the code of another file) writes nothing (issue 27: confirm=true
        // used to work without a preview)
        var blind = await planner.PostAsync("/api/boundaries?confirm=true", GeoJson(text));
        Assert.Equal(HttpStatusCode.BadRequest, blind.StatusCode);
        Assert.Contains("bevestigingscode uit het voorbeeld", await blind.Content.ReadAsStringAsync());
        var code = preview.GetProperty("confirmCode").GetString()!;
        var otherFile = await planner.PostAsync($"/api/boundaries?confirm={Uri.EscapeDataString(code)}", GeoJson(text + " "));
        Assert.Equal(HttpStatusCode.BadRequest, otherFile.StatusCode);
        // … nor a colleague's use of it
        await fx.Factory.EnsureUserAsync("planner-collega", ["planner"], []);
        var colleague = fx.Factory.CreateNoRedirectClient();
        await colleague.SignInAsync("planner-collega", TestAccounts.Password);
        Assert.Equal(HttpStatusCode.BadRequest, (await colleague.PostAsync($"/api/boundaries?confirm={Uri.EscapeDataString(code)}", GeoJson(text))).StatusCode);

        var confirmed = await planner.PostAsync($"/api/boundaries?confirm={Uri.EscapeDataString(code)}", GeoJson(text));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(65, JsonDocument.Parse(await confirmed.Content.ReadAsStringAsync()).RootElement.GetProperty("counts").GetProperty("buurt").GetInt32());
    }

    /// <summary>Every coordinate of an RD New FeatureCollection through <paramref name="move"/>.</summary>
    private static string Moved(Func<double, double, (double X, double Y)> move)
    {
        var rd = JsonNode.Parse(File.ReadAllText(TestPaths.RealBuurten))!;
        void Walk(JsonNode c)
        {
            var array = c.AsArray();
            if (array.Count >= 2 && array[0] is JsonValue)
            {
                var (x, y) = move(array[0]!.GetValue<double>(), array[1]!.GetValue<double>());
                array[0] = x;
                array[1] = y;
                return;
            }
            foreach (var n in array) Walk(n!);
        }
        foreach (var f in rd["features"]!.AsArray()) Walk(f!["geometry"]!["coordinates"]!);
        return rd.ToJsonString();
    }

    [Theory]
    [InlineData("shifted 25 m east")]
    [InlineData("scaled 0.2 % around the centre")]
    public async Task A_whole_set_moved_a_little_needs_a_confirmation(string how)
    {
        // Found in use: both passed the guard (the gemeente's area within 1 %, few addresses to another team).
        var planner = await fx.Factory.SignedInAsync("planner");
        var text = how.StartsWith("shifted", StringComparison.Ordinal)
            ? Moved((x, y) => (x + 25, y))
            : Moved((x, y) => (112_000 + (x - 112_000) * 1.002, 517_000 + (y - 517_000) * 1.002));
        var refused = await planner.PostAsync("/api/boundaries", GeoJson(text));
        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.Conflict, body);
        var change = JsonDocument.Parse(body).RootElement.GetProperty("change");
        Assert.True(change.GetProperty("movedBuurten").GetArrayLength() > 5, body);
        Assert.Contains(change.GetProperty("exceeded").EnumerateArray(), e => e.GetString()!.Contains("verschuift de grens"));
    }

    private static void Swap(JsonNode coordinates)
    {
        var array = coordinates.AsArray();
        if (array.Count >= 2 && array[0] is JsonValue)
        {
            var (a, b) = (array[0]!.GetValue<double>(), array[1]!.GetValue<double>());
            array[0] = b;
            array[1] = a;
            return;
        }
        foreach (var c in array) Swap(c!);
    }
}
