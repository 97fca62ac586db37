using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>The party's side of a task: by its link (no account) and by a partner account (its party's tasks across gebieden).</summary>
public sealed partial class MeldingTaken
{
    // ------------------------------------------------------------------------------------------------ the party, by its link
    /// <summary>The task behind a party's link, or null: unknown, malformed, expired or withdrawn links all get nothing.</summary>
    public async Task<TaakVoorPartij?> ForPartyAsync(string? token, CancellationToken ct = default)
    {
        if (!StatusLinks.LooksValid(token)) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var found = await PartyViewsAsync(conn, "k.token_hash = $1 AND k.token_revoked_at IS NULL AND k.token_expires_at > $2",
            [StatusLinks.Hash(token!), time.GetUtcNow()], ct);
        return found.Count == 1 ? found[0].Taak : null;
    }

    /// <summary>
    /// A step by the party through its link: <c>accepteren</c>, <c>teruggeven</c> (with a reason), <c>antwoord</c> (an
    /// answer, the task stays open) or <c>afronden</c> (with what was done). A step that does not fit the task's state is
    /// refused (409); a dead link gets 404. When the last open part of a melding is done, the melding is closed.
    /// </summary>
    public Task PartyStepAsync(string? token, string? action, string? text, CancellationToken ct = default) =>
        StepByPartyAsync("token_hash = $1 AND token_revoked_at IS NULL AND token_expires_at > $2",
            [StatusLinks.Hash(StatusLinks.LooksValid(token) ? token! : "-"), time.GetUtcNow()], party => $"{party} (via link)", action, text, ct);

