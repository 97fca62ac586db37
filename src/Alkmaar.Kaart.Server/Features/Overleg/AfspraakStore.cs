using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>An afspraak of an overleg circle.</summary>
public sealed record Afspraak(long Id, string Kring, string GebiedCode, string Wat, string? Wie, DateOnly? Uiterlijk, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt)
{
    /// <summary>The overleg it was made in, if any.</summary>
    public long? OverlegId { get; init; }
    /// <summary>The Gebiedsteam+ partner organisation that carries it (its account sees it and reports it done).</summary>
    public string? Partij { get; init; }
    /// <summary>A short note given when it was closed.</summary>
    public string? Toelichting { get; init; }

    /// <summary>Done after its date, or still open past it (at <paramref name="at"/>).</summary>
    public bool Late(DateOnly at) => Uiterlijk is { } u && (Status == "open" ? u < at : Status == "gedaan" && DutchTime.Day(ClosedAt!.Value) > u);
}

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

    private const string Columns = "id, kring, gebied_code, wat, wie, uiterlijk, status, created_at, closed_at, overleg_id, partij, toelichting";

    /// <summary>The circle's open afspraken (earliest date first) and those closed in the last <paramref name="closedDays"/> days.</summary>
    public Task<List<Afspraak>> OfKringAsync(string kring, int closedDays = 60, CancellationToken ct = default) =>
        QueryAsync("kring = $1 AND (status = 'open' OR closed_at > now() - make_interval(days => $2))", [kring, closedDays], ct);

    /// <summary>What was open in the circles at the start of <paramref name="day"/> (Europe/Amsterdam): made before that
    /// day and not closed before it — what an overleg on that day takes up.</summary>
    public Task<List<Afspraak>> OpenAtAsync(IReadOnlyList<string> kringen, DateOnly day, CancellationToken ct = default) =>
        QueryAsync("kring = ANY($1) AND created_at < $2 AND (closed_at IS NULL OR closed_at >= $2)", [kringen.ToArray(), DutchTime.StartOf(day).ToUniversalTime()], ct);

    /// <summary>The grensoverleg circles of a gebied (with every neighbour) that have afspraken.</summary>
    public async Task<List<string>> GrensKringenAsync(string gebied, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT DISTINCT kring FROM afspraak WHERE gebied_code = $1 AND kring LIKE 'grens:%' ORDER BY 1");
        cmd.Parameters.AddWithValue(gebied);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>The afspraken a partner organisation carries: open ones, and those closed in the last 60 days.</summary>
    public Task<List<Afspraak>> OfPartijAsync(string partij, CancellationToken ct = default) =>
        QueryAsync("partij = $1 AND (status = 'open' OR closed_at > now() - interval '60 days')", [partij], ct);

    /// <summary>Every afspraak of a gebied's circles made in, or still open during, a period (the toetsing and the report).</summary>
    public Task<List<Afspraak>> OfPeriodAsync(string gebied, DateOnly from, DateOnly to, CancellationToken ct = default) =>
        QueryAsync("gebied_code = $1 AND created_at < $3 AND (closed_at IS NULL OR closed_at >= $2)", [gebied, DutchTime.StartOf(from).ToUniversalTime(), DutchTime.StartOf(to.AddDays(1)).ToUniversalTime()], ct);

    private async Task<List<Afspraak>> QueryAsync(string where, object[] args, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM afspraak WHERE {where} ORDER BY status <> 'open', uiterlijk NULLS LAST, id");
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        var list = new List<Afspraak>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Afspraak(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5), r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
                r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8))
            {
                OverlegId = r.IsDBNull(9) ? null : r.GetInt64(9), Partij = r.IsDBNull(10) ? null : r.GetString(10), Toelichting = r.IsDBNull(11) ? null : r.GetString(11),
            });
        return list;
    }

    /// <summary>A partner account reports an afspraak its organisation carries as done, with a short note.</summary>
    public async Task PartnerDoneAsync(ClaimsPrincipal user, long id, string? toelichting, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now || now.Partij() is not { } partij || !now.IsInRole(KaartRoles.Partner))
            throw new AfspraakException("Alleen de partner die de afspraak draagt, meldt haar gedaan.", 403);
        toelichting = toelichting?.Trim();
        if (toelichting?.Length > 1000) throw new AfspraakException("Toelichting: ten hoogste 1000 tekens.");
        var actor = $"{AuditLog.ActorOf(user)} ({partij})";
        await using var cmd = db.CreateCommand(
            "UPDATE afspraak SET status = 'gedaan', closed_at = now(), closed_by = $3, toelichting = $4 WHERE id = $1 AND partij = $2 AND status = 'open'");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(partij);
        cmd.Parameters.AddWithValue(actor);
        cmd.Parameters.Add(new NpgsqlParameter { Value = string.IsNullOrEmpty(toelichting) ? DBNull.Value : toelichting });
        if (await cmd.ExecuteNonQueryAsync(ct) == 0)
        {
            await using var find = db.CreateCommand("SELECT status FROM afspraak WHERE id = $1 AND partij = $2");
            find.Parameters.AddWithValue(id);
            find.Parameters.AddWithValue(partij);
            throw await find.ExecuteScalarAsync(ct) is null
                ? new AfspraakException("Deze afspraak bestaat niet.", 404)
                : new AfspraakException("Deze afspraak is al afgesloten.", 409);
        }
        await audit.WriteAsync(actor, "afspraak gedaan", "afspraak", id.ToString(), new { toelichting }, ct: ct);
    }

    public async Task<long> AddAsync(ClaimsPrincipal user, string kring, string gebied, string? wat, string? wie, DateOnly? uiterlijk, CancellationToken ct = default,
        long? overlegId = null, string? partij = null)
    {
        if (!await MayKeepAsync(user, gebied)) throw new AfspraakException("Alleen het gebiedsteam (of een beheerder) legt de afspraken vast.", 403);
        wat = wat?.Trim() ?? "";
        if (wat.Length is < 3 or > 500) throw new AfspraakException("Schrijf wat er is afgesproken (3 tot 500 tekens).");
        if (wie?.Trim().Length > 200) throw new AfspraakException("Wie: ten hoogste 200 tekens.");
        partij = string.IsNullOrWhiteSpace(partij) ? null : partij.Trim();
        if (partij is not null && string.IsNullOrWhiteSpace(wie)) wie = partij;
        var actor = AuditLog.ActorOf(user);
        await using var cmd = db.CreateCommand(
            "INSERT INTO afspraak (kring, gebied_code, wat, wie, uiterlijk, created_by, overleg_id, partij) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id");
        foreach (var v in new object?[] { kring, gebied, wat, string.IsNullOrWhiteSpace(wie) ? null : wie.Trim(), uiterlijk, actor, overlegId, partij })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        long id;
        try { id = (long)(await cmd.ExecuteScalarAsync(ct))!; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation) { throw new AfspraakException("Onbekende overlegkring."); }
        await audit.WriteAsync(actor, "afspraak gemaakt", "afspraak", id.ToString(), new { kring, wat, wie, uiterlijk, overleg = overlegId, partij }, ct: ct);
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
        builder.Services.AddSingleton<OverlegStore>();
        builder.Services.AddSingleton<OverlegAgendaBuilder>();
        builder.Services.AddSingleton<ToetsingService>();
        builder.Services.AddSingleton<RaadsrapportageService>();
        builder.Services.AddSingleton<SamenwerkingService>();
        return builder;
    }
}
