using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Coverage;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Testing;
using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

public class CoverageRepairTests
{
    private static IReadOnlyList<BuurtInput> Read(string path)
    {
        using var s = File.OpenRead(path);
        return BuurtFileReader.Read(s).Buurten;
    }

    private static readonly Lazy<(IReadOnlyList<BuurtInput> Input, CoverageRepairResult Result)> Real = new(() =>
    {
        var input = Read(TestPaths.RealBuurten);
        return (input, new CoverageRepair().Repair(input));
    });

    [Fact]
    public void The_full_resolution_buurten_have_exactly_their_known_defects_and_all_are_repaired()
    {
        var r = Real.Value.Result;
        Assert.Empty(r.Refused);
        Assert.Equal(8, r.Overlaps.Count());
        // four more pairs cross by less than 1 dm² (0.015 m² in all): vertices placed a hair apart; and at the outer edge
        // BU03610904 and BU03611005 leave a notch a few millimetres wide between them
        Assert.Equal(5, r.EdgeMismatches.Count());
        Assert.True(r.EdgeMismatches.Sum(e => e.AreaM2) < 0.05);
        Assert.Contains(r.EdgeMismatches, e => e.Buurten.SequenceEqual(["BU03610904", "BU03611005"]) && e.Location.Distance(
            Transforms.RdNew.RdFactory.CreatePoint(new Coordinate(113934, 507891))) < 5);
        Assert.Equal(9, r.Gaps.Count());
        Assert.InRange(r.Overlaps.Sum(o => o.AreaM2), 97.85, 97.95);   // 97.9 m² per the data's README
        Assert.InRange(r.Gaps.Sum(g => g.AreaM2), 1.85, 1.95);         // 1.9 m²
        Assert.InRange(r.Gaps.Max(g => g.AreaM2), 0.95, 1.05);         // the largest 1.0 m²
        foreach (var o in r.Overlaps)
        {
            Assert.Equal(2, o.Buurten.Count);
            Assert.Equal(o.Buurten.Min(StringComparer.Ordinal), o.AssignedTo); // smallest code keeps an overlap
        }
        foreach (var g in r.Gaps) Assert.Contains(g.AssignedTo, g.Buurten);
    }

    [Fact]
    public void The_repaired_buurten_are_an_exact_coverage_without_holes()
    {
        var (input, r) = Real.Value;
        Assert.Equal(input.Select(b => b.Code), r.Buurten.Select(b => b.Code));
        var geometries = r.Buurten.Select(b => b.Geometry).ToArray();
        Assert.All(geometries, g => Assert.True(g.IsValid));
        Assert.All(CoverageValidator.Validate(geometries), e => Assert.True(e is null || e.IsEmpty, $"invalid coverage edge {e}"));
        var union = NetTopologySuite.Coverage.CoverageUnion.Union(geometries);
        Assert.IsType<Polygon>(union);
        Assert.Equal(0, ((Polygon)union).NumInteriorRings);
        Assert.InRange(union.Area / 1e6, 117.355, 117.37); // 117.362 km²
        Assert.Equal("MultiPolygon", r.Buurten.Single(b => b.Code == "BU03611000").Geometry.GeometryType);
    }

    [Fact]
    public void Repairs_move_no_more_land_than_the_defects()
    {
        var (input, r) = Real.Value;
        var moved = 0.0;
        for (var i = 0; i < input.Count; i++)
            moved += input[i].Geometry.SymmetricDifference(r.Buurten[i].Geometry).Area;
        // every overlap is removed from one buurt, every gap added to one: nothing else changes
        var expected = r.Repairs.Sum(d => d.Kind == CoverageDefectKind.Gap ? d.AreaM2 : d.AreaM2 * (d.Buurten.Count - 1));
        Assert.InRange(moved, expected - 0.01, expected + 0.01);
    }

    [Fact]
    public void A_defect_above_tolerance_is_refused_not_repaired()
    {
        var f = Transforms.RdNew.RdFactory;
        Polygon Box(double x0, double y0, double x1, double y1) => f.CreatePolygon(
            [new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)]);
        // two buurten overlapping by a 10 m × 100 m strip (1,000 m²)
        var buurten = new List<BuurtInput>
        {
            new("BU03610100", "A", Box(0, 0, 110, 100)),
            new("BU03610101", "B", Box(100, 0, 200, 100)),
        };
        var r = new CoverageRepair().Repair(buurten);
        var refused = Assert.Single(r.Refused);
        Assert.Equal(CoverageDefectKind.Overlap, refused.Kind);
        Assert.Equal(1000, refused.AreaM2, 6);
        Assert.Equal(10, refused.WidthM, 2);
        Assert.Empty(r.Repairs);

        // a gap of 4 m × 100 m between them is too wide as well
        var gapped = new List<BuurtInput> { new("BU03610100", "A", Box(0, 0, 100, 100)), new("BU03610101", "B", Box(104, 0, 200, 100)) };
        // not enclosed: the strip opens to the outside, so it is no hole; close it at both ends with a third buurt
        gapped.Add(new("BU03610102", "C", f.CreatePolygon([new(0, 100), new(200, 100), new(200, 110), new(0, 110), new(0, 100)])));
        gapped.Add(new("BU03610103", "D", f.CreatePolygon([new(0, -10), new(200, -10), new(200, 0), new(0, 0), new(0, -10)])));
        var g = new CoverageRepair().Repair(gapped);
        Assert.Equal(CoverageDefectKind.Gap, Assert.Single(g.Refused).Kind);
    }

    [Fact]
    public void A_small_gap_goes_to_the_neighbour_with_the_longest_shared_border()
    {
        var f = Transforms.RdNew.RdFactory;
        // A (left) and B (right) leave a 0.5 m × 4 m notch, closed by C below: it borders A over 4 m, B over 4.5 m, C over 0.5 m.
        var a = f.CreatePolygon([new(0, 0), new(100, 0), new(100, 100), new(0, 100), new(0, 0)]);
        var b = f.CreatePolygon([new(100, 4), new(100.5, 4), new(100.5, 0), new(200, 0), new(200, 100), new(100, 100), new(100, 4)]);
        var c = f.CreatePolygon([new(0, -10), new(200, -10), new(200, 0), new(0, 0), new(0, -10)]);
        var r = new CoverageRepair().Repair([new("BU03610101", "A", a), new("BU03610102", "B", b), new("BU03610100", "C", c)]);
        var gap = Assert.Single(r.Gaps);
        Assert.Equal(2, gap.AreaM2, 6);
        Assert.Equal("BU03610102", gap.AssignedTo);
        Assert.Equal(["BU03610100", "BU03610101", "BU03610102"], gap.Buurten);
        Assert.Equal(b.Area + 2, r.Buurten[1].Geometry.Area, 6);
        Assert.Equal(a.Area, r.Buurten[0].Geometry.Area, 6);
    }
}
