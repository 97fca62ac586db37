using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>One step of a task: who (a team member, or the party by its name), what, and its text.</summary>
public sealed record TaakStap(DateTimeOffset At, string Actor, string Kind, string? Text);

/// <summary>A part of a melding handed to a handling party, as its team sees it.</summary>
public sealed record MeldingTaak(long Id, long MeldingId, string PartyName, string PartyKind, string? PartyEmail, string Question,
    DateOnly Due, string Status, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset ExpiresAt, bool Revoked, int Version,
    IReadOnlyList<TaakStap> Steps)
{
    public bool Open => MeldingTaken.IsOpen(Status);
}

/// <summary>A task just handed off, with its link (shown once to the team and sent to the party's contact address).</summary>
public sealed record TaakUitgezet(MeldingTaak Taak, string Token)
{
    public string Path => MeldingTaken.PathOf(Token);
}

/// <summary>
/// What a party sees through its link: the melding's reference, kind and place, the team's question and due date, and the
/// steps — never the melder's name, e-mail, phone or own words (the team writes in the question what the party needs).
/// </summary>
public sealed record TaakVoorPartij(string Reference, string Category, string? Place, string Team, string PartyName, string Question,
    DateOnly Due, string Status, DateTimeOffset ExpiresAt, IReadOnlyList<TaakStap> Steps);

/// <summary>A task as a partner account sees it in its list: the party's view, its id for the steps, and whether it is late.</summary>
public sealed record TaakVoorPartner(long Id, int Version, bool Late, TaakVoorPartij Taak);

