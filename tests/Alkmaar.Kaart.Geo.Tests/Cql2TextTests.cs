using Alkmaar.Kaart.Geo.Cql2;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>CQL2 text: each operator against features whose answer is known, three-valued logic, and refusals with a position.</summary>
public class Cql2TextTests
{
    private sealed record F(Dictionary<string, object?> Props, Geometry? Geometry = null) : ICql2Feature
    {
        public object? Property(string name) => Props.GetValueOrDefault(name);
    }

    private static readonly GeometryFactory Factory = new();
    private static readonly IReadOnlySet<string> Queryables = new HashSet<string> { "name", "code", "year", "value", "demo", "status", "geometry" };

    private static readonly F[] Features =
    [
        new(new() { ["name"] = "Oudorp", ["code"] = "BU03610200", ["year"] = 2023, ["value"] = 6.5, ["demo"] = true, ["status"] = "toegekend" },
            Factory.CreatePoint(new Coordinate(1, 1))),
        new(new() { ["name"] = "De Mare", ["code"] = "BU03610401", ["year"] = 2024, ["value"] = 7.25, ["demo"] = false, ["status"] = null },
            Factory.CreatePoint(new Coordinate(5, 5))),
        new(new() { ["name"] = "Graft's hoek", ["code"] = "BU03610900", ["year"] = 2025, ["value"] = null, ["demo"] = false, ["status"] = "afgewezen" },
            Factory.CreatePolygon([new(8, 8), new(12, 8), new(12, 12), new(8, 12), new(8, 8)])),
    ];

    private static string[] Select(string filter) =>
        Features.Where(Cql2Text.Parse(filter, Queryables, "geometry", g => g).Matches).Select(f => (string)f.Props["name"]!).ToArray();

    [Theory]
    [InlineData("year = 2024", "De Mare")]
    [InlineData("year <> 2024", "Oudorp,Graft's hoek")]
    [InlineData("year >= 2024 AND demo = false", "De Mare,Graft's hoek")]
    [InlineData("year < 2024 OR value > 7", "Oudorp,De Mare")]
    [InlineData("NOT (year = 2024)", "Oudorp,Graft's hoek")]
    [InlineData("value > 6", "Oudorp,De Mare")]                       // null value: unknown, not selected
    [InlineData("NOT (value > 6)", "")]                               // NOT unknown is unknown
    [InlineData("value IS NULL", "Graft's hoek")]
    [InlineData("status IS NOT NULL", "Oudorp,Graft's hoek")]
    [InlineData("code LIKE 'BU036104%'", "De Mare")]
    [InlineData("name LIKE '_udorp'", "Oudorp")]
    [InlineData("name NOT LIKE '%e%'", "Oudorp")]
    [InlineData("name = 'Graft''s hoek'", "Graft's hoek")]
    [InlineData("status IN ('toegekend', 'afgewezen')", "Oudorp,Graft's hoek")]
    [InlineData("year NOT IN (2023, 2025)", "De Mare")]
    [InlineData("year BETWEEN 2024 AND 2025", "De Mare,Graft's hoek")]
    [InlineData("\"year\" = 2023 and Demo_ignored_case_keyword_check = 1 or year = 2025", null)] // unknown queryable
    [InlineData("S_INTERSECTS(geometry, BBOX(0, 0, 6, 6))", "Oudorp,De Mare")]
    [InlineData("S_INTERSECTS(geometry, POLYGON((4 4, 13 4, 13 9, 4 9, 4 4)))", "De Mare,Graft's hoek")]
    [InlineData("s_intersects(POINT(10 10), geometry) AND year > 2000", "Graft's hoek")]
    [InlineData("TRUE", "Oudorp,De Mare,Graft's hoek")]
    public void Each_operator_selects_the_features_it_should(string filter, string? expected)
    {
        if (expected is null)
        {
            var e = Assert.Throws<Cql2Exception>(() => Select(filter));
            Assert.Contains("queryable", e.Message);
            return;
        }
        Assert.Equal(expected.Length == 0 ? [] : expected.Split(','), Select(filter));
    }

    [Theory]
    [InlineData("year = ", 7)]
    [InlineData("year == 2024", 6)]
    [InlineData("name LIKE 5", 10)]
    [InlineData("(year = 2024", 12)]
    [InlineData("S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 1, 1 0, 0 0)))", 0)]
    [InlineData("S_INTERSECTS(name, BBOX(0,0,1,1))", 0)]
    [InlineData("year = 2024 extra", 12)]
    [InlineData("name = 'open", 7)]
    [InlineData("year BETWEEN 1 OR 2", 0)]
    public void A_malformed_filter_is_refused_with_where(string filter, int atLeast)
    {
        var e = Assert.Throws<Cql2Exception>(() => Cql2Text.Parse(filter, Queryables, "geometry", g => g));
        Assert.InRange(e.Position, atLeast, filter.Length);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Literal_geometries_are_moved_into_the_storage_crs()
    {
        // the filter speaks in another CRS (here: shifted by 100); the literal is moved before it is compared
        var moved = Cql2Text.Parse("S_INTERSECTS(geometry, POINT(-95 -95))", Queryables, "geometry",
            g => { var c = g.Copy(); c.Apply(new Shift()); c.GeometryChanged(); return c; });
        Assert.True(moved.Matches(Features[1]));
        Assert.False(moved.Matches(Features[0]));
    }

    private sealed class Shift : ICoordinateSequenceFilter
    {
        public void Filter(CoordinateSequence seq, int i)
        {
            seq.SetX(i, seq.GetX(i) + 100);
            seq.SetY(i, seq.GetY(i) + 100);
        }

        public bool Done => false;
        public bool GeometryChanged => true;
    }

    [Fact]
    public void LIKE_runs_in_linear_time_on_a_long_text_with_a_pattern_that_made_backtracking_explode()
    {
        // issue 27, item 5: '%a%b%a%b%a' on a long description kept a server thread busy until restart (backtracking
        // regex: polynomial of degree 5 in the text). The non-backtracking engine answers this in one pass.
        var text = string.Concat(Enumerable.Repeat("ab", 50_000)) + "c";
        var feature = new F(new() { ["name"] = text });
        var e = Cql2Text.Parse("name LIKE '%a%b%a%b%a%b%a%b%a'", Queryables, "geometry", g => g);
        Assert.False(e.Matches(feature));
        Assert.True(Cql2Text.Parse("name LIKE '%a%b%a%b%c'", Queryables, "geometry", g => g).Matches(feature));
    }

    [Theory]
    [InlineData(21, 10)]   // too many wildcards
    [InlineData(0, 201)]   // too long
    public void A_LIKE_pattern_with_too_many_wildcards_or_characters_is_refused_in_Dutch(int wildcards, int letters)
    {
        var pattern = new string('%', wildcards) + new string('a', letters);
        var e = Assert.Throws<Cql2Exception>(() => Cql2Text.Parse($"name LIKE '{pattern}'", Queryables, "geometry", g => g));
        Assert.Contains("LIKE-patroon", e.Message);
    }
}
