using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Distance;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Operation.Polygonize;

namespace Alkmaar.Kaart.Geo.Coverage;

/// <summary>What a repair did: an overlap given to one buurt, or a gap filled by one buurt.</summary>
public enum CoverageDefectKind
{
    /// <summary>Land claimed by two or more buurten.</summary>
    Overlap,
    /// <summary>Land inside the gemeente claimed by no buurt (a hole in the union).</summary>
    Gap,
    /// <summary>Borders of two buurten that cross by a hair (less than <see cref="CoverageTolerances.MinOverlapM2"/> in
    /// all): vertices placed slightly differently on a shared border, repaired like an overlap.</summary>
    EdgeMismatch,
}

/// <summary>
/// One defect found in a set of buurten. <see cref="Buurten"/> are the buurten involved (for an overlap: those that
/// claimed it; for a gap: those around it), <see cref="AssignedTo"/> the buurt that owns the land after the repair,
/// <see cref="WidthM"/> how wide the sliver is (<see cref="CoverageRepair.Width"/>).
/// </summary>
public sealed record CoverageDefect(CoverageDefectKind Kind, IReadOnlyList<string> Buurten, string AssignedTo,
    double AreaM2, double WidthM, Point Location, Geometry Geometry)
{
    public override string ToString() =>
        $"{Kind switch { CoverageDefectKind.Overlap => "overlap", CoverageDefectKind.Gap => "gat", _ => "randafwijking" }} van {AreaM2:0.###} m² ({string.Join(", ", Buurten)}) " +
        $"bij ({Location.X:0.###} {Location.Y:0.###}), breedte {WidthM:0.###} m → {AssignedTo}";
}

/// <summary>Tolerances of <see cref="CoverageRepair"/>: a defect above any of them is refused, not repaired.</summary>
public sealed record CoverageTolerances
{
    /// <summary>Land claimed by the same buurten smaller than this in all (m²) is an edge mismatch, not an overlap.</summary>
    public double MinOverlapM2 { get; init; } = 0.01;

    /// <summary>Largest overlap (all land claimed by the same buurten) that is repaired, in m².</summary>
    public double MaxOverlapM2 { get; init; } = 250;

    /// <summary>Largest gap (one hole in the union of the buurten) that is repaired, in m².</summary>
    public double MaxGapM2 { get; init; } = 25;

    /// <summary>Unmatched edges of two buurten closer than this (metres) at the outer edge are a notch to fill.</summary>
    public double NotchWidthM { get; init; } = 1;

    /// <summary>Widest defect (<see cref="CoverageRepair.Width"/>) that is repaired, in metres.</summary>
    public double MaxWidthM { get; init; } = 1;

    public static CoverageTolerances Default { get; } = new();
}

/// <summary>The repaired buurten (an exact polygonal coverage) and every repair made.</summary>
public sealed record CoverageRepairResult(IReadOnlyList<BuurtInput> Buurten, IReadOnlyList<CoverageDefect> Repairs,
    IReadOnlyList<CoverageDefect> Refused)
{
    public IEnumerable<CoverageDefect> Overlaps => Repairs.Where(r => r.Kind == CoverageDefectKind.Overlap);
    public IEnumerable<CoverageDefect> Gaps => Repairs.Where(r => r.Kind == CoverageDefectKind.Gap);
    public IEnumerable<CoverageDefect> EdgeMismatches => Repairs.Where(r => r.Kind == CoverageDefectKind.EdgeMismatch);
}