/// <summary>
/// Handing (parts of) a melding to the parties that do the work (issue 29, "in het Gebiedsteam+ uitzetten voor de
/// uitvoering"): a Gebiedsteam+ partner or municipal department from the gebied's register (<c>gebiedsteam_partner</c>,
/// kept on /beheer/gebiedsteams). The team writes a question and a due date; the party gets a link (256 random bits, only
/// its hash stored, expiring <see cref="MeldingOptions.TaskLinkDays"/> after the due date, revocable) where it accepts or
/// returns the task, answers and marks it done, without an account. Each step is audited and touches the melding, so the
/// team's open pages refresh live; the resident sees "doorgegeven aan …". A melding handed in parts closes when its last
/// open part is done. The party's side (by link and by a partner account) is in MeldingTakenPartij.cs.
/// </summary>
public sealed partial class MeldingTaken(NpgsqlDataSource db, AuditLog audit, TimeProvider time, IOptions<MeldingOptions> options,
    IOptions<Notifications.MailOptions> mail, IServiceScopeFactory scopes)
{
    public const string Uitgezet = "uitgezet", Geaccepteerd = "geaccepteerd", Teruggegeven = "teruggegeven", Afgerond = "afgerond", Ingetrokken = "ingetrokken";

    public static bool IsOpen(string status) => status is Uitgezet or Geaccepteerd;

    public static string PathOf(string token) => $"/taak/{token}";

    /// <summary>How the status of a task reads (team, party and resident alike).</summary>
    public static string Label(string status) => status switch
    {
        Uitgezet => "Uitgezet, nog niet geaccepteerd",
        Geaccepteerd => "Geaccepteerd, in uitvoering",
        Teruggegeven => "Teruggegeven",
        Afgerond => "Afgerond",
        Ingetrokken => "Ingetrokken",
        _ => status,
    };

    private MeldingOptions O => options.Value;

    // ------------------------------------------------------------------------------------------------ the team
    /// <summary>The parties of the melding's gebied a task can go to (its Gebiedsteam+ register), or empty without access.</summary>
    public async Task<List<(string Organisation, string Kind, bool HasContact)>> PartiesAsync(ClaimsPrincipal user, long meldingId, CancellationToken ct = default)
    {
        if (await TeamAccessAsync(user, meldingId, ct) is not { } gebied) return [];
        await using var cmd = db.CreateCommand(
            "SELECT organisation, kind, contact_email IS NOT NULL FROM gebiedsteam_partner WHERE gebied_code = $1 ORDER BY position, id");
        cmd.Parameters.AddWithValue(gebied);
        var list = new List<(string, string, bool)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1), r.GetBoolean(2)));
        return list;
    }

    /// <summary>Hands a part of the melding to a party of its gebied's register with a question and a due date; the link is
    /// returned once and mailed to the party's contact address. Only its team or a beheerder may; audited.</summary>
    public async Task<TaakUitgezet> HandOffAsync(ClaimsPrincipal user, long meldingId, string? party, string? question, DateOnly? due, CancellationToken ct = default)
    {
        var q = Clean(question) is { Length: >= 3 and <= 2000 } text ? text
            : throw new MeldingRejectedException("Vraag ontbreekt", "Schrijf wat de partij moet doen of uitzoeken (3 tot 2000 tekens). Zet er geen gegevens van de melder in.", "question");
        var today = MeldingDeadlines.DayOf(time.GetUtcNow());
        if (due is not { } d || d < today || d > today.AddDays(365))
            throw new MeldingRejectedException("Datum ongeldig", "Kies een uiterste datum van vandaag tot een jaar vooruit.", "due");
        user = await scopes.ActorNowAsync(user) ?? throw NotFound(meldingId);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var gebied = await LockMeldingAsync(conn, tx, user, meldingId, ct);
        string name, kind;
        string? email;
        await using (var cmd = new NpgsqlCommand(
            "SELECT organisation, kind, contact_email FROM gebiedsteam_partner WHERE gebied_code = $1 AND organisation = $2 ORDER BY position LIMIT 1", conn, tx))
        {
            cmd.Parameters.AddWithValue(gebied);
            cmd.Parameters.AddWithValue(party?.Trim() ?? "");
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
                throw new MeldingRejectedException("Onbekende partij", "Deze partij staat niet in het register van het gebied (Beheer → Gebiedsteams → Gebiedsteam+ partners).", "party", 422);
            (name, kind, email) = (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2));
        }
        var token = StatusLinks.NewToken();
        var now = time.GetUtcNow();
        var expires = new DateTimeOffset(d.AddDays(O.TaskLinkDays + 1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var actor = AuditLog.ActorOf(user);
        long id;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO melding_taak (melding_id, party_name, party_kind, party_email, question, due_on, token_hash, token_expires_at, created_by, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id
            """, conn, tx))
        {
            foreach (var v in new object?[] { meldingId, name, kind, email, q, d, StatusLinks.Hash(token), expires, actor, now })
                cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
            id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await StepAsync(conn, tx, id, actor, Uitgezet, q, now, ct);
        await TouchMeldingAsync(conn, tx, meldingId, now, ct);
        await MeldingService.SyncClockAsync(conn, tx, meldingId, now, O, ct);
        if (email is not null)
        {
            var link = mail.Value.Link(PathOf(token));
            await Notifications.MailOutbox.EnqueueAsync([new Notifications.OutgoingMail(email, $"Taak van het gebiedsteam: melding {StatusLinks.Reference(meldingId)}",
                $"""
                Beste {name},

                Het gebiedsteam vraagt u iets te doen bij melding {StatusLinks.Reference(meldingId)}, uiterlijk {DutchTime.Date(d)}:

                {q}

                {(link is null ? "Het gebiedsteam stuurt u de link naar de taak apart." : $"Via deze link accepteert u de taak (of geeft u haar terug), antwoordt u en meldt u haar af: {link}")}
                De link werkt tot en met {DutchTime.Date(d.AddDays(O.TaskLinkDays))}; deel hem niet.

                Met vriendelijke groet,
                Gemeente Alkmaar
                """, "taak uitgezet", "melding_taak", id.ToString())], conn, tx, ct);
        }
        await audit.WriteAsync(actor, "taak uitgezet", "melding", meldingId.ToString(), new { taak = id, party = name, due = d }, conn, tx, ct);
        await tx.CommitAsync(ct);
        var taak = (await ListAsync(conn, meldingId, ct)).Single(t => t.Id == id);
        return new TaakUitgezet(taak, token);
    }

    /// <summary>The tasks of a melding with their steps, for its team and beheerders (empty for anyone else).</summary>
    public async Task<List<MeldingTaak>> ForMeldingAsync(ClaimsPrincipal user, long meldingId, CancellationToken ct = default)
    {
        if (await TeamAccessAsync(user, meldingId, ct) is null) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ListAsync(conn, meldingId, ct);
    }

    /// <summary>Withdraws an open task: its link stops working at once. The melding's team or a beheerder; audited.</summary>
    public async Task RevokeAsync(ClaimsPrincipal user, long meldingId, long taakId, string? reason, CancellationToken ct = default)
    {
        user = await scopes.ActorNowAsync(user) ?? throw NotFound(meldingId);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await LockMeldingAsync(conn, tx, user, meldingId, ct);
        var now = time.GetUtcNow();
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE melding_taak SET status = 'ingetrokken', token_revoked_at = $3, closed_at = $3, updated_at = $3, version = version + 1
            WHERE id = $1 AND melding_id = $2 AND status IN ('uitgezet', 'geaccepteerd')
            """, conn, tx))
        {
            foreach (var v in new object[] { taakId, meldingId, now }) cmd.Parameters.AddWithValue(v);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
                throw new MeldingRejectedException("Taak niet open", "Deze taak is al afgerond, teruggegeven of ingetrokken.", "taak", StatusCodes.Status409Conflict);
        }
        var actor = AuditLog.ActorOf(user);
        await StepAsync(conn, tx, taakId, actor, Ingetrokken, Clean(reason), now, ct);
        await TouchMeldingAsync(conn, tx, meldingId, now, ct);
        await MeldingService.SyncClockAsync(conn, tx, meldingId, now, O, ct);
        await audit.WriteAsync(actor, "taak ingetrokken", "melding", meldingId.ToString(), new { taak = taakId }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The parts as the resident reads them on the status link: to whom, since when, how far — no questions, no answers.</summary>
    public static async Task<List<(string Party, DateTimeOffset Since, string Status)>> PublicAsync(NpgsqlConnection conn, long meldingId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT party_name, created_at, status FROM melding_taak WHERE melding_id = $1 AND status <> 'ingetrokken' ORDER BY id", conn);
        cmd.Parameters.AddWithValue(meldingId);
        var list = new List<(string, DateTimeOffset, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2)));
        return list;
    }

    // ------------------------------------------------------------------------------------------------ helpers
    /// <summary>A melding handed in parts closes when its last open part is done (the resident is asked about satisfaction then).</summary>
    private static async Task CloseWhenAllDoneAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long meldingId, string party, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            WITH closed AS (
              UPDATE melding SET status = 'afgehandeld', closed_at = $2, version = version + 1, updated_at = $2
              WHERE id = $1 AND status <> 'afgehandeld'
                AND NOT EXISTS (SELECT 1 FROM melding_taak WHERE melding_id = $1 AND status IN ('uitgezet', 'geaccepteerd'))
              RETURNING gebied_code)
            INSERT INTO melding_routing (melding_id, actor, kind, from_gebied, to_gebied, detail, at)
            SELECT $1, $3, 'status', gebied_code, gebied_code, 'Status: afgehandeld', $2 FROM closed
            """, conn, tx);
        cmd.Parameters.AddWithValue(meldingId);
        cmd.Parameters.AddWithValue(now);
        cmd.Parameters.AddWithValue($"{party} (laatste deel afgerond)");
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<MeldingTaak>> ListAsync(NpgsqlConnection conn, long meldingId, CancellationToken ct)
    {
        var rows = new List<MeldingTaak>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT id, party_name, party_kind, party_email, question, due_on, status, created_at, created_by, token_expires_at,
                   token_revoked_at IS NOT NULL, version
            FROM melding_taak WHERE melding_id = $1 ORDER BY id
            """, conn))
        {
            cmd.Parameters.AddWithValue(meldingId);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                rows.Add(new MeldingTaak(r.GetInt64(0), meldingId, r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4),
                    r.GetFieldValue<DateOnly>(5), r.GetString(6), r.GetFieldValue<DateTimeOffset>(7), r.GetString(8), r.GetFieldValue<DateTimeOffset>(9),
                    r.GetBoolean(10), r.GetInt32(11), []));
        }
        var steps = await StepsAsync(conn, rows.Select(t => t.Id).ToArray(), ct);
        return rows.Select(t => t with { Steps = steps.TryGetValue(t.Id, out var s) ? s : [] }).ToList();
    }

    private static async Task<Dictionary<long, List<TaakStap>>> StepsAsync(NpgsqlConnection conn, long[] ids, CancellationToken ct)
    {
        var steps = new Dictionary<long, List<TaakStap>>();
        if (ids.Length == 0) return steps;
        await using var cmd = new NpgsqlCommand("SELECT taak_id, at, actor, kind, text FROM melding_taak_stap WHERE taak_id = ANY ($1) ORDER BY id", conn);
        cmd.Parameters.AddWithValue(ids);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var id = r.GetInt64(0);
            if (!steps.TryGetValue(id, out var list)) steps[id] = list = [];
            list.Add(new TaakStap(r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }
        return steps;
    }

    private static async Task StepAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long taakId, string actor, string kind, string? text, DateTimeOffset at, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO melding_taak_stap (taak_id, actor, kind, text, at) VALUES ($1, $2, $3, $4, $5)", conn, tx);
        foreach (var v in new object?[] { taakId, actor, kind, text, at }) cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every step touches the melding (a new version): its team's open pages hear it on the change feed.</summary>
    private static async Task TouchMeldingAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long meldingId, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("UPDATE melding SET version = version + 1, updated_at = $2 WHERE id = $1", conn, tx);
        cmd.Parameters.AddWithValue(meldingId);
        cmd.Parameters.AddWithValue(now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The melding's gebied when the user is its team or a beheerder (access to its personal side), else null.</summary>
    private async Task<string?> TeamAccessAsync(ClaimsPrincipal user, long meldingId, CancellationToken ct)
    {
        if (await scopes.ActorNowAsync(user) is not { } now) return null;
        await using var cmd = db.CreateCommand("SELECT gebied_code, forwarded_to FROM melding WHERE id = $1");
        cmd.Parameters.AddWithValue(meldingId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var gebied = r.GetString(0);
        return MeldingAccessRules.AccessTo(now, gebied, r.IsDBNull(1) ? null : r.GetString(1), KaartRoles.Stadswerk) == MeldingAccess.Personal ? gebied : null;
    }

    private static async Task<string> LockMeldingAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ClaimsPrincipal user, long meldingId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT gebied_code, forwarded_to FROM melding WHERE id = $1 FOR UPDATE", conn, tx);
        cmd.Parameters.AddWithValue(meldingId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw NotFound(meldingId);
        var gebied = r.GetString(0);
        if (MeldingAccessRules.AccessTo(user, gebied, r.IsDBNull(1) ? null : r.GetString(1), KaartRoles.Stadswerk) != MeldingAccess.Personal) throw NotFound(meldingId);
        return gebied;
    }

    private static MeldingRejectedException NotFound(long id) =>
        new("Melding niet gevonden", $"Er is geen melding {id} die u mag behandelen.", status: StatusCodes.Status404NotFound);

    private static string? Clean(string? s) => MeldingService.Clean(s);
}
