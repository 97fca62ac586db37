using System.Globalization;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Testing;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>RD New ↔ WGS84 against NSGI's RDNAPTRANS™2018 validation points (the ones with a NAP height).</summary>
public class RdNewTests
{
    private sealed record ValidationPoint(string Id, double Lat, double Lon, double X, double Y);

    private static readonly Lazy<IReadOnlyList<ValidationPoint>> Points = new(() =>
        File.ReadLines(Path.Combine(TestPaths.SharedData, "rdnaptrans2018", "Z001_ETRS89andRDNAP.txt"))
            .Select(l => l.TrimEnd('\r').Split('\t'))
            .Where(c => c.Length >= 7 && c[6].Trim() != "*")
            .Select(c => new ValidationPoint(c[0], D(c[1]), D(c[2]), D(c[4]), D(c[5])))
            .ToList());

    private static double D(string s) => double.Parse(s.Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public void The_validation_file_has_7959_points_with_a_NAP_height()
    {
        Assert.Equal(7959, Points.Value.Count);
    }

    [Fact]
    public void Wgs84_to_Rd_is_within_25_cm_on_every_validation_point()
    {
        var worst = Points.Value
            .Select(p => (p, err: Distance(RdNew.FromWgs84(p.Lon, p.Lat), (p.X, p.Y))))
            .MaxBy(t => t.err);
        Assert.True(worst.err <= 0.25, $"worst error {worst.err:0.000} m at point {worst.p.Id}");
    }

    [Fact]
    public void Rd_to_Wgs84_is_within_25_cm_on_every_validation_point()
    {
        var worst = Points.Value
            .Select(p =>
            {
                var (lon, lat) = RdNew.ToWgs84(p.X, p.Y);
                // degrees to metres on the local ellipsoid surface
                var dy = (lat - p.Lat) * 111_250.0;
                var dx = (lon - p.Lon) * 111_320.0 * Math.Cos(p.Lat * Math.PI / 180);
                return (p, err: Math.Sqrt(dx * dx + dy * dy));
            })
            .MaxBy(t => t.err);
        Assert.True(worst.err <= 0.25, $"worst error {worst.err:0.000} m at point {worst.p.Id}");
    }

    [Fact]
    public void Without_the_datum_shift_points_would_be_far_off_so_the_shift_is_really_applied()
    {
        // Amersfoort's Onze Lieve Vrouwetoren, the RD origin: (155000, 463000) ≈ 52.15517°N 5.38720°E in WGS84.
        var (lon, lat) = RdNew.ToWgs84(155000, 463000);
        Assert.InRange(lat, 52.15515, 52.15519);
        Assert.InRange(lon, 5.38718, 5.38723);
    }

    [Fact]
    public void Geometry_round_trip_keeps_RD_coordinates_to_the_millimetre_and_sets_the_srid()
    {
        var square = RdNew.RdFactory.CreatePolygon([new(111000, 515000), new(112000, 515000), new(112000, 516000), new(111000, 516000), new(111000, 515000)]);
        var wgs = RdNew.ToWgs84(square, decimals: 9);
        Assert.Equal(4326, wgs.SRID);
        Assert.InRange(wgs.Centroid.Y, 52.6, 52.7);
        var back = RdNew.FromWgs84(wgs);
        Assert.Equal(28992, back.SRID);
        for (var i = 0; i < square.NumPoints; i++)
            Assert.True(square.Coordinates[i].Distance(back.Coordinates[i]) < 0.001, $"{square.Coordinates[i]} -> {back.Coordinates[i]}");
    }

    [Fact]
    public void Transforms_are_safe_to_use_from_many_threads()
    {
        var pts = Points.Value.Take(2000).ToArray();
        var errors = new double[pts.Length];
        Parallel.For(0, pts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => errors[i] = Distance(RdNew.FromWgs84(pts[i].Lon, pts[i].Lat), (pts[i].X, pts[i].Y)));
        Assert.True(errors.Max() <= 0.25);
    }

    [Theory]
    [InlineData("EPSG:28992", KnownCrs.RdNew)]
    [InlineData("urn:ogc:def:crs:EPSG::28992", KnownCrs.RdNew)]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/28992", KnownCrs.RdNew)]
    [InlineData("EPSG:4326", KnownCrs.Wgs84)]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", KnownCrs.Wgs84)]
    [InlineData("http://www.opengis.net/def/crs/OGC/1.3/CRS84", KnownCrs.Wgs84)]
    public void Known_crs_names_parse(string name, KnownCrs expected) => Assert.Equal(expected, CrsNames.Parse(name));

    [Theory]
    [InlineData("EPSG:3857")]
    [InlineData("")]
    [InlineData("28992")]
    public void Unknown_crs_names_do_not_parse(string name) => Assert.Null(CrsNames.Parse(name));

    private static double Distance((double X, double Y) a, (double X, double Y) b) =>
        Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}
