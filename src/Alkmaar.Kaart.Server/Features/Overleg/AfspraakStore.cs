using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>An afspraak of an overleg circle.</summary>
public sealed record Afspraak(long Id, string Kring, string GebiedCode, string Wat, string? Wie, DateOnly? Uiterlijk, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt);

/// <summary>A refused change of an afspraak, in Dutch.</summary>
public sealed class AfspraakException(string message, int status = 422)
    : RejectedException(status == 403 ? "Geen toegang" : status == 404 ? "Niet gevonden" : "Niet opgeslagen", message, status: status);

/// <summary>
/// Afspraken per overleg circle (issue 31, part 2 begun): made and closed by the team of the circle's gebied (or a
/// beheerder); the open ones come back on every next meeting of that circle until they are done. Audited.
/// </summary>
public sealed class AfspraakStore(NpgsqlDataSource db, AuditLog audit, IServiceScopeFactory scopes)
{
    public static string GrensKring(string gebied, string other) => $"grens:{gebied}|{other}";

    /// <summary>Whether the user (as stored now) keeps the afspraken of this gebied's circles.</summary>
    public async Task<bool> MayKeepAsync(ClaimsPrincipal user, string gebied)
    {
        if (await scopes.ActorNowAsync(user) is not { } now) return false;
        return now.IsBeheerder() || (now.IsInRole(KaartRoles.Gebiedsteam) && now.Gebieden().Contains(gebied));
    }

    /// <summary>The circle's open afspraken (earliest date first) and those closed in the last <paramref name="closedDays"/> days.</summary>
    public async Task<List<Afspraak>> OfKringAsync(string kring, int closedDays = 60, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, kring, gebied_code, wat, wie, uiterlijk, status, created_at, closed_at FROM afspraak
            WHERE kring = $1 AND (status = 'open' OR closed_at > now() - make_interval(days => $2))
            ORDER BY status <> 'open', uiterlijk NULLS LAST, id
            """);
        cmd.Parameters.AddWithValue(kring);
        cmd.Parameters.AddWithValue(closedDays);
        var list = new List<Afspraak>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Afspraak(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5), r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
                r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8)));
        return list;
    }

    public async Task<long> AddAsync(ClaimsPrincipal user, string kring, string gebied, string? wat, string? wie, DateOnly? uiterlijk, CancellationToken ct = default)
    {
        if (!await MayKeepAsync(user, gebied)) throw new AfspraakException("Alleen het gebiedsteam (of een beheerder) legt de afspraken vast.", 403);
        wat = wat?.Trim() ?? "";
        if (wat.Length is < 3 or > 500) throw new AfspraakException("Schrijf wat er is afgesproken (3 tot 500 tekens).");
        if (wie?.Trim().Length > 200) throw new AfspraakException("Wie: ten hoogste 200 tekens.");
        var actor = AuditLog.ActorOf(user);
        await using var cmd = db.CreateCommand(
            "INSERT INTO afspraak (kring, gebied_code, wat, wie, uiterlijk, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
        foreach (var v in new object?[] { kring, gebied, wat, string.IsNullOrWhiteSpace(wie) ? null : wie.Trim(), uiterlijk, actor })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        long id;
        try { id = (long)(await cmd.ExecuteScalarAsync(ct))!; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation) { throw new AfspraakException("Onbekende overlegkring."); }
        await audit.WriteAsync(actor, "afspraak gemaakt", "afspraak", id.ToString(), new { kring, wat, wie, uiterlijk }, ct: ct);
        return id;
    }

    /// <summary>Closes an open afspraak: done, or dropped. Its gebied's team or a beheerder.</summary>
    public async Task CloseAsync(ClaimsPrincipal user, long id, string status, CancellationToken ct = default)
    {
        if (status is not ("gedaan" or "vervallen")) throw new AfspraakException("Een afspraak wordt gedaan of vervalt.");
        string? gebied;
        await using (var find = db.CreateCommand("SELECT gebied_code FROM afspraak WHERE id = $1"))
        {
            find.Parameters.AddWithValue(id);
            gebied = await find.ExecuteScalarAsync(ct) as string;
        }
        if (gebied is null) throw new AfspraakException("Deze afspraak bestaat niet.", 404);
        if (!await MayKeepAsync(user, gebied)) throw new AfspraakException("Alleen het gebiedsteam (of een beheerder) sluit de afspraken af.", 403);
        var actor = AuditLog.ActorOf(user);
        await using var cmd = db.CreateCommand("UPDATE afspraak SET status = $2, closed_at = now(), closed_by = $3 WHERE id = $1 AND status = 'open'");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue(actor);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw new AfspraakException("Deze afspraak is al afgesloten.", 409);
        await audit.WriteAsync(actor, $"afspraak {status}", "afspraak", id.ToString(), ct: ct);
    }
}

public static class OverlegFeature
{
    public static WebApplicationBuilder AddOverleg(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AfspraakStore>();
        return builder;
    }
}
