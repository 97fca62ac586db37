using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Export;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Server.Features.CrossBoundary;

/// <summary>
/// Cross-boundary views (issue 19): neighbours of an area, the border band of a team (its whole border or one shared
/// border), its export for a neighbouring municipality, the meldingen in it for the teams involved, border
/// discrepancies, and the displacement signal. Public answers hold boundaries and counts with small counts suppressed.
/// </summary>
public static class CrossBoundaryEndpoints
{
    public static WebApplicationBuilder AddCrossBoundary(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<CrossBoundaryOptions>(CrossBoundaryOptions.Section);
        builder.Services.AddSingleton<CrossBoundaryService>();
        return builder;
    }

    public static void MapCrossBoundary(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/areas/{code}/buren", NeighboursAsync).WithTags("Grenzen").AllowAnonymous()
            .WithSummary("The areas of the same level that share a border with this one (shared length in metres) and the neighbouring municipalities along it, with their contact.");
        app.MapGet("/api/grensband/{code}", BandAsync).WithTags("Grenzen").AllowAnonymous()
            .WithSummary("The border band of a gebied (met=: one shared border with a gebied or municipality; afstand=: metres on both sides): meldingen per side and month, initiatives, hotspots.");
        app.MapGet("/api/grensband/{code}/kaart", BandMapAsync).WithTags("Grenzen").AllowAnonymous()
            .WithSummary("The border band and the border itself as GeoJSON, with the counts per side.");
        app.MapGet("/api/grensband/{code}/export", ExportAsync).WithTags("Grenzen").AllowAnonymous()
            .WithSummary("The border band for a neighbouring municipality: GeoJSON (band, border, hotspots) or CSV (per side and month).");
        app.MapGet("/api/grensband/{code}/meldingen", BandMeldingenAsync).WithTags("Grenzen").RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("The meldingen in the band in full (no personal data) for the teams on either side of it, and beheerders.");
        app.MapGet("/api/grenzen/afwijkingen", DiscrepanciesAsync).WithTags("Grenzen").AllowAnonymous()
            .WithSummary("Where the gemeente's boundary and the neighbouring municipalities' layer leave a gap or overlap: area and location.");
        app.MapGet("/api/areas/{code}/verplaatsing", DisplacementAsync).WithTags("Grenzen").RequireAuthorization(KaartPolicies.Staff)
            .WithSummary("Displacement signal around a date: meldingen inside against the border band and the neighbours, before and after, with a significance test.");
    }

    private static IResult? ReadLevel(string? level, out AreaLevel parsed)
    {
        parsed = AreaLevel.Gebied;
        if (level is null) return null;
        if (AreaLevels.Parse(level) is { } l) { parsed = l; return null; }
        return Problems.BadRequest("Onbekend niveau", "level is gebied, wijk, buurt of dorp.", "level");
    }

    private static async Task<IResult> NeighboursAsync(CrossBoundaryService service, string code, CancellationToken ct, string? level = null)
    {
        if (ReadLevel(level, out var l) is { } bad) return bad;
        if (level is null) l = code.StartsWith("BU", StringComparison.Ordinal) ? AreaLevel.Buurt : code.StartsWith("WK", StringComparison.Ordinal) ? AreaLevel.Wijk : AreaLevel.Gebied;
        var n = await service.NeighboursAsync(code, l, ct);
        if (n is null) return Problems.NotFound("Gebied niet gevonden", $"Er is geen {l.Name()} {code} in werking.");
        return TypedResults.Ok(new
        {
            level = n.Level.Name(), n.Code, n.Name,
            neighbours = n.Areas.Select(a => new { a.Code, a.Name, sharedLengthM = Math.Round(a.SharedLengthM, 1) }),
            municipalities = n.Municipalities.Select(m => new { m.Code, m.Name, m.SharedLengthM, contact = m.Contact }),
        });
    }

    private static async Task<(BandReport? Report, IResult? Problem)> ReadBandAsync(CrossBoundaryService service, string code, string? met, double? afstand, CancellationToken ct)
    {
        // the release rule: fixed band widths only, so differences of counts over distances say nothing finer than a band
        if (afstand is not null && !Meldingen.DisclosureControl.IsBandWidth(afstand.Value))
            return (null, Problems.BadRequest("Ongeldige afstand",
                $"De grensband is {string.Join(", ", Meldingen.DisclosureControl.BandWidths.SkipLast(1))} of {Meldingen.DisclosureControl.BandWidths[^1]} meter aan weerszijden van de grens.", "afstand"));
        var report = await service.BandAsync(code, string.IsNullOrEmpty(met) ? null : met, afstand, ct);
        return report is null
            ? (null, Problems.NotFound("Grens niet gevonden", met is null ? $"Er is geen gebied {code} in werking." : $"{code} en {met} hebben geen gemeenschappelijke grens."))
            : (report, null);
    }

