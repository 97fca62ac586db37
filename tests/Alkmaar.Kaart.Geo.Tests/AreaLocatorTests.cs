using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Testing;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

public class AreaLocatorTests
{
    private static Polygon Square(double x, double y, double size) => SmallGemeente.Square(x, y, size);

    private static readonly AreaLocator Locator = new(
        new AreaHierarchyBuilder(SmallGemeente.Indeling).Build(SmallGemeente.Buurten()).Areas,
        [new Municipality("GM8888", "Buurdorp", Square(100300, 499000, 2000))]);

    [Fact]
    public void A_point_inside_gets_its_buurt_and_the_buurts_whole_chain()
    {
        var r = Locator.Locate(100150, 500150);
        Assert.Equal(LocationKind.Inside, r.Kind);
        Assert.Equal("BU99990201", r.Buurt!.Code);
        Assert.Equal("WK999902", r.Wijk!.Code);
        Assert.Equal("GB9999-b", r.Gebied!.Code);
        Assert.Equal("BU99990201", r.Dorp!.Code);
        Assert.Equal("GM9999", r.Gemeente!.Code);
        Assert.Equal(0, r.DistanceM);
        Assert.Null(Locator.Locate(100050, 500050).Dorp); // wijk 01 has no dorpen
    }

    [Theory]
    [InlineData(100100, 500050, "BU99990100")] // edge a|b
    [InlineData(100150, 500100, "BU99990101")] // edge b|d
    [InlineData(100050, 500100, "BU99990100")] // edge a|c: crosses wijk and gebied borders, chain follows the buurt
    [InlineData(100100, 500100, "BU99990100")] // the vertex shared by all four
    [InlineData(100000, 500000, "BU99990100")] // the gemeente's own corner
    public void A_point_on_a_shared_border_belongs_to_the_smallest_code(double x, double y, string expected)
    {
        var r = Locator.Locate(x, y);
        Assert.Equal(LocationKind.Inside, r.Kind);
        Assert.Equal(expected, r.Buurt!.Code);
        Assert.Equal(r.Buurt.ParentCode, r.Wijk!.Code);
        Assert.Equal(r.Wijk.ParentCode, r.Gebied!.Code);
    }

    [Fact]
    public void Just_outside_within_the_tolerance_goes_to_the_nearest_buurt_with_its_distance()
    {
        var r = Locator.Locate(100150, 499990); // 10 m below b
        Assert.Equal(LocationKind.NearGemeente, r.Kind);
        Assert.Equal("BU99990101", r.Buurt!.Code);
        Assert.Equal(10, r.DistanceM, 9);

        var corner = Locator.Locate(100100, 499980); // 20 m below the a|b corner: equally near both → smallest code
        Assert.Equal("BU99990100", corner.Buurt!.Code);
        Assert.Equal(20, corner.DistanceM, 9);
    }

    [Fact]
    public void Beyond_the_tolerance_the_answer_is_outside_naming_the_municipality_where_known()
    {
        var r = Locator.Locate(100400, 500050); // 200 m east of b, inside Buurdorp
        Assert.Equal(LocationKind.Outside, r.Kind);
        Assert.Null(r.Buurt);
        Assert.Equal("Buurdorp", r.Municipality!.Name);

        var nowhere = Locator.Locate(99000, 500050);
        Assert.Equal(LocationKind.Outside, nowhere.Kind);
        Assert.Null(nowhere.Municipality);

        var edge = Locator.Locate(100225, 500050); // exactly at the 25 m tolerance: still near
        Assert.Equal(LocationKind.NearGemeente, edge.Kind);
        Assert.Equal(LocationKind.Outside, Locator.Locate(100225.01, 500050).Kind);
    }

