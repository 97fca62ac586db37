using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>The boundary guard's measure against geometry whose answer is known by hand.</summary>
public class BoundaryDisplacementTests
{
    private static readonly GeometryFactory F = new(new PrecisionModel(), 28992);

    private static Polygon Square(double x, double y, double size) => F.CreatePolygon(
    [
        new(x, y), new(x + size, y), new(x + size, y + size), new(x, y + size), new(x, y),
    ]);

    [Fact]
    public void The_same_polygon_has_not_moved() =>
        Assert.Equal(0, BoundaryDisplacement.Mean(Square(0, 0, 100), Square(0, 0, 100)), 9);

    [Fact]
    public void A_square_moved_10_m_east_moves_its_boundary_5_m_on_average()
    {
        // the east and west sides move 10 m, the north and south sides 0: (2·10·100) / 400
        Assert.Equal(5, BoundaryDisplacement.Mean(Square(0, 0, 100), Square(10, 0, 100)), 6);
    }

    [Fact]
    public void A_square_scaled_around_its_centre_moves_its_sides_by_half_the_growth()
    {
        // 100 m → 102 m around the centre: every side 1 m outwards; the area between is 102² − 100² over a mean perimeter of 404
        var grown = AffineTransformation.ScaleInstance(1.02, 1.02, 50, 50).Transform(Square(0, 0, 100));
        Assert.Equal((102.0 * 102 - 100 * 100) / 404, BoundaryDisplacement.Mean(Square(0, 0, 100), grown), 6);
    }

    [Fact]
    public void One_changed_corner_of_a_large_polygon_is_a_small_mean_displacement()
    {
        // a local redraw: a 10 × 10 m notch cut from a 1 km square moves the boundary 100 m² / ~4,000 m = 0.025 m on average
        var big = Square(0, 0, 1000);
        var notched = big.Difference(Square(990, 990, 10));
        Assert.InRange(BoundaryDisplacement.Mean(big, notched), 0.02, 0.03);
    }
}
