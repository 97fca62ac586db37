using Microsoft.AspNetCore.DataProtection;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>
/// <c>POST /api/boundaries</c> (planner): a new set of CBS buurten as GeoJSON (RD or WGS84). The same import as
/// <c>./kaart import boundaries</c>: validated (geometry validity, gaps, overlaps, codes, size limits) and written as one
/// boundary version in one transaction, or refused with every problem listed and nothing written.
/// </summary>
public static class BoundaryUploadEndpoints
{
    /// <summary>Importing boundaries and municipalities: the gebiedsindeling file, the importers, the versions.</summary>
    public static WebApplicationBuilder AddBoundaryImport(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<BoundaryOptions>(BoundaryOptions.Section);
        builder.AddKaartOptions<BoundaryUploadOptions>(BoundaryUploadOptions.Section);
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<BoundaryOptions>>().Value;
            return Alkmaar.Kaart.Geo.Areas.Gebiedsindeling.Load(PathResolution.Resolve(o.Gebiedsindeling, o.Root, builder.Environment.ContentRootPath));
        });
        builder.Services.AddSingleton<BoundaryImporter>();
        builder.Services.AddSingleton<BoundaryVersions>();
        builder.Services.AddSingleton<MunicipalityImporter>();
        return builder;
    }

    public static void MapBoundaryUpload(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/boundaries", UploadAsync).WithTags("Boundaries").RequireAuthorization(KaartPolicies.Planner)
            .WithSummary("Upload CBS buurten (GeoJSON) as a new boundary version; wijken, gebieden and dorpen are derived.");
        app.MapGet("/api/boundaries", async (BoundaryVersions versions, CancellationToken ct) => TypedResults.Ok(await versions.ListAsync(ct)))
            .WithTags("Boundaries").RequireAuthorization(KaartPolicies.Planner)
            .WithSummary("The boundary versions with their date range, source and number of repairs.");
        app.MapGet("/api/boundaries/{version:int}/repairs", RepairsAsync).WithTags("Boundaries").RequireAuthorization(KaartPolicies.Planner)
            .WithSummary("What the import of a version repaired (overlaps, gaps, edge mismatches) as GeoJSON points at each defect.");
    }

    private static async Task RepairsAsync(HttpContext http, BoundaryVersions versions, int version, CancellationToken ct)
    {
        var repairs = await versions.RepairsAsync(version, ct);
        if (repairs is null) { await Problems.NotFound("Versie niet gevonden", $"Er is geen grensversie {version}.").ExecuteAsync(http); return; }
        http.Response.ContentType = Areas.AreasEndpoints.GeoJsonContentType;
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
        writer.WriteStart([new("version", version)]);
        foreach (var r in repairs)
            await writer.WriteFeatureAsync(new NetTopologySuite.Features.Feature(r.Location, GeoJsonFeatureCollectionWriter.Attributes($"repair-{r.Id}",
                ("code", $"repair-{r.Id}"), ("kind", r.Kind), ("title", $"{KindNl(r.Kind)} {r.AreaM2:0.###} m²"), ("name", string.Join(", ", r.Buurten)),
                ("buurten", r.Buurten), ("assignedTo", r.AssignedTo), ("areaM2", Math.Round(r.AreaM2, 3)), ("widthM", Math.Round(r.WidthM, 3)),
                ("description", $"Buurten {string.Join(", ", r.Buurten)}; toegewezen aan {r.AssignedTo}."))), ct);
        await writer.WriteEndAsync(ct: ct);
    }

    public static string KindNl(string kind) => kind switch { "overlap" => "Overlap", "gap" => "Gat", _ => "Randverschil" };

    /// <summary>A preview's confirmation code: the file (SHA-256), the version it was compared with and who saw it, valid for
    /// an hour. A large change is imported only with it, so only after its preview, of that file, against that version.</summary>
    private static Microsoft.AspNetCore.DataProtection.ITimeLimitedDataProtector ConfirmCodes(HttpContext http) =>
        Microsoft.AspNetCore.DataProtection.DataProtectionAdvancedExtensions.ToTimeLimitedDataProtector(
            Microsoft.AspNetCore.DataProtection.DataProtectionCommonExtensions.CreateProtector(
                http.RequestServices.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), "Kaart.BoundaryUpload.Confirm"));

    private static async Task<IResult> UploadAsync(HttpContext http, BoundaryImporter importer, IOptions<BoundaryUploadOptions> options,
        AuditLog audit, CancellationToken ct, string? preview = null, string? confirm = null)
    {
        // ?preview=true: validate, repair and compare with the version in force, write nothing; answers a confirmation code.
        // ?confirm=<code from the preview>: import a change beyond the thresholds, the same file, nothing published since.
        var mode = IsTrue(preview) ? ImportMode.Preview : !string.IsNullOrEmpty(confirm) ? ImportMode.Confirmed : ImportMode.Guarded;
        var max = options.Value.MaxBytes;
        if (Problems.CheckBody(http, max, "Stuur de buurten als application/geo+json (een FeatureCollection in RD New of WGS84).",
                "application/geo+json", "application/json") is { } bodyProblem)
            return bodyProblem;
        var actor = AuditLog.ActorOf(http.User);
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, ct);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException)
        {
            return Problems.TooLarge(max);
        }
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        int? confirmedAgainst = null;
        if (mode == ImportMode.Confirmed)
        {
            string[] parts;
            try { parts = ConfirmCodes(http).Unprotect(confirm!).Split('|'); }
            catch (System.Security.Cryptography.CryptographicException) { parts = []; }
            if (parts.Length != 3 || parts[0] != sha || parts[2] != actor)
            {
                await audit.WriteAsync(actor, "grenzen afgekeurd", "grenzen", null, new { reason = "confirmation without a valid preview code" }, ct: ct);
                return TypedResults.Problem(title: "Eerst een voorbeeld", statusCode: StatusCodes.Status400BadRequest,
                    detail: "Een grote wijziging bevestigt u met de bevestigingscode uit het voorbeeld van precies dit bestand (POST /api/boundaries?preview=true, " +
                            "geldig een uur, alleen voor wie het voorbeeld opvroeg). Er is niets opgeslagen.");
            }
            confirmedAgainst = int.TryParse(parts[1], out var v) ? v : null;
        }
        try
        {
            var result = await importer.ImportAsync(bytes, $"upload door {actor}", ct, actor: actor, mode: mode, confirmedAgainst: confirmedAgainst);
            return TypedResults.Ok(new
            {
                preview = result.Preview, change = Describe(result.Change),
                confirmCode = result.Preview
                    ? ConfirmCodes(http).Protect($"{sha}|{result.Change?.LatestVersion}|{actor}", TimeSpan.FromHours(1))
                    : null,
                version = result.Preview ? (int?)null : result.VersionId, validFrom = result.ValidFrom, unchanged = result.Unchanged,
                sourceCrs = CrsNames.ShortName(result.SourceCrs), counts = result.Counts.ToDictionary(c => c.Key.Name(), c => c.Value),
                repairs = result.Repairs.Select(d => new
                {
                    kind = BoundaryImporter.KindName(d.Kind), buurten = d.Buurten, assignedTo = d.AssignedTo,
                    areaM2 = Math.Round(d.AreaM2, 3), widthM = Math.Round(d.WidthM, 3),
                    location = new[] { Math.Round(d.Location.X, 3), Math.Round(d.Location.Y, 3) },
                }),
            });
        }
        catch (BoundaryConfirmationRequiredException e)
        {
            await audit.WriteAsync(actor, "grenzen afgekeurd", "grenzen", null, new { reason = "change beyond thresholds", e.Change.Exceeded }, ct: ct);
            return TypedResults.Problem(title: "Grote wijziging: bevestiging nodig", detail: e.Message, statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["change"] = Describe(e.Change), ["confirmWith"] = "POST /api/boundaries?preview=true, dan POST /api/boundaries?confirm=<confirmCode uit het voorbeeld>" });
        }
        catch (BoundaryValidationException e)
        {
            await audit.WriteAsync(actor, "grenzen afgekeurd", "grenzen", null,
                new { problems = e.Problems.Count, first = e.Problems.Take(20).Select(p => p.Code) }, ct: ct);
            return TypedResults.Problem(title: "Grenzen afgekeurd", statusCode: StatusCodes.Status422UnprocessableEntity,
                detail: $"{e.Problems.Count} problem(s); nothing was written.",
                extensions: new Dictionary<string, object?> { ["problems"] = e.Problems.Take(200).Select(p => new { code = p.Code, message = p.Message }) });
        }
        catch (GeoJsonFormatException e)
        {
            await audit.WriteAsync(actor, "grenzen afgekeurd", "grenzen", null, new { reason = "unreadable GeoJSON" }, ct: ct);
            return Problems.BadRequest("Onleesbare GeoJSON", e.Message);
        }
        catch (BoundaryImportException e)
        {
            await audit.WriteAsync(actor, "grenzen afgekeurd", "grenzen", null, new { reason = e.Message }, ct: ct);
            return TypedResults.Problem(title: "Grenzen afgekeurd", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static bool IsTrue(string? v) => v is not null && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static object? Describe(BoundaryChange? c) => c is null ? null : new
    {
        latestVersion = c.LatestVersion, gemeenteKm2Before = c.GemeenteAreaKm2Before, gemeenteKm2After = c.GemeenteAreaKm2After,
        gemeenteAreaChangePct = Math.Round(c.GemeenteAreaChangePct, 3), missingBuurten = c.MissingBuurten, newBuurten = c.NewBuurten,
        addresses = c.Addresses, addressesChangingTeam = c.AddressesChangingTeam, addressesChangingTeamPct = Math.Round(c.AddressesChangingTeamPct, 2),
        movedBuurten = c.MovedBuurten.Select(m => new { code = m.Code, meanDisplacementM = m.MeanDisplacementM }),
        exceeded = c.Exceeded,
    };
}