/// <summary>
/// Turns buurten with small real-world defects (overlaps, gaps, vertices not shared by neighbours) into an exact polygonal
/// coverage, by one deterministic rule, and says what it did.
/// </summary>
/// <remarks>
/// Method: all buurt rings are noded together (OverlayNG unary union of their linework) and polygonized into faces, so
/// every face lies wholly inside or outside each buurt. Each face is owned by the buurten whose polygon covers its
/// interior point:
/// <list type="bullet">
/// <item>one buurt: the face stays with that buurt;</item>
/// <item>several buurten (an <b>overlap</b>; under <see cref="CoverageTolerances.MinOverlapM2"/> per pair of buurten
/// an <b>edge mismatch</b>): the face goes to the buurt with the <b>smallest CBS code</b> — the same
/// rule by which <c>AreaLocator</c> answers for a point claimed by several buurten, so routing does not change;</item>
/// <item>no buurt, inside the outer boundary (a <b>gap</b>): the face goes to the neighbouring buurt with the
/// <b>longest shared border</b> (ties: smallest code).</item>
/// </list>
/// An overlap is reported once per set of buurten that claim it (all its pieces); a gap once per hole. A defect larger than the
/// <see cref="CoverageTolerances"/> is refused and reported in <see cref="CoverageRepairResult.Refused"/>; the caller
/// must then write nothing. Each buurt is rebuilt as the coverage union of its faces, so neighbours share exactly
/// the same vertices along their common border (NetTopologySuite's <see cref="CoverageValidator"/> finds nothing) and
/// the union of the buurten has no holes. A buurt that already was clean keeps its area to the square millimetre.
/// </remarks>
public sealed class CoverageRepair(CoverageTolerances? tolerances = null)
{
    private readonly CoverageTolerances _tolerances = tolerances ?? CoverageTolerances.Default;

    public CoverageRepairResult Repair(IReadOnlyList<BuurtInput> buurten)
    {
        var first = RepairFaces(buurten);
        if (first.Refused.Count > 0) return first;
        // Second pass: narrow notches between two buurten at the outer edge (edges a hair apart that open to the outside,
        // so no hole): filled to the neighbour with the longest shared border, then the faces are rebuilt once more.
        var notches = Notches(first.Buurten);
        if (notches.Count == 0) return first;
        var tooLarge = notches.Where(n => n.AreaM2 > _tolerances.MaxGapM2 || n.WidthM > _tolerances.MaxWidthM).ToList();
        if (tooLarge.Count > 0) return first with { Refused = tooLarge.Select(n => n with { Kind = CoverageDefectKind.Gap }).ToList() };
        var filled = first.Buurten.ToArray();
        foreach (var n in notches)
        {
            var k = Array.FindIndex(filled, b => b.Code == n.AssignedTo);
            filled[k] = filled[k] with { Geometry = filled[k].Geometry.Union(n.Geometry) };
        }
        var second = RepairFaces(filled);
        return second with
        {
            Repairs = first.Repairs.Concat(notches).Concat(second.Repairs)
                .OrderBy(r => r.Kind).ThenBy(r => string.Join(",", r.Buurten), StringComparer.Ordinal).ThenBy(r => r.Location.X).ToList(),
        };
    }

    /// <summary>Edge mismatches at the outer edge: two buurten whose unmatched edges lie within
    /// <see cref="CoverageTolerances.NotchWidthM"/> of each other, with the sliver between them open to the outside.</summary>
    private List<CoverageDefect> Notches(IReadOnlyList<BuurtInput> buurten)
    {
        var geometries = buurten.Select(b => b.Geometry).ToArray();
        var invalid = CoverageValidator.Validate(geometries, _tolerances.NotchWidthM);
        var flagged = Enumerable.Range(0, buurten.Count).Where(i => invalid[i] is { IsEmpty: false }).ToList();
        if (flagged.Count == 0) return [];
        var union = NetTopologySuite.Coverage.CoverageUnion.Union(geometries);
        var notches = new List<CoverageDefect>();
        foreach (var i in flagged)
        foreach (var j in flagged.Where(j => j > i && invalid[i].IsWithinDistance(invalid[j], _tolerances.NotchWidthM)))
        {
            var sliver = invalid[i].Union(invalid[j]).ConvexHull().Difference(union);
            if (sliver.IsEmpty || sliver.Area <= 0) continue;
            var a = buurten[i].Geometry.Boundary.Intersection(sliver.Boundary).Length;
            var b = buurten[j].Geometry.Boundary.Intersection(sliver.Boundary).Length;
            var (first, second) = string.CompareOrdinal(buurten[i].Code, buurten[j].Code) < 0 ? (buurten[i], buurten[j]) : (buurten[j], buurten[i]);
            var owner = Math.Abs(a - b) < 1e-9 ? first.Code : (a > b ? buurten[i].Code : buurten[j].Code);
            notches.Add(new CoverageDefect(CoverageDefectKind.EdgeMismatch, [first.Code, second.Code], owner, sliver.Area,
                Width(sliver), Largest(sliver).InteriorPoint, sliver));
        }
        return notches;
    }

