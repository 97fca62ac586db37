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
    private sealed record Entry(Area Buurt, IPointOnGeometryLocator Locator, Area? Wijk, Area? Gebied, Area? Dorp)
    {
        /// <summary>Distance from outside to the buurt's edges, indexed (O(log n) per point instead of every edge).</summary>
        public IndexedFacetDistance Facets => _facets ??= new IndexedFacetDistance(Buurt.Geometry);
        private IndexedFacetDistance? _facets;
    }

    private sealed record MunicipalityEntry(Municipality Municipality, IPointOnGeometryLocator Locator);

    private readonly STRtree<Entry> _index = new();
    private readonly STRtree<MunicipalityEntry> _municipalities = new();
    private readonly List<Entry> _entries = [];
    private readonly List<MunicipalityEntry> _municipalityEntries = [];
    private readonly Lazy<AnswerGrid> _grid;
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
            var entry = new Entry(buurt, new IndexedPointInAreaLocator(buurt.Geometry), wijk, gebied, dorp);
            _index.Insert(buurt.Geometry.EnvelopeInternal, entry);
            _entries.Add(entry);
            BuurtCount++;
        }
        _index.Build();

        // municipalities: prepared (indexed) point-in-polygon, like the buurten
        foreach (var m in (municipalities ?? []).OrderBy(m => m.Code, StringComparer.Ordinal))
            if (_gemeente is null || m.Code != _gemeente.Code)
            {
                var entry = new MunicipalityEntry(m, new IndexedPointInAreaLocator(m.Geometry));
                _municipalities.Insert(m.Geometry.EnvelopeInternal, entry);
                _municipalityEntries.Add(entry);
            }
        _municipalities.Build();
        _grid = new Lazy<AnswerGrid>(() => AnswerGrid.Build(this, GridCellM), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Size (metres) of the cells of the answer grid (see <see cref="AnswerGrid"/>).</summary>
    public const double GridCellM = 50;

    /// <summary>Share of the grid's cells that answer without a point-in-polygon test (after the first lookup built it).</summary>
    public double GridResolvedShare => _grid.Value.ResolvedShare;

    /// <summary>Builds the answer grid now (the holder of a new snapshot does this before swapping it in, so that no
    /// request waits for it).</summary>
    public void Warm() => _ = _grid.Value;

    /// <summary>
    /// A uniform grid of 50 m cells over the buurten's extent (plus the tolerance): a cell whose closed square lies wholly in
    /// the interior of one buurt, or wholly outside the tolerance band and in the interior of one municipality (or of none),
    /// holds the answer every point in it gets. A cell on or near a border gets a second level of 10 × 10 sub-cells of 5 m,
    /// built the first time a point falls in it; only points in sub-cells that still touch a border take the exact path. The contract is
    /// unchanged: a (sub-)cell is only filled when every point of it has the same answer by the contract. The first level is
    /// built on first use, in parallel bands of rows.
    /// </summary>
    private sealed class AnswerGrid
    {
        /// <summary>Sub-cells per side of a border cell's second level (50 m → 5 m).</summary>
        public const int Sub = 10;

        public double MinX, MinY, Inv, Size;
        public int Nx, Ny;
        /// <summary>Per cell: &gt; 0 the answer (index + 1); 0 a border cell, whose sub-cells are built on first use.</summary>
        public int[] Cells = [];
        /// <summary>Per cell, once built: its Sub × Sub sub-cells (&gt; 0 the answer, 0 the exact path).</summary>
        public int[]?[] Blocks = [];
        public AreaLocation[] Answers = [];
        public double ResolvedShare;
        private Func<Envelope, int> _classify = _ => 0;

        /// <summary>The answer index + 1 of a point's cell or sub-cell, or 0 for the exact path.</summary>
        public int Find(double x, double y)
        {
            var fi = (x - MinX) * Inv;
            var fj = (y - MinY) * Inv;
            if (!(fi >= 0 && fj >= 0 && fi < Nx && fj < Ny)) return 0;
            var (i, j) = ((int)fi, (int)fj);
            var c = j * Nx + i;
            var v = Cells[c];
            if (v != 0) return v;
            var block = Blocks[c] ?? BuildBlock(c, i, j);
            var si = Math.Min(Sub - 1, (int)((fi - i) * Sub));
            var sj = Math.Min(Sub - 1, (int)((fj - j) * Sub));
            return block[sj * Sub + si];
        }

        private int[] BuildBlock(int c, int i, int j)
        {
            var block = new int[Sub * Sub];
            var s = Size / Sub;
            for (var sj = 0; sj < Sub; sj++)
            for (var si = 0; si < Sub; si++)
            {
                var x0 = MinX + i * Size + si * s - 0.001;
                var y0 = MinY + j * Size + sj * s - 0.001;
                block[sj * Sub + si] = _classify(new Envelope(x0, x0 + s + 0.002, y0, y0 + s + 0.002));
            }
            // several threads may build the same block: they compute the same answers, the first one stays
            return Interlocked.CompareExchange(ref Blocks[c], block, null) ?? block;
        }

        public static AnswerGrid Build(AreaLocator l, double size)
        {
            var g = new AnswerGrid();
            if (l._entries.Count == 0) return g;
            var extent = new Envelope();
            foreach (var e in l._entries) extent.ExpandToInclude(e.Buurt.Geometry.EnvelopeInternal);
            extent.ExpandBy(l.ToleranceM + size);
            g.Size = size;
            g.MinX = Math.Floor(extent.MinX / size) * size;
            g.MinY = Math.Floor(extent.MinY / size) * size;
            g.Inv = 1 / size;
            g.Nx = (int)Math.Ceiling((extent.MaxX - g.MinX) / size);
            g.Ny = (int)Math.Ceiling((extent.MaxY - g.MinY) / size);
            g.Cells = new int[g.Nx * g.Ny];
            g.Blocks = new int[]?[g.Cells.Length];

            // answers: one per buurt (inside), one per municipality and one for "no known municipality" (outside)
            var answers = l._entries.Select(e => new AreaLocation(LocationKind.Inside, e.Buurt, e.Wijk, e.Gebied, e.Dorp, l._gemeente, 0, null)).ToList();
            var firstOutside = answers.Count;
            answers.AddRange(l._municipalityEntries.Select(m => new AreaLocation(LocationKind.Outside, null, null, null, null, null, double.NaN, m.Municipality)));
            var noMunicipality = answers.Count;
            answers.Add(new AreaLocation(LocationKind.Outside, null, null, null, null, null, double.NaN, null));
            g.Answers = [.. answers];

            var factory = Transforms.RdNew.RdFactory;
            var prepared = l._entries.Select(e => NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(e.Buurt.Geometry)).ToArray();
            var band = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(
                // a metre more than the tolerance: the buffer's arcs are chords, up to half a metre inside the true distance
                NetTopologySuite.Operation.Union.CascadedPolygonUnion.Union(l._entries.Select(e => e.Buurt.Geometry).ToArray()).Buffer(l.ToleranceM + 1));
            var municipalities = l._municipalityEntries.Select(m => NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(m.Municipality.Geometry)).ToArray();
            var buurtIndex = new STRtree<int>();
            for (var k = 0; k < l._entries.Count; k++) buurtIndex.Insert(l._entries[k].Buurt.Geometry.EnvelopeInternal, k);
            buurtIndex.Build();
            var municipalityIndex = new STRtree<int>();
            for (var k = 0; k < municipalities.Length; k++) municipalityIndex.Insert(l._municipalityEntries[k].Municipality.Geometry.EnvelopeInternal, k);
            municipalityIndex.Build();

            // The answer every point of a closed square gets (index + 1), or 0 when they may differ. The square is a
            // millimetre larger than the cell: a point computed into a cell by rounding still has its answer.
            g._classify = env =>
            {
                var cell = factory.ToGeometry(env);
                foreach (var k in buurtIndex.Query(env))
                    if (prepared[k].ContainsProperly(cell)) return k + 1;
                if (band.Intersects(cell)) return 0;
                var candidates = municipalityIndex.Query(env);
                var inside = candidates.FirstOrDefault(k => municipalities[k].ContainsProperly(cell), -1);
                if (inside >= 0) return firstOutside + inside + 1;
                return candidates.All(k => !municipalities[k].Intersects(cell)) ? noMunicipality + 1 : 0;
            };

            var resolved = 0;
            Parallel.For(0, g.Ny, j =>
            {
                var local = 0;
                for (var i = 0; i < g.Nx; i++)
                {
                    var x0 = g.MinX + i * size - 0.001;
                    var y0 = g.MinY + j * size - 0.001;
                    var value = g._classify(new Envelope(x0, x0 + size + 0.002, y0, y0 + size + 0.002));
                    g.Cells[j * g.Nx + i] = value;
                    if (value != 0) local++;
                }
                Interlocked.Add(ref resolved, local);
            });
            g.ResolvedShare = (double)resolved / g.Cells.Length;
            return g;
        }
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
        // Fast path: the answer grid (cells wholly inside one buurt, or wholly outside), no point-in-polygon test.
        var g = _grid.Value;
        var v = g.Find(x, y);
        return v != 0 ? g.Answers[v - 1] : LocateExact(x, y);
    }

    /// <summary>The exact path (the contract, by point-in-polygon): for points on or near a border, and for testing.</summary>
    public AreaLocation LocateExact(double x, double y)
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
            // the point is outside every buurt here, so the distance to the buurt is the distance to its edges
            var d = e.Facets.Distance(point);
            if (d > ToleranceM) continue;
            if (d < nearest || (d == nearest && string.CompareOrdinal(e.Buurt.Code, best!.Buurt.Code) < 0))
            {
                nearest = d;
                best = e;
            }
        }
        if (best is not null)
            return new AreaLocation(LocationKind.NearGemeente, best.Buurt, best.Wijk, best.Gebied, best.Dorp, _gemeente, nearest, null);

        // prepared point-in-polygon; inserted in code order, so the first that covers the point has the smallest code
        Municipality? municipality = null;
        foreach (var m in _municipalities.Query(new Envelope(c)))
            if (m.Locator.Locate(c) != Location.Exterior
                && (municipality is null || string.CompareOrdinal(m.Municipality.Code, municipality.Code) < 0))
                municipality = m.Municipality;
        return new AreaLocation(LocationKind.Outside, null, null, null, null, null, double.NaN, municipality);
    }
}
