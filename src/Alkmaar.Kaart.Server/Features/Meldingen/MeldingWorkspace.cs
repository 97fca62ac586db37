using System.Security.Claims;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

public sealed record MeldingNote(long Id, DateTimeOffset At, string Actor, string Kind, string Text);
public sealed record MeldingPublicStatus(string Reference, DateTimeOffset CreatedAt, string Category, string Status, DateTimeOffset? ClosedAt,
    string Gebied, string? ForwardedTo, IReadOnlyList<(DateTimeOffset At, string Status)> Steps, IReadOnlyList<(DateTimeOffset At, string Text)> Answers)
{
    /// <summary>The last day of the handling time promised for its category, and that time in working days.</summary>
    public Alkmaar.Kaart.Geo.Deadlines.HandlingDeadline? Deadline { get; init; }

    /// <summary>What the melder can do on the link now: answer a question, give satisfaction, reopen.</summary>
    public MelderFollowUp? FollowUp { get; init; }

    /// <summary>The parties parts of it were handed to ("doorgegeven aan …"), since when and how far; nothing of the work itself.</summary>
    public IReadOnlyList<(string Party, DateTimeOffset Since, string Status)> HandedTo { get; init; } = [];
}

public sealed partial class MeldingService
{
    public const string NoteIntern = "intern";
    public const string NotePubliek = "publiek";
    private const string StatusPrefix = "Status: ";