    private CoverageRepairResult RepairFaces(IReadOnlyList<BuurtInput> buurten)
    {
        var factory = buurten.Count > 0 ? buurten[0].Geometry.Factory : Transforms.RdNew.RdFactory;
        var ordered = buurten.Select((b, i) => (b, i)).OrderBy(t => t.b.Code, StringComparer.Ordinal).ToList();
        var locators = ordered.Select(t => new IndexedPointInAreaLocator(t.b.Geometry)).ToArray();
        var index = new STRtree<int>();
        for (var k = 0; k < ordered.Count; k++) index.Insert(ordered[k].b.Geometry.EnvelopeInternal, k);
        index.Build();

        // Node all rings together and cut the plane into faces.
        var rings = new List<Geometry>();
        foreach (var (b, _) in ordered) AddRings(b.Geometry, rings);
        var noded = OverlayNGRobust.Union(factory.BuildGeometry(rings));
        var polygonizer = new Polygonizer(extractOnlyPolygonal: false);
        polygonizer.Add(noded);
        var faces = polygonizer.GetPolygons().Cast<Polygon>().Where(f => f.Area > 0).ToList();

        // Owners of each face: the buurten that cover its interior point.
        var faceOwners = new List<int[]>(faces.Count);
        foreach (var f in faces)
        {
            // A buurt owns a face when it covers the face's interior point; for a sliver (under 1 m²), where the interior
            // point may lie within rounding distance of an edge, when it covers most of its area.
            var p = f.InteriorPoint.Coordinate;
            var sliver = f.Area <= 1;
            var owners = index.Query(f.EnvelopeInternal)
                .Where(k => sliver
                    ? ordered[k].b.Geometry.Intersection(f).Area > f.Area / 2
                    : locators[k].Locate(p) == Location.Interior)
                .Order().ToArray();
            faceOwners.Add(owners);
        }

        // A face covered by no buurt is a gap only if it is enclosed by the buurten (not the outside world); polygonize
        // yields bounded faces only, and a face owned by no one is bounded by buurt edges, so it is a hole in the union.
        var assigned = new List<Polygon>[ordered.Count];
        for (var k = 0; k < assigned.Length; k++) assigned[k] = [];
        var defects = new List<(CoverageDefectKind Kind, int[] Owners, Polygon Face)>();
        for (var i = 0; i < faces.Count; i++)
        {
            var owners = faceOwners[i];
            if (owners.Length == 1) assigned[owners[0]].Add(faces[i]);
            else defects.Add((owners.Length == 0 ? CoverageDefectKind.Gap : CoverageDefectKind.Overlap, owners, faces[i]));
        }

        // Group touching defect faces of the same kind and owners into one defect.
        var repairs = new List<CoverageDefect>();
        var boundaries = new Dictionary<int, IndexedFacetDistance>();
        var refused = new List<CoverageDefect>();
        foreach (var group in defects.GroupBy(d => (d.Kind, string.Join(",", d.Owners))))
        {
            var parts = group.Select(d => (Geometry)d.Face).ToArray();
            var merged = NetTopologySuite.Coverage.CoverageUnion.Union(parts);
            // An overlap is reported per set of buurten (all its pieces); a gap per hole.
            var pieces = group.Key.Kind == CoverageDefectKind.Overlap
                ? [merged]
                : Enumerable.Range(0, merged.NumGeometries).Select(n => merged.GetGeometryN(n)).ToArray();
            foreach (var piece in pieces)
            {
                var kind = group.Key.Kind == CoverageDefectKind.Overlap && piece.Area < _tolerances.MinOverlapM2
                    ? CoverageDefectKind.EdgeMismatch
                    : group.Key.Kind;
                int[] involved;
                int owner;
                if (kind != CoverageDefectKind.Gap)
                {
                    involved = group.First().Owners;
                    owner = involved.Min();
                }
                else
                {
                    var shared = SharedBorders(piece, ordered, index, boundaries);
                    involved = shared.Keys.Order().ToArray();
                    // the longest shared border; ties to the smallest code (the keys are in code order)
                    owner = involved.Length == 0 ? -1 : involved.MaxBy(k => Math.Round(shared[k], 6));
                }
                var width = Width(piece);
                var defect = new CoverageDefect(kind, involved.Select(k => ordered[k].b.Code).ToList(),
                    owner >= 0 ? ordered[owner].b.Code : "", piece.Area, width, Largest(piece).InteriorPoint, piece);
                var tooLarge = owner < 0
                    || width > _tolerances.MaxWidthM
                    || piece.Area > (kind == CoverageDefectKind.Overlap ? _tolerances.MaxOverlapM2 : _tolerances.MaxGapM2);
                if (tooLarge) { refused.Add(defect); continue; }
                repairs.Add(defect);
                // assign the faces of this piece to the owner
                foreach (var d in group)
                    if (piece.Covers(d.Face.InteriorPoint)) assigned[owner].Add(d.Face);
            }
        }

        var result = new BuurtInput[ordered.Count];
        for (var k = 0; k < ordered.Count; k++)
        {
            var (b, original) = ordered[k];
            // Every buurt is rebuilt from its faces, so neighbours share the noded vertices of their common border.
            var g = NetTopologySuite.Coverage.CoverageUnion.Union(assigned[k].Cast<Geometry>().ToArray());
            result[original] = b with { Geometry = g };
        }
        var sortedRepairs = repairs.OrderBy(r => r.Kind).ThenBy(r => string.Join(",", r.Buurten), StringComparer.Ordinal)
            .ThenBy(r => r.Location.X).ToList();
        return new CoverageRepairResult(result, sortedRepairs, refused);
    }

