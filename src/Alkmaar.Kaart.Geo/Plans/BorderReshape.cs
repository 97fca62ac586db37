using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.KdTree;
using NetTopologySuite.Operation.Linemerge;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Operation.Polygonize;
using SpatialFunction = NetTopologySuite.Operation.Overlay.SpatialFunction;

namespace Alkmaar.Kaart.Geo.Plans;

/// <summary>The outcome of moving the border between two buurten: both new shapes and the pieces that changed hands.</summary>
/// <param name="ToA">The ground that went from B to A (empty when none).</param>
/// <param name="ToB">The ground that went from A to B (empty when none).</param>
public sealed record ReshapeResult(MultiPolygon A, MultiPolygon B, Geometry ToA, Geometry ToB)
{
    public bool Changed => !ToA.IsEmpty || !ToB.IsEmpty;
}

/// <summary>
/// The second kind of plan edit (issue 18): a border between two neighbouring buurten is one polyline, its shared edge;
/// a planner moves it and both neighbours change together. The new line keeps the edge's end points (where a third area
/// meets), its vertices snap to existing vertices within a tolerance (so unmoved vertices come back exactly and a moved
/// one can land on a corner of the map), and it must stay inside the two buurten. The ground between the old and the new
/// line changes hands face by face, so the two buurten still cover exactly what they covered, no gap, no overlap, and
/// every other buurt keeps its shape to the vertex.
/// </summary>
public static class BorderReshape
{
    /// <summary>The longest stretch of border two buurten share, as one line; null when they share no border.</summary>
    public static LineString? SharedEdge(Geometry a, Geometry b)
    {
        if (!a.EnvelopeInternal.Intersects(b.EnvelopeInternal)) return null;
        var common = OverlayNGRobust.Overlay(a.Boundary, b.Boundary, SpatialFunction.Intersection);
        var merger = new LineMerger();
        for (var i = 0; i < common.NumGeometries; i++)
            if (common.GetGeometryN(i) is LineString { IsEmpty: false } line) merger.Add(line);
        return merger.GetMergedLineStrings().OfType<LineString>().MaxBy(l => l.Length) is { } longest
            ? (LineString)a.Factory.CreateGeometry(longest)
            : null;
    }

