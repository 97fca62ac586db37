using Alkmaar.Kaart.Geo.Routing;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.OverlayNG;
using SpatialFunction = NetTopologySuite.Operation.Overlay.SpatialFunction;

namespace Alkmaar.Kaart.Geo.Areas;

/// <summary>A neighbour of an area: an area of the same level, or a neighbouring municipality, and how long the border
/// they share is (metres).</summary>
public sealed record AreaNeighbour(string Code, string Name, double SharedLengthM);

/// <summary>
/// Who lies next to whom (issue 19): for every area, the areas of the same level that share a border line with it (a
/// corner is no border) with the shared length, and the neighbouring municipalities along its border. Our areas are an
/// exact coverage (shared vertices), so a shared border is the intersection of two boundaries; the municipalities come
/// from another, generalised layer, so their border is the part of the area's boundary within a tolerance of them.
/// </summary>
public static class AreaNeighbours
{
    /// <summary>The same-level neighbours of every area of <paramref name="areas"/> (one level), longest border first.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<AreaNeighbour>> SameLevel(IReadOnlyList<Area> areas)
    {
        var index = new STRtree<Area>();
        foreach (var a in areas) index.Insert(a.Geometry.EnvelopeInternal, a);
        index.Build();
        var result = areas.ToDictionary(a => a.Code, _ => new List<AreaNeighbour>());
        foreach (var a in areas)
            foreach (var b in index.Query(a.Geometry.EnvelopeInternal))
            {
                if (string.CompareOrdinal(a.Code, b.Code) >= 0) continue;
                var length = SharedLength(a.Geometry, b.Geometry);
                if (length <= 0) continue;
                result[a.Code].Add(new AreaNeighbour(b.Code, b.Name, length));
                result[b.Code].Add(new AreaNeighbour(a.Code, a.Name, length));
            }
        return result.ToDictionary(kv => kv.Key,
            kv => (IReadOnlyList<AreaNeighbour>)kv.Value.OrderByDescending(n => n.SharedLengthM).ThenBy(n => n.Code, StringComparer.Ordinal).ToList());
    }

    /// <summary>The length of the border two areas share: the line parts of the intersection of their boundaries.</summary>
    public static double SharedLength(Geometry a, Geometry b)
    {
        if (!a.EnvelopeInternal.Intersects(b.EnvelopeInternal)) return 0;
        var common = OverlayNGRobust.Overlay(a.Boundary, b.Boundary, SpatialFunction.Intersection);
        return common.Length;
    }

    /// <summary>The municipalities (other than <paramref name="ownCode"/>) along the border of <paramref name="area"/>: the
    /// length of its boundary within <paramref name="toleranceM"/> of each, longest first; those with none left out.</summary>
    public static IReadOnlyList<AreaNeighbour> Municipalities(Geometry area, IReadOnlyList<Municipality> municipalities, string ownCode, double toleranceM)
    {
        var boundary = area.Boundary;
        var env = area.EnvelopeInternal.Copy();
        env.ExpandBy(toleranceM);
        return municipalities
            .Where(m => m.Code != ownCode && m.Geometry.EnvelopeInternal.Intersects(env))
            .Select(m => new AreaNeighbour(m.Code, m.Name, OverlayNGRobust.Overlay(boundary, m.Geometry.Buffer(toleranceM), SpatialFunction.Intersection).Length))
            .Where(n => n.SharedLengthM > 0)
            .OrderByDescending(n => n.SharedLengthM).ThenBy(n => n.Code, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>Where two layers of municipal borders disagree: ground both claim (overlap) or neither (gap), with its size and place.</summary>
public sealed record BorderDiscrepancy(string Kind, string Municipality, string MunicipalityName, double AreaM2, Point Location, Geometry Geometry);

/// <summary>
/// Border discrepancies (issue 19): where the gemeente's boundary and the neighbouring municipalities' layer leave ground
/// claimed by both (an overlap) or by neither along their common border (a gap). Emergency-call routing asks an owner for
/// every such piece; here they are listed with their area and location so they can be taken up with the neighbour.
/// </summary>
public static class BorderDiscrepancies
{
    /// <param name="gemeente">Our gemeente (its boundary in force, or its polygon in the other layer).</param>
    /// <param name="neighbours">The neighbouring municipalities (not ours).</param>
    /// <param name="bandM">A gap is ground narrower than twice this between us and a neighbour.</param>
    /// <param name="minAreaM2">Pieces smaller than this are left out (rounding noise).</param>
    public static IReadOnlyList<BorderDiscrepancy> Find(Geometry gemeente, IReadOnlyList<Municipality> neighbours, double bandM = 25, double minAreaM2 = 1)
    {
        var list = new List<BorderDiscrepancy>();
        var near = neighbours.Where(m => m.Geometry.EnvelopeInternal.Intersects(Grown(gemeente.EnvelopeInternal, bandM))).ToList();
        foreach (var m in near)
            foreach (var piece in Polygons(OverlayNGRobust.Overlay(gemeente, m.Geometry, SpatialFunction.Intersection)).Where(p => p.Area >= minAreaM2))
                list.Add(new BorderDiscrepancy("overlap", m.Code, m.Name, piece.Area, piece.InteriorPoint, piece));
        if (near.Count > 0)
        {
            // a gap: ground between us and a neighbour narrower than twice the band, in neither — what a morphological
            // closing of all of us together fills (open country beyond the border is not closed)
            var all = OverlayNGRobust.Union(near.Select(m => m.Geometry).Append(gemeente).ToArray());
            var closed = all.Buffer(bandM).Buffer(-bandM);
            var gaps = OverlayNGRobust.Overlay(closed, all, SpatialFunction.Difference);
            foreach (var piece in Polygons(gaps).Where(p => p.Area >= minAreaM2 && p.Distance(gemeente) < 0.01))
            {
                var bordering = near.OrderBy(m => m.Geometry.Distance(piece)).ThenByDescending(m => SharedNear(piece, m.Geometry)).First();
                list.Add(new BorderDiscrepancy("gap", bordering.Code, bordering.Name, piece.Area, piece.InteriorPoint, piece));
            }
        }
        return list.OrderByDescending(d => d.AreaM2).ToList();
    }

    private static double SharedNear(Geometry piece, Geometry m) => OverlayNGRobust.Overlay(piece.Boundary, m.Buffer(0.01), SpatialFunction.Intersection).Length;

    private static Envelope Grown(Envelope e, double by)
    {
        var g = e.Copy();
        g.ExpandBy(by);
        return g;
    }

    private static IEnumerable<Polygon> Polygons(Geometry g)
    {
        for (var i = 0; i < g.NumGeometries; i++)
            if (g.GetGeometryN(i) is Polygon p) yield return p;
            else if (g.GetGeometryN(i) is GeometryCollection c) foreach (var q in Polygons(c)) yield return q;
    }
}