    /// <summary>
    /// The buurten around a gap, each with the length of the gap's border it shares: a border segment of the gap belongs
    /// to the buurt whose boundary it lies on (its midpoint within a micrometre; the faces come from the buurten's own
    /// noded edges).
    /// </summary>
    private static Dictionary<int, double> SharedBorders(Geometry gap, List<(BuurtInput b, int i)> ordered, STRtree<int> index,
        Dictionary<int, IndexedFacetDistance> boundaries)
    {
        var env = gap.EnvelopeInternal.Copy();
        env.ExpandBy(0.001);
        var candidates = index.Query(env).Order().ToList();
        var shared = new Dictionary<int, double>();
        var ring = gap.Boundary.Coordinates;
        for (var i = 1; i < ring.Length; i++)
        {
            var mid = new Coordinate((ring[i - 1].X + ring[i].X) / 2, (ring[i - 1].Y + ring[i].Y) / 2);
            var midPoint = gap.Factory.CreatePoint(mid);
            foreach (var k in candidates)
            {
                if (!boundaries.TryGetValue(k, out var facets))
                    boundaries[k] = facets = new IndexedFacetDistance(ordered[k].b.Geometry.Boundary);
                if (facets.Distance(midPoint) > 1e-6) continue;
                shared[k] = shared.GetValueOrDefault(k) + ring[i - 1].Distance(ring[i]);
            }
        }
        return shared;
    }

    /// <summary>
    /// How wide a defect is: for each of its polygons the width of the rectangle with the same area and perimeter
    /// (exact for strips and squares, the diameter for a disc), the largest of them.
    /// </summary>
    public static double Width(Geometry g) => Enumerable.Range(0, g.NumGeometries).Max(i =>
    {
        var p = g.GetGeometryN(i);
        double area = p.Area, perimeter = p.Length;
        var d = perimeter * perimeter - 16 * area;
        return d <= 0 ? perimeter / 4 : (perimeter - Math.Sqrt(d)) / 4;
    });

    private static Geometry Largest(Geometry g) =>
        Enumerable.Range(0, g.NumGeometries).Select(g.GetGeometryN).MaxBy(p => p.Area)!;

    private static void AddRings(Geometry g, List<Geometry> rings)
    {
        for (var i = 0; i < g.NumGeometries; i++)
        {
            if (g.GetGeometryN(i) is not Polygon p) continue;
            rings.Add(g.Factory.CreateLineString(p.ExteriorRing.CoordinateSequence));
            for (var h = 0; h < p.NumInteriorRings; h++) rings.Add(g.Factory.CreateLineString(p.GetInteriorRingN(h).CoordinateSequence));
        }
    }
}