    /// <summary>
    /// Moves the shared edge <paramref name="oldEdge"/> of <paramref name="a"/> and <paramref name="b"/> to the line
    /// <paramref name="newEdge"/> (coordinates in RD). Every new vertex within <paramref name="snapM"/> metres of a vertex of
    /// the old edge or of <paramref name="snapTargets"/> takes that vertex exactly. Throws <see cref="PlanException"/> (in
    /// Dutch) when the line leaves the two buurten, crosses itself, moves an end point, or leaves a buurt empty.
    /// </summary>
    public static ReshapeResult Apply(Geometry a, Geometry b, LineString oldEdge, IReadOnlyList<Coordinate> newEdge,
        IEnumerable<Coordinate> snapTargets, double snapM = 1.0)
    {
        if (newEdge.Count < 2) throw new PlanException("Een grens heeft minstens twee punten.");
        var factory = a.Factory;
        var tree = new KdTree<Coordinate>();
        foreach (var c in oldEdge.Coordinates.Concat(snapTargets)) tree.Insert(c, c);

        var (start, end) = (oldEdge.StartPoint.Coordinate, oldEdge.EndPoint.Coordinate);
        var coords = newEdge.Select(c => Snap(tree, c, snapM)).ToList();
        if (coords[0].Distance(end) < coords[0].Distance(start)) coords.Reverse();
        if (!coords[0].Equals2D(start) || !coords[^1].Equals2D(end))
            throw new PlanException("De eindpunten van de grens blijven staan: daar grenst een derde gebied aan. Verplaats alleen de punten ertussen.");
        var distinct = new List<Coordinate> { coords[0] };
        foreach (var c in coords.Skip(1)) if (!c.Equals2D(distinct[^1])) distinct.Add(c);
        if (distinct.Count < 2) throw new PlanException("Een grens heeft minstens twee verschillende punten.");

        var line = factory.CreateLineString(distinct.ToArray());
        var empty = factory.CreateGeometryCollection();
        if (line.EqualsExact(oldEdge) || line.EqualsExact(oldEdge.Reverse()))
            return new ReshapeResult(AreaHierarchyBuilder.AsMulti(a), AreaHierarchyBuilder.AsMulti(b), empty, empty);
        if (!line.IsSimple) throw new PlanException("De nieuwe grens kruist zichzelf.");
        var union = OverlayNGRobust.Overlay(a, b, SpatialFunction.Union);
        if (!union.Covers(line)) throw new PlanException("De nieuwe grens loopt buiten de twee buurten; een grens kan alleen tussen deze twee buren verschuiven.");

        // the faces between the old and the new line: each lies in a (goes to b) or in b (goes to a)
        var noded = OverlayNGRobust.Overlay(oldEdge, line, SpatialFunction.Union);
        var polygonizer = new Polygonizer();
        polygonizer.Add(noded);
        var toA = new List<Geometry>();
        var toB = new List<Geometry>();
        foreach (var face in polygonizer.GetPolygons())
        {
            if (face.Area <= 0) continue;
            var inside = face.InteriorPoint;
            if (b.Covers(inside)) toA.Add(face);
            else if (a.Covers(inside)) toB.Add(face);
        }
        var gainA = toA.Count == 0 ? empty : OverlayNGRobust.Union(toA);
        var gainB = toB.Count == 0 ? empty : OverlayNGRobust.Union(toB);
        var newA = OverlayNGRobust.Overlay(OverlayNGRobust.Overlay(a, gainB, SpatialFunction.Difference), gainA, SpatialFunction.Union);
        var newB = OverlayNGRobust.Overlay(OverlayNGRobust.Overlay(b, gainA, SpatialFunction.Difference), gainB, SpatialFunction.Union);
        newA = Polygonal(newA);
        newB = Polygonal(newB);
        if (newA.IsEmpty || newB.IsEmpty) throw new PlanException("Met deze grens blijft er van een van de buurten niets over.");
        if (!newA.IsValid || !newB.IsValid) throw new PlanException("Met deze grens wordt een van de buurten een ongeldige vorm.");
        var before = a.Area + b.Area;
        if (Math.Abs(newA.Area + newB.Area - before) > 1e-6 * Math.Max(1, before))
            throw new PlanException("De nieuwe grens laat een gat of overlap tussen de buurten achter.");
        return new ReshapeResult(AreaHierarchyBuilder.AsMulti(newA), AreaHierarchyBuilder.AsMulti(newB), gainA, gainB);
    }

    private static Coordinate Snap(KdTree<Coordinate> tree, Coordinate c, double snapM)
    {
        var env = new Envelope(c.X - snapM, c.X + snapM, c.Y - snapM, c.Y + snapM);
        Coordinate? best = null;
        var bestDistance = double.MaxValue;
        foreach (var node in tree.Query(env))
        {
            var d = node.Coordinate.Distance(c);
            if (d <= snapM && d < bestDistance) (best, bestDistance) = (node.Coordinate, d);
        }
        return best?.Copy() ?? new Coordinate(c.X, c.Y);
    }

    /// <summary>The polygons of an overlay result (lines or points it may carry along dropped).</summary>
    private static Geometry Polygonal(Geometry g)
    {
        if (g is Polygon or MultiPolygon) return g;
        var polygons = Enumerable.Range(0, g.NumGeometries).Select(g.GetGeometryN).OfType<Polygon>().ToArray();
        return g.Factory.CreateMultiPolygon(polygons);
    }
}

