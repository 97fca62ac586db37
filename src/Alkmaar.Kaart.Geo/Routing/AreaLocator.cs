using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Distance;

namespace Alkmaar.Kaart.Geo.Routing;

/// <summary>How a point relates to the gemeente.</summary>
public enum LocationKind
{
    /// <summary>Inside or on the boundary of a buurt.</summary>
    Inside,
    /// <summary>Outside every buurt but within the tolerance: routed to the nearest buurt (<see cref="AreaLocation.DistanceM"/> says how far).</summary>
    NearGemeente,
    /// <summary>Further out: "buiten gemeente …"; <see cref="AreaLocation.Municipality"/> names where it lies, when known.</summary>
    Outside,
}

/// <summary>A municipality polygon (RD New), used to tell a resident outside the gemeente where to go.</summary>
public sealed record Municipality(string Code, string Name, Geometry Geometry);

/// <summary>The answer for one point. Areas are null where none applies (no dorp in the city, nothing outside).</summary>
public sealed record AreaLocation(
    LocationKind Kind, Area? Buurt, Area? Wijk, Area? Gebied, Area? Dorp, Area? Gemeente, double DistanceM, Municipality? Municipality);

/// <summary>
/// Finds the buurt, wijk, gebied, dorp and gemeente of a point in RD New, on an immutable snapshot of the areas in force.
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item>The buurt is the one whose closed polygon covers the point (interior or boundary). A point on a border shared
/// by several buurten belongs to the one with the <b>smallest CBS code</b> (ordinal). PostGIS reproduces this as
/// <c>WHERE ST_Covers(geom, p) ORDER BY code LIMIT 1</c>.</item>
/// <item>Wijk, gebied and gemeente are those of the chosen buurt (never located separately), so a point always gets one
/// consistent chain; the dorp is the buurt's dorp when it is one.</item>
/// <item>A point covered by no buurt but within <see cref="ToleranceM"/> metres of one (default 25 m, for geocoding and
/// GPS noise) goes to the nearest buurt, ties to the smallest code: <see cref="LocationKind.NearGemeente"/> with its distance.
/// PostGIS: <c>WHERE ST_DWithin(geom, p, 25) ORDER BY ST_Distance(geom, p), code LIMIT 1</c>.</item>
/// <item>Further out: <see cref="LocationKind.Outside"/>, naming the municipality (other than this gemeente) that covers
/// the point, if any is known.</item>
/// </list>
/// Instances are immutable and thread-safe; a new boundary version means a new instance, swapped in by its holder.
/// </remarks>
public sealed class AreaLocator
{
    private sealed record Entry(Area Buurt, IPointOnGeometryLocator Locator, Area? Wijk, Area? Gebied, Area? Dorp);

    private readonly STRtree<Entry> _index = new();
    private readonly STRtree<Municipality> _municipalities = new();
    private readonly Area? _gemeente;
    private readonly Dictionary<string, Area> _gebieden;

    public double ToleranceM { get; }
    public int BuurtCount { get; }

    /// <summary>An identifier of the boundary version the snapshot was built from (for stamping routed meldingen).</summary>
    public int VersionId { get; }

    public AreaLocator(IEnumerable<Area> areas, IEnumerable<Municipality>? municipalities = null, double toleranceM = 25, int versionId = 0)
    {
        ToleranceM = toleranceM;
        VersionId = versionId;
        var all = areas.ToList();
        var byCode = all.Where(a => a.Level is AreaLevel.Wijk or AreaLevel.Gebied).ToDictionary(a => (a.Level, a.Code));
        var dorpen = all.Where(a => a.Level == AreaLevel.Dorp).ToDictionary(a => a.Code);
        _gemeente = all.FirstOrDefault(a => a.Level == AreaLevel.Gemeente);
        _gebieden = all.Where(a => a.Level == AreaLevel.Gebied).ToDictionary(a => a.Code);

        // Insert in code order: the query result order then does not depend on the tree, and ties are broken by code below.
        foreach (var buurt in all.Where(a => a.Level == AreaLevel.Buurt).OrderBy(a => a.Code, StringComparer.Ordinal))
        {
            byCode.TryGetValue((AreaLevel.Wijk, buurt.ParentCode ?? ""), out var wijk);
            Area? gebied = null;
            if (wijk?.ParentCode is { } g) byCode.TryGetValue((AreaLevel.Gebied, g), out gebied);
            dorpen.TryGetValue(buurt.Code, out var dorp);
            _index.Insert(buurt.Geometry.EnvelopeInternal,
                new Entry(buurt, new IndexedPointInAreaLocator(buurt.Geometry), wijk, gebied, dorp));
            BuurtCount++;
        }
        _index.Build();

        foreach (var m in municipalities ?? [])
            if (_gemeente is null || m.Code != _gemeente.Code) _municipalities.Insert(m.Geometry.EnvelopeInternal, m);
        _municipalities.Build();
    }

    /// <summary>The gebieden of this snapshot, by code.</summary>
    public IEnumerable<Area> Gebieden => _gebieden.Values.OrderBy(g => g.Code, StringComparer.Ordinal);

    /// <summary>The gebied with this code in this snapshot, or null.</summary>
    public Area? Gebied(string? code) => code is not null && _gebieden.TryGetValue(code, out var g) ? g : null;

    /// <summary>Finds the covering buurt with the smallest code while the tree is walked; one per thread, reused.</summary>
    private sealed class CoveringVisitor : NetTopologySuite.Index.IItemVisitor<Entry>
    {
        public readonly Coordinate Point = new();
        public readonly Envelope Search = new();
        public Entry? Best;

        public void VisitItem(Entry e)
        {
            if (Best is not null && string.CompareOrdinal(e.Buurt.Code, Best.Buurt.Code) >= 0) return;
            if (e.Locator.Locate(Point) != Location.Exterior) Best = e;
        }
    }

    [ThreadStatic] private static CoveringVisitor? _visitor;

    /// <summary>Locates a point given in RD New metres.</summary>
    public AreaLocation Locate(double x, double y)
    {
        // The hot path allocates only its answer: the visitor, its coordinate and envelope are reused per thread.
        var v = _visitor ??= new CoveringVisitor();
        v.Point.X = x;
        v.Point.Y = y;
        v.Search.Init(x, x, y, y);
        v.Best = null;
        _index.Query(v.Search, v);
        var best = v.Best;
        v.Best = null;
        if (best is not null)
            return new AreaLocation(LocationKind.Inside, best.Buurt, best.Wijk, best.Gebied, best.Dorp, _gemeente, 0, null);

        var c = new Coordinate(x, y);

        var point = Transforms.RdNew.RdFactory.CreatePoint(c);
        var search = new Envelope(c);
        search.ExpandBy(ToleranceM);
        var nearest = double.MaxValue;
        foreach (var e in _index.Query(search))
        {
            var d = DistanceOp.Distance(e.Buurt.Geometry, point);
            if (d > ToleranceM) continue;
            if (d < nearest || (d == nearest && string.CompareOrdinal(e.Buurt.Code, best!.Buurt.Code) < 0))
            {
                nearest = d;
                best = e;
            }
        }
        if (best is not null)
            return new AreaLocation(LocationKind.NearGemeente, best.Buurt, best.Wijk, best.Gebied, best.Dorp, _gemeente, nearest, null);

        var municipality = _municipalities.Query(new Envelope(c))
            .Where(m => m.Geometry.Covers(point))
            .OrderBy(m => m.Code, StringComparer.Ordinal)
            .FirstOrDefault();
        return new AreaLocation(LocationKind.Outside, null, null, null, null, null, double.NaN, municipality);
    }
}