    // ------------------------------------------------------------------------------------------------ the party, by its account
    /// <summary>
    /// A partner account's tasks across gebieden (role <see cref="KaartRoles.Partner"/>, its party from
    /// <see cref="KaartClaims.Partij"/>): the open ones, then those closed in the last <paramref name="closedDays"/> days —
    /// what its link would show, never the melder. Empty for anyone who is not (or no longer) a partner.
    /// </summary>
    public async Task<List<TaakVoorPartner>> ForAccountAsync(ClaimsPrincipal user, int closedDays = 30, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now || now.Partij() is not { } partij) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        var today = MeldingDeadlines.DayOf(time.GetUtcNow());
        var list = await PartyViewsAsync(conn,
            "k.party_name = $1 AND (k.status IN ('uitgezet', 'geaccepteerd') OR k.closed_at > $2)",
            [partij, time.GetUtcNow().AddDays(-closedDays)], ct);
        return list.Select(t => t with { Late = IsOpen(t.Taak.Status) && t.Taak.Due < today })
            .OrderBy(t => IsOpen(t.Taak.Status) ? 0 : 1).ThenBy(t => IsOpen(t.Taak.Status) ? t.Taak.Due.DayNumber : -t.Taak.Due.DayNumber).ToList();
    }

    /// <summary>A step by a partner account on a task of its own party (the same steps and rules as by link; link expiry
    /// does not apply, a withdrawn task is gone). Another party's task, or none, gets 404.</summary>
    public async Task AccountStepAsync(ClaimsPrincipal user, long taakId, string? action, string? text, CancellationToken ct = default)
    {
        var now = await scopes.ActorNowAsync(user);
        if (now?.Partij() is not { } partij)
            throw new MeldingRejectedException("Geen toegang", "U bent uitgelogd of uw account is gewijzigd; er is niets gewijzigd. Log opnieuw in.", status: StatusCodes.Status403Forbidden);
        var name = now.Identity?.Name ?? "partner";
        await StepByPartyAsync("id = $1 AND party_name = $2 AND token_revoked_at IS NULL", [taakId, partij], party => $"{name} ({party})", action, text, ct);
    }

    private async Task StepByPartyAsync(string where, object[] args, Func<string, string> actorOf, string? action, string? text, CancellationToken ct)
    {
        var note = Clean(text);
        if (note is { Length: > 2000 }) throw new MeldingRejectedException("Tekst te lang", "Ten hoogste 2000 tekens.", "text");
        var (from, to, needsText) = action switch
        {
            "accepteren" => ((string[])[Uitgezet], Geaccepteerd, false),
            "teruggeven" => ([Uitgezet, Geaccepteerd], Teruggegeven, true),
            "antwoord" => ([Uitgezet, Geaccepteerd], null, true),
            "afronden" => ([Geaccepteerd], Afgerond, true),
            _ => throw new MeldingRejectedException("Onbekende stap", "Een stap is accepteren, teruggeven, antwoord of afronden.", "action"),
        };
        if (needsText && note is null)
            throw new MeldingRejectedException("Tekst ontbreekt", to == Teruggegeven ? "Schrijf waarom u de taak teruggeeft." : "Schrijf uw antwoord of wat er is gedaan.", "text");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id, meldingId;
        string status, party;
        await using (var cmd = new NpgsqlCommand($"SELECT id, melding_id, status, party_name FROM melding_taak WHERE {where} FOR UPDATE", conn, tx))
        {
            foreach (var a in args) cmd.Parameters.AddWithValue(a);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
                throw new MeldingRejectedException("Onbekende of verlopen taak", "Deze taak is niet (meer) voor u open. Neem contact op met het gebiedsteam.", status: StatusCodes.Status404NotFound);
            (id, meldingId, status, party) = (r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3));
        }
        if (!from.Contains(status))
            throw new MeldingRejectedException("Kan niet meer", $"De taak is {Label(status).ToLowerInvariant()}; deze stap past daar niet bij.", "action", StatusCodes.Status409Conflict);
        var now = time.GetUtcNow();
        if (to is not null)
        {
            await using var cmd = new NpgsqlCommand(
                "UPDATE melding_taak SET status = $2, updated_at = $3, version = version + 1, closed_at = CASE WHEN $2 IN ('afgerond', 'teruggegeven') THEN $3 END WHERE id = $1", conn, tx);
            foreach (var v in new object[] { id, to, now }) cmd.Parameters.AddWithValue(v);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var actor = actorOf(party);
        await StepAsync(conn, tx, id, actor, to ?? "antwoord", note, now, ct);
        await TouchMeldingAsync(conn, tx, meldingId, now, ct);
        if (to == Afgerond) await CloseWhenAllDoneAsync(conn, tx, meldingId, party, now, ct);
        await MeldingService.SyncClockAsync(conn, tx, meldingId, now, O, ct);
        await audit.WriteAsync(actor, $"taak {to ?? "beantwoord"}", "melding", meldingId.ToString(), new { taak = id }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Tasks as a party sees them (reference, kind, place, team, question, due date, steps), selected by
    /// <paramref name="where"/> over <c>melding_taak k</c>. A withdrawal's reason is the team's own and is left out.</summary>
    private static async Task<List<TaakVoorPartner>> PartyViewsAsync(NpgsqlConnection conn, string where, object[] args, CancellationToken ct)
    {
        var rows = new List<TaakVoorPartner>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT k.id, m.id, m.category, coalesce(m.address_text, b.name, w.name), coalesce(t.name, m.gebied_code), k.party_name, k.question, k.due_on,
                   k.status, k.token_expires_at, k.version
            FROM melding_taak k JOIN melding m ON m.id = k.melding_id
            LEFT JOIN gebiedsteam t ON t.gebied_code = m.gebied_code
            LEFT JOIN area_in_force b ON b.code = m.buurt_code AND b.level = 'buurt'
            LEFT JOIN area_in_force w ON w.code = m.wijk_code AND w.level = 'wijk'
            WHERE {where}
            ORDER BY k.due_on, k.id
            """, conn))
        {
            foreach (var a in args) cmd.Parameters.AddWithValue(a);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                rows.Add(new TaakVoorPartner(r.GetInt64(0), r.GetInt32(10), false, new TaakVoorPartij(StatusLinks.Reference(r.GetInt64(1)), r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetFieldValue<DateOnly>(7), r.GetString(8),
                    r.GetFieldValue<DateTimeOffset>(9), [])));
        }
        var steps = await StepsAsync(conn, rows.Select(t => t.Id).ToArray(), ct);
        return rows.Select(t => t with
        {
            Taak = t.Taak with
            {
                Steps = steps.TryGetValue(t.Id, out var s) ? s.Select(x => x.Kind == Ingetrokken ? x with { Text = null } : x).ToList() : [],
            },
        }).ToList();
    }
}
