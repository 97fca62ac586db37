using System.Security.Claims;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// Filters of the workspace list. <see cref="Area"/> matches a buurt, wijk, dorp or gebied code; <see cref="From"/> and
/// <see cref="To"/> are local days (Europe/Amsterdam), both included; <see cref="Open"/> leaves out afgehandelde meldingen.
/// </summary>
public sealed record WorkspaceFilter
{
    public string? Status { get; init; }
    public bool Open { get; init; }
    public bool Overdue { get; init; }
    public string? Category { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public string? Area { get; init; }
    public IReadOnlyList<string>? Gebieden { get; init; }
    public bool? Forwarded { get; init; }
}

/// <summary>How the workspace list is ordered (always with the number as the last key, so pages never overlap).</summary>
public enum MeldingSort { Newest, Oldest, Category, Status, Gebied }

/// <summary>A row of the workspace list: no personal data (no description, address or contact), so listing is not a view
/// of personal data; opening the melding is, and is audited. X/Y in RD, generalised for partners like every basic view.</summary>
public sealed record MeldingRow(long Id, string Reference, DateTimeOffset CreatedAt, string Category, string Status, string Gebied,
    string? Wijk, string? Buurt, string? Dorp, string? ForwardedTo, string RoutingKind, double X, double Y, bool Overdue, int Version);

public sealed record MeldingPage(IReadOnlyList<MeldingRow> Rows, int Total);

public sealed record MeldingNote(long Id, DateTimeOffset At, string Actor, string Kind, string Text);

/// <summary>What the private status link shows: no personal data, no location, no staff names.</summary>
public sealed record MeldingPublicStatus(string Reference, DateTimeOffset CreatedAt, string Category, string Status, DateTimeOffset? ClosedAt,
    string Gebied, string? ForwardedTo, IReadOnlyList<(DateTimeOffset At, string Status)> Steps, IReadOnlyList<(DateTimeOffset At, string Text)> Answers);

/// <summary>The team's week: counts for the overleg (aggregates of the team's own meldingen, no personal data).</summary>
public sealed record WeekOverview(DateOnly From, DateOnly To, int New, int Open, int Overdue, int Closed,
    IReadOnlyList<(string Category, int Count)> TopCategories, IReadOnlyList<MeldingRow> OldestOverdue);

public sealed partial class MeldingService
{
    public const string NoteIntern = "intern";
    public const string NotePubliek = "publiek";
    private const string StatusPrefix = "Status: ";

