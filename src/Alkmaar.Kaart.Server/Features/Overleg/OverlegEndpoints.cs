using System.Security.Claims;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>The council report as data (staff) and a partner's side of the cycle (its own organisation only).</summary>
public static class OverlegEndpoints
{
    public static void MapOverleg(this WebApplication app)
    {
        app.MapGet("/api/raadsrapportage", ReportAsync).WithTags("Overleg").RequireAuthorization(KaartPolicies.Staff)
            .WithSummary("The council report of a year (jaar, default last year): per gebied and dorp agenda progress, afspraken, meldingen handled on time, initiatives, Wij(k) aan zet and monitor; JSON, or CSV with format=csv.");
        app.MapGet("/api/partner/samenwerking", PartnerAsync).WithTags("Overleg").RequireAuthorization(KaartPolicies.Partner)
            .WithSummary("A partner account's actions and afspraken, the meetings it attended and the agendas of its gebieden; never another organisation's, never a melding.");
    }

    private static async Task<IResult> ReportAsync(RaadsrapportageService service, TimeProvider time, int? jaar, string? format, CancellationToken ct)
    {
        var thisYear = DutchTime.Day(time.GetUtcNow()).Year;
        var year = jaar ?? thisYear - 1;
        if (year < 2000 || year > thisYear + 1) return Problems.BadRequest("Onbekend jaar", $"Kies een jaar van 2000 tot en met {thisYear + 1} (de agenda's van volgend jaar in voorbereiding).", "jaar");
        var report = await service.BuildAsync(year, ct);
        if (!string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)) return TypedResults.Ok(report);
        var sb = new StringBuilder(string.Join(',', RaadsrapportageService.CsvHeader)).Append("\r\n");
        foreach (var row in RaadsrapportageService.CsvRows(report)) sb.Append(string.Join(',', row.Select(Csv.Cell))).Append("\r\n");
        if (report.DemoMeldingen) sb.Append(Csv.Cell("# meldingen: DEMO, gegenereerde meldingen")).Append("\r\n");
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(sb.ToString())).ToArray(), "text/csv; charset=utf-8", $"raadsrapportage-{year}.csv");
    }

    private static async Task<IResult> PartnerAsync(SamenwerkingService service, ClaimsPrincipal user, CancellationToken ct) =>
        await service.ForAsync(user, ct) is { } view
            ? TypedResults.Ok(new { view.Partij, view.Acties, view.Afspraken, view.Overleggen, view.Agendas })
            : TypedResults.Problem(title: "Geen toegang", detail: "Alleen voor een partneraccount van een organisatie.", statusCode: StatusCodes.Status403Forbidden);
}
