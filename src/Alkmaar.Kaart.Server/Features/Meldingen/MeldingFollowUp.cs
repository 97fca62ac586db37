using System.Security.Claims;
using Alkmaar.Kaart.Geo.Deadlines;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>What the status link offers the melder now: answer the team's question, or say whether they are satisfied
/// (and, within <see cref="MeldingOptions.ReopenDays"/> of closing, have it reopened).</summary>
public sealed record MelderFollowUp(string? Question, DateTimeOffset? AskedAt, IReadOnlyList<DateTimeOffset> Replies,
    bool MayGiveSatisfaction, bool? Satisfied, DateTimeOffset? ReopenUntil);

/// <summary>
/// Talking with the melder on the status link (issue 29, Signalen's "reactie gevraagd" and "tevredenheid"): whoever holds
/// the link answers the team's question (text and an optional photo, stripped like the melding's own), says whether they
/// are satisfied after closing and may have it reopened within the configured days. No account: the link is the key, so
/// every step is bound to that one melding, audited as "de melder", and announced to the team live (the melding row
/// changes, so its change feed fires).
/// </summary>
public sealed partial class MeldingService
{
    public const string NoteMelder = "melder";
    private const string Melder = "de melder";

    /// <summary>The melder answers the team's question: stored as the melder's note (the team only), the melding goes back
    /// to "in behandeling" and its clock on. Refused (409) when no question is open.</summary>
    public async Task MelderAnswerAsync(string? token, string? text, CleanPhoto? photo, CancellationToken ct = default)
    {
        var answer = CheckNote(text, "text") ?? throw new MeldingRejectedException("Reactie is leeg", "Schrijf uw antwoord op de vraag.", "text");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (id, status, gebied, _, _) = await LockByTokenAsync(conn, tx, token, ct);
        if (status != MeldingStatus.ReactieGevraagd)
            throw new MeldingRejectedException("Geen vraag open", "Het gebiedsteam wacht niet op een reactie (meer). U ziet hieronder de stand van uw melding.",
                "text", StatusCodes.Status409Conflict);
        var now = time.GetUtcNow();
        await using (var cmd = new NpgsqlCommand(
            "UPDATE melding SET status = 'in_behandeling', version = version + 1, updated_at = $2 WHERE id = $1", conn, tx))
        {
            Add(cmd, id, now);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await SyncClockAsync(conn, tx, id, now, O, ct);
        var noteId = await InsertNoteAsync(conn, tx, id, Melder, NoteMelder, answer, now, ct);
        if (photo is not null)
        {
            await using var p = new NpgsqlCommand(
                "INSERT INTO melding_note_photo (note_id, content_type, width, height, bytes) VALUES ($1, $2, $3, $4, $5)", conn, tx);
            Add(p, noteId, photo.ContentType, photo.Width, photo.Height, photo.Bytes);
            await p.ExecuteNonQueryAsync(ct);
        }
        await AddHistoryAsync(conn, tx, id, Melder, "status", gebied, gebied, $"{StatusPrefix}{MeldingStatus.InBehandeling.Code}", null, ct);
        await audit.WriteAsync(Melder, "reactie van melder", "melding", id.ToString(), new { photo = photo is not null }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// "Bent u tevreden?" after closing, with an optional reason; once per closing. With <paramref name="reopen"/> (only when
    /// not satisfied, within <see cref="MeldingOptions.ReopenDays"/> of closing, and with a reason) the melding opens again
    /// as new for its team, with its handling time counted afresh from today.
    /// </summary>
    public async Task MelderSatisfactionAsync(string? token, bool? satisfied, string? reason, bool reopen, CancellationToken ct = default)
    {
        if (satisfied is not { } yes)
            throw new MeldingRejectedException("Kies ja of nee", "Zeg of u tevreden bent over de afhandeling.", "satisfied");
        var why = CheckNote(reason, "reason");
        if (reopen && yes)
            throw new MeldingRejectedException("Heropenen kan alleen als u niet tevreden bent", "Kies 'nee' als u wilt dat de melding opnieuw wordt opgepakt.", "reopen");
        if (reopen && why is null)
            throw new MeldingRejectedException("Reden ontbreekt", "Schrijf waarom de melding opnieuw moet worden opgepakt.", "reason");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (id, status, gebied, closedAt, satisfactionAt) = await LockByTokenAsync(conn, tx, token, ct);
        if (status != MeldingStatus.Afgehandeld || closedAt is null)
            throw new MeldingRejectedException("Nog niet afgehandeld", "U kunt uw tevredenheid geven zodra de melding is afgehandeld.", "satisfied", StatusCodes.Status409Conflict);
        if (satisfactionAt is { } given && given >= closedAt)
            throw new MeldingRejectedException("Al beantwoord", "U hebt al gezegd of u tevreden bent. Dank u wel.", "satisfied", StatusCodes.Status409Conflict);
        var now = time.GetUtcNow();
        if (reopen && now > closedAt.Value.AddDays(O.ReopenDays))
            throw new MeldingRejectedException("Heropenen kan niet meer", $"Een melding kan tot {O.ReopenDays} dagen na het afhandelen worden heropend. Doe een nieuwe melding.",
                "reopen", StatusCodes.Status409Conflict);
        await using (var cmd = new NpgsqlCommand(
            "UPDATE melding SET satisfied = $2, satisfaction_reason = $3, satisfaction_at = $4, version = version + 1 WHERE id = $1", conn, tx))
        {
            Add(cmd, id, yes, why, now);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (reopen)
        {
            var days = await HandlingDaysAsync(conn, tx, id, ct);
            var fresh = new HandlingDeadline(MeldingDeadlines.DayOf(now), days);
            await using (var cmd = new NpgsqlCommand(
                """
                UPDATE melding SET status = 'nieuw', closed_at = NULL, reopened_count = reopened_count + 1, clock_from = $2, paused_days = 0,
                  paused_since = NULL, due_on = $3, three_times_due_on = $4, updated_at = $5
                WHERE id = $1
                """, conn, tx))
            {
                Add(cmd, id, fresh.Received, fresh.Due, fresh.ThreeTimesDue, now);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await InsertNoteAsync(conn, tx, id, Melder, NoteMelder, $"Verzoek om te heropenen: {why}", now, ct);
            await AddHistoryAsync(conn, tx, id, Melder, "status", gebied, gebied, $"{StatusPrefix}{MeldingStatus.Nieuw.Code}", null, ct);
        }
        await audit.WriteAsync(Melder, reopen ? "melding heropend door melder" : "tevredenheid gegeven", "melding", id.ToString(),
            new { satisfied = yes, reopen }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>What the status link of a melding offers its melder now (see <see cref="MelderFollowUp"/>).</summary>
    private async Task<MelderFollowUp> FollowUpAsync(NpgsqlConnection conn, long id, string status, DateTimeOffset? closedAt, CancellationToken ct)
    {
        string? question = null;
        DateTimeOffset? askedAt = null;
        var replies = new List<DateTimeOffset>();
        bool? satisfied = null;
        DateTimeOffset? satisfactionAt = null;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT n.kind, n.at, n.text FROM melding_note n WHERE n.melding_id = $1 AND n.kind IN ('publiek', 'melder') ORDER BY n.id
            """, conn))
        {
            Add(cmd, id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                if (r.GetString(0) == NoteMelder) replies.Add(r.GetFieldValue<DateTimeOffset>(1));
                else (askedAt, question) = (r.GetFieldValue<DateTimeOffset>(1), r.GetString(2));
        }
        await using (var cmd = new NpgsqlCommand("SELECT satisfied, satisfaction_at FROM melding WHERE id = $1", conn))
        {
            Add(cmd, id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
                (satisfied, satisfactionAt) = (r.IsDBNull(0) ? null : r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1));
        }
        var waiting = status == MeldingStatus.ReactieGevraagd;
        var closed = status == MeldingStatus.Afgehandeld && closedAt is not null;
        var mayGive = closed && (satisfactionAt is null || satisfactionAt < closedAt);
        DateTimeOffset? reopenUntil = closed && closedAt!.Value.AddDays(O.ReopenDays) is var until && until > time.GetUtcNow() ? until : null;
        return new MelderFollowUp(waiting ? question : null, waiting ? askedAt : null, replies, mayGive,
            closed && !mayGive ? satisfied : null, mayGive ? reopenUntil : null);
    }

    /// <summary>The photo the melder sent with an answer, for those who see the melding's personal data (audited), or null.</summary>
    public async Task<CleanPhoto?> NotePhotoAsync(ClaimsPrincipal user, long id, long noteId, CancellationToken ct = default)
    {
        user = await ActorNowAsync(user, id);
        await using var cmd = db.CreateCommand(
            """
            SELECT m.gebied_code, m.forwarded_to, p.content_type, p.width, p.height, p.bytes
            FROM melding m JOIN melding_note n ON n.melding_id = m.id JOIN melding_note_photo p ON p.note_id = n.id
            WHERE m.id = $1 AND n.id = $2
            """);
        Add(cmd, id, noteId);
        CleanPhoto? photo;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            if (MeldingAccessRules.AccessTo(user, r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), KaartRoles.Stadswerk) != MeldingAccess.Personal)
                return null;
            photo = new CleanPhoto(r.GetFieldValue<byte[]>(5), r.GetString(2), r.GetInt32(3), r.GetInt32(4));
        }
        await audit.WriteAsync(AuditLog.ActorOf(user), "foto bij reactie bekeken", "melding", id.ToString(), new { note = noteId }, ct: ct);
        return photo;
    }

    /// <summary>The ids of the notes that have a photo, of one melding.</summary>
    public async Task<HashSet<long>> NotesWithPhotoAsync(long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT p.note_id FROM melding_note_photo p JOIN melding_note n ON n.id = p.note_id WHERE n.melding_id = $1");
        Add(cmd, id);
        var set = new HashSet<long>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) set.Add(r.GetInt64(0));
        return set;
    }

    /// <summary>
    /// Brings the melding's clock in line with its state (one rule for every change): it stands still while the team waits
    /// for the melder (status reactie_gevraagd, <see cref="MeldingOptions.PauseWhileWaitingForMelder"/>) or, where that is
    /// the rule (<see cref="MeldingOptions.PauseWhileWithPartner"/>), while a part is with a party; otherwise it runs. A
    /// pause that ends moves the deadline on by the working days it lasted, counted in local days from the day it began to
    /// today (and adds them to <c>paused_days</c>, which the handling figures leave out).
    /// </summary>
    internal static async Task SyncClockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, DateTimeOffset now, MeldingOptions o, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT status, paused_since, due_on, three_times_due_on,
                   EXISTS (SELECT 1 FROM melding_taak k WHERE k.melding_id = m.id AND k.status IN ('uitgezet', 'geaccepteerd'))
            FROM melding m WHERE id = $1
            """, conn, tx);
        Add(cmd, id);
        string status;
        DateTimeOffset? since;
        DateOnly? due, due3;
        bool withParty;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return;
            (status, since) = (r.GetString(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1));
            (due, due3, withParty) = (r.IsDBNull(2) ? null : r.GetFieldValue<DateOnly>(2), r.IsDBNull(3) ? null : r.GetFieldValue<DateOnly>(3), r.GetBoolean(4));
        }
        var stand = status != MeldingStatus.Afgehandeld &&
                    ((status == MeldingStatus.ReactieGevraagd && o.PauseWhileWaitingForMelder) || (withParty && o.PauseWhileWithPartner));
        if (stand && since is null)
        {
            await using var pause = new NpgsqlCommand("UPDATE melding SET paused_since = $2 WHERE id = $1", conn, tx);
            Add(pause, id, now);
            await pause.ExecuteNonQueryAsync(ct);
        }
        else if (!stand && since is { } began)
        {
            var n = HandlingDeadline.PauseLength(MeldingDeadlines.DayOf(began), MeldingDeadlines.DayOf(now));
            await using var resume = new NpgsqlCommand(
                "UPDATE melding SET paused_since = NULL, paused_days = paused_days + $2, due_on = $3, three_times_due_on = $4 WHERE id = $1", conn, tx);
            Add(resume, id, (short)n, due is { } d ? WorkingDays.Add(d, n) : null, due3 is { } d3 ? WorkingDays.Add(d3, n) : null);
            await resume.ExecuteNonQueryAsync(ct);
        }
    }

    private async Task<int> HandlingDaysAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT handling_days, category FROM melding WHERE id = $1", conn, tx);
        Add(cmd, id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return r.IsDBNull(0) ? deadlines.DaysFor(r.GetString(1)) : r.GetInt16(0);
    }

    /// <summary>Locks the melding behind a status-link token; an unknown token is a 404 (nothing tells whether it ever existed).</summary>
    private static async Task<(long Id, string Status, string Gebied, DateTimeOffset? ClosedAt, DateTimeOffset? SatisfactionAt)> LockByTokenAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string? token, CancellationToken ct)
    {
        var unknown = new MeldingRejectedException("Onbekende statuslink", "Deze statuslink hoort bij geen melding.", status: StatusCodes.Status404NotFound);
        if (!StatusLinks.LooksValid(token)) throw unknown;
        await using var cmd = new NpgsqlCommand(
            "SELECT id, status, gebied_code, closed_at, satisfaction_at FROM melding WHERE status_token_hash = $1 FOR UPDATE", conn, tx);
        Add(cmd, StatusLinks.Hash(token!));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw unknown;
        return (r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3),
            r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4));
    }
}