    /// <summary>
    /// A page of the meldingen the user may see (<see cref="MeldingAccessRules"/>), filtered and sorted, with the total.
    /// One query on the team's index (gebied, status, created_at) and one count; stays fast at 100,000 meldingen.
    /// </summary>
    public async Task<MeldingPage> ListPageAsync(ClaimsPrincipal user, WorkspaceFilter f, MeldingSort sort, int skip, int take, CancellationToken ct = default)
    {
        take = Math.Clamp(take, 1, O.MaxPageSize);
        skip = Math.Max(0, skip);
        var (where, parameters) = WorkspaceWhere(user, f);
        var order = sort switch
        {
            MeldingSort.Oldest => "m.created_at, m.id",
            MeldingSort.Category => "m.category, m.created_at DESC, m.id DESC",
            MeldingSort.Status => "m.status, m.created_at DESC, m.id DESC",
            MeldingSort.Gebied => "m.gebied_code, m.created_at DESC, m.id DESC",
            _ => "m.created_at DESC, m.id DESC",
        };
        var rows = new List<MeldingRow>();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT m.id, m.created_at, m.category, m.status, m.gebied_code, m.wijk_code, m.buurt_code, m.dorp_code, m.forwarded_to,
              m.routing_kind, ST_X(m.geom), ST_Y(m.geom), m.location_source, m.version
            FROM melding m WHERE {where} ORDER BY {order} LIMIT @take OFFSET @skip
            """, conn))
        {
            cmd.Parameters.AddRange(parameters.Select(Clone).ToArray());
            cmd.Parameters.AddWithValue("take", take);
            cmd.Parameters.AddWithValue("skip", skip);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var overdueBefore = time.GetUtcNow().AddDays(-O.OverdueDays);
            while (await r.ReadAsync(ct))
                rows.Add(ReadRow(r, user, overdueBefore));
        }
        int total;
        await using (var count = new NpgsqlCommand($"SELECT count(*)::int FROM melding m WHERE {where}", conn))
        {
            count.Parameters.AddRange(parameters.Select(Clone).ToArray());
            total = (int)(await count.ExecuteScalarAsync(ct))!;
        }
        return new MeldingPage(rows, total);
    }

    private MeldingRow ReadRow(NpgsqlDataReader r, ClaimsPrincipal user, DateTimeOffset overdueBefore)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var (gebied, forwarded) = (r.GetString(4), S(8));
        var (x, y) = (r.GetDouble(10), r.GetDouble(11)); // the place of the problem: the partner it was forwarded to needs it too
        var created = r.GetFieldValue<DateTimeOffset>(1);
        var status = r.GetString(3);
        return new MeldingRow(r.GetInt64(0), StatusLinks.Reference(r.GetInt64(0)), created, r.GetString(2), status, gebied, S(5), S(6), S(7),
            forwarded, r.GetString(9), Math.Round(x, 2), Math.Round(y, 2), status != "afgehandeld" && created < overdueBefore, r.GetInt32(13));
    }

    private static NpgsqlParameter Clone(NpgsqlParameter p) => p.Clone();

    /// <summary>The scope of the user (as <see cref="MeldingAccessRules"/>) and the filters, as one WHERE with named parameters.</summary>
    private (string Where, List<NpgsqlParameter> Parameters) WorkspaceWhere(ClaimsPrincipal user, WorkspaceFilter f)
    {
        var sql = new StringBuilder();
        var ps = new List<NpgsqlParameter>();
        void P(string name, NpgsqlDbType type, object value) => ps.Add(new NpgsqlParameter(name, type) { Value = value });

        var gebieden = user.IsInRole(KaartRoles.Gebiedsteam) ? user.Gebieden().ToArray() : [];
        var partner = user.IsInRole(KaartRoles.Stadswerk);
        if (user.IsBeheerder()) sql.Append("true");
        else
        {
            var scope = new List<string>();
            if (gebieden.Length > 0) { P("scope", NpgsqlDbType.Array | NpgsqlDbType.Text, gebieden); scope.Add("m.gebied_code = ANY (@scope)"); }
            if (partner) scope.Add("m.forwarded_to IS NOT NULL");
            sql.Append(scope.Count == 0 ? "false" : "(" + string.Join(" OR ", scope) + ")");
        }
        if (f.Gebieden is { Count: > 0 } g) { P("gebieden", NpgsqlDbType.Array | NpgsqlDbType.Text, g.ToArray()); sql.Append(" AND m.gebied_code = ANY (@gebieden)"); }
        if (f.Status is { } status) { P("status", NpgsqlDbType.Text, status); sql.Append(" AND m.status = @status"); }
        else if (f.Open || f.Overdue) sql.Append(" AND m.status IN ('nieuw', 'in_behandeling')");
        if (f.Overdue) { P("overdue", NpgsqlDbType.TimestampTz, time.GetUtcNow().AddDays(-O.OverdueDays)); sql.Append(" AND m.created_at < @overdue"); }
        if (f.Category is { } category) { P("category", NpgsqlDbType.Text, category); sql.Append(" AND m.category = @category"); }
        if (f.From is { } from) { P("from", NpgsqlDbType.Date, from); sql.Append(" AND m.created_at >= (@from::timestamp AT TIME ZONE 'Europe/Amsterdam')"); }
        if (f.To is { } to) { P("to", NpgsqlDbType.Date, to.AddDays(1)); sql.Append(" AND m.created_at < (@to::timestamp AT TIME ZONE 'Europe/Amsterdam')"); }
        if (f.Area is { } area)
        {
            P("area", NpgsqlDbType.Text, area);
            sql.Append(" AND (m.buurt_code = @area OR m.wijk_code = @area OR m.dorp_code = @area OR m.gebied_code = @area)");
        }
        if (f.Forwarded is { } fw) sql.Append(fw ? " AND m.forwarded_to IS NOT NULL" : " AND m.forwarded_to IS NULL");
        return (sql.ToString(), ps);
    }

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
            SELECT m.id, m.created_at, m.category, m.status, m.closed_at, coalesce(t.name, m.gebied_code), m.forwarded_to
            FROM melding m LEFT JOIN gebiedsteam t ON t.gebied_code = m.gebied_code WHERE m.status_token_hash = $1
            """, conn))
        {
            Add(cmd, StatusLinks.Hash(token!));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            id = r.GetInt64(0);
            status = new MeldingPublicStatus(StatusLinks.Reference(id), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), [], []);
        }
        var steps = new List<(DateTimeOffset, string)> { (status.CreatedAt, "nieuw") };
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
        return status with { Steps = steps, Answers = answers };
    }

    // ------------------------------------------------------------------------------------------------ week overview
    /// <summary>The team's week for the overleg: new in the week, open and overdue now, closed in the week, top categories of
    /// the week's new meldingen, and the oldest overdue ones.</summary>
    public async Task<WeekOverview> WeekAsync(ClaimsPrincipal user, IReadOnlyList<string>? gebieden, DateOnly monday, CancellationToken ct = default)
    {
        var scope = new WorkspaceFilter { Gebieden = gebieden };
        var (where, parameters) = WorkspaceWhere(user, scope);
        var sunday = monday.AddDays(6);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"""
            SELECT count(*) FILTER (WHERE m.created_at >= w.a AND m.created_at < w.b)::int,
                   count(*) FILTER (WHERE m.status <> 'afgehandeld')::int,
                   count(*) FILTER (WHERE m.status <> 'afgehandeld' AND m.created_at < @overdue)::int,
                   count(*) FILTER (WHERE m.closed_at >= w.a AND m.closed_at < w.b)::int
            FROM melding m, (SELECT (@monday::timestamp AT TIME ZONE 'Europe/Amsterdam') a, (@next::timestamp AT TIME ZONE 'Europe/Amsterdam') b) w
            WHERE {where}
            """, conn);
        cmd.Parameters.AddRange(parameters.Select(Clone).ToArray());
        cmd.Parameters.Add(new NpgsqlParameter("monday", NpgsqlDbType.Date) { Value = monday });
        cmd.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.Date) { Value = monday.AddDays(7) });
        cmd.Parameters.Add(new NpgsqlParameter("overdue", NpgsqlDbType.TimestampTz) { Value = time.GetUtcNow().AddDays(-O.OverdueDays) });
        int n, open, overdue, closed;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (n, open, overdue, closed) = (r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3));
        }
        var top = new List<(string, int)>();
        await using (var c = new NpgsqlCommand(
            $"""
            SELECT m.category, count(*)::int FROM melding m
            WHERE {where} AND m.created_at >= (@monday::timestamp AT TIME ZONE 'Europe/Amsterdam') AND m.created_at < (@next::timestamp AT TIME ZONE 'Europe/Amsterdam')
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5
            """, conn))
        {
            c.Parameters.AddRange(parameters.Select(Clone).ToArray());
            c.Parameters.Add(new NpgsqlParameter("monday", NpgsqlDbType.Date) { Value = monday });
            c.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.Date) { Value = monday.AddDays(7) });
            await using var r = await c.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) top.Add((r.GetString(0), r.GetInt32(1)));
        }
        var oldest = await ListPageAsync(user, scope with { Overdue = true }, MeldingSort.Oldest, 0, 10, ct);
        return new WeekOverview(monday, sunday, n, open, overdue, closed, top, oldest.Rows);
    }

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

