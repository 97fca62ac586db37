using System.Globalization;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Kerncijfers;
using Alkmaar.Kaart.Geo.Statistics;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Kerncijfers;
using Alkmaar.Kaart.Server.Features.Monitor;

namespace Alkmaar.Kaart.Server.Features.AreaProfiles;

/// <summary>A part of the printed profile.</summary>
public abstract record ProfielBlock;
public sealed record ProfielHeading(string Text) : ProfielBlock;
public sealed record ProfielText(string Text, bool Muted = false) : ProfielBlock;
/// <summary>A table; columns after the first are right-aligned numbers unless <see cref="TextColumns"/> says otherwise.</summary>
public sealed record ProfielTable(string Name, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, int TextColumns = 1) : ProfielBlock;
/// <summary>Bars per month: this year next to last year (null: left out under the release rule, or not over yet).</summary>
public sealed record ProfielBars(IReadOnlyList<string> Labels, IReadOnlyList<int?> Current, IReadOnlyList<int?> Previous, string CurrentLabel,
    string? PreviousLabel) : ProfielBlock;

/// <summary>The printed profile as blocks: the print page and the PDF render the same blocks, so both hold the same figures.</summary>
public sealed record ProfielDocument(string Title, string Subtitle, IReadOnlyList<ProfielBlock> Blocks, string Sources);

/// <summary>Turns a <see cref="Gebiedsprofiel"/> into the blocks of the printed profile, in Dutch notation.</summary>
public static class GebiedsprofielDocument
{
    private static readonly CultureInfo Nl = CultureInfo.GetCultureInfo("nl-NL");
    private static readonly string[] Months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