    /// <summary>The real (full-resolution) areas and the neighbouring municipalities, read once.</summary>
    private static readonly Lazy<(Area[] Areas, List<Municipality> Municipalities)> Real = new(() =>
    {
        Area[] areas;
        using (var s = File.OpenRead(TestPaths.RealBuurten))
            areas = [.. new AreaHierarchyBuilder(Gebiedsindeling.Load(TestPaths.Gebiedsindeling)).Build(BuurtFileReader.Read(s).Buurten).Areas];
        using var m = File.OpenRead(TestPaths.Cbs("alkmaar_en_buurgemeenten_2024.geojson"));
        return (areas, GeoJsonFeatureReader.Read(m).Features
            .Select(f => new Municipality((string)f.Attributes["statcode"], (string)f.Attributes["statnaam"], f.Geometry)).ToList());
    });

    [Fact]
    public void On_the_real_buurten_every_neighbour_municipality_is_named_from_outside()
    {
        var (areas, municipalities) = Real.Value;
        var locator = new AreaLocator(areas, municipalities);
        Assert.Equal(66, locator.BuurtCount);

        // Heiloo's interior point, far from Alkmaar's border
        var heiloo = municipalities.Single(m => m.Name == "Heiloo").Geometry;
        var far = heiloo.Buffer(-500).InteriorPoint;
        var r = locator.Locate(far.X, far.Y);
        Assert.Equal(LocationKind.Outside, r.Kind);
        Assert.Equal("GM0399", r.Municipality!.Code);

        // De Rijp's interior point is in dorp De Rijp, wijk Graft-De Rijp, gebied Oost
        var deRijp = areas.Single(a => a.Level == AreaLevel.Dorp && a.Name == "De Rijp").Geometry.InteriorPoint;
        var inside = locator.Locate(deRijp.X, deRijp.Y);
        Assert.Equal(("De Rijp", "Graft-De Rijp", "Oost"), (inside.Dorp!.Name, inside.Wijk!.Name, inside.Gebied!.Name));
    }

    [Fact]
    public void The_answer_grid_gives_the_exact_answer_for_every_point_vertices_and_outside_included()
    {
        var (areas, municipalities) = Real.Value;
        var locator = new AreaLocator(areas, municipalities);
        var extent = new Envelope();
        foreach (var a in areas.Where(a => a.Level == AreaLevel.Buurt)) extent.ExpandToInclude(a.Geometry.EnvelopeInternal);
        extent.ExpandBy(500);
        var random = new Random(7);
        var points = Enumerable.Range(0, 200_000).Select(_ => (extent.MinX + random.NextDouble() * extent.Width, extent.MinY + random.NextDouble() * extent.Height)).ToList();
        // every vertex, and points on the grid lines and corners (where rounding into the wrong cell would show)
        points.AddRange(areas.Where(a => a.Level == AreaLevel.Buurt).SelectMany(a => a.Geometry.Coordinates).Select(c => (c.X, c.Y)));
        for (var i = 0; i < 20_000; i++)
        {
            var x = Math.Floor((extent.MinX + random.NextDouble() * extent.Width) / AreaLocator.GridCellM) * AreaLocator.GridCellM;
            var y = Math.Floor((extent.MinY + random.NextDouble() * extent.Height) / AreaLocator.GridCellM) * AreaLocator.GridCellM;
            points.Add((x, y));
            points.Add((x + 1e-9, y - 1e-9));
        }
        var mismatches = points.Where(p =>
        {
            var (fast, exact) = (locator.Locate(p.Item1, p.Item2), locator.LocateExact(p.Item1, p.Item2));
            return fast.Kind != exact.Kind || fast.Buurt?.Code != exact.Buurt?.Code || fast.Municipality?.Code != exact.Municipality?.Code
                   || fast.Gebied?.Code != exact.Gebied?.Code || fast.Dorp?.Code != exact.Dorp?.Code;
        }).Take(10).ToList();
        Assert.Empty(mismatches);
        // most of the gemeente's bounding box answers from the grid
        Assert.True(locator.GridResolvedShare > 0.9, $"grid resolves {locator.GridResolvedShare:P1}");
    }
}
