using System.Globalization;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Schouwen;

/// <summary>
/// The wijkschouw's API for the phone (<c>/schouwen/{id}/lopen</c> sends what it kept while offline) and the report's map.
/// Staff who handle meldingen (gebiedsteam for its own gebieden, Stadswerk072, beheerder); a round outside the caller's
/// gebieden answers 404 like one that does not exist.
/// </summary>
public static class SchouwEndpoints
{
    public static WebApplicationBuilder AddSchouwen(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => Beeldkwaliteit.Load(sp.GetRequiredService<IOptions<BoundaryOptions>>(), sp.GetRequiredService<IHostEnvironment>()));
        builder.Services.AddSingleton<SchouwService>();
        return builder;
    }

    private sealed record SpoorPunt(DateTimeOffset At, double Lat, double Lon);
    private sealed record SpoorBody(List<SpoorPunt>? Punten);

    public static void MapSchouwen(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/schouwen").RequireAuthorization(KaartPolicies.Meldingen).WithTags("Wijkschouw");

        api.MapPost("/{id:long}/bevindingen", async (HttpContext http, long id, SchouwService schouwen, IOptions<MeldingOptions> o, CancellationToken ct) =>
            {
                var max = o.Value.MaxPhotoBytes + 64 * 1024;
                if (Problems.CheckBody(http, max, "Stuur multipart/form-data: clientId, item, score, toelichting, lat, lon, nauwkeurigheid, vastgelegdAt en eventueel foto.",
                        "multipart/form-data") is { } problem) return problem;
                var form = await http.Request.ReadFormAsync(ct);
                static double? Num(string? s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;
                var input = new BevindingInput(Guid.TryParse(form["clientId"], out var g) ? g : Guid.Empty, form["item"], form["score"], form["toelichting"],
                    Num(form["lat"]), Num(form["lon"]), Num(form["nauwkeurigheid"]),
                    DateTimeOffset.TryParse(form["vastgelegdAt"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null);
                ReadOnlyMemory<byte>? photo = null;
                if (form.Files.GetFile("foto") is { Length: > 0 } file)
                {
                    using var ms = new MemoryStream();
                    await file.CopyToAsync(ms, ct);
                    photo = ms.ToArray();
                }
                var (bid, nieuw) = await schouwen.AddBevindingAsync(http.User, id, input, photo, ct);
                return nieuw
                    ? Results.Created($"/schouwen/{id}#bevinding-{bid}", new { id = bid, nieuw })
                    : Results.Ok(new { id = bid, nieuw });
            })
            .DisableAntiforgery()
            .WithSummary("Keeps one finding of a schouw round (sent again after being offline: kept once, by the phone's clientId). The photo is stripped of its metadata.");

        api.MapPost("/{id:long}/spoor", async (HttpContext http, long id, SchouwService schouwen, CancellationToken ct) =>
            {
                var (body, problem) = await Problems.ReadJsonAsync<SpoorBody>(http, ct, 512 * 1024);
                if (problem is not null) return problem;
                if (body!.Punten is null) return Problems.BadRequest("Punten ontbreken", "Stuur {\"punten\": [{\"at\", \"lat\", \"lon\"}, …]}.", "punten");
                var added = await schouwen.AddSpoorAsync(http.User, id, body.Punten.Select(p => (p.At, p.Lat, p.Lon)).ToList(), ct);
                return Results.Ok(new { toegevoegd = added });
            })
            .WithSummary("Adds the phone's positions (at, lat, lon) to the walked route of a schouw round.");

        api.MapGet("/{id:long}/kaart", async (HttpContext http, long id, SchouwService schouwen, CancellationToken ct) =>
                Results.Text(await schouwen.KaartAsync(http.User, id, ct), "application/geo+json"))
            .WithSummary("The round on a map: the walked route and the findings (GeoJSON, WGS84).");

        api.MapGet("/{id:long}/bevindingen/{bevinding:long}/foto", async (HttpContext http, long id, long bevinding, SchouwService schouwen, CancellationToken ct) =>
            {
                if (await schouwen.PhotoAsync(http.User, id, bevinding, ct) is not { } p)
                    return Problems.NotFound("Geen foto", "Deze bevinding heeft geen foto.");
                http.Response.Headers.CacheControl = "private, max-age=3600";
                return Results.File(p.Bytes, p.ContentType);
            })
            .WithSummary("The photo of a finding (metadata removed when it was received).");
    }
}