    public static ProfielDocument Build(Gebiedsprofiel g, int minimumCount)
    {
        var p = g.Profile;
        var a = p.Details.Area;
        var blocks = new List<ProfielBlock>();
        var facts = new List<IReadOnlyList<string>>
        {
            new[] { "Code", a.Code },
            new[] { "Oppervlakte", (a.AreaM2 / 1e6).ToString("N2", Nl) + " km²" },
            new[] { "Inwoners", p.Population is { } pop ? $"ongeveer {pop.Rounded.ToString("N0", Nl)} ({pop.Explanation})" : "onbekend" },
            new[] { "Gebiedsteam", p.Team is { } t ? $"{t.Name} — {t.Contact.Organisation}{(t.Contact.Phone is { } ph ? ", " + ph : "")}{(t.Contact.Mailbox is { } mb ? ", " + mb : "")}" : "de hele gemeente" },
        };
        blocks.Add(new ProfielTable("feiten", ["", ""], facts, TextColumns: 2));

        // the Gebiedsanalyse: CBS figures against the gemeente
        var figures = p.Kerncijfers.Where(k => !k.Latest.BuurtOnly).ToList();
        var oneYear = figures.Select(k => k.Latest.Year).Distinct().ToList() is [var only1] ? only1 : (int?)null;
        blocks.Add(new ProfielHeading(oneYear is { } fy ? $"Kerncijfers (CBS, {fy})" : "Kerncijfers (CBS)"));
        if (figures.Count == 0) blocks.Add(new ProfielText("Geen CBS-kerncijfers geladen.", true));
        else
        {
            blocks.Add(new ProfielTable("kerncijfers", ["Cijfer", "Hier", p.GemeenteName, "Sinds vorig jaar"],
                figures.Select(k => (IReadOnlyList<string>)
                [
                    oneYear is null ? $"{k.Definition.Label} ({k.Latest.Year})" : k.Definition.Label,
                    k.Latest.Value is { } v ? KerncijferEndpoints.Format(v, k.Definition) + (k.Latest.UnknownBuurten > 0 ? "*" : "") : "onbekend",
                    k.Gemeente is { } gm ? KerncijferEndpoints.Format(gm, k.Definition) : "–",
                    k.Change is { } c ? (c > 0 ? "+" : c < 0 ? "−" : "±") + KerncijferEndpoints.Format(Math.Abs(c), k.Definition) : "–",
                ]).ToList()));
            var notes = new List<string>();
            if (figures.Any(k => k.Latest.UnknownBuurten > 0)) notes.Add("* zonder de buurten waarvan CBS het cijfer geheimhoudt");
            if (p.Kerncijfers.Any(k => k.Latest.BuurtOnly))
                notes.Add("de cijfers over huishoudens en hun vermogen zijn er alleen per buurt (niet uit buurten op te tellen)");
            if (notes.Count > 0) blocks.Add(new ProfielText(Capital(string.Join("; ", notes)) + ".", true));
        }

        // meldingen against last year
        var m = p.Meldingen;
        blocks.Add(new ProfielHeading(m.Year is { } my ? $"Meldingen {my}" + (m.Demo ? " (DEMO: gegenereerd, geen echte meldingen)" : "") : "Meldingen"));
        if (m.Year is not { } year) blocks.Add(new ProfielText("Nog geen hele maand met meldingen.", true));
        else
        {
            var period = m.Months == 12 ? year.ToString(CultureInfo.InvariantCulture) : $"januari t/m {new DateOnly(2000, m.Months, 1).ToString("MMMM", Nl)} {year}";
            blocks.Add(new ProfielText($"{(m.Count is { } n ? n.ToString("N0", Nl) : $"Minder dan {minimumCount}")} meldingen in {period}" +
                (m.Per1000 is { } r ? $": {r.ToString("N0", Nl)} per 1.000 inwoners" : "") +
                (m.GemeentePer1000 is { } gr ? $" (gemeente {gr.ToString("N0", Nl)})" : "") +
                (g.LastYear?.Count is { } last ? $"; {year - 1}: {last.ToString("N0", Nl)}" : "") + "."));
            blocks.Add(new ProfielBars(Months, m.PerMonth.Take(m.Months).ToList(), g.LastYear?.PerMonth ?? [], year.ToString(CultureInfo.InvariantCulture),
                g.LastYear is null ? null : (year - 1).ToString(CultureInfo.InvariantCulture)));
            if (m.TopCategories.Count > 0)
                blocks.Add(new ProfielTable("categorieen", ["Meest gemeld", "Aantal", "Aandeel", "Per 1.000 inw."],
                    m.TopCategories.Select(c => (IReadOnlyList<string>)[c.Category, c.Count.ToString("N0", Nl), c.Share.ToString("P0", Nl),
                        c.Per1000 is { } cr ? cr.ToString("N1", Nl) : "–"]).ToList()));
            blocks.Add(new ProfielText($"Alleen hele maanden die voorbij zijn; aantallen onder {minimumCount} en wat daaruit terug te rekenen is, zijn weggelaten (–).", true));
        }

        // monitor: what stands out
        blocks.Add(new ProfielHeading("Monitorscores" + (p.Monitor.Any(s => s.Demo) ? " (DEMO: gegenereerd)" : "")));
        if (p.Monitor.Count == 0) blocks.Add(new ProfielText("Geen monitorscores voor dit gebied.", true));
        else
        {
            blocks.Add(new ProfielTable("monitor", ["Indicator", "Hier", "Gemeente", "Tegenover gemeente", "Sinds vorig jaar"],
                p.Monitor.Select(s => (IReadOnlyList<string>)
                [
                    s.Unit == "%" ? $"{s.Indicator} ({s.Year})" : $"{s.Indicator} ({s.Unit}, {s.Year})", Score(s.Value, s.Unit),
                    s.Gemeente is { } gs ? Score(gs, s.Unit) : "–",
                    Short(Verdict(s)), Short(Change(s)),
                ]).ToList(), TextColumns: 1));
            blocks.Add(new ProfielText($"Scores van {p.MonitorBasis!.Description}. Opvallend alleen buiten het 95%-betrouwbaarheidsinterval; " +
                "niet te toetsen: zonder respondenten of marge van de enquête.", true));
        }

        // hotspots and initiatives
        blocks.Add(new ProfielHeading("Hotspots en initiatieven"));
        blocks.Add(new ProfielText(p.Hotspots.Count == 0 ? "Geen hotspots van meldingen in dit gebied."
            : string.Join(" ", p.Hotspots.Select(h => $"Hotspot {h.Rank}: {h.Hotspot.Count.ToString("N0", Nl)} meldingen, vooral {string.Join(", ", h.Hotspot.TopCategories.Take(2).Select(c => c.Category))}."))));
        blocks.Add(new ProfielText(p.Initiatieven.Count == 0 ? "Geen bewonersinitiatieven."
            : $"{p.Initiatieven.Count} bewonersinitiatieven: " + string.Join("; ", p.Initiatieven.Take(8).Select(i => $"{i.Title} ({i.Status}, {i.Year})")) + (p.Initiatieven.Count > 8 ? "; …" : "") + "."));

        // the agenda and the neighbours
        blocks.Add(new ProfielHeading("Gebiedsagenda: speerpunten"));
        if (g.Speerpunten.Count == 0) blocks.Add(new ProfielText("Nog geen speerpunten voor dit gebied.", true));
        else
            blocks.Add(new ProfielTable("speerpunten", ["Speerpunt", "Trekker", "Stand", "Acties klaar"],
                g.Speerpunten.Select(s => (IReadOnlyList<string>)[s.Title, s.Owner, s.Status, $"{s.Acties.Count(x => x.Done)} van {s.Acties.Count}"]).ToList(), TextColumns: 3));
        if (g.Neighbours is { } n2)
        {
            blocks.Add(new ProfielHeading("Buren"));
            var buren = n2.Areas.Select(x => x.Name).Concat(n2.Municipalities.Select(x => $"gemeente {x.Name}")).ToList();
            blocks.Add(new ProfielText(buren.Count == 0 ? "Geen buren op dit niveau." : $"Grenst aan: {string.Join(", ", buren)}."));
        }

        var sources = string.Join("; ", new[]
        {
            p.Kerncijfers.Count > 0 ? string.Join(", ", p.Kerncijfers.Select(k => k.Source.Replace("Bron: ", "")).Distinct()) + " (CC BY 4.0)" : null,
            "meldingen en initiatieven: gemeente Alkmaar" + (m.Demo ? " (DEMO)" : ""),
            p.Monitor.Count > 0 ? "monitorscores: " + string.Join(", ", p.Monitor.Select(s => s.Monitor).Distinct()) + (p.Monitor.Any(s => s.Demo) ? " (DEMO)" : "") : null,
            "grenzen: gemeente Alkmaar",
        }.Where(s => s is not null));
        return new ProfielDocument($"Gebiedsprofiel {a.Level.DutchName().ToLowerInvariant()} {a.Name}",
            $"Gemaakt op {DutchTime.Date(g.Made)} voor het overleg van het Gebiedsteam+ · gemeente Alkmaar", blocks, sources);
    }