/// <summary>
/// Which buurten share a border (a line, not a corner), and from that whether each wijk and gebied of a plan is one
/// connected piece, as redistricting tools find non-contiguous districts. Built once from the buurten's shapes; a border
/// move refreshes the two buurten it changed.
/// </summary>
public sealed class BuurtAdjacency
{
    private readonly Dictionary<string, HashSet<string>> _neighbours = new(StringComparer.Ordinal);

    public BuurtAdjacency(IReadOnlyDictionary<string, Geometry> buurten)
    {
        foreach (var code in buurten.Keys) _neighbours[code] = new HashSet<string>(StringComparer.Ordinal);
        var index = new NetTopologySuite.Index.Strtree.STRtree<string>();
        foreach (var (code, g) in buurten) index.Insert(g.EnvelopeInternal, code);
        index.Build();
        foreach (var (code, g) in buurten)
            foreach (var other in index.Query(g.EnvelopeInternal))
                if (string.CompareOrdinal(code, other) < 0 && ShareBorder(g, buurten[other]))
                {
                    _neighbours[code].Add(other);
                    _neighbours[other].Add(code);
                }
    }

    public IReadOnlySet<string> NeighboursOf(string buurt) => _neighbours[buurt];

    /// <summary>Recomputes the neighbours of <paramref name="changed"/> after its shape changed.</summary>
    public void Refresh(string changed, IReadOnlyDictionary<string, Geometry> buurten)
    {
        foreach (var n in _neighbours[changed]) _neighbours[n].Remove(changed);
        _neighbours[changed].Clear();
        var g = buurten[changed];
        foreach (var (code, other) in buurten)
            if (code != changed && g.EnvelopeInternal.Intersects(other.EnvelopeInternal) && ShareBorder(g, other))
            {
                _neighbours[changed].Add(code);
                _neighbours[code].Add(changed);
            }
    }

    public static bool ShareBorder(Geometry a, Geometry b) =>
        a.Relate(b).Get(Location.Boundary, Location.Boundary) == Dimension.Curve;

    /// <summary>The connected pieces of a set of buurten (each piece sorted, largest first); one piece = contiguous.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Pieces(IEnumerable<string> members)
    {
        var set = members.ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pieces = new List<IReadOnlyList<string>>();
        foreach (var start in set.Order(StringComparer.Ordinal))
        {
            if (!seen.Add(start)) continue;
            var piece = new List<string>();
            var queue = new Queue<string>([start]);
            while (queue.TryDequeue(out var b))
            {
                piece.Add(b);
                foreach (var n in _neighbours[b]) if (set.Contains(n) && seen.Add(n)) queue.Enqueue(n);
            }
            piece.Sort(StringComparer.Ordinal);
            pieces.Add(piece);
        }
        return pieces.OrderByDescending(p => p.Count).ToList();
    }

    /// <summary>The wijken and gebieden of <paramref name="plan"/> that fall apart in more than one piece, except those in
    /// <paramref name="allowed"/> (an explicit allowance, e.g. a gebied with an exclave).</summary>
    public IReadOnlyList<(AreaLevel Level, string Code, IReadOnlyList<IReadOnlyList<string>> Pieces)> NonContiguous(Plan plan, IReadOnlySet<string>? allowed = null)
    {
        var list = new List<(AreaLevel, string, IReadOnlyList<IReadOnlyList<string>>)>();
        foreach (var wijk in plan.WijkOfBuurt.GroupBy(kv => kv.Value).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (allowed?.Contains(wijk.Key) == true) continue;
            var pieces = Pieces(wijk.Select(kv => kv.Key));
            if (pieces.Count > 1) list.Add((AreaLevel.Wijk, wijk.Key, pieces));
        }
        foreach (var gebied in plan.WijkOfBuurt.Keys.GroupBy(plan.GebiedOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (allowed?.Contains(gebied.Key) == true) continue;
            var pieces = Pieces(gebied);
            if (pieces.Count > 1) list.Add((AreaLevel.Gebied, gebied.Key, pieces));
        }
        return list;
    }
}
