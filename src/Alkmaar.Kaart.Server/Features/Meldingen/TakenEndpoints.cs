using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Security;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>Handing parts of a melding to parties (issue 29): the team's side under /api/meldingen/{id}/taken, the party's
/// side under /api/taken/{token} (no account: the link is the key; writes spend the public write budget), and a partner
/// account's side under /api/partner/taken (its own party's tasks across gebieden).</summary>
public static class TakenEndpoints
{
    public sealed record HandOffRequest(string? Partij, string? Vraag, DateOnly? Uiterlijk);
    public sealed record RevokeRequest(string? Reden);
    public sealed record StepRequest(string? Tekst);

    public static void MapTaken(this RouteGroupBuilder group, IEndpointRouteBuilder app)
    {
        group.MapGet("/{id:long}/partijen", async (HttpContext http, long id, MeldingTaken taken, CancellationToken ct) =>
                TypedResults.Ok((await taken.PartiesAsync(http.User, id, ct)).Select(p => new { organisatie = p.Organisation, soort = p.Kind, heeftContact = p.HasContact })))
            .RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("The parties of the melding's gebied (its Gebiedsteam+ register) a part can be handed to; empty without access.");
        group.MapGet("/{id:long}/taken", async (HttpContext http, long id, MeldingTaken taken, CancellationToken ct) =>
                TypedResults.Ok(await taken.ForMeldingAsync(http.User, id, ct)))
            .RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("The parts of the melding handed to parties, with every step; for its team and beheerders.");
        group.MapPost("/{id:long}/taken", async (HttpContext http, long id, MeldingTaken taken, CancellationToken ct) =>
            {
                var (input, problem) = await Problems.ReadJsonAsync<HandOffRequest>(http, ct);
                if (problem is not null) return problem;
                var made = await taken.HandOffAsync(http.User, id, input!.Partij, input.Vraag, input.Uiterlijk, ct);
                return TypedResults.Created($"/api/meldingen/{id}/taken", new { taak = made.Taak, link = made.Path });
            })
            .RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("Hand a part to a party of the register: {partij, vraag, uiterlijk}; answers the task and its link (once). Audited.");
        group.MapPost("/{id:long}/taken/{taakId:long}/intrekken", async (HttpContext http, long id, long taakId, MeldingTaken taken, CancellationToken ct) =>
            {
                var (input, problem) = await Problems.ReadJsonAsync<RevokeRequest>(http, ct);
                if (problem is not null) return problem;
                await taken.RevokeAsync(http.User, id, taakId, input!.Reden, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("Withdraw an open task: its link stops working at once. Audited.");

        var party = app.MapGroup("/api/taken").WithTags("Meldingen");
        party.MapGet("/{token}", async (HttpContext http, string token, MeldingTaken taken, CancellationToken ct) =>
            {
                http.Response.Headers.CacheControl = "no-store";
                http.Response.Headers["Referrer-Policy"] = "no-referrer";
                return await taken.ForPartyAsync(token, ct) is { } t
                    ? Results.Ok(t)
                    : Problems.NotFound("Onbekende of verlopen link", "Deze link hoort bij geen taak (meer).");
            })
            .AllowAnonymous()
            .WithSummary("The task behind a party's link: reference, kind, place, question, due date, steps; never the melder. 404 when unknown, expired or withdrawn.");
        party.MapPost("/{token}/{stap}", async (HttpContext http, string token, string stap, MeldingTaken taken, CancellationToken ct) =>
            {
                http.Response.Headers.CacheControl = "no-store";
                var (input, problem) = await Problems.ReadJsonAsync<StepRequest>(http, ct);
                if (problem is not null) return problem;
                await taken.PartyStepAsync(token, stap, input!.Tekst, ct);
                return Results.NoContent();
            })
            .AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("A step by the party: accepteren, teruggeven {tekst}, antwoord {tekst} or afronden {tekst}; 409 when it does not fit, 404 for a dead link.");

        var account = app.MapGroup("/api/partner/taken").WithTags("Meldingen").RequireAuthorization(KaartPolicies.Partner);
        account.MapGet("/", async (HttpContext http, MeldingTaken taken, int? afgerondDagen, CancellationToken ct) =>
            {
                http.Response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(await taken.ForAccountAsync(http.User, Math.Clamp(afgerondDagen ?? 30, 0, 365), ct));
            })
            .WithSummary("A partner account's tasks across gebieden: open ones (late marked), then those closed in the last afgerondDagen (30) days; never the melder.");
        account.MapPost("/{taakId:long}/{stap}", async (HttpContext http, long taakId, string stap, MeldingTaken taken, CancellationToken ct) =>
            {
                var (input, problem) = await Problems.ReadJsonAsync<StepRequest>(http, ct);
                if (problem is not null) return problem;
                await taken.AccountStepAsync(http.User, taakId, stap, input!.Tekst, ct);
                return Results.NoContent();
            })
            .WithSummary("A step by a partner account on its own party's task (as by link); 404 for another party's task, 409 when it does not fit. Audited.");
    }
}