    /// <summary>A score against the gemeente in words: "opvallend" only when its interval says so.</summary>
    public static string Verdict(MonitorComparison s) => (s.AgainstGemeente, s.ComparedToGemeente) switch
    {
        (Opvallend.Hoger, 1) or (Opvallend.Lager, 1) => $"opvallend {(s.AgainstGemeente == Opvallend.Hoger ? "hoger" : "lager")} (beter)",
        (Opvallend.Hoger, _) or (Opvallend.Lager, _) => $"opvallend {(s.AgainstGemeente == Opvallend.Hoger ? "hoger" : "lager")} (slechter)",
        (Opvallend.GeenVerschil, _) => "geen verschil aan te tonen",
        _ => s.Gemeente is null ? "–" : "niet te toetsen (geen respondenten of marge)",
    };

    /// <summary>A score's change since the previous year in words.</summary>
    public static string Change(MonitorComparison s) => s.ChangeSincePrevious switch
    {
        Opvallend.Hoger => "opvallend gestegen",
        Opvallend.Lager => "opvallend gedaald",
        Opvallend.GeenVerschil => "geen verschil aan te tonen",
        _ => s.Previous is null ? "–" : "niet te toetsen",
    };

    /// <summary>A score in a table whose row names its unit: "18,5%" or "6,8".</summary>
    private static string Score(double v, string unit) => unit == "%" ? ChoroplethView.Format(v, unit) : v.ToString("0.0", Nl);

    /// <summary>In the printed table the reason stays in the note below it.</summary>
    private static string Short(string verdict) => verdict.StartsWith("niet te toetsen", StringComparison.Ordinal) ? "niet te toetsen" : verdict;

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
