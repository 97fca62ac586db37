using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>Handling figures (issue 29): JSON and CSV for staff, with the same parameters as the page /meldingen/cijfers.</summary>
public static class CijfersEndpoints
{
    public static void MapCijfers(this RouteGroupBuilder group)
    {
        group.MapGet("/cijfers", async (HttpContext http, string? groep, string? van, string? tot, string? gebied, string? format,
                MeldingCijfers cijfers, Routing.AreaLocatorProvider locator, TimeProvider time, CancellationToken ct) =>
            {
                if (Parse(groep, van, tot, gebied, time) is not { } filter)
                    return Problems.BadRequest("Ongeldige vraag", "groep is team, categorie, kanaal of maand; van en tot zijn maanden (2026-01) of datums (2026-01-31), van niet na tot, samen ten hoogste 36 maanden.", "groep,van,tot");
                var teams = (await locator.GetAsync(ct))?.TeamNames ?? new Dictionary<string, string>();
                var rows = await cijfers.FiguresAsync(filter, teams, ct);
                http.Response.Headers.CacheControl = "private, no-store";
                if (format == "csv") return TypedResults.File(Encoding.UTF8.GetBytes(ToCsv(filter, rows)), "text/csv; charset=utf-8",
                    $"afhandeling-{filter.Groep.ToString().ToLowerInvariant()}-{filter.Van:yyyy-MM}-{filter.Tot:yyyy-MM}.csv");
                return TypedResults.Ok(new
                {
                    groep = filter.Groep.ToString().ToLowerInvariant(), van = filter.Van.ToString("yyyy-MM"), tot = filter.Tot.ToString("yyyy-MM"),
                    gebied = filter.Gebied, groepen = rows,
                });
            })
            .RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("Handling figures per team, categorie, kanaal or maand over whole months (van, tot): ontvangen, afgehandeld, open, mediaanWerkdagen, p90Werkdagen, opTijdPct, heropend, tevredenPct and last year's counts; format=csv for a spreadsheet. Staff only.");
        group.MapGet("/cijfers/signalen", async (string? gebied, MeldingCijfers cijfers, CancellationToken ct) =>
                TypedResults.Ok(await cijfers.SignalsAsync(string.IsNullOrEmpty(gebied) ? null : gebied, ct)))
            .RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("Wijken where a category rose markedly: the last three complete months against the same months last year (one-sided Poisson test, p < 0.01, at least 5). A signal, not a verdict. Staff only.");
    }

    /// <summary>The request, or null when a value is invalid. Without van/tot: the last twelve months up to this one.</summary>
    public static CijferFilter? Parse(string? groep, string? van, string? tot, string? gebied, TimeProvider time)
    {
        CijferGroep g;
        if (groep is null) g = CijferGroep.Team;
        else if (!Enum.TryParse(groep, ignoreCase: true, out g) || !Enum.IsDefined(g)) return null;
        var thisMonth = CijferFilter.MonthOf(MeldingDeadlines.DayOf(time.GetUtcNow()));
        DateOnly? Month(string? s) =>
            s is null ? null
            : DateOnly.TryParseExact(s, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m) ? m
            : DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? CijferFilter.MonthOf(d)
            : DateOnly.MinValue;
        var (f, t) = (Month(van), Month(tot));
        if (f == DateOnly.MinValue || t == DateOnly.MinValue) return null;
        var to = t ?? thisMonth;
        var from = f ?? to.AddMonths(-11);
        if (from > to || from < to.AddMonths(-35)) return null;
        return new CijferFilter(g, from, to, string.IsNullOrWhiteSpace(gebied) ? null : gebied.Trim());
    }

    public static string ToCsv(CijferFilter f, IReadOnlyList<CijferRij> rows)
    {
        var sb = new StringBuilder();
        sb.Append("groep,naam,van,tot,ontvangen,afgehandeld,open,heropend,mediaan_werkdagen,p90_werkdagen,op_tijd_pct,tevreden_pct,ontvangen_vorig_jaar,afgehandeld_vorig_jaar\r\n");
        foreach (var r in rows)
            sb.AppendJoin(',', [Csv.Cell(r.Groep), Csv.Cell(r.Naam), Csv.Cell(f.Van.ToString("yyyy-MM")), Csv.Cell(f.Tot.ToString("yyyy-MM")),
                Csv.Cell(r.Ontvangen), Csv.Cell(r.Afgehandeld), Csv.Cell(r.Open), Csv.Cell(r.Heropend), Csv.Cell(r.MediaanWerkdagen), Csv.Cell(r.P90Werkdagen),
                Csv.Cell(r.OpTijdPct), Csv.Cell(r.TevredenPct), Csv.Cell(r.OntvangenVorigJaar), Csv.Cell(r.AfgehandeldVorigJaar)]).Append("\r\n");
        return sb.ToString();
    }
}
