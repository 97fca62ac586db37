using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The planners' view of boundary versions and what their import repaired.</summary>
public class BoundaryVersionsApiTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task A_planner_lists_the_versions_and_gets_the_repairs_of_one_as_GeoJSON_points_in_Alkmaar()
    {
        var planner = await fx.Factory.SignedInAsync("planner");
        var versions = JsonDocument.Parse(await planner.GetStringAsync("/api/boundaries")).RootElement.EnumerateArray().ToList();
        var inForce = versions.Single(v => v.GetProperty("inForce").GetBoolean());
        Assert.Equal(22, inForce.GetProperty("repairs").GetInt32()); // 8 overlaps, 9 gaps, 5 edge mismatches
        var id = inForce.GetProperty("id").GetInt32();

        var repairs = JsonDocument.Parse(await planner.GetStringAsync($"/api/boundaries/{id}/repairs")).RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(22, repairs.Count);
        Assert.Equal(8, repairs.Count(r => r.GetProperty("properties").GetProperty("kind").GetString() == "overlap"));
        Assert.All(repairs, r =>
        {
            var c = r.GetProperty("geometry").GetProperty("coordinates");
            Assert.InRange(c[0].GetDouble(), 4.6, 5.0);
            Assert.InRange(c[1].GetDouble(), 52.5, 52.8);
        });
        Assert.Equal(HttpStatusCode.NotFound, (await planner.GetAsync("/api/boundaries/999999/repairs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Factory.CreateClient().GetAsync("/api/boundaries")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await fx.Factory.SignedInAsync("beheerder")).GetAsync($"/api/boundaries/{id}/repairs")).StatusCode);
    }
}
