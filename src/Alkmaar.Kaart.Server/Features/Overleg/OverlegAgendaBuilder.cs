using System.Globalization;
using System.Security.Claims;
using System.Text;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.WijkAanZet;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>An agenda of the areas the team keeps, with its progress at the meeting's date.</summary>
public sealed record AgendaStand(string AreaCode, string AreaName, int Year, string Status, int Speerpunten, int ActiesKlaar, int Acties);

/// <summary>
/// What an overleg takes up, as it stood at the start of its day: the last full week's meldingen and the month's handling,
/// the progress of the gebied's (and its dorpen's) agendas with the actions still open, the circle's open afspraken, the
/// hotspots of the last four weeks, and border matters (open afspraken of the grensoverleggen, hotspots across a border).
/// Aggregates only: no melding and nothing of a melder.
/// </summary>
public sealed record OverlegAgenda(DateOnly Datum, DateOnly WeekVan, WeekOverview? Week, CijferRij? Afhandeling, IReadOnlyList<AgendaStand> Agendas,
    IReadOnlyList<CycleActie> OpenActies, IReadOnlyList<Afspraak> OpenAfspraken, IReadOnlyList<Afspraak> GrensAfspraken,
    IReadOnlyList<RankedHotspot> Hotspots, bool DemoMeldingen)
{
    private static readonly CultureInfo Nl = CultureInfo.GetCultureInfo("nl-NL");

    public IEnumerable<RankedHotspot> GrensHotspots => Hotspots.Where(h => h.Shared);

    /// <summary>The agenda as text the team edits (numbered items, Dutch, dates dd-mm-jjjj).</summary>
    public string ToText()
    {
        var t = new StringBuilder();
        var n = 0;
        void Item(string s) => t.Append(++n).Append(". ").AppendLine(s);
        static string D(DateOnly d) => DutchTime.Date(d);
        Item("Opening, vaststellen van de agenda, aanwezigen");
        if (Week is { } w)
        {
            Item($"Meldingen week {ISOWeek.GetWeekOfYear(WeekVan.ToDateTime(TimeOnly.MinValue))} ({D(WeekVan)} t/m {D(WeekVan.AddDays(6))}){(DemoMeldingen ? " — demo-meldingen" : "")}: " +
                 $"{w.New} nieuw, {w.Closed} afgehandeld; nu {w.Open} open, waarvan {w.Overdue} te laat");
            if (Afhandeling is { } a)
                t.AppendLine($"   Afhandeling in {WeekVan.ToString("MMMM yyyy", Nl)}: {a.Afgehandeld} afgehandeld, {(a.OpTijdPct is { } p ? p.ToString("0", Nl) + "% op tijd" : "nog niets op tijd te tellen")}");
        }
        Item(Agendas.Count == 0 ? "Gebiedsagenda: nog geen agenda voor dit jaar" : "Voortgang van de agenda");
        foreach (var g in Agendas) t.AppendLine($"   {g.AreaName} {g.Year} ({g.Status}): {g.ActiesKlaar} van {g.Acties} acties klaar, {g.Speerpunten} {(g.Speerpunten == 1 ? "speerpunt" : "speerpunten")}");
        foreach (var a in OpenActies)
            t.AppendLine($"   - {a.Title} ({a.Speerpunt}; {a.Owner ?? "geen trekker"}{(a.Due is { } d ? ", uiterlijk " + D(d) : "")}{(a.Late(Datum) ? ", TE LAAT" : "")})");
        Item(OpenAfspraken.Count == 0 ? "Afspraken van vorige keer: geen open afspraken" : $"Open afspraken ({OpenAfspraken.Count})");
        foreach (var a in OpenAfspraken) t.AppendLine($"   - {AfspraakLine(a)}");
        Item(Hotspots.Count == 0 ? "Hotspots: geen in de laatste vier weken" : "Hotspots van de laatste vier weken");
        foreach (var h in Hotspots)
            t.AppendLine($"   - {h.Hotspot.Count} meldingen, vooral {string.Join(", ", h.Hotspot.TopCategories.Take(2).Select(c => c.Category))}" +
                         (h.Shared ? $" (over de grens met {string.Join(", ", h.Shares.Select(s => s.Name))})" : ""));
        Item(GrensAfspraken.Count == 0 && !GrensHotspots.Any() ? "Grenszaken: geen open punten" : "Grenszaken");
        foreach (var a in GrensAfspraken) t.AppendLine($"   - {AfspraakLine(a)} [{a.Kring[6..].Replace("|", " – ")}]");
        Item("Nieuwe afspraken (wat, wie, uiterlijk)");
        Item("Rondvraag en sluiting");
        return t.ToString();
    }

    private string AfspraakLine(Afspraak a) =>
        $"{a.Wat}{(a.Wie is { } w ? $" ({w}" : " (")}{(a.Uiterlijk is { } u ? $"{(a.Wie is null ? "" : ", ")}uiterlijk {DutchTime.Date(u)}" : "")}){(a.Late(Datum) ? " TE LAAT" : "")}"
            .Replace(" ()", "");
}

/// <summary>Assembles an <see cref="OverlegAgenda"/> for a circle and date from the stores that hold the current state.</summary>
public sealed class OverlegAgendaBuilder(AfspraakStore afspraken, JaaragendaService agendas, MeldingList meldingen, MeldingCijfers cijfers, HotspotService hotspots,
    AreaRepository areaRepository)
{
    public async Task<OverlegAgenda> AssembleAsync(ClaimsPrincipal user, string kring, string gebied, DateOnly datum, CancellationToken ct = default)
    {
        var monday = datum.AddDays(-(((int)datum.DayOfWeek + 6) % 7) - 7); // the last full week before the meeting's week
        var grens = Kringen.Soort(kring) == Kringen.Grens;
        var open = await afspraken.OpenAtAsync([kring], datum, ct);
        var grensKringen = grens ? [] : await afspraken.GrensKringenAsync(gebied, ct);
        var grensOpen = grensKringen.Count == 0 ? [] : await afspraken.OpenAtAsync(grensKringen, datum, ct);
        var areas = await agendas.AgendaAreasOfGebiedAsync(gebied, ct);
        var stand = new List<AgendaStand>();
        foreach (var area in areas)
            if (await agendas.GetAsync(area, datum.Year, ct) is { } a)
            {
                var acties = a.Speerpunten.SelectMany(s => s.Acties).Where(x => x.Status != Jaaragenda.Vervallen).ToList();
                var name = (await areaRepository.GetAsync(area, area == gebied ? AreaLevel.Gebied : AreaLevel.Dorp, withGeometry: false, ct: ct))?.Area.Name ?? area;
                stand.Add(new AgendaStand(area, (area == gebied ? "Gebiedsagenda " : "Dorpsagenda ") + name, a.Year, a.Status, a.Speerpunten.Count, acties.Count(x => x.Status == Jaaragenda.Klaar), acties.Count));
            }
        var openActies = grens ? [] : await agendas.OpenActiesAtAsync(areas, datum, ct);
        WeekOverview? week = null;
        CijferRij? month = null;
        if (!grens)
        {
            week = await meldingen.WeekAsync(user, [gebied], monday, ct);
            month = (await cijfers.FiguresAsync(new CijferFilter(CijferGroep.Team, monday, monday, gebied), new Dictionary<string, string>(), ct)).FirstOrDefault();
        }
        var analysis = await hotspots.AnalyseAsync(new HotspotQuery(datum.AddDays(-28), datum.AddDays(-1), null, hotspots.Options.DefaultCellSize), ct);
        var other = Kringen.Other(kring);
        var spots = analysis?.Hotspots.Where(h => h.Involves(gebied) && (!grens || (other is not null && h.Involves(other)) || h.Shared)).Take(5).ToList() ?? [];
        return new OverlegAgenda(datum, monday, week, month, stand, openActies, open, grensOpen, spots, analysis?.Demo ?? false);
    }
}