    private static object Describe(BandReport r) => new
    {
        r.Code, r.Name, r.Other, r.OtherName, distanceM = r.DistanceM, months = r.Months, demo = r.Demo,
        borderLengthM = Math.Round(r.Border.Length, 1), bandAreaM2 = Math.Round(r.Band.Area),
        sides = r.Sides.Select(s => new { s.Code, s.Name, s.Kind, s.Team, meldingen = s.Meldingen, perMonth = s.PerMonth, initiatieven = s.Initiatieven }),
        hotspots = r.Hotspots.Select(h => new { h.Id, h.Rank, count = h.Hotspot.Count, h.Shared, shares = h.Shares.Select(x => new { x.Gebied, x.Name, share = Math.Round(x.Share, 2) }) }),
        minimumCount = "kleine aantallen zijn weggelaten (null)",
    };

    private static async Task<IResult> BandAsync(CrossBoundaryService service, string code, CancellationToken ct, string? met = null, double? afstand = null)
    {
        var (report, problem) = await ReadBandAsync(service, code, met, afstand, ct);
        return problem ?? TypedResults.Ok(Describe(report!));
    }

    private static async Task BandMapAsync(HttpContext http, CrossBoundaryService service, string code, CancellationToken ct, string? met = null, double? afstand = null)
    {
        var (report, problem) = await ReadBandAsync(service, code, met, afstand, ct);
        if (problem is not null) { await problem.ExecuteAsync(http); return; }
        http.Response.ContentType = Areas.AreasEndpoints.GeoJsonContentType;
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
        writer.WriteStart([new("distanceM", report!.DistanceM)]);
        await writer.WriteFeatureAsync(new Feature(report.Band, GeoJsonFeatureCollectionWriter.Attributes("band",
            ("code", "band"), ("level", "grensband"), ("name", $"Grensband {report.DistanceM:0} m"),
            ("tooltip", $"{report.DistanceM:0} m aan weerszijden van de grens van {report.Name}{(report.OtherName is null ? "" : $" met {report.OtherName}")}"))), ct);
        await writer.WriteFeatureAsync(new Feature(report.Border, GeoJsonFeatureCollectionWriter.Attributes("grens",
            ("code", "grens"), ("level", "grens"), ("name", "Grens"), ("lengthM", Math.Round(report.Border.Length, 1)))), ct);
        await writer.WriteEndAsync(ct: ct);
    }

