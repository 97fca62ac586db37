using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.AreaProfiles;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.WijkAanZet;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>One gebied's or dorp's line in the council report of a year.</summary>
public sealed record RaadsRij(string Code, string Niveau, string Naam, string? AgendaStatus, int Speerpunten, int Behaald, int Acties, int ActiesKlaar,
    int ActiesTeLaat, int Afspraken, int AfsprakenGedaan, int? MeldingenOntvangen, int? MeldingenAfgehandeld, double? OpTijdPct,
    int Initiatieven, int InitiatievenToegekend, int Verbeterpunten, int MonitorBeter, int MonitorSlechter, int? MonitorJaar)
{
    /// <summary>The share of actions (those not dropped) that are klaar, or null without actions.</summary>
    public double? Voortgang => Acties > 0 ? (double)ActiesKlaar / Acties : null;
}

public sealed record Raadsrapport(int Year, DateOnly Peildatum, IReadOnlyList<RaadsRij> Rijen, bool DemoMeldingen);

/// <summary>
/// The report to the council (issue 31, part 5): per gebied and dorp in one document — agenda progress (speerpunten
/// behaald, actions klaar and late, afspraken done), meldingen handled on time per team (the maintained handling figures
/// of the year's whole months), initiatives of the year and Wij(k) aan zet points chosen, and how many monitor indicators
/// stand out against the gemeente (the interval rule). The same columns every year, as a page and as CSV. Staff only.
/// </summary>
public sealed class RaadsrapportageService(AreaRepository areas, JaaragendaService agendas, AfspraakStore afspraken,
    MeldingCijfers cijfers, AreaProfileService profiles, TimeProvider time)
{
    public static readonly string[] CsvHeader =
    [
        "jaar", "code", "niveau", "naam", "agenda", "speerpunten", "behaald", "acties", "acties_klaar", "acties_te_laat", "afspraken", "afspraken_gedaan",
        "meldingen_ontvangen", "meldingen_afgehandeld", "op_tijd_pct", "initiatieven", "initiatieven_toegekend", "verbeterpunten_gekozen",
        "monitor_opvallend_beter", "monitor_opvallend_slechter", "monitor_jaar",
    ];

    public async Task<Raadsrapport> BuildAsync(int year, CancellationToken ct = default)
    {
        var today = DutchTime.Day(time.GetUtcNow());
        var end = new DateOnly(year, 12, 31);
        var peil = today < end ? today : end.AddDays(1);
        // whole months of the year that are over
        var lastMonth = new DateOnly(peil.Year, peil.Month, 1).AddMonths(-1);
        var figures = lastMonth.Year < year ? []
            : (await cijfers.FiguresAsync(new CijferFilter(CijferGroep.Team, new DateOnly(year, 1, 1), lastMonth.Year > year ? new DateOnly(year, 12, 1) : lastMonth),
                new Dictionary<string, string>(), ct)).ToDictionary(r => r.Groep);
        var rows = new List<RaadsRij>();
        var demo = false;
        foreach (var level in new[] { AreaLevel.Gebied, AreaLevel.Dorp })
        await foreach (var area in areas.ListAsync(level, withGeometry: false, ct: ct))
        {
            var agenda = await agendas.GetAsync(area.Code, year, ct);
            var acties = agenda?.Speerpunten.SelectMany(s => s.Acties).Where(a => a.Status != Jaaragenda.Vervallen).ToList() ?? [];
            var afspr = level == AreaLevel.Gebied ? await afspraken.OfPeriodAsync(area.Code, new DateOnly(year, 1, 1), end, ct) : [];
            var made = afspr.Where(a => DutchTime.Day(a.CreatedAt).Year == year).ToList();
            var profile = await profiles.GetAsync(area.Code, level, null, ct);
            demo |= profile?.Meldingen.Demo ?? false;
            var inits = profile?.Initiatieven.Where(i => i.Year == year).ToList() ?? [];
            var monitor = profile?.Monitor ?? [];
            var f = figures.GetValueOrDefault(area.Code);
            rows.Add(new RaadsRij(area.Code, level == AreaLevel.Gebied ? "gebied" : "dorp", area.Name, agenda?.Status,
                agenda?.Speerpunten.Count ?? 0, agenda?.Speerpunten.Count(s => s.Oordeel == "behaald") ?? 0, acties.Count,
                acties.Count(a => a.Status == Jaaragenda.Klaar), acties.Count(a => a.Late(peil)), made.Count, made.Count(a => a.Status == "gedaan"),
                level == AreaLevel.Gebied ? f?.Ontvangen ?? 0 : null, level == AreaLevel.Gebied ? f?.Afgehandeld ?? 0 : null, level == AreaLevel.Gebied ? f?.OpTijdPct : null,
                inits.Count, inits.Count(i => i.Status is "toegekend" or "uitgevoerd"), await agendas.ChosenVerbeterpuntenAsync(area.Code, level == AreaLevel.Gebied, year, ct),
                monitor.Count(m => m.ComparedToGemeente == 1), monitor.Count(m => m.ComparedToGemeente == -1), monitor.Count > 0 ? monitor.Max(m => m.Year) : null));
        }
        return new Raadsrapport(year, peil, rows, demo);
    }

    public static IEnumerable<string?[]> CsvRows(Raadsrapport r) => r.Rijen.Select(x => new string?[]
    {
        r.Year.ToString(), x.Code, x.Niveau, x.Naam, x.AgendaStatus ?? "geen", I(x.Speerpunten), I(x.Behaald), I(x.Acties), I(x.ActiesKlaar), I(x.ActiesTeLaat),
        I(x.Afspraken), I(x.AfsprakenGedaan), I(x.MeldingenOntvangen), I(x.MeldingenAfgehandeld), x.OpTijdPct?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        I(x.Initiatieven), I(x.InitiatievenToegekend), I(x.Verbeterpunten), I(x.MonitorBeter), I(x.MonitorSlechter), I(x.MonitorJaar),
    });

    private static string? I(int? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
