using System.Net.Mail;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Routing;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Gebiedsteams;

/// <summary>
/// The gebiedsteams in PostGIS (<c>gebiedsteam</c>, <c>gebiedsteam_member</c>, <c>gebiedsteam_partner</c>). A team row
/// exists for every configured gebied once boundaries are imported; its people and partners are entered by a
/// beheerder (<see cref="UpdateAsync"/>: checked, in one transaction, audited without personal data).
/// </summary>
public sealed partial class GebiedsteamStore(NpgsqlDataSource db, Gebiedsindeling indeling, AuditLog audit, AreaLocatorProvider routing,
    IServiceScopeFactory scopes)
{
    public const int MaxMembers = 40;
    public const int MaxPartners = 100;

    public async Task<IReadOnlyList<Gebiedsteam>> ListAsync(CancellationToken ct = default)
    {
        var teams = new List<Gebiedsteam>();
        foreach (var g in indeling.Gebieden)
            if (await GetAsync(g.Code, ct) is { } t) teams.Add(t);
        return teams;
    }

    /// <summary>The team of a gebied with everything staff see; null when the gebied has no team (unknown code, or
    /// boundaries not imported yet).</summary>
    public async Task<Gebiedsteam?> GetAsync(string gebiedCode, CancellationToken ct = default)
    {
        var gebied = indeling.Gebieden.FirstOrDefault(g => g.Code == gebiedCode);
        if (gebied is null) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        string name; string? mailbox, phone, note, updatedBy; DateTimeOffset? updatedAt; int version;
        await using (var cmd = new NpgsqlCommand("SELECT name, mailbox, phone, note, updated_at, updated_by, version FROM gebiedsteam WHERE gebied_code = $1", conn))
        {
            cmd.Parameters.AddWithValue(gebiedCode);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            name = r.GetString(0);
            mailbox = Text(r, 1); phone = Text(r, 2); note = Text(r, 3);
            updatedAt = r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4);
            updatedBy = Text(r, 5);
            version = r.GetInt32(6);
        }
        var members = new List<TeamMember>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT role, name, email, phone, name_public FROM gebiedsteam_member WHERE gebied_code = $1 ORDER BY position, id", conn))
        {
            cmd.Parameters.AddWithValue(gebiedCode);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) members.Add(new TeamMember(r.GetString(0), r.GetString(1), Text(r, 2), Text(r, 3), r.GetBoolean(4)));
        }
        var partners = new List<TeamPartner>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT organisation, kind, contact_name, contact_email, contact_phone FROM gebiedsteam_partner WHERE gebied_code = $1 ORDER BY position, id", conn))
        {
            cmd.Parameters.AddWithValue(gebiedCode);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) partners.Add(new TeamPartner(r.GetString(0), r.GetString(1), Text(r, 2), Text(r, 3), Text(r, 4)));
        }
        return new Gebiedsteam(gebiedCode, gebied.Name, name, mailbox, phone, note, members, partners, updatedAt, updatedBy, version);
    }

    /// <summary>The public view of a team (see <see cref="PublicGebiedsteam"/>), or null.</summary>
    public async Task<PublicGebiedsteam?> GetPublicAsync(string gebiedCode, CancellationToken ct = default) =>
        await GetAsync(gebiedCode, ct) is { } team ? PublicGebiedsteam.From(team, indeling) : null;

    /// <summary>
    /// Replaces a team's name, contact, members and partners. Only a beheerder; refused input changes nothing.
    /// <paramref name="expectedVersion"/> is the version the editor started from: another change in between → 412
    /// (<see cref="GebiedsteamConflictException"/>), none given → 428.
    /// </summary>
    public async Task<Gebiedsteam> UpdateAsync(ClaimsPrincipal actor, string gebiedCode, GebiedsteamEdit edit, CancellationToken ct = default,
        int? expectedVersion = null)
    {
        // the actor as stored now (a page opened before a role change or sign-out cannot act)
        ClaimsPrincipal? now;
        await using (var scope = scopes.CreateAsyncScope())
            now = await scope.ServiceProvider.GetRequiredService<Accounts.FreshPrincipal>().GetAsync(actor);
        if (now is null || !now.IsBeheerder()) throw new UnauthorizedAccessException("Alleen een beheerder wijzigt gebiedsteams.");
        var before = await GetAsync(gebiedCode, ct) ?? throw new KeyNotFoundException(gebiedCode);
        var e = Normalise(edit);
        Validate(e);

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (expectedVersion is null)
            throw new GebiedsteamConflictException("Stuur If-Match met de ETag van het team dat u wijzigde, zodat geen andere wijziging wordt overschreven.", 428);
        await using (var cmd = new NpgsqlCommand(
            "UPDATE gebiedsteam SET name = $2, mailbox = $3, phone = $4, note = $5, updated_at = now(), updated_by = $6, version = version + 1 " +
            "WHERE gebied_code = $1 AND version = $7", conn, tx))
        {
            cmd.Parameters.AddWithValue(gebiedCode);
            cmd.Parameters.AddWithValue(e.Name);
            cmd.Parameters.AddWithValue((object?)e.Mailbox ?? DBNull.Value);
            cmd.Parameters.AddWithValue((object?)e.Phone ?? DBNull.Value);
            cmd.Parameters.AddWithValue((object?)e.Note ?? DBNull.Value);
            cmd.Parameters.AddWithValue(AuditLog.ActorOf(actor));
            cmd.Parameters.AddWithValue(expectedVersion.Value);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
                throw new GebiedsteamConflictException($"The team was changed by someone else since version {expectedVersion}; reload and try again.", 412);
        }
        await Exec(conn, tx, "DELETE FROM gebiedsteam_member WHERE gebied_code = $1", gebiedCode, ct);
        await Exec(conn, tx, "DELETE FROM gebiedsteam_partner WHERE gebied_code = $1", gebiedCode, ct);
        var batch = new NpgsqlBatch(conn, tx);
        for (var i = 0; i < e.Members.Count; i++)
        {
            var m = e.Members[i];
            batch.BatchCommands.Add(Command("INSERT INTO gebiedsteam_member (gebied_code, role, name, email, phone, name_public, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                gebiedCode, m.Role, m.Name, m.Email, m.Phone, m.NamePublic, i));
        }
        for (var i = 0; i < e.Partners.Count; i++)
        {
            var p = e.Partners[i];
            batch.BatchCommands.Add(Command("INSERT INTO gebiedsteam_partner (gebied_code, organisation, kind, contact_name, contact_email, contact_phone, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                gebiedCode, p.Organisation, p.Kind, p.ContactName, p.ContactEmail, p.ContactPhone, i));
        }
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
        // The audit entry says what changed, not to what: no names or contacts in the log.
        await audit.WriteAsync(AuditLog.ActorOf(actor), "gebiedsteam gewijzigd", "gebiedsteam", gebiedCode,
            new { changed = Changes(before, e), members = e.Members.Count, partners = e.Partners.Count }, conn, tx, ct);
        // routing answers carry the team name: every server rebuilds its snapshot (this one at once, others by NOTIFY)
        if (before.Name != e.Name) await BoundaryChangeListener.NotifyAsync(conn, tx, "team " + gebiedCode, ct);
        await tx.CommitAsync(ct);

        if (before.Name != e.Name) await routing.BoundariesChangedAsync(ct);
        return (await GetAsync(gebiedCode, ct))!;
    }

    private static GebiedsteamEdit Normalise(GebiedsteamEdit e)
    {
        if (e.Members?.Any(m => m is null) == true) throw new GebiedsteamValidationException("Een teamlid ontbreekt (null).", "members");
        if (e.Partners?.Any(p => p is null) == true) throw new GebiedsteamValidationException("Een partner ontbreekt (null).", "partners");
        return Normalised(e);
    }

    private static GebiedsteamEdit Normalised(GebiedsteamEdit e) => new(
        (e.Name ?? "").Trim(), Blank(e.Mailbox), Blank(e.Phone), Blank(e.Note),
        (e.Members ?? []).Select(m => new TeamMember((m.Role ?? "").Trim(), (m.Name ?? "").Trim(), Blank(m.Email), Blank(m.Phone), m.NamePublic)).ToList(),
        (e.Partners ?? []).Select(p => new TeamPartner((p.Organisation ?? "").Trim(), (p.Kind ?? "").Trim(), Blank(p.ContactName), Blank(p.ContactEmail), Blank(p.ContactPhone))).ToList());

    private void Validate(GebiedsteamEdit e)
    {
        if (e.Name.Length is 0 or > 100) throw new GebiedsteamValidationException("Geef het team een naam van 1 tot 100 tekens.", "name");
        CheckEmail(e.Mailbox, "mailbox", "De teammailbox");
        CheckPhone(e.Phone, "phone", "Het teamnummer");
        if (e.Note?.Length > 1000) throw new GebiedsteamValidationException("De toelichting mag hoogstens 1000 tekens hebben.", "note");
        if (e.Members.Count > MaxMembers) throw new GebiedsteamValidationException($"Een team heeft hoogstens {MaxMembers} mensen.", "members");
        if (e.Partners.Count > MaxPartners) throw new GebiedsteamValidationException($"Een team heeft hoogstens {MaxPartners} partners.", "partners");
        var roles = indeling.TeamRoles.Select(r => r.Key).ToHashSet();
        for (var i = 0; i < e.Members.Count; i++)
        {
            var m = e.Members[i];
            var field = $"members[{i}]";
            if (!roles.Contains(m.Role))
                throw new GebiedsteamValidationException($"Onbekende rol '{m.Role}'; bekend: {string.Join(", ", roles)}.", field + ".role");
            if (m.Name.Length is 0 or > 200) throw new GebiedsteamValidationException("Vul bij elke persoon een naam in (hoogstens 200 tekens).", field + ".name");
            CheckEmail(m.Email, field + ".email", $"Het e-mailadres van {m.Name}");
            CheckPhone(m.Phone, field + ".phone", $"Het telefoonnummer van {m.Name}");
        }
        for (var i = 0; i < e.Partners.Count; i++)
        {
            var p = e.Partners[i];
            var field = $"partners[{i}]";
            if (p.Organisation.Length is 0 or > 200) throw new GebiedsteamValidationException("Vul bij elke partner de organisatie in (hoogstens 200 tekens).", field + ".organisation");
            if (p.Kind.Length is 0 or > 100) throw new GebiedsteamValidationException($"Kies bij {p.Organisation} wat voor partner het is.", field + ".kind");
            if (p.ContactName?.Length > 200) throw new GebiedsteamValidationException("Een contactnaam heeft hoogstens 200 tekens.", field + ".contactName");
            CheckEmail(p.ContactEmail, field + ".contactEmail", $"Het e-mailadres bij {p.Organisation}");
            CheckPhone(p.ContactPhone, field + ".contactPhone", $"Het telefoonnummer bij {p.Organisation}");
        }
    }

    private static void CheckEmail(string? value, string field, string what)
    {
        if (value is null) return;
        if (value.Length > 200 || !MailAddress.TryCreate(value, out var parsed) || parsed.Address != value || !EmailShape().IsMatch(value))
            throw new GebiedsteamValidationException($"{what} is geen geldig e-mailadres: '{value}'.", field);
    }

    private static void CheckPhone(string? value, string field, string what)
    {
        if (value is null) return;
        if (!PhoneShape().IsMatch(value) || value.Count(char.IsAsciiDigit) < 3)
            throw new GebiedsteamValidationException($"{what} is geen telefoonnummer: gebruik cijfers, spaties, +, - of haakjes (hoogstens 30 tekens).", field);
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"^[0-9+() \-]{3,30}$")]
    private static partial Regex PhoneShape();

    private static List<string> Changes(Gebiedsteam before, GebiedsteamEdit after)
    {
        var changed = new List<string>();
        if (before.Name != after.Name) changed.Add("naam");
        if (before.Mailbox != after.Mailbox) changed.Add("mailbox");
        if (before.Phone != after.Phone) changed.Add("telefoon");
        if (before.Note != after.Note) changed.Add("toelichting");
        if (!before.Members.SequenceEqual(after.Members)) changed.Add("rollen");
        if (!before.Partners.SequenceEqual(after.Partners)) changed.Add("partners");
        return changed;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var c = new NpgsqlBatchCommand(sql);
        foreach (var v in values) c.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        return c;
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, string code, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue(code);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
