using Alkmaar.Kaart.Geo.Population;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

public class AreaWeightedApportionmentTests
{
    private static readonly GeometryFactory F = new(new PrecisionModel(), 28992);

    private static Polygon Box(double x0, double y0, double x1, double y1) =>
        F.CreatePolygon([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)]);

    [Fact]
    public void A_source_is_shared_by_overlapping_area_and_the_part_outside_every_target_is_not_apportioned()
    {
        // a 100 × 100 PC4 with 1,000 inwoners; buurt A covers its left half, buurt B a quarter, the last quarter is outside
        var result = AreaWeightedApportionment.Apportion(
            [new CountedPolygon("1811", Box(0, 0, 100, 100), 1000)],
            [new TargetPolygon("A", Box(-50, -50, 50, 150)), new TargetPolygon("B", Box(50, 0, 100, 50)), new TargetPolygon("C", Box(500, 500, 600, 600))]);
        Assert.Equal(500, result.ByTarget["A"], 6);
        Assert.Equal(250, result.ByTarget["B"], 6);
        Assert.Equal(0, result.ByTarget["C"]);
        var share = Assert.Single(result.Sources);
        Assert.Equal(0.75, share.ShareInside, 9);
        Assert.Equal(750, share.Apportioned, 6);
        Assert.Equal(750, result.Total, 6);
    }

    [Fact]
    public void Two_sources_add_up_in_a_target_that_straddles_them()
    {
        var result = AreaWeightedApportionment.Apportion(
            [new CountedPolygon("west", Box(0, 0, 100, 100), 100), new CountedPolygon("oost", Box(100, 0, 200, 100), 400)],
            [new TargetPolygon("midden", Box(50, 0, 150, 100)), new TargetPolygon("rest", F.CreateMultiPolygon([Box(0, 0, 50, 100), Box(150, 0, 200, 100)]))]);
        Assert.Equal(50 + 200, result.ByTarget["midden"], 6);
        Assert.Equal(50 + 200, result.ByTarget["rest"], 6);
        Assert.Equal(500, result.Total, 6); // targets tile both sources: nothing lost, nothing doubled
    }

    [Fact]
    public void Empty_or_zero_sources_give_nothing()
    {
        var result = AreaWeightedApportionment.Apportion(
            [new CountedPolygon("leeg", Box(0, 0, 10, 10), 0)], [new TargetPolygon("A", Box(0, 0, 10, 10))]);
        Assert.Equal(0, result.ByTarget["A"]);
        Assert.Equal(0, result.Sources[0].ShareInside);
    }
}
