using System.Runtime.CompilerServices;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Hotspots;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>
/// The hotspots of meldingen (<see cref="HotspotService"/>) for the period asked (all meldingen without <c>datetime</c>),
/// ranked. Id: <c>hotspot-{rank}</c> of all meldingen.
/// </summary>
public sealed class HotspotsCollection() : OgcCollection("hotspots", "Hotspots van meldingen",
    "Hotspots van meldingen (Getis-Ord Gi* op een raster van 100 m, false discovery rate 5%) over de periode in datetime (hele dagen tot en met gisteren; zonder datetime alle meldingen tot en met gisteren), gerangschikt, met aantal, betrouwbaarheid, meest gemelde categorieën, gebied en gebiedsteam. Een hotspot telt altijd minstens het ingestelde minimum aantal meldingen. category beperkt de analyse tot één categorie.",
    OgcKind.Hotspots, "MultiPolygon", ["category", "gebiedCode"], "period",
    [
        new("rank", "integer", "Rang"), new("count", "integer", "Aantal meldingen"), new("cells", "integer", "Aantal vakken"), new("cellSize", "number", "Vakgrootte in m"),
        new("maxZ", "number", "Hoogste Gi*-z"), new("confidence", "number", "Betrouwbaarheid"), new("topCategories", "string", "Meest gemelde categorieën"),
        new("gebiedCode", "string", "Gebied"), new("gebied", "string", "Gebiedsnaam"), new("gebiedsteam", "string", "Gebiedsteam"), new("demo", "boolean", "DEMO-meldingen"),
    ])
{
    public override bool UnderReleaseRule => true;
    public override bool FiltersByCategory => true;
    public override (string From, string To) PeriodLabels => ("Meldingen vanaf", "Meldingen tot en met");

    /// <summary>The hotspots of the period in <paramref name="q"/> (whole days; all meldingen without one), filtered, in rank order.</summary>
    private static async Task<List<OgcFeature>> HotspotsAsync(OgcSources s, ItemsQuery q, CancellationToken ct)
    {
        DateOnly? from = q.From is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : null;
        DateOnly? to = q.To is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : null;
        var category = q.Filters.TryGetValue("category", out var cat) ? cat.ToLowerInvariant() : null;
        var analysis = await s.Hotspots.AnalyseAsync(new HotspotQuery(from, to, category, s.Hotspots.Options.DefaultCellSize), ct);
        if (analysis is null) return [];
        var gebied = q.Filters.TryGetValue("gebiedCode", out var g) ? g : null;
        var period = $"{from?.ToString("yyyy-MM-dd") ?? ".."}/{to?.ToString("yyyy-MM-dd") ?? ".."}";
        return analysis.Hotspots
            .Where(h => (q.Bbox is null || q.Bbox.Intersects(h.Hotspot.Polygon)) && (q.Within is null || q.Within.Intersects(h.Hotspot.Polygon))
                        && (gebied is null || h.GebiedCode == gebied))
            .Select(h => new OgcFeature(h.Id, h.Hotspot.Polygon is Polygon p ? RdNew.RdFactory.CreateMultiPolygon([p]) : h.Hotspot.Polygon,
            [
                ("rank", h.Rank), ("count", h.Hotspot.Count), ("cells", h.Hotspot.Cells), ("cellSize", analysis.Query.CellSize),
                ("maxZ", Math.Round(h.Hotspot.MaxZ, 2)), ("confidence", h.Hotspot.Confidence),
                ("topCategories", string.Join(", ", h.Hotspot.TopCategories.Select(c => c.Category))),
                ("category", category), ("period", period), ("gebiedCode", h.GebiedCode), ("gebied", h.GebiedName), ("gebiedsteam", h.Gebiedsteam),
                ("demo", analysis.Demo),
            ]))
            .ToList();
    }

    public override async Task<long?> CountAsync(OgcSources s, ItemsQuery q, CancellationToken ct) => (await HotspotsAsync(s, q, ct)).Count;

    public override async IAsyncEnumerable<OgcFeature> ItemsAsync(OgcSources s, ItemsQuery q, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var h in (await HotspotsAsync(s, q, ct)).Skip(q.Offset).Take(q.Limit)) yield return h;
    }

    public override async Task<OgcFeature?> GetAsync(OgcSources s, string id, CancellationToken ct) =>
        (await HotspotsAsync(s, ItemsQuery.All, ct)).FirstOrDefault(h => h.Id == id);

    public override async Task<OgcExtent> ExtentAsync(OgcSources s, CancellationToken ct)
    {
        var e = new Envelope();
        foreach (var h in await HotspotsAsync(s, ItemsQuery.All, ct)) e.ExpandToInclude(h.Geometry.EnvelopeInternal);
        return e.IsNull ? OgcExtent.Empty : new OgcExtent(e, null, null);
    }
}
