using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Hotspots;
using Alkmaar.Kaart.Geo.Routing;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>Cross-boundary views (issue 19) on known geometry: neighbours and shared lengths, border discrepancies, and
/// the displacement test against a hand-computed 2×2 table.</summary>
public class CrossBoundaryTests
{
    private static readonly GeometryFactory F = Transforms.RdNew.RdFactory;

    private static MultiPolygon Box(double x0, double y0, double x1, double y1) =>
        F.CreateMultiPolygon([F.CreatePolygon([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)])]);

    [Fact]
    public void Neighbours_share_a_border_line_not_a_corner_and_know_its_length()
    {
        // a 2×2 block of 100 m squares: A B / C D; A and D only meet in a corner
        Area A = new(AreaLevel.Buurt, "A", "A", null, Box(0, 100, 100, 200)), B = new(AreaLevel.Buurt, "B", "B", null, Box(100, 100, 200, 200)),
             C = new(AreaLevel.Buurt, "C", "C", null, Box(0, 0, 100, 100)), D = new(AreaLevel.Buurt, "D", "D", null, Box(100, 0, 200, 100));
        var n = AreaNeighbours.SameLevel([A, B, C, D]);
        Assert.Equal(["B", "C"], n["A"].Select(x => x.Code).Order());
        Assert.All(n["A"], x => Assert.Equal(100, x.SharedLengthM, 6));
        Assert.DoesNotContain(n["A"], x => x.Code == "D");

        // a municipality 10 m east of B and D (a generalised layer does not touch): within 25 m of it lie our east side (200 m)
        // and the last 15 m of the north and south sides
        var east = new Municipality("GM9999", "Oost", Box(210, -50, 400, 250));
        var gemeente = Box(0, 0, 200, 200);
        var m = Assert.Single(AreaNeighbours.Municipalities(gemeente, [east, new Municipality("GM0001", "Eigen", gemeente)], "GM0001", 25));
        Assert.Equal("GM9999", m.Code);
        Assert.Equal(230, m.SharedLengthM, 1);
        Assert.Empty(AreaNeighbours.Municipalities(gemeente, [east], "GM0001", 5));
    }

    [Fact]
    public void Discrepancies_list_ground_claimed_by_both_and_by_neither_with_area_and_place()
    {
        var gemeente = Box(0, 0, 200, 200);
        // west neighbour overlaps us by 2 m along 200 m (400 m²); east neighbour leaves a 3 m gap along 200 m (600 m²)
        var west = new Municipality("GM0001", "West", Box(-300, 0, 2, 200));
        var east = new Municipality("GM0002", "Oost", Box(203, 0, 500, 200));
        var d = BorderDiscrepancies.Find(gemeente, [west, east], bandM: 10);
        var overlap = Assert.Single(d, x => x.Kind == "overlap");
        Assert.Equal("GM0001", overlap.Municipality);
        Assert.Equal(400, overlap.AreaM2, 3);
        Assert.InRange(overlap.Location.X, 0, 2);
        var gap = Assert.Single(d, x => x.Kind == "gap" && x.Municipality == "GM0002" && x.Location.X > 200 && x.Location.X < 203 && x.Location.Y is > 0 and < 200);
        Assert.InRange(gap.AreaM2, 598, 600.5); // the closing rounds the two mouths of the slit by a fraction of a m²
    }

    [Fact]
    public void The_displacement_test_matches_a_hand_computed_table_and_finds_nothing_in_a_null_case()
    {
        // before 100 inside / 100 around; after 50 inside / 150 around: OR = (50·100)/(150·100) = 1/3
        var r = Displacement.Test(100, 100, 50, 150);
        Assert.Equal(1.0 / 3, r.OddsRatio, 9);
        Assert.Equal(Math.Log(1.0 / 3) / Math.Sqrt(1 / 100.0 + 1 / 100.0 + 1 / 50.0 + 1 / 150.0), r.Z, 9);
        Assert.InRange(r.P, 3.0e-7, 4.5e-7);
        Assert.True(r.Displaced);
        var none = Displacement.Test(100, 100, 100, 100);
        Assert.Equal(1, none.OddsRatio, 9);
        Assert.False(none.Significant);
        Assert.Contains("Geen significante", none.Verdict);
        // a zero cell gets Haldane's 0.5 and still answers
        Assert.True(Displacement.Test(20, 10, 0, 30).Displaced);
    }
}
