using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A member of a gebiedsteam a melding can be assigned to: the account name and the name shown.</summary>
public sealed record Assignee(string UserName, string Name);

public sealed partial class MeldingService
{
    /// <summary>The members of the gebiedsteam of <paramref name="gebied"/> (accounts with the gebiedsteam role for it).</summary>
    public async Task<IReadOnlyList<Assignee>> AssigneesAsync(string gebied, CancellationToken ct = default) =>
        (await users.GetUsersInRoleAsync(KaartRoles.Gebiedsteam, ct))
        .Where(u => u.Gebieden.Contains(gebied))
        .Select(u => new Assignee(u.UserName, u.DisplayName ?? u.UserName)).ToList();

    /// <summary>The members melding <paramref name="id"/> can be assigned to, for its team or a beheerder; null for anyone
    /// else (as if there were no such melding).</summary>
    public async Task<IReadOnlyList<Assignee>?> AssigneesForAsync(ClaimsPrincipal user, long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT gebied_code, forwarded_to FROM melding WHERE id = $1");
        Add(cmd, id);
        string gebied;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            gebied = r.GetString(0);
            var forwardedTo = r.IsDBNull(1) ? null : r.GetString(1);
            if (MeldingAccessRules.AccessTo(await ActorNowAsync(user, id), gebied, forwardedTo, KaartRoles.Stadswerk) != MeldingAccess.Personal) return null;
        }
        return await AssigneesAsync(gebied, ct);
    }

    /// <summary>
    /// Assigns melding <paramref name="id"/> to <paramref name="to"/> (a member of its gebiedsteam; null or empty: to nobody),
    /// by its team or a beheerder, on the version the person saw; in the history and the audit log.
    /// </summary>
    public async Task AssignAsync(ClaimsPrincipal user, long id, string? to, CancellationToken ct = default, int? expectedVersion = null)
    {
        to = string.IsNullOrWhiteSpace(to) ? null : to.Trim();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockForChangeAsync(conn, tx, user, id, MeldingAccess.Personal, expectedVersion, ct);
        Assignee? assignee = null;
        if (to is not null)
        {
            assignee = (await AssigneesAsync(current.Gebied, ct)).FirstOrDefault(a => string.Equals(a.UserName, to, StringComparison.OrdinalIgnoreCase))
                ?? throw new MeldingRejectedException("Geen lid van het gebiedsteam",
                    $"'{to}' is geen lid van het gebiedsteam van deze melding; kies iemand uit het team.", "to", StatusCodes.Status422UnprocessableEntity);
        }
        await using (var cmd = new NpgsqlCommand("UPDATE melding SET assigned_to = $2, version = version + 1, updated_at = $3 WHERE id = $1", conn, tx))
        {
            Add(cmd, id, assignee?.UserName, time.GetUtcNow());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var actor = AuditLog.ActorOf(user);
        await AddHistoryAsync(conn, tx, id, actor, "assign", current.Gebied, current.Gebied,
            assignee is null ? "Niet meer toegewezen aan een persoon." : $"Toegewezen aan {assignee.Name}.", null, ct);
        await audit.WriteAsync(actor, "melding toegewezen", "melding", id.ToString(), new { to = assignee?.UserName }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }
}