/// <summary>The workspace's filters as query parameters (the API and the page's URL use the same names).</summary>
public static class WorkspaceQuery
{
    /// <summary>The filter, or null when a value is invalid (unknown status, a date that is not yyyy-MM-dd).</summary>
    public static WorkspaceFilter? Parse(string? status, bool? open, bool? overdue, string? category, string? from, string? to,
        string? area, string? gebied, bool? forwarded)
    {
        if (status is not null && !MeldingService.Statuses.Contains(status)) return null;
        DateOnly? f = null, t = null;
        if (from is not null) { if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", out var d)) return null; f = d; }
        if (to is not null) { if (!DateOnly.TryParseExact(to, "yyyy-MM-dd", out var d)) return null; t = d; }
        return new WorkspaceFilter
        {
            Status = status, Open = open ?? false, Overdue = overdue ?? false, Category = category?.Trim().ToLowerInvariant() is { Length: > 0 } c ? c : null,
            From = f, To = t, Area = area is { Length: > 0 } ? area : null, Gebieden = gebied is { Length: > 0 } ? [gebied] : null, Forwarded = forwarded,
        };
    }

    /// <summary>The filter as a query string (for the map layer's URL and the page's own address).</summary>
    public static string ToQuery(WorkspaceFilter f)
    {
        var q = new List<string>();
        void A(string k, string? v) { if (v is not null) q.Add($"{k}={Uri.EscapeDataString(v)}"); }
        A("status", f.Status);
        if (f.Open) A("open", "true");
        if (f.Overdue) A("overdue", "true");
        A("category", f.Category);
        A("from", f.From?.ToString("yyyy-MM-dd"));
        A("to", f.To?.ToString("yyyy-MM-dd"));
        A("area", f.Area);
        A("gebied", f.Gebieden is [var g] ? g : null);
        if (f.Forwarded is { } fw) A("forwarded", fw ? "true" : "false");
        return string.Join("&", q);
    }
}
