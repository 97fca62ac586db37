using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Kerncijfers;
using Alkmaar.Kaart.Geo.Statistics;
using Alkmaar.Kaart.Server.Features.Kerncijfers;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Server.Features.WijkAanZet;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>The figure a speerpunt aimed at, before the agenda's year and after it, and whether the change stands out.</summary>
public sealed record IndicatorToets(string Label, string Unit, double? Voor, int? VoorJaar, double? Na, int? NaJaar, Opvallend? Verandering, bool HigherIsBetter, string Uitleg)
{
    /// <summary>"opvallend beter", "opvallend slechter", "geen verschil dat de marges laten zien", "niet te toetsen".</summary>
    public string Oordeel => Verandering switch
    {
        null => "niet te toetsen",
        Opvallend.GeenVerschil => "geen verschil dat de marges laten zien",
        var o => (o == Opvallend.Hoger) == HigherIsBetter ? "opvallend beter" : "opvallend slechter",
    };
}

public sealed record SpeerpuntToets(AgendaSpeerpunt Speerpunt, int Acties, int Klaar, int KlaarTeLaat, int NietKlaar, IndicatorToets? Indicator);

/// <summary>The toetsing of an agenda: per speerpunt the verdict, its actions and its figure; the afspraken of the year.</summary>
public sealed record ToetsingReport(Jaaragenda Agenda, string AreaName, DateOnly Peildatum, IReadOnlyList<SpeerpuntToets> Speerpunten,
    IReadOnlyList<Afspraak> Afspraken, Jaaragenda? Volgend)
{
    public IEnumerable<Afspraak> AfsprakenTeLaat => Afspraken.Where(a => a.Late(Peildatum));
    public IEnumerable<Afspraak> AfsprakenNietGedaan => Afspraken.Where(a => a.Status == "open");
}

/// <summary>
/// Toetsing (issue 31, part 4): "Hebben we uitgevoerd wat in het gebieds-, dorpsagenda staat?" — per speerpunt the team's
/// verdict and why, its actions done (late) or not at the end of the year (or today, when the year is not over), and the
/// figure it aimed at before and after with the gebiedsanalyse's interval rule (a monitor score with respondents or a
/// published margin); "niet te toetsen" where the data do not allow it (a CBS figure has no sampling margin, a year missing).
/// </summary>
public sealed class ToetsingService(JaaragendaService agendas, AfspraakStore afspraken, MonitorStore monitor, KerncijferStore kerncijfers, TimeProvider time)
{
    public async Task<ToetsingReport?> ReportAsync(string code, int year, string areaName, CancellationToken ct = default)
    {
        if (await agendas.GetAsync(code, year, ct) is not { } agenda) return null;
        var today = DutchTime.Day(time.GetUtcNow());
        var end = new DateOnly(year, 12, 31);
        var peil = today < end ? today : end.AddDays(1);
        var level = await agendas.AgendaLevelAsync(code, ct) == "dorp" ? AreaLevel.Dorp : AreaLevel.Gebied;
        var items = new List<SpeerpuntToets>();
        foreach (var s in agenda.Speerpunten)
        {
            var acties = s.Acties.Where(a => a.Status != Jaaragenda.Vervallen).ToList();
            items.Add(new SpeerpuntToets(s, acties.Count, acties.Count(a => a.Status == Jaaragenda.Klaar), acties.Count(a => a.Status == Jaaragenda.Klaar && a.Late(peil)),
                acties.Count(a => a.Open), s.Indicator is { } ind ? await IndicatorAsync(ind, code, level, year, s, ct) : null));
        }
        var afspr = level == AreaLevel.Gebied ? await afspraken.OfPeriodAsync(code, new DateOnly(year, 1, 1), end, ct) : [];
        return new ToetsingReport(agenda, areaName, peil, items, afspr, await agendas.GetAsync(code, year + 1, ct));
    }

    private async Task<IndicatorToets> IndicatorAsync(string indicator, string code, AreaLevel level, int year, AgendaSpeerpunt s, CancellationToken ct)
    {
        if (indicator.StartsWith("monitor:") && indicator[8..].Split('|') is [var mon, var name])
        {
            var meta = (await monitor.IndicatorsAsync(ct)).FirstOrDefault(i => i.Monitor == mon && i.Indicator == name);
            var values = await monitor.ValuesAsync(mon, name, null, code, ct: ct);
            var before = values.Where(v => v.Year < year).MaxBy(v => v.Year);
            var after = values.Where(v => v.Year >= year).MaxBy(v => v.Year);
            var unit = meta?.Unit ?? "";
            var hib = meta?.HigherIsBetter ?? true;
            if (before is null || after is null)
                return new IndicatorToets($"{mon} — {name}", unit, before?.Value ?? s.Nulmeting, before?.Year, after?.Value, after?.Year, null, hib,
                    after is null ? $"Er is nog geen meting van {year} of later." : "Er is geen meting van vóór het agendajaar.");
            var change = ScoreComparison.Change(after.Value, before.Value, unit, after.Respondents, before.Respondents, after.Margin, before.Margin);
            return new IndicatorToets($"{mon} — {name}", unit, before.Value, before.Year, after.Value, after.Year, change?.Result, hib,
                change is null ? "Zonder aantal respondenten of marge is niet te zeggen of het verschil meer is dan toeval."
                    : $"95%-interval van het verschil: {change.Value.Difference.Low:0.#} tot {change.Value.Difference.High:0.#}.");
        }
        if (indicator.StartsWith("kerncijfer:") && KerncijferCatalog.Find(indicator[11..]) is { } def)
        {
            var byYear = await kerncijfers.OfAreaAsync(code, level, ct);
            double? Value(int y) => byYear.TryGetValue(y, out var c) && c.TryGetValue(def.Column, out var v) ? v.Value : null;
            var beforeYear = byYear.Keys.Where(y => y < year && Value(y) is not null).DefaultIfEmpty().Max();
            var afterYear = byYear.Keys.Where(y => y >= year && Value(y) is not null).DefaultIfEmpty().Max();
            return new IndicatorToets(def.Label, def.Unit, beforeYear > 0 ? Value(beforeYear) : s.Nulmeting, beforeYear > 0 ? beforeYear : null,
                afterYear > 0 ? Value(afterYear) : null, afterYear > 0 ? afterYear : null, null, true,
                afterYear > 0 ? "Een CBS-registratiecijfer heeft geen steekproefmarge: het verschil staat er, maar is niet te toetsen als opvallend."
                    : $"CBS heeft nog geen cijfer van {year} of later.");
        }
        return new IndicatorToets(indicator, "", s.Nulmeting, null, null, null, null, true, "Onbekend cijfer.");
    }
}
