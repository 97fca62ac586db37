using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Areas;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.AreaProfiles;

/// <summary>
/// <c>GET /api/areas/{code}/profiel</c>: an area's profile for its page. This feature sits on top of the others (areas,
/// teams, meldingen, monitor, initiatives, hotspots, population); nothing depends on it, so the features stack without a cycle.
/// </summary>
public static class AreaProfileEndpoints
{
    public static WebApplicationBuilder AddAreaProfiles(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AreaProfileService>();
        builder.Services.AddSingleton<GebiedsprofielService>();
        builder.Services.AddSingleton<AbonnementService>();
        builder.Services.AddHostedService<AbonnementDigestJob>();
        return builder;
    }

    public static void MapAreaProfiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/areas/{code}/profiel", ProfileAsync).WithTags("Areas").AllowAnonymous().WithName("GetAreaProfile")
            .WithSummary("An area's profile: team, inwoners, meldingen per month and top categories (also per 1,000 inwoners), " +
                         "monitor scores against the gemeente, initiatives and hotspots, and the CBS kerncijfers (kerncijfers). Aggregates only.");
        app.MapGet("/api/areas/{code}/gebiedsprofiel.pdf", PdfAsync).WithTags("Areas").AllowAnonymous()
            .WithSummary("The printable gebiedsprofiel as an A4 PDF: figures, meldingen against last year, monitor scores that stand out, " +
                         "hotspots, initiatives, speerpunten, neighbours; dated and sourced. The same blocks as /gebied/{code}/profiel.");
    }

    private static async Task<IResult> PdfAsync(GebiedsprofielService profielen, Meldingen.DisclosureControl release, string code,
        string? level = null, string? jaar = null, CancellationToken ct = default)
    {
        var (areaLevel, year, problem) = Parse(level, jaar);
        if (problem is not null) return problem;
        var g = await profielen.GetAsync(code, areaLevel, year, ct);
        if (g is null) return Problems.NotFound("Gebied niet gevonden", $"Geen gebied dat nu geldt heeft de code '{code}'.");
        var pdf = GebiedsprofielPdf.Render(GebiedsprofielDocument.Build(g, release.MinimumCount));
        return TypedResults.File(pdf, "application/pdf", $"gebiedsprofiel-{g.Profile.Details.Area.Code}-{DutchTime.Local(g.Made):yyyy-MM-dd}.pdf");
    }

    private static async Task<IResult> ProfileAsync(AreaProfileService profiles, IOptions<MapOptions> map, string code,
        string? level = null, string? jaar = null, CancellationToken ct = default)
    {
        var (areaLevel, year, problem) = Parse(level, jaar);
        if (problem is not null) return problem;
        var p = await profiles.GetAsync(code, areaLevel, year, ct);
        if (p is null)
            return Problems.NotFound("Gebied niet gevonden", $"Geen gebied dat nu geldt heeft de code '{code}'{(areaLevel is null ? "" : $" op niveau {areaLevel.Value.Name()}")}.");
        var a = p.Details.Area;
        var m = p.Meldingen;
        return TypedResults.Json(new
        {
            code = a.Code, name = a.Name, level = a.Level.Name(), areaKm2 = Math.Round(a.AreaM2 / 1e6, 4),
            chain = p.Details.Chain.Select(c => new { level = c.Level.Name(), code = c.Code, name = c.Name }),
            gebiedsteam = p.Team is null ? null : new { gebied = p.Team.GebiedCode, name = p.Team.Name, contact = p.Team.Contact },
            inwoners = p.Population is null ? null : new
            {
                count = Math.Round(p.Population.Inwoners), year = p.Population.Year, method = p.Population.Method, source = p.Population.Explanation,
                ratesShown = !p.Population.TooFewForRates,
                ratesNote = p.Population.TooFewForRates
                    ? $"Geen cijfers per 1.000 inwoners: minder dan {p.Population.MinimumForRates} inwoners (te weinig voor een betrouwbaar cijfer; CBS doet hetzelfde bij kleine buurten)."
                    : null,
            },
            meldingen = new
            {
                year = m.Year, years = m.Years, count = m.Count, per1000 = Round(m.Per1000), perMonth = m.PerMonth,
                topCategories = m.TopCategories.Select(c => new { category = c.Category, count = c.Count, share = Math.Round(c.Share, 4), per1000 = Round(c.Per1000) }),
                gemeente = new { count = m.GemeenteCount, per1000 = Round(m.GemeentePer1000) }, demo = m.Demo,
            },
            monitor = new
            {
                basis = p.MonitorBasis?.Description, areaCodes = p.MonitorBasis?.AreaCodes,
                scores = p.Monitor.Select(s => new
                {
                    monitor = s.Monitor, indicator = s.Indicator, unit = s.Unit, higherIsBetter = s.HigherIsBetter, year = s.Year,
                    value = Math.Round(s.Value, 2), previous = s.Previous is { } pv ? Math.Round(pv, 2) : (double?)null,
                    gemeente = s.Gemeente, comparedToGemeente = s.ComparedToGemeente, demo = s.Demo,
                    respondents = s.Respondents, margin = s.Margin,
                    interval = s.Interval is { } i ? new { low = Math.Round(i.Low, 2), high = Math.Round(i.High, 2) } : null,
                    // "opvallend" only when the 95% interval says so: hoger, lager, geenVerschil; null when untestable
                    againstGemeente = Opvallend(s.AgainstGemeente), changeSincePrevious = Opvallend(s.ChangeSincePrevious),
                }),
            },
            initiatieven = new
            {
                count = p.Initiatieven.Count, per1000 = Round(p.InitiatievenPer1000),
                items = p.Initiatieven.Select(i => new { id = i.Id, title = i.Title, theme = i.Theme, status = i.Status, year = i.Year, subsidy = i.Subsidy }),
            },
            hotspots = p.Hotspots.Select(h => new
            {
                id = h.Id, rank = h.Rank, count = h.Hotspot.Count, maxZ = Math.Round(h.Hotspot.MaxZ, 2), confidence = Math.Round(h.Hotspot.Confidence, 4),
                topCategories = h.Hotspot.TopCategories.Select(c => c.Category), gebied = h.GebiedCode, gebiedsteam = h.Gebiedsteam,
            }),
            // CBS Kerncijfers wijken en buurten, keyed by CBS's own column names; value null when unknown, secret, not
            // formable from buurten, or withheld for an area with few inwoners (formed says which)
            kerncijfers = p.Kerncijfers.ToDictionary(k => k.Definition.Column, k => new
            {
                value = Round(k.Latest.Value, k.Definition.Decimals), year = k.Latest.Year, unit = k.Definition.Unit, label = k.Definition.Label,
                source = k.Source, definition = k.Definition.Definition, formed = k.Latest.Formed, unknownBuurten = k.Latest.UnknownBuurten,
                buurtOnly = k.Latest.BuurtOnly,
                previous = k.Previous is { } pv ? new { year = pv.Year, value = Round(pv.Value, k.Definition.Decimals) } : null,
                change = Round(k.Change, k.Definition.Decimals), gemeente = Round(k.Gemeente, k.Definition.Decimals),
            }),
            attribution = map.Value.DataAttribution,
        });
    }

    /// <summary>The profile's level and year from the query (both optional), or the problem with them.</summary>
    private static (AreaLevel? Level, int? Year, IResult? Problem) Parse(string? level, string? jaar)
    {
        if (!AreasEndpoints.TryParse(level, out var areaLevel, out var problem)) return (null, null, problem);
        if (jaar is null) return (areaLevel, null, null);
        return int.TryParse(jaar, out var y) && y is >= 1990 and <= 2100 ? (areaLevel, y, null)
            : (null, null, Problems.BadRequest("Ongeldig jaar", $"jaar '{jaar}' is geen jaar (1990–2100).", "jaar"));
    }

    private static double? Round(double? v) => v is { } d ? Math.Round(d, 2) : null;

    private static string? Opvallend(Alkmaar.Kaart.Geo.Statistics.Opvallend? o) => o switch
    {
        Alkmaar.Kaart.Geo.Statistics.Opvallend.Hoger => "hoger",
        Alkmaar.Kaart.Geo.Statistics.Opvallend.Lager => "lager",
        Alkmaar.Kaart.Geo.Statistics.Opvallend.GeenVerschil => "geenVerschil",
        _ => null,
    };

    /// <summary>A figure to the precision CBS publishes it (aggregates one decimal more than the figure).</summary>
    private static double? Round(double? v, int decimals) => v is { } d ? Math.Round(d, decimals + 1) : null;
}
