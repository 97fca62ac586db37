using System.Text;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Testing;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

public class AreaHierarchyBuilderTests
{
    private static readonly Gebiedsindeling Indeling = Gebiedsindeling.Load(TestPaths.Gebiedsindeling);

    /// <summary>The municipality's full-resolution buurten (the ones to route on), or another file.</summary>
    private static IReadOnlyList<BuurtInput> RealBuurten(string? path = null)
    {
        using var s = File.OpenRead(path ?? TestPaths.RealBuurten);
        return BuurtFileReader.Read(s).Buurten;
    }

    [Fact]
    public void Real_buurten_derive_5_gebieden_11_wijken_66_buurten_14_dorpen_and_one_gemeente()
    {
        var h = new AreaHierarchyBuilder(Indeling).Build(RealBuurten());
        Assert.Single(h.OfLevel(AreaLevel.Gemeente));
        Assert.Equal(5, h.OfLevel(AreaLevel.Gebied).Count());
        Assert.Equal(11, h.OfLevel(AreaLevel.Wijk).Count());
        Assert.Equal(66, h.OfLevel(AreaLevel.Buurt).Count());
        Assert.Equal(14, h.OfLevel(AreaLevel.Dorp).Count());
        Assert.Equal(["De Rijp", "Driehuizen", "Graft", "Grootschermer", "Markenbinnen", "Noordeinde", "Oost-Graftdijk",
            "Oterleek", "Schermerhorn", "Starnmeer", "Stompetoren", "Ursem", "West-Graftdijk", "Zuidschermer"],
            h.OfLevel(AreaLevel.Dorp).Select(d => d.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_area_equals_the_sum_of_its_parts_within_one_square_metre()
    {
        var h = new AreaHierarchyBuilder(Indeling).Build(RealBuurten());
        foreach (var parent in h.Areas.Where(a => a.Level is AreaLevel.Gemeente or AreaLevel.Gebied or AreaLevel.Wijk))
        {
            var children = h.Areas.Where(c => c.ParentCode == parent.Code && c.Level != AreaLevel.Dorp).ToList();
            Assert.NotEmpty(children);
            Assert.True(Math.Abs(parent.Geometry.Area - children.Sum(c => c.Geometry.Area)) <= 1.0,
                $"{parent.Code}: {parent.Geometry.Area} vs {children.Sum(c => c.Geometry.Area)}");
            // the union really covers its children (not just the same number of square metres)
            foreach (var c in children) Assert.True(parent.Geometry.Covers(c.Geometry), $"{parent.Code} does not cover {c.Code}");
        }
        var gemeente = h.OfLevel(AreaLevel.Gemeente).Single();
        Assert.InRange(gemeente.Geometry.Area / 1e6, 117.355, 117.37); // 117.362 km², the municipality's own boundaries
    }

    [Fact]
    public void Hierarchy_follows_the_CBS_codes_and_the_gebiedsindeling()
    {
        var h = new AreaHierarchyBuilder(Indeling).Build(RealBuurten());
        var byCode = h.Areas.Where(a => a.Level != AreaLevel.Dorp).ToDictionary(a => a.Code);
        Assert.Equal("WK036101", byCode["BU03610100"].ParentCode);
        Assert.Equal("GB0361-zuid", byCode["WK036101"].ParentCode);
        Assert.Equal("GM0361", byCode["GB0361-zuid"].ParentCode);
        Assert.Null(byCode["GM0361"].ParentCode);
        Assert.Equal("Daalmeer/Koedijk", byCode["WK036107"].Name);
        Assert.Equal(["WK036102", "WK036109", "WK036110"],
            h.OfLevel(AreaLevel.Wijk).Where(w => w.ParentCode == "GB0361-oost").Select(w => w.Code).Order());
        var deRijp = h.OfLevel(AreaLevel.Dorp).Single(d => d.Name == "De Rijp");
        Assert.Equal("BU03611003", deRijp.Code);
        Assert.Equal("WK036110", deRijp.ParentCode);
        Assert.All(h.Areas, a => Assert.Equal(28992, a.Geometry.SRID));
    }

    [Fact]
    public void Derived_wijken_match_the_CBS_wijk_file_up_to_its_separate_simplification()
    {
        var h = new AreaHierarchyBuilder(Indeling).Build(RealBuurten());
        using var s = File.OpenRead(TestPaths.Cbs("alkmaar_wijken_2024.geojson"));
        var cbsWijken = GeoJsonFeatureReader.Read(s).Features.ToDictionary(f => (string)f.Attributes["statcode"], f => f.Geometry);
        // The CBS wijk file is simplified much harder than the buurten (4–25 vertices a polygon), so shapes differ by
        // up to a quarter of a small wijk's area; what must hold is that each derived wijk overlaps its own CBS wijk
        // far more than any other.
        foreach (var wijk in h.OfLevel(AreaLevel.Wijk))
        {
            var best = cbsWijken.MaxBy(c => c.Value.Intersection(wijk.Geometry).Area);
            Assert.Equal(wijk.Code, best.Key);
            Assert.True(best.Value.Intersection(wijk.Geometry).Area / wijk.Geometry.Area > 0.7, wijk.Code);
        }
    }

    [Fact]
    public void The_WGS84_file_is_detected_and_gives_the_same_areas_within_map_accuracy()
    {
        using var s = File.OpenRead(TestPaths.Cbs("wgs84/alkmaar_buurten_2024.geojson"));
        var (buurten, source) = BuurtFileReader.Read(s);
        Assert.Equal(KnownCrs.Wgs84, source.SourceCrs);
        var rd = RealBuurten(TestPaths.Cbs("alkmaar_buurten_2024.geojson")).ToDictionary(b => b.Code);
        foreach (var b in buurten)
        {
            Assert.Equal(28992, b.Geometry.SRID);
            // 6 decimals in the file ≈ 0.1 m; the union's area moves by perimeter × that at most
            Assert.True(Math.Abs(b.Geometry.Area - rd[b.Code].Geometry.Area) < rd[b.Code].Geometry.Length * 0.15,
                $"{b.Code}: {b.Geometry.Area} vs {rd[b.Code].Geometry.Area}");
        }
    }

    // ---- validation on small known geometry -------------------------------------------------------------------

    private static Polygon Square(double x, double y, double size) => SmallGemeente.Square(x, y, size);
    private static readonly Gebiedsindeling Small = SmallGemeente.Indeling;
    private static List<BuurtInput> Grid() => SmallGemeente.Buurten();

    [Fact]
    public void A_clean_grid_derives_exact_squares()
    {
        var h = new AreaHierarchyBuilder(Small).Build(Grid());
        Assert.Equal(40000, h.OfLevel(AreaLevel.Gemeente).Single().Geometry.Area, 6);
        Assert.Equal(20000, h.Areas.Single(a => a.Code == "GB9999-a").Geometry.Area, 6);
        Assert.Equal(2, h.OfLevel(AreaLevel.Dorp).Count());
        Assert.True(h.OfLevel(AreaLevel.Gemeente).Single().Geometry.EqualsTopologically(Square(100000, 500000, 200)));
    }

    [Fact]
    public void Overlapping_buurten_are_rejected_naming_both()
    {
        var buurten = Grid();
        buurten[1] = buurten[1] with { Geometry = Square(100090, 500000, 110) };
        var e = Assert.Throws<BoundaryValidationException>(() => new AreaHierarchyBuilder(Small).Build(buurten));
        Assert.Contains(e.Problems, p => p.Code == "BU99990100" && p.Message.Contains("BU99990101"));
    }

    [Fact]
    public void A_gap_between_buurten_is_rejected()
    {
        var buurten = Grid();
        buurten[1] = buurten[1] with { Geometry = Square(100100.5, 500000, 100) }; // a 0.5 m sliver between a and b
        var e = Assert.Throws<BoundaryValidationException>(() => new AreaHierarchyBuilder(Small).Build(buurten));
        Assert.Contains(e.Problems, p => p.Message.Contains("gat") || p.Message.Contains("sluit niet aan"));
    }

    [Fact]
    public void A_hole_in_the_middle_of_the_gemeente_is_a_gap()
    {
        var buurten = Grid();
        var holed = RdNew.RdFactory.CreatePolygon(
            RdNew.RdFactory.CreateLinearRing(Square(100100, 500100, 100).Coordinates),
            [RdNew.RdFactory.CreateLinearRing(Square(100140, 500140, 20).Coordinates.Reverse().ToArray())]);
        buurten[3] = buurten[3] with { Geometry = holed };
        var e = Assert.Throws<BoundaryValidationException>(() => new AreaHierarchyBuilder(Small).Build(buurten));
        Assert.Contains(e.Problems, p => p.Code == "BU99990201" && p.Message.Contains("gat van 400"));
    }

    [Fact]
    public void Self_intersecting_buurt_unmapped_wijk_and_duplicate_codes_are_all_reported()
    {
        var bowtie = RdNew.RdFactory.CreatePolygon([new(100000, 500000), new(100100, 500100), new(100100, 500000), new(100000, 500100), new(100000, 500000)]);
        var buurten = Grid();
        buurten[0] = buurten[0] with { Geometry = bowtie };
        buurten.Add(new("BU99990300", "e", Square(100200, 500000, 100)));
        buurten.Add(new("BU99990300", "e2", Square(100300, 500000, 100)));
        buurten.Add(new("XX123", "bad", Square(100400, 500000, 100)));
        var problems = new AreaHierarchyBuilder(Small).Validate(buurten);
        Assert.Contains(problems, p => p.Code == "BU99990100" && p.Message.Contains("ongeldige geometrie"));
        Assert.Contains(problems, p => p.Code == "WK999903" && p.Message.Contains("niet ingedeeld"));
        Assert.Contains(problems, p => p.Code == "BU99990300" && p.Message.Contains("2 keer"));
        Assert.Contains(problems, p => p.Code == "XX123");
    }

    [Fact]
    public void A_wijk_in_two_gebieden_is_rejected()
    {
        var twice = Small with
        {
            Gebieden = [.. Small.Gebieden, new GebiedConfig { Code = "GB9999-c", Name = "C", Wijken = ["WK999901"], Team = new TeamConfig { Name = "C" } }],
        };
        var problems = new AreaHierarchyBuilder(twice).Validate(Grid());
        Assert.Contains(problems, p => p.Code == "WK999901" && p.Message.Contains("2 gebieden"));
    }

    // ---- GeoJSON CRS contract -------------------------------------------------------------------------------

    private static Stream Json(string s) => new MemoryStream(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void An_unknown_crs_member_is_rejected_with_its_name()
    {
        var e = Assert.Throws<GeoJsonFormatException>(() => GeoJsonFeatureReader.Read(Json(
            """{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}""")));
        Assert.Contains("EPSG:3857", e.Message);
    }

    [Fact]
    public void Rd_coordinates_without_crs_member_are_detected_as_RD()
    {
        var r = GeoJsonFeatureReader.Read(Json(
            """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"statcode":"BU99990100"},"geometry":{"type":"Point","coordinates":[111000,515000]}}]}"""));
        Assert.Equal(KnownCrs.RdNew, r.SourceCrs);
        Assert.Equal(111000, r.Features[0].Geometry.Coordinate.X);
    }

    [Fact]
    public void Coordinates_that_fit_no_known_crs_are_rejected()
    {
        Assert.Throws<GeoJsonFormatException>(() => GeoJsonFeatureReader.Read(Json(
            """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[5000000,9000000]}}]}""")));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"type":"Feature"}""")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":"x"}}]}""")]
    public void Broken_files_give_a_readable_error(string text)
    {
        var e = Assert.Throws<GeoJsonFormatException>(() => GeoJsonFeatureReader.Read(Json(text)));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
