using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Security;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>The melder's side of the conversation on the status link (issue 29), and the team's view of a photo sent with
/// an answer. Anonymous writes spend the public write budget; the link's token is the only key.</summary>
public static class MelderEndpoints
{
    public sealed record IntakeRequest(string? Kanaal, string? Category, string? Description, string? Postcode, int? Huisnummer, string? Toevoeging,
        double? X, double? Y, double? Lat, double? Lon, string? Naam, string? Email, string? Telefoon);

    public sealed record FollowRequest(string? Cel, string? Category, string? Email);
    public sealed record MergeRequest(long? Met, int? Version);
    public sealed record BulkRequest(long[]? Ids, string? Actie, string? Waarde, string? Reden);

    public static void MapMelderFollowUp(this RouteGroupBuilder group)
    {
        group.MapGet("/al-gemeld", async (string? category, double? lat, double? lon, string? postcode, int? huisnummer, string? toevoeging,
                AlGemeld alGemeld, CancellationToken ct) =>
                TypedResults.Ok(await alGemeld.NearbyAsync(new NewMelding { Lat = lat, Lon = lon, Postcode = postcode, Huisnummer = huisnummer, Toevoeging = toevoeging }, category, ct)))
            .AllowAnonymous()
            .WithSummary("'Is dit al gemeld?': for an openbare-ruimte category and a place (lat/lon or postcode/huisnummer), the published 50 m cells within 150 m with meldingen of that category in the last 28 whole days — under the release rule, never a cell under the minimum.");
        group.MapPost("/al-gemeld/volgen", async (HttpContext http, AlGemeld alGemeld, CancellationToken ct) =>
            {
                var (input, problem) = await Problems.ReadJsonAsync<FollowRequest>(http, ct);
                if (problem is not null) return problem;
                await alGemeld.FollowAsync(input!.Cel, input.Category, input.Email, ct);
                return Results.NoContent();
            })
            .AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("Follow the open meldingen of a category in a cell the suggestion showed ({cel, category, email}): each of their steps by e-mail. Answers no count.");
        group.MapPost("/bulk", async (HttpContext http, MeldingService service, CancellationToken ct) =>
            {
                var (input, problem) = await Problems.ReadJsonAsync<BulkRequest>(http, ct);
                if (problem is not null) return problem;
                var outcomes = await service.BulkAsync(http.User, input!.Ids, input.Actie, input.Waarde, input.Reden, ct);
                return TypedResults.Ok(new { gelukt = outcomes.Count(o => o.Ok), mislukt = outcomes.Where(o => !o.Ok) });
            })
            .RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("One action on a selection ({ids, actie: status|toewijzen|routering, waarde, reden}), each melding checked as a single change; answers what was done and what not and why. Audited once.");
        group.MapPost("/{id:long}/samenvoegen", async (HttpContext http, long id, MeldingService service, CancellationToken ct) =>
            {
                var (input, problem) = await Problems.ReadJsonAsync<MergeRequest>(http, ct);
                if (problem is not null) return problem;
                if (input!.Met is not { } into) return Problems.BadRequest("Doel ontbreekt", "Geef met het nummer van de melding waarmee deze wordt samengevoegd.", "met");
                await service.MergeAsync(http.User, id, into, ct, input.Version);
                return Results.NoContent();
            })
            .RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("Close a duplicate by merging it into another open melding of the team ({met, version}); its melder and followers follow that one. Audited.");
        group.MapPost("/intake", async (HttpContext http, MeldingService service, CancellationToken ct) =>
            {
                var (input, problem) = await Problems.ReadJsonAsync<IntakeRequest>(http, ct);
                if (problem is not null) return problem;
                var i = input!;
                var created = await service.IntakeAsync(http.User, new NewMelding
                {
                    Category = i.Category, Description = i.Description, Postcode = i.Postcode, Huisnummer = i.Huisnummer, Toevoeging = i.Toevoeging,
                    X = i.X, Y = i.Y, Lat = i.Lat, Lon = i.Lon, Naam = i.Naam, Email = i.Email, Telefoon = i.Telefoon,
                }, i.Kanaal, ct);
                return TypedResults.Created($"/api/meldingen/{created.Id}", created);
            })
            .RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("Record a melding received by phone, at the counter or a wijkpost for a resident: {kanaal: telefoon|balie|wijkpost, …the fields of POST /api/meldingen}; routed the same way; audited.");
        group.MapPost("/status/{token}/reactie", MelderAnswerAsync).AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("The melder answers the team's question (melding in 'reactie_gevraagd'): JSON {text} or a form with text and an optional photo 'foto'.");
        group.MapPost("/status/{token}/tevredenheid", SatisfactionAsync).AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("After closing: {tevreden: true|false, reden?, heropenen?}; reopening within Meldingen:ReopenDays, with a reason.");
        group.MapGet("/{id:long}/notities/{noteId:long}/foto", NotePhotoAsync).RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("The photo the melder sent with an answer (metadata removed), for those who see the melding's personal data; audited.");
    }

    public sealed record SatisfactionRequest(bool? Tevreden, string? Reden = null, bool? Heropenen = null);

    private static async Task<IResult> MelderAnswerAsync(HttpContext http, string token, MeldingService service, IOptions<MeldingOptions> options, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        string? text;
        CleanPhoto? photo = null;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            text = form["text"];
            if (form.Files.GetFile("foto") is { Length: > 0 } file)
            {
                if (file.Length > options.Value.MaxPhotoBytes)
                    return Problems.BadRequest("Foto te groot", $"Een foto is ten hoogste {options.Value.MaxPhotoBytes / (1024 * 1024)} MB.", "foto");
                using var ms = new MemoryStream();
                await file.CopyToAsync(ms, ct);
                photo = MeldingPhotos.Clean(ms.GetBuffer().AsSpan(0, (int)ms.Length), options.Value.MaxPhotoBytes);
            }
        }
        else
        {
            var (input, problem) = await Problems.ReadJsonAsync<MeldingenEndpoints.NoteRequest>(http, ct);
            if (problem is not null) return problem;
            text = input!.Text;
        }
        await service.MelderAnswerAsync(token, text, photo, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SatisfactionAsync(HttpContext http, string token, MeldingService service, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        var (input, problem) = await Problems.ReadJsonAsync<SatisfactionRequest>(http, ct);
        if (problem is not null) return problem;
        await service.MelderSatisfactionAsync(token, input!.Tevreden, input.Reden, input.Heropenen == true, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> NotePhotoAsync(HttpContext http, long id, long noteId, MeldingService service, CancellationToken ct)
    {
        if (await service.NotePhotoAsync(http.User, id, noteId, ct) is not { } photo)
            return Problems.NotFound("Geen foto", $"Deze reactie bij melding {id} heeft geen foto die u mag zien.");
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.File(photo.Bytes, photo.ContentType);
    }

}
