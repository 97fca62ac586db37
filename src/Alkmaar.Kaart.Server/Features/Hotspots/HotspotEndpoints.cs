using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Server.Features.Hotspots;

/// <summary>
/// <c>GET /api/hotspots?from=&amp;to=&amp;category=&amp;cellSize=&amp;crs=</c>: hotspots of meldingen (Gi*, FDR) as GeoJSON polygons,
/// ranked, each with the gebied and gebiedsteam responsible. Public: a hotspot is a union of ≥ 25 m cells with counts,
/// never a single melding.
/// </summary>
public static class HotspotEndpoints
{
    public static WebApplicationBuilder AddHotspots(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<HotspotSettings>(HotspotSettings.Section);
        builder.Services.AddSingleton<HotspotService>();
        return builder;
    }

    public static void MapHotspots(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/hotspots", GetAsync).WithTags("Hotspots").AllowAnonymous()
            .WithSummary("Hotspots of meldingen (Getis-Ord Gi*, Benjamini-Hochberg), ranked, with gebied and team.");

    /// <summary>Reads the query; a Dutch message and the parameter when refused.</summary>
    public static (HotspotQuery? Query, string? Error, string? Parameter) Parse(HotspotService service, IOptions<MeldingOptions> meldingen,
        DisclosureControl release, string? from, string? to, string? category, string? cellSize)
    {
        DateOnly? f = null, t = null;
        if (!string.IsNullOrEmpty(from)) { if (DateOnly.TryParseExact(from, "yyyy-MM-dd", out var d)) f = d; else return (null, "Ongeldige begindatum (jjjj-mm-dd).", "from"); }
        if (!string.IsNullOrEmpty(to)) { if (DateOnly.TryParseExact(to, "yyyy-MM-dd", out var d)) t = d; else return (null, "Ongeldige einddatum (jjjj-mm-dd).", "to"); }
        if (f > t) return (null, "De begindatum ligt na de einddatum.", "from");
        // the release rule: whole days up to yesterday, at least the minimum period, never finer than the generalisation grid
        var (_, last, notReleased) = release.Days(f, t);
        if (notReleased is not null) return (null, notReleased, "from");
        t = last;
        var cat = string.IsNullOrEmpty(category) ? null : category.ToLowerInvariant();
        if (cat is not null && !meldingen.Value.Categories.Contains(cat)) return (null, $"Onbekende categorie; kies uit {string.Join(", ", meldingen.Value.Categories)}.", "category");
        var size = service.Options.DefaultCellSize;
        if (!string.IsNullOrEmpty(cellSize) && (!double.TryParse(cellSize, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out size)
            || !double.IsFinite(size) || size < meldingen.Value.GeneralisationGridMetres || size > 1000))
            return (null, $"De celgrootte is {meldingen.Value.GeneralisationGridMetres} tot 1000 meter (niet fijner dan het openbare raster).", "cellSize");
        // counted on cells of the generalisation grid: the analysis grid is a whole multiple of it
        var grid = meldingen.Value.GeneralisationGridMetres;
        return (new HotspotQuery(f, t, cat, Math.Max(1, Math.Round(size / grid)) * grid), null, null);
    }

    private static async Task GetAsync(HttpContext http, HotspotService service, IOptions<MeldingOptions> meldingen, DisclosureControl release,
        IOptions<MapOptions> map, string? from, string? to, string? category, string? cellSize, CrsParameter crs, CancellationToken ct)
    {
        var (query, error, parameter) = Parse(service, meldingen, release, from, to, category, cellSize);
        var target = crs.Value;
        if (error is not null)
        {
            await Problems.BadRequest("Ongeldige vraag", error, parameter).ExecuteAsync(http);
            return;
        }
        var analysis = await service.AnalyseAsync(query!, ct);
        if (analysis is null)
        {
            await Problems.NoBoundaries().ExecuteAsync(http);
            return;
        }
        GeoJsonResponse.Start(http.Response, target);
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, target);
        writer.WriteStart([new("attribution", map.Value.DataAttribution), new("demo", analysis.Demo), new("meldingen", analysis.Meldingen),
            new("cellSize", query!.CellSize), new("studyCells", analysis.StudyCells), new("fdrAlpha", service.Options.Alpha)]);
        foreach (var h in analysis.Hotspots)
        {
            var label = h.Hotspot.Polygon.InteriorPoint;
            await writer.WriteFeatureAsync(new Feature(h.Hotspot.Polygon, GeoJsonFeatureCollectionWriter.Attributes(h.Id,
                ("code", h.Id), ("level", "hotspot"), ("name", $"Hotspot {h.Rank}: {string.Join(", ", h.Hotspot.TopCategories.Select(c => c.Category))}"),
                ("rank", h.Rank), ("count", h.Hotspot.Count), ("cells", h.Hotspot.Cells), ("maxZ", Math.Round(h.Hotspot.MaxZ, 2)),
                ("confidence", h.Hotspot.Confidence), ("topCategories", h.Hotspot.TopCategories.Select(c => new { category = c.Category, count = c.Count }).ToList()),
                ("gebiedCode", h.GebiedCode), ("gebied", h.GebiedName), ("gebiedsteam", h.Gebiedsteam), ("demo", analysis.Demo),
                ("shared", h.Shared), ("shares", h.Shares.Select(x => new { gebied = x.Gebied, name = x.Name, share = Math.Round(x.Share, 2) }).ToList()), // shares, no small counts
                ("labelPoint", GeoJsonFeatureCollectionWriter.Position(label, target)))), ct);
        }
        await writer.WriteEndAsync([new("numberReturned", writer.Count)], ct);
    }
}
