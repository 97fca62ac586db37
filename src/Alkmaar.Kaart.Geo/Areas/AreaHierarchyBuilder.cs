using Alkmaar.Kaart.Geo.Coverage;
using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;

namespace Alkmaar.Kaart.Geo.Areas;

/// <summary>A problem found while validating boundaries; <see cref="Code"/> names the offending area(s).</summary>
public sealed record BoundaryProblem(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>The derived gebiedsindeling: every area of every level, and the repairs made to the buurten on the way.</summary>
public sealed record AreaHierarchy(IReadOnlyList<Area> Areas)
{
    /// <summary>The small coverage defects of the input that were repaired (<see cref="CoverageRepair"/>).</summary>
    public IReadOnlyList<CoverageDefect> Repairs { get; init; } = [];

    public IEnumerable<Area> OfLevel(AreaLevel level) => Areas.Where(a => a.Level == level);
}

/// <summary>Thrown when boundaries fail validation; nothing derived from them may be stored.</summary>
public sealed class BoundaryValidationException(IReadOnlyList<BoundaryProblem> problems)
    : Exception("De grenzen zijn afgewezen:\n" + string.Join("\n", problems.Select(p => "  " + p)))
{
    public IReadOnlyList<BoundaryProblem> Problems { get; } = problems;
}

/// <summary>
/// Derives the whole gebiedsindeling from CBS buurten and a <see cref="Gebiedsindeling"/>:
/// wijken are the union of their buurten (the CBS code says which), gebieden the union of their wijken
/// (the configuration says which), the gemeente the union of all buurten; the buurten of the configured
/// landelijke wijken are also dorpen.
/// </summary>
/// <remarks>
/// Before deriving anything every buurt must be a valid, non-empty (multi)polygon with a well-formed code of the
/// configured gemeente, codes unique. Small coverage defects (overlaps, gaps, vertices not shared by neighbours) within
/// <see cref="Tolerances"/> are then repaired by <see cref="CoverageRepair"/>, larger ones refused; the repaired buurten
/// are validated as a polygonal coverage: no two buurten overlapping,
/// no gaps narrower than <see cref="GapWidth"/> between them and no holes in the gemeente, and every wijk mapped to
/// exactly one gebied. Unions are exact coverage unions (NetTopologySuite.Coverage), so a derived area equals the
/// sum of its parts.
/// </remarks>
public sealed class AreaHierarchyBuilder(Gebiedsindeling indeling)
{
    /// <summary>Gaps between buurten narrower than this (metres) are reported; wider ones show up as gemeente holes.</summary>
    public double GapWidth { get; init; } = 1.0;

    /// <summary>Which coverage defects are repaired rather than refused.</summary>
    public CoverageTolerances Tolerances { get; init; } = CoverageTolerances.Default;

    /// <summary>Validates, repairs small coverage defects and derives; throws <see cref="BoundaryValidationException"/>
    /// listing every problem (with the defects too large to repair and their locations).</summary>
    public AreaHierarchy Build(IReadOnlyList<BuurtInput> buurten)
    {
        var problems = ValidateBuurten(buurten);
        if (problems.Count > 0) throw new BoundaryValidationException(problems);
        var repair = new CoverageRepair(Tolerances).Repair(buurten);
        if (repair.Refused.Count > 0)
            throw new BoundaryValidationException(repair.Refused.Select(d => d.Kind == CoverageDefectKind.Gap
                ? new BoundaryProblem(string.Join(",", d.Buurten),
                    $"gat van {d.AreaM2:0.#} m² tussen buurten, {d.WidthM:0.##} m breed, bij ({d.Location.X:0} {d.Location.Y:0}): groter dan de hersteltolerantie")
                : new BoundaryProblem(d.Buurten[0],
                    $"overlapt {string.Join(", ", d.Buurten.Skip(1))} over {d.AreaM2:0.#} m², {d.WidthM:0.##} m breed, bij ({d.Location.X:0} {d.Location.Y:0}): groter dan de hersteltolerantie")).ToList());
        var coverage = Validate(repair.Buurten);
        if (coverage.Count > 0) throw new BoundaryValidationException(coverage);
        return Derive(repair.Buurten) with { Repairs = repair.Repairs };
    }

    /// <summary>All problems with the buurten and the configuration; empty when they can be derived as they are.</summary>
    public IReadOnlyList<BoundaryProblem> Validate(IReadOnlyList<BuurtInput> buurten)
    {
        var problems = ValidateBuurten(buurten);
        return problems.Count > 0 ? problems : ValidateCoverage(buurten);
    }

    /// <summary>Problems of single buurten (code, geometry) and of the configuration, before any coverage check.</summary>
    private List<BoundaryProblem> ValidateBuurten(IReadOnlyList<BuurtInput> buurten)
    {
        var problems = new List<BoundaryProblem>();
        if (buurten.Count == 0)
        {
            problems.Add(new(indeling.Gemeente.Code, "het bestand heeft geen buurten"));
            return problems;
        }

        var gemeenteDigits = indeling.Gemeente.Code[2..];
        foreach (var dup in buurten.GroupBy(b => b.Code).Where(g => g.Count() > 1))
            problems.Add(new(dup.Key, $"buurtcode komt {dup.Count()} keer voor"));

        foreach (var b in buurten)
        {
            if (!CbsCode.IsBuurt(b.Code))
            {
                problems.Add(new(b.Code, "geen CBS-buurtcode (BUggggwwbb)"));
                continue;
            }
            if (CbsCode.GemeenteOf(b.Code) != indeling.Gemeente.Code)
                problems.Add(new(b.Code, $"buurt ligt niet in gemeente {indeling.Gemeente.Code} ({gemeenteDigits})"));
            if (b.Geometry is not (Polygon or MultiPolygon) || b.Geometry.IsEmpty)
            {
                problems.Add(new(b.Code, $"geometrie is een niet-leeg Polygon of MultiPolygon, geen {b.Geometry.GeometryType}"));
                continue;
            }
            var validity = new IsValidOp(b.Geometry).ValidationError;
            if (validity is not null)
                problems.Add(new(b.Code, $"ongeldige geometrie: {validity.Message} bij ({validity.Coordinate?.X:0.###} {validity.Coordinate?.Y:0.###})"));
        }

        var wellFormed = buurten.Where(b => CbsCode.IsBuurt(b.Code)).ToList();
        foreach (var wijk in wellFormed.Select(b => indeling.WijkOf(b.Code)).Distinct().Order())
        {
            var gebieden = indeling.Gebieden.Where(g => g.Wijken.Contains(wijk)).Select(g => g.Name).ToList();
            if (gebieden.Count != 1)
                problems.Add(new(wijk, gebieden.Count == 0
                    ? "wijk is in de gebiedsindeling niet ingedeeld bij een gebied"
                    : $"wijk is ingedeeld bij {gebieden.Count} gebieden: {string.Join(", ", gebieden)}"));
            if (!indeling.Wijken.ContainsKey(wijk))
                problems.Add(new(wijk, "wijk heeft geen naam in de gebiedsindeling"));
        }
        var presentWijken = wellFormed.Select(b => indeling.WijkOf(b.Code)).ToHashSet();
        foreach (var wijk in indeling.Gebieden.SelectMany(g => g.Wijken).Where(w => !presentWijken.Contains(w)).Distinct())
            problems.Add(new(wijk, "wijk uit de gebiedsindeling heeft geen buurten in het bestand"));

        return problems;
    }

    /// <summary>Problems of the buurten as a polygonal coverage: overlaps, unmatched edges, narrow gaps, holes.</summary>
    private List<BoundaryProblem> ValidateCoverage(IReadOnlyList<BuurtInput> buurten)
    {
        var problems = new List<BoundaryProblem>();
        var wellFormed = buurten.Where(b => CbsCode.IsBuurt(b.Code)).ToList();
        var geometries = wellFormed.Select(b => b.Geometry).ToArray();
        var invalidEdges = CoverageValidator.Validate(geometries, GapWidth);
        for (var i = 0; i < invalidEdges.Length; i++)
        {
            if (invalidEdges[i] is { IsEmpty: false } edge)
            {
                var c = edge.Coordinate;
                var overlapping = wellFormed.Where((o, j) => j != i && o.Geometry.Relate(geometries[i], "2********"))
                    .Select(o => o.Code).ToList();
                problems.Add(new(wellFormed[i].Code, overlapping.Count > 0
                    ? $"overlapt {string.Join(", ", overlapping)} bij ({c.X:0.###} {c.Y:0.###})"
                    : $"rand sluit niet aan op de buren (gat of verschoven hoekpunt) bij ({c.X:0.###} {c.Y:0.###})"));
            }
        }
        if (problems.Count > 0) return problems;

        var gemeente = CoverageUnion.Union(geometries);
        foreach (var polygon in Polygons(gemeente))
        {
            for (var h = 0; h < polygon.NumInteriorRings; h++)
            {
                var hole = polygon.GetInteriorRingN(h);
                var around = wellFormed.Where(b => b.Geometry.Intersects(hole)).Select(b => b.Code).ToList();
                var p = hole.Factory.CreatePolygon(hole.Coordinates);
                problems.Add(new(string.Join(",", around),
                    $"gat van {p.Area:0.#} m² tussen buurten bij ({p.InteriorPoint.X:0} {p.InteriorPoint.Y:0})"));
            }
        }
        return problems;
    }

    private AreaHierarchy Derive(IReadOnlyList<BuurtInput> buurten)
    {
        var areas = new List<Area>();
        var gemeenteCode = indeling.Gemeente.Code;
        var buurtAreas = buurten.OrderBy(b => b.Code)
            .Select(b => new Area(AreaLevel.Buurt, b.Code, b.Name.Trim(), indeling.WijkOf(b.Code), AsMulti(b.Geometry)))
            .ToList();

        var wijkAreas = buurtAreas.GroupBy(b => b.ParentCode!).OrderBy(g => g.Key)
            .Select(g => new Area(AreaLevel.Wijk, g.Key, indeling.Wijken[g.Key], indeling.GebiedOfWijk(g.Key)!.Code,
                Union(g.Select(b => b.Geometry))))
            .ToList();

        var gebiedAreas = indeling.Gebieden
            .Select(g => new Area(AreaLevel.Gebied, g.Code, g.Name, gemeenteCode,
                Union(wijkAreas.Where(w => g.Wijken.Contains(w.Code)).Select(w => w.Geometry))))
            .ToList();

        var gemeente = new Area(AreaLevel.Gemeente, gemeenteCode, indeling.Gemeente.Name, null,
            Union(buurtAreas.Select(b => b.Geometry)));

        var dorpen = buurtAreas.Where(b => indeling.DorpenInWijken.Contains(b.ParentCode!))
            .Select(b => b with { Level = AreaLevel.Dorp });

        areas.Add(gemeente);
        areas.AddRange(gebiedAreas);
        areas.AddRange(wijkAreas);
        areas.AddRange(buurtAreas);
        areas.AddRange(dorpen);
        return new AreaHierarchy(areas);
    }

    private static MultiPolygon Union(IEnumerable<Geometry> parts) => AsMulti(CoverageUnion.Union(parts.ToArray()));

    /// <summary>A polygonal geometry as a MultiPolygon in RD (SRID 28992).</summary>
    public static MultiPolygon AsMulti(Geometry g)
    {
        var factory = Transforms.RdNew.RdFactory;
        return g switch
        {
            MultiPolygon mp => (MultiPolygon)factory.CreateGeometry(mp),
            Polygon p => factory.CreateMultiPolygon([(Polygon)factory.CreateGeometry(p)]),
            _ => throw new ArgumentException($"Expected a polygonal geometry, got {g.GeometryType}."),
        };
    }

    private static IEnumerable<Polygon> Polygons(Geometry g)
    {
        for (var i = 0; i < g.NumGeometries; i++)
            if (g.GetGeometryN(i) is Polygon p) yield return p;
    }
}
