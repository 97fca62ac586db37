using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;

namespace Alkmaar.Kaart.Geo.Areas;

/// <summary>
/// How far a polygon's boundary moved between two versions, on average along the boundary: the area between the old and the
/// new boundary (their symmetric difference) divided by the mean perimeter. A square of 100 m moved 10 m east: its east and
/// west sides move 10 m, north and south 0, so 5 m; a polygon scaled by a factor s around a centre at distance r moves about
/// r·(s−1). Cheap (one overlay) where a Hausdorff distance on full-resolution boundaries is quadratic in their vertices, and
/// it measures what matters for a boundary guard: a whole set shifted a few metres moves every buurt, a local redraw a few.
/// </summary>
public static class BoundaryDisplacement
{
    /// <summary>The mean displacement of the boundary in the units of the geometries (metres in RD New).</summary>
    public static double Mean(Geometry before, Geometry after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var perimeter = (before.Length + after.Length) / 2;
        if (perimeter <= 0) return 0;
        var between = OverlayNGRobust.Overlay(before, after, SpatialFunction.SymDifference);
        return between.Area / perimeter;
    }
}
