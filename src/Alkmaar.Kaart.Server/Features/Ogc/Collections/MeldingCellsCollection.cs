using System.Runtime.CompilerServices;
using Alkmaar.Kaart.Server.Features.Meldingen;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>
/// The public meldingen: counts per generalisation cell at the cell centre (<see cref="MeldingCells"/>, disclosure control
/// applied), never a single melding. Id: <c>cel-{i}-{j}</c>. Not counted (numberMatched only on the last page).
/// </summary>
public sealed class MeldingCellsCollection() : OgcCollection("meldingen", "Meldingen (gegeneraliseerd)",
    "Meldingen geteld per vak van het raster (RD), op het midden van het vak, met aantallen per categorie; vakken en categorieën onder het minimum zijn weggelaten, alleen hele dagen tot en met gisteren. demo = true waar gegenereerde DEMO-meldingen zijn geteld. Nooit één melding, tijdstip, tekst of persoon.",
    OgcKind.Cells, "Point", ["category"], "created",
    [new("count", "integer", "Aantal meldingen in het vak"), new("topCategory", "string", "Meest gemelde categorie"), new("demo", "boolean", "Telt DEMO-meldingen")])
{
    public override bool UnderReleaseRule => true;
    public override bool FiltersByCategory => true;
    public override IReadOnlyList<string> Statuses => Meldingen.MeldingService.Statuses;
    public override ItemsQuery WithStatus(ItemsQuery q, string status) => q with { Status = status };
    public override (string From, string To) PeriodLabels => ("Gemeld vanaf", "Gemeld tot en met");

    private static CellFilter Filter(ItemsQuery q) => new()
    {
        From = q.From, To = q.To, Category = q.Filters.TryGetValue("category", out var cat) ? cat.ToLowerInvariant() : null,
        Status = q.Status, Bbox = q.Bbox, Within = q.Within,
    };

    // null categories: disclosure control left only the total
    private static OgcFeature Feature(PublishedCell c) => new(c.Id, c.Centre,
        [("count", c.Count), ("categories", c.Categories), ("topCategory", c.Top), ("demo", c.Demo)]);

    public override Task<long?> CountAsync(OgcSources s, ItemsQuery q, CancellationToken ct) => Task.FromResult<long?>(null);

    public override async IAsyncEnumerable<OgcFeature> ItemsAsync(OgcSources s, ItemsQuery q, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var cell in s.Cells.ReadAsync(Filter(q), q.Limit, q.Offset, ct)) yield return Feature(cell);
    }

    public override async Task<OgcFeature?> GetAsync(OgcSources s, string id, CancellationToken ct)
    {
        var parts = id.Split('-');
        if (parts.Length != 3 || parts[0] != "cel" || !int.TryParse(parts[1], out var x) || !int.TryParse(parts[2], out var y)) return null;
        await foreach (var cell in s.Cells.ReadAsync(new CellFilter { Cell = (x, y) }, 1, 0, ct)) return Feature(cell);
        return null;
    }

    public override async Task<OgcExtent> ExtentAsync(OgcSources s, CancellationToken ct)
    {
        var (rd, start, end) = await s.Cells.ExtentAsync(ct);
        return new OgcExtent(rd, start, end);
    }
}
