using System.ComponentModel.DataAnnotations;
using Alkmaar.Kaart.Geo.Hotspots;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Hotspots;

/// <summary>Hotspot settings (section <c>Hotspots</c>); the analysis itself takes <see cref="HotspotOptions"/>.</summary>
public sealed class HotspotSettings
{
    public const string Section = "Hotspots";
    [Range(25, 1000)] public double DefaultCellSize { get; set; } = 100;
    [Range(0.001, 0.2)] public double Alpha { get; set; } = 0.05;
    [Range(0, 3600)] public int CacheSeconds { get; set; } = 60;

    /// <summary>
    /// The fewest meldingen a hotspot is made of (and that a cell's neighbourhood must hold before it is tested); never
    /// below <see cref="Meldingen.MeldingOptions.PublicMinimumCount"/>, whatever is configured.
    /// </summary>
    [Range(1, 10_000)] public int MinimumCount { get; set; } = 10;
}

/// <summary>What a hotspot map asks for: a period (open ends null), a category, a cell size.</summary>
public sealed record HotspotQuery(DateOnly? From, DateOnly? To, string? Category, double CellSize);

/// <summary>A hotspot with its rank and the gebied (and team) its centre lies in; <see cref="Shares"/>: every gebied its
/// meldingen lie in, with their count and share (by the centre of each of its cells), largest first.</summary>
public sealed record RankedHotspot(int Rank, string Id, Hotspot Hotspot, string? GebiedCode, string? GebiedName, string? Gebiedsteam)
{
    public IReadOnlyList<HotspotShare> Shares { get; init; } = [];

    /// <summary>A hotspot across a team border: one hotspot, on the list of every team involved.</summary>
    public bool Shared => Shares.Count > 1;

    /// <summary>Whether gebied <paramref name="gebied"/> has part of this hotspot.</summary>
    public bool Involves(string gebied) => GebiedCode == gebied || Shares.Any(s => s.Gebied == gebied);
}

/// <summary>The part of a hotspot's meldingen that lies in one gebied.</summary>
public sealed record HotspotShare(string Gebied, string Name, int Count, double Share);

public sealed record HotspotAnalysis(HotspotQuery Query, IReadOnlyList<RankedHotspot> Hotspots, int Meldingen, int StudyCells, double PThreshold, bool Demo);

/// <summary>
/// Runs <see cref="GiStar"/> on the meldingen counted per cell in PostGIS (<see cref="Meldingen.MeldingCells"/>; filtered by
/// period and category; the cell size a multiple of the generalisation grid) over the gemeente, and gives
/// each hotspot the gebied and gebiedsteam responsible (where its centre lies). Results are cached briefly per query.
/// </summary>
public sealed class HotspotService(NpgsqlDataSource db, AreaLocatorProvider routing, IMemoryCache cache, IOptions<HotspotSettings> options,
    Meldingen.MeldingCells cells, IOptions<Meldingen.MeldingOptions> meldingen)
{
    public HotspotSettings Options => options.Value;

    /// <summary>The fewest meldingen of a hotspot: the configured minimum, at least the public disclosure minimum.</summary>
    public int MinimumCount => Math.Max(options.Value.MinimumCount, meldingen.Value.PublicMinimumCount);

    public async Task<HotspotAnalysis?> AnalyseAsync(HotspotQuery q, CancellationToken ct = default)
    {
        var key = ("hotspots", q);
        if (cache.TryGetValue(key, out HotspotAnalysis? cached)) return cached;
        var snapshot = await routing.GetAsync(ct);
        if (snapshot is null) return null;
        Geometry? gemeente;
        await using (var cmd = db.CreateCommand("SELECT geom FROM area_in_force WHERE level = 'gemeente' LIMIT 1"))
            gemeente = await cmd.ExecuteScalarAsync(ct) as Geometry;
        if (gemeente is null) return null;

        // counts kept per cell (MeldingCells), never the meldingen one by one: totals for the statistic, then the
        // categories of the hotspots' own cells for their top categories
        var counts = await cells.TotalsOnGridAsync(q.From, q.To, q.Category, q.CellSize, ct);
        var s = counts.CellSize;
        var result = GiStar.Compute(counts.X, counts.Y, new int[counts.X.Length], counts.Count, ["alle"], gemeente, new HotspotOptions(s, Options.Alpha, MinimumCount));
        var members = result.Hotspots.Select(h => h.CellIndices).ToList();
        var perCell = await cells.CategoriesInCellsAsync(q.From, q.To, q.Category, s, members.SelectMany(m => m).ToList(), ct);
        var found = result.Hotspots.Select((h, k) => h with
        {
            TopCategories = members[k].SelectMany(c => perCell.GetValueOrDefault(c) ?? []).GroupBy(kv => kv.Key, kv => kv.Value)
                .Select(g => (Category: g.Key, Count: g.Sum())).OrderByDescending(t => t.Count).ThenBy(t => t.Category, StringComparer.Ordinal).Take(3).ToList(),
        }).ToList();
        // Gi* ran once over the whole gemeente (cells outside it are no data, not zeros); a hotspot across a team border
        // stays one, and says how its meldingen divide over the gebieden (by the centre of each of its cells)
        var cellCounts = result.Cells.ToDictionary(c => (c.I, c.J), c => c.Count);
        var ranked = found.Select((h, i) =>
        {
            var c = h.Polygon.InteriorPoint;
            var at = snapshot.Locator.Locate(c.X, c.Y);
            var perGebied = h.CellIndices.Select(ij =>
                {
                    var gebied = snapshot.Locator.Locate((ij.I + 0.5) * s, (ij.J + 0.5) * s).Gebied;
                    return (gebied, count: cellCounts.GetValueOrDefault(ij));
                })
                .Where(t => t.gebied is not null && t.count > 0)
                .GroupBy(t => t.gebied!.Code).Select(g => (g.First().gebied!, Count: g.Sum(t => t.count))).ToList();
            var total = Math.Max(1, perGebied.Sum(t => t.Count));
            return new RankedHotspot(i + 1, $"hotspot-{i + 1}", h, at.Gebied?.Code, at.Gebied?.Name, snapshot.TeamOf(at))
            {
                Shares = perGebied.OrderByDescending(t => t.Count).ThenBy(t => t.Item1.Code, StringComparer.Ordinal)
                    .Select(t => new HotspotShare(t.Item1.Code, t.Item1.Name, t.Count, Math.Round((double)t.Count / total, 3))).ToList(),
            };
        }).ToList();
        var analysis = new HotspotAnalysis(q, ranked, counts.Total, result.StudyCells, result.PThreshold, counts.Demo);
        if (Options.CacheSeconds > 0) cache.Set(key, analysis, TimeSpan.FromSeconds(Options.CacheSeconds)); // 0: no cache
        return analysis;
    }
}