    // ------------------------------------------------------------------------------------------------ notes, forwarding
    /// <summary>The notes on a melding the user may read: public answers for everyone with access; internal notes only for
    /// those who see personal data (they may name the resident).</summary>
    public async Task<List<MeldingNote>> NotesAsync(ClaimsPrincipal user, long id, string gebied, string? forwardedTo, CancellationToken ct = default)
    {
        var access = MeldingAccessRules.AccessTo(user, gebied, forwardedTo, KaartRoles.Stadswerk);
        if (access == MeldingAccess.None) return [];
        await using var cmd = db.CreateCommand(
            "SELECT id, at, actor, kind, text FROM melding_note WHERE melding_id = $1 AND (kind = 'publiek' OR $2) ORDER BY id");
        Add(cmd, id, access == MeldingAccess.Personal);
        var list = new List<MeldingNote>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new MeldingNote(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetString(4)));
        return list;
    }

    /// <summary>Adds a note: an internal one (team and beheerders only) or a public answer to the resident (also the partner
    /// the melding was forwarded to). Audited.</summary>
    public async Task<MeldingNote> AddNoteAsync(ClaimsPrincipal user, long id, string? kind, string? text, CancellationToken ct = default)
    {
        if (kind is not (NoteIntern or NotePubliek))
            throw new MeldingRejectedException("Onbekend soort notitie", "Een notitie is 'intern' of 'publiek'.", "kind");
        var note = CheckNote(text, "text") ?? throw new MeldingRejectedException("Notitie is leeg", "Schrijf een notitie.", "text");
        user = await ActorNowAsync(user, id);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockAsync(conn, tx, id, ct);
        var access = current is null ? MeldingAccess.None : MeldingAccessRules.AccessTo(user, current.Value.Gebied, current.Value.ForwardedTo, KaartRoles.Stadswerk);
        if (access == MeldingAccess.None || (kind == NoteIntern && access != MeldingAccess.Personal)) throw NotFound(id);
        var actor = AuditLog.ActorOf(user);
        var at = time.GetUtcNow();
        var noteId = await InsertNoteAsync(conn, tx, id, actor, kind, note, at, ct);
        if (kind == NotePubliek)
        {
            // an answer to the resident reaches them by e-mail too (when they left an address), in the note's transaction
            var to = await Notifications.MailOutbox.AddressesAsync(conn, tx, "SELECT melder_email FROM melding WHERE id = $1 AND personal_removed_at IS NULL", [id], ct);
            await Notifications.MailOutbox.EnqueueAsync(to.Select(a => ToMelder(a, id, "melding antwoord", $"Antwoord op uw melding {StatusLinks.Reference(id)}",
                $"De gemeente heeft uw melding {StatusLinks.Reference(id)} beantwoord:\n\n{note}\n\nMet de link die u bij uw melding kreeg, ziet u alle stappen.")), conn, tx, ct);
        }
        await audit.WriteAsync(actor, kind == NoteIntern ? "interne notitie toegevoegd" : "antwoord aan melder", "melding", id.ToString(), null, conn, tx, ct);
        await tx.CommitAsync(ct);
        return new MeldingNote(noteId, at, actor, kind, note);
    }

    /// <summary>Forwards a melding to Stadswerk072 (openbare ruimte) with a reason; its team keeps it. Audited.</summary>
    public async Task ForwardAsync(ClaimsPrincipal user, long id, string? reason, CancellationToken ct = default, int? expectedVersion = null)
    {
        reason = RequireReason(reason, "het doorsturen");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockForChangeAsync(conn, tx, user, id, MeldingAccess.Personal, expectedVersion, ct);
        if (current.ForwardedTo is not null)
            throw new MeldingRejectedException("Al doorgestuurd", $"De melding is al doorgestuurd naar {current.ForwardedTo}.", "forward", StatusCodes.Status409Conflict);
        await using (var cmd = new NpgsqlCommand("UPDATE melding SET forwarded_to = $2, version = version + 1, updated_at = $3 WHERE id = $1", conn, tx))
        {
            Add(cmd, id, O.ForwardTo, time.GetUtcNow());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var actor = AuditLog.ActorOf(user);
        await AddHistoryAsync(conn, tx, id, actor, "forward", current.Gebied, current.Gebied, $"Doorgestuurd naar {O.ForwardTo}: {reason}", null, ct);
        await audit.WriteAsync(actor, "melding doorgestuurd", "melding", id.ToString(), new { to = O.ForwardTo }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The melding's photo, for its team, beheerders and the partner it was forwarded to (audited), or null.</summary>
    public async Task<CleanPhoto?> PhotoAsync(ClaimsPrincipal user, long id, CancellationToken ct = default)
    {
        user = await ActorNowAsync(user, id);
        await using var cmd = db.CreateCommand(
            """
            SELECT m.gebied_code, m.forwarded_to, p.content_type, p.width, p.height, p.bytes
            FROM melding m JOIN melding_photo p ON p.melding_id = m.id WHERE m.id = $1
            """);
        Add(cmd, id);
        CleanPhoto? photo = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            // the photo is part of the work order: the forwarded partner sees it as well (it was stripped of all metadata)
            if (MeldingAccessRules.AccessTo(user, r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), KaartRoles.Stadswerk) == MeldingAccess.None)
                return null;
            photo = new CleanPhoto(r.GetFieldValue<byte[]>(5), r.GetString(2), r.GetInt32(3), r.GetInt32(4));
        }
        await audit.WriteAsync(AuditLog.ActorOf(user), "foto bekeken", "melding", id.ToString(), null, ct: ct);
        return photo;
    }

    /// <summary>Whether a melding has a photo (no access check: it tells nothing but yes or no, and only pages that already
    /// showed the melding ask).</summary>
    public async Task<bool> HasPhotoAsync(long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM melding_photo WHERE melding_id = $1)");
        Add(cmd, id);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    // ------------------------------------------------------------------------------------------------ the private status link
    /// <summary>The public status of the melding behind a status-link token, or null (unknown or malformed token).</summary>
    public async Task<MeldingPublicStatus?> PublicStatusAsync(string? token, CancellationToken ct = default)
    {
        if (!StatusLinks.LooksValid(token)) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        long id;
        MeldingPublicStatus status;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT m.id, m.created_at, m.category, m.status, m.closed_at, coalesce(t.name, m.gebied_code), m.forwarded_to, m.handling_days,
              m.clock_from, m.paused_days, m.paused_since IS NOT NULL
            FROM melding m LEFT JOIN gebiedsteam t ON t.gebied_code = m.gebied_code WHERE m.status_token_hash = $1
            """, conn))
        {
            Add(cmd, StatusLinks.Hash(token!));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            id = r.GetInt64(0);
            status = new MeldingPublicStatus(StatusLinks.Reference(id), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), [], [])
                {
                    Deadline = deadlines.Stored(r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(7) ? null : r.GetInt16(7),
                        r.IsDBNull(8) ? null : r.GetFieldValue<DateOnly>(8), r.GetInt16(9), r.GetBoolean(10)),
                };
        }
        var steps = new List<(DateTimeOffset, string)> { (status.CreatedAt, MeldingStatus.Nieuw.Code) };
        await using (var cmd = new NpgsqlCommand("SELECT at, detail FROM melding_routing WHERE melding_id = $1 AND kind = 'status' ORDER BY id", conn))
        {
            Add(cmd, id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                if (r.GetString(1) is { } d && d.StartsWith(StatusPrefix, StringComparison.Ordinal) && Statuses.Contains(d[StatusPrefix.Length..]))
                    steps.Add((r.GetFieldValue<DateTimeOffset>(0), d[StatusPrefix.Length..]));
        }
        var answers = new List<(DateTimeOffset, string)>();
        await using (var cmd = new NpgsqlCommand("SELECT at, text FROM melding_note WHERE melding_id = $1 AND kind = 'publiek' ORDER BY id", conn))
        {
            Add(cmd, id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) answers.Add((r.GetFieldValue<DateTimeOffset>(0), r.GetString(1)));
        }
        return status with { Steps = steps, Answers = answers, FollowUp = await FollowUpAsync(conn, id, status.Status, status.ClosedAt, ct),
            HandedTo = await MeldingTaken.PublicAsync(conn, id, ct) };
    }

    // ------------------------------------------------------------------------------------------------ week overview
    // ------------------------------------------------------------------------------------------------ helpers
    private string? CheckNote(string? text, string field)
    {
        var note = Clean(text);
        if (note is { Length: > 2000 })
            throw new MeldingRejectedException("Notitie te lang", "Een notitie is ten hoogste 2000 tekens.", field);
        return note;
    }

    private static async Task<long> InsertNoteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string actor, string kind, string text,
        DateTimeOffset at, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO melding_note (melding_id, actor, kind, text, at) VALUES ($1, $2, $3, $4, $5) RETURNING id", conn, tx);
        Add(cmd, id, actor, kind, text, at);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The category the words of a description suggest (<see cref="MeldingOptions.CategoryKeywords"/>): the one with
    /// the most matching words, ties in the configured order; null when none matches.</summary>
    public string? SuggestCategory(string? text) => CategorySuggestion.Suggest(text, O.Categories, O.CategoryKeywords);
}

/// <summary>The category suggestion of the resident's form, as a pure function (the page's script applies the same rule).</summary>
public static class CategorySuggestion
{
    public static string? Suggest(string? text, IReadOnlyList<string> categories, IReadOnlyDictionary<string, List<string>> keywords)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var words = text.ToLowerInvariant().Split((char[])[' ', '\n', '\t', ',', '.', '!', '?', ';', ':', '(', ')', '"', '\'', '/', '-'],
            StringSplitOptions.RemoveEmptyEntries);
        string? best = null;
        var bestScore = 0;
        foreach (var c in categories)
        {
            if (!keywords.TryGetValue(c, out var keys)) continue;
            var score = keys.Count(k => words.Any(w => w.StartsWith(k.ToLowerInvariant(), StringComparison.Ordinal)));
            if (score > bestScore) (best, bestScore) = (c, score);
        }
        return best;
    }
}

