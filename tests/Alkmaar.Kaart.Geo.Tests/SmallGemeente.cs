using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Transforms;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>
/// A made-up gemeente of known geometry: 2 × 2 buurten of 100 m from (100000, 500000). Wijk 01 (bottom row) is gebied A,
/// wijk 02 (top row) gebied B and consists of dorpen.
/// </summary>
internal static class SmallGemeente
{
    public static Polygon Square(double x, double y, double size) => RdNew.RdFactory.CreatePolygon(
        [new(x, y), new(x + size, y), new(x + size, y + size), new(x, y + size), new(x, y)]);

    public static readonly Gebiedsindeling Indeling = new()
    {
        Gemeente = new GemeenteConfig("GM9999", "Proefstad"),
        Wijken = new Dictionary<string, string> { ["WK999901"] = "Eerste", ["WK999902"] = "Tweede" },
        Gebieden =
        [
            new GebiedConfig { Code = "GB9999-a", Name = "A", Wijken = ["WK999901"], Team = new TeamConfig { Name = "Team A" } },
            new GebiedConfig { Code = "GB9999-b", Name = "B", Wijken = ["WK999902"], Team = new TeamConfig { Name = "Team B" } },
        ],
        DorpenInWijken = ["WK999902"],
    };

    /// <summary>A fresh list each call, so a test may change it.</summary>
    public static List<BuurtInput> Buurten() =>
    [
        new("BU99990100", "a", Square(100000, 500000, 100)),
        new("BU99990101", "b", Square(100100, 500000, 100)),
        new("BU99990200", "c", Square(100000, 500100, 100)),
        new("BU99990201", "d", Square(100100, 500100, 100)),
    ];
}