    private static async Task ExportAsync(HttpContext http, CrossBoundaryService service, string code, CancellationToken ct, string? met = null, double? afstand = null,
        string? formaat = null)
    {
        var (report, problem) = await ReadBandAsync(service, code, met, afstand, ct);
        if (problem is null && formaat is not (null or "geojson" or "csv")) problem = Problems.BadRequest("Onbekend formaat", "Kies formaat=geojson of csv.", "formaat");
        if (problem is not null) { await problem.ExecuteAsync(http); return; }
        var r = report!;
        var name = $"grensband-{r.Code}{(r.Other is null ? "" : "-" + r.Other)}-{r.DistanceM:0}m";
        if (formaat == "csv")
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.csv\"";
            var sb = new StringBuilder("kant,naam,soort,team,meldingen_12_maanden," + string.Join(",", r.Months.Select(m => "meldingen_" + m)) + ",lopende_initiatieven\n");
            foreach (var s in r.Sides)
                sb.AppendJoin(',', new object?[] { s.Code, s.Name, s.Kind, s.Team, s.Meldingen }.Concat(s.PerMonth.Cast<object?>()).Append(s.Initiatieven).Select(Csv.Cell)).Append('\n');
            await http.Response.WriteAsync(sb.ToString(), ct);
            return;
        }
        http.Response.ContentType = Areas.AreasEndpoints.GeoJsonContentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.geojson\"";
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
        writer.WriteStart([new("gebied", r.Code), new("met", r.Other), new("distanceM", r.DistanceM), new("months", r.Months), new("demo", r.Demo)]);
        await writer.WriteFeatureAsync(new Feature(r.Band, GeoJsonFeatureCollectionWriter.Attributes("band",
            ("soort", "grensband"), ("sides", r.Sides.Select(s => new { code = s.Code, name = s.Name, kind = s.Kind, meldingen = s.Meldingen, perMonth = s.PerMonth, initiatieven = s.Initiatieven }).ToList()))), ct);
        await writer.WriteFeatureAsync(new Feature(r.Border, GeoJsonFeatureCollectionWriter.Attributes("grens", ("soort", "grens"), ("lengthM", Math.Round(r.Border.Length, 1)))), ct);
        foreach (var h in r.Hotspots)
            await writer.WriteFeatureAsync(new Feature(h.Hotspot.Polygon, GeoJsonFeatureCollectionWriter.Attributes(h.Id, ("soort", "hotspot"), ("rank", h.Rank),
                ("count", h.Hotspot.Count), ("shared", h.Shared), ("shares", h.Shares.Select(x => new { gebied = x.Gebied, name = x.Name, share = Math.Round(x.Share, 2) }).ToList()))), ct);
        await writer.WriteEndAsync(ct: ct);
    }

    private static async Task<IResult> BandMeldingenAsync(HttpContext http, CrossBoundaryService service, string code, CancellationToken ct, string? met = null, double? afstand = null)
    {
        var (report, problem) = await ReadBandAsync(service, code, met, afstand, ct);
        if (problem is not null) return problem;
        // the teams on either side of this border see the band in full; anyone else is not involved
        var rows = await service.BandMeldingenForAsync(http.User, report!, ct);
        if (rows is null)
            return TypedResults.Problem(title: "Geen toegang", detail: "Alleen de gebiedsteams aan deze grens zien de meldingen in de band.", statusCode: StatusCodes.Status403Forbidden);
        return TypedResults.Ok(rows.Select(m =>
        {
            var (lon, lat) = RdNew.ToWgs84(m.X, m.Y);
            return new { m.Id, m.CreatedAt, m.Category, m.Status, m.Gebied, lat = Math.Round(lat, 6), lon = Math.Round(lon, 6) };
        }));
    }

    private static async Task<IResult> DiscrepanciesAsync(HttpContext http, CrossBoundaryService service, CancellationToken ct, string? formaat = null)
    {
        var list = await service.DiscrepanciesAsync(ct);
        if (formaat == "geojson")
            return new GeoJsonPoints(list.Select((t, i) => (Id: $"afwijking-{i + 1}", t.Discrepancy.Location.X, t.Discrepancy.Location.Y, Props: new (string, object?)[]
            {
                ("code", $"afwijking-{i + 1}"), ("title", $"{(t.Discrepancy.Kind == "gap" ? "Gat" : "Overlap")} met {t.Discrepancy.MunicipalityName}"),
                ("description", $"{t.Discrepancy.AreaM2.ToString("N0", CultureInfo.GetCultureInfo("nl-NL"))} m² ({(t.Layer == "cbs" ? "in de CBS-lagen" : "grens in werking tegen de CBS-laag")})"),
                ("kind", t.Discrepancy.Kind), ("layer", t.Layer), ("municipality", t.Discrepancy.Municipality), ("areaM2", Math.Round(t.Discrepancy.AreaM2, 1)),
            })).ToList());
        if (formaat is not null and not "json") return Problems.BadRequest("Onbekend formaat", "Kies formaat=json of geojson.", "formaat");
        return TypedResults.Ok(list.Select(t => new
        {
            layer = t.Layer, kind = t.Discrepancy.Kind, municipality = t.Discrepancy.Municipality, municipalityName = t.Discrepancy.MunicipalityName,
            areaM2 = Math.Round(t.Discrepancy.AreaM2, 1), x = Math.Round(t.Discrepancy.Location.X, 1), y = Math.Round(t.Discrepancy.Location.Y, 1),
        }));
    }

    /// <summary>Points (RD) as a GeoJSON FeatureCollection in WGS84.</summary>
    private sealed class GeoJsonPoints(IReadOnlyList<(string Id, double X, double Y, (string, object?)[] Props)> points) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = Areas.AreasEndpoints.GeoJsonContentType;
            await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
            writer.WriteStart();
            foreach (var p in points) await writer.WritePointAsync(p.Id, p.X, p.Y, p.Props, http.RequestAborted);
            await writer.WriteEndAsync(ct: http.RequestAborted);
        }
    }

    private static async Task<IResult> DisplacementAsync(CrossBoundaryService service, string code, CancellationToken ct, string? datum = null, int weken = 8,
        double? afstand = null, string? level = null)
    {
        if (ReadLevel(level, out var l) is { } bad) return bad;
        if (level is null) l = code.StartsWith("WK", StringComparison.Ordinal) ? AreaLevel.Wijk : code.StartsWith("BU", StringComparison.Ordinal) ? AreaLevel.Buurt : AreaLevel.Gebied;
        if (!DateOnly.TryParseExact(datum ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return Problems.BadRequest("Ongeldige datum", "datum is de start van de aanpak, als 2026-06-01.", "datum");
        if (weken is < 1 or > 52) return Problems.BadRequest("Ongeldige periode", "weken is 1 tot 52: zoveel weken ervoor en erna.", "weken");
        var r = await service.DisplacementAsync(code, l, date, weken, afstand, ct);
        if (r is null) return Problems.NotFound("Gebied niet gevonden", $"Er is geen {l.Name()} {code} in werking.");
        object Show(Geo.Hotspots.DisplacementResult t) => new
        {
            t.InsideBefore, t.AroundBefore, t.InsideAfter, t.AroundAfter, oddsRatio = Math.Round(t.OddsRatio, 3), z = Math.Round(t.Z, 2), p = t.P,
            t.Significant, t.Displaced, t.Verdict,
        };
        return TypedResults.Ok(new { r.Code, r.Name, date = r.Date.ToString("yyyy-MM-dd"), r.Weeks, distanceM = r.DistanceM, band = Show(r.Band), neighbours = Show(r.Neighbours) });
    }
}
