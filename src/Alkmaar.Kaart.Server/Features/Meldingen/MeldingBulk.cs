using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Audit;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>What one melding of a bulk action came to: done, or why not (the others still go on).</summary>
public sealed record BulkOutcome(long Id, bool Ok, string? Error);

/// <summary>
/// Bulk actions on a selection (issue 29): the same status, the same assignee or another gebied for up to
/// <see cref="MaxBulk"/> meldingen at once, with one reason. Each melding goes through the same checks, lock and history as
/// a single change (a melding outside the caller's share, or one that cannot take the step, is reported and skipped, never
/// half done); the reason is kept with each as an internal note, and the action is audited once with its ids.
/// </summary>
public sealed partial class MeldingService
{
    public const int MaxBulk = 200;
    public static readonly IReadOnlyList<string> BulkActions = ["status", "toewijzen", "routering"];

    public async Task<List<BulkOutcome>> BulkAsync(ClaimsPrincipal user, IReadOnlyList<long>? ids, string? action, string? value, string? reason, CancellationToken ct = default)
    {
        if (ids is not { Count: > 0 } || ids.Count > MaxBulk)
            throw new MeldingRejectedException("Selectie ongeldig", $"Kies 1 tot {MaxBulk} meldingen.", "ids");
        if (action is null || !BulkActions.Contains(action))
            throw new MeldingRejectedException("Onbekende actie", "Een gezamenlijke actie is status, toewijzen of routering.", "actie");
        var why = RequireReason(reason, "deze gezamenlijke actie");
        var outcomes = new List<BulkOutcome>();
        foreach (var id in ids.Distinct())
        {
            try
            {
                switch (action)
                {
                    case "status": await SetStatusAsync(user, id, value, ct); break;
                    case "toewijzen": await AssignAsync(user, id, value, ct); break;
                    default: await OverrideAsync(user, id, value, why, ct); break;
                }
                // the one reason, with each melding (those who may write internal notes: the team, beheerders)
                if (action != "routering")
                    try { await AddNoteAsync(user, id, NoteIntern, $"Gezamenlijke actie ({action}): {why}", ct); }
                    catch (MeldingRejectedException) { /* a partner without internal notes: the history has the step */ }
                outcomes.Add(new BulkOutcome(id, true, null));
            }
            catch (MeldingRejectedException e) { outcomes.Add(new BulkOutcome(id, false, $"{e.Title}: {e.Message}")); }
        }
        await audit.WriteAsync(AuditLog.ActorOf(user), "gezamenlijke actie", "melding", null,
            new { action, value, reason = why, done = outcomes.Where(o => o.Ok).Select(o => o.Id), refused = outcomes.Where(o => !o.Ok).Select(o => o.Id) }, ct: ct);
        return outcomes;
    }
}
