using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>A meeting of a circle: when and where, who attended, its agenda (assembled, then edited) and notes.</summary>
public sealed record OverlegRow(long Id, string Kring, string GebiedCode, DateOnly Datum, TimeOnly? Aanvang, string? Plaats,
    IReadOnlyList<string> Aanwezig, IReadOnlyList<string> Partijen, string? Agenda, string? Notities, int Version, string CreatedBy);

/// <summary>What the team saves of a meeting (the version it read guards against a colleague's edit meanwhile).</summary>
public sealed record OverlegEdit(int Version, DateOnly Datum, TimeOnly? Aanvang, string? Plaats, IReadOnlyList<string> Aanwezig,
    IReadOnlyList<string> Partijen, string? Agenda, string? Notities);

/// <summary>The circles a gebied's team meets in.</summary>
public static class Kringen
{
    public const string Gebiedsteam = "gebiedsteam", GebiedsteamPlus = "gebiedsteamplus", Grens = "grens";

    public static string Of(string soort, string gebied, string? other = null) =>
        soort == Grens ? AfspraakStore.GrensKring(gebied, other ?? throw new ArgumentNullException(nameof(other))) : $"{soort}:{gebied}";

    public static string Soort(string kring) => kring[..kring.IndexOf(':')];

    /// <summary>The neighbour of a grensoverleg circle (a gebied or a gemeente code), or null.</summary>
    public static string? Other(string kring) => kring.StartsWith("grens:") && kring.IndexOf('|') is > 0 and var i ? kring[(i + 1)..] : null;

    /// <summary>"Gebiedsteam+ Noord", "Grensoverleg Noord – Heiloo".</summary>
    public static string Label(string kring, string gebiedName, string? otherName = null) => Soort(kring) switch
    {
        Gebiedsteam => $"Gebiedsteam {gebiedName}",
        GebiedsteamPlus => $"Gebiedsteam+ {gebiedName}",
        _ => $"Grensoverleg {gebiedName} – {otherName ?? Other(kring)}",
    };
}

/// <summary>
/// Meetings of a gebiedsteam, its Gebiedsteam+ and a grensoverleg (issue 31, part 2): planned by the gebied's team (or a
/// beheerder) with an agenda assembled from what is current (<see cref="OverlegAgendaBuilder"/>), then edited; attendance
/// and notes saved with the version read. A partner organisation reads the meetings it attended. Audited.
/// </summary>
public sealed class OverlegStore(NpgsqlDataSource db, AuditLog audit, AfspraakStore afspraken)
{
    private const string Columns = "id, kring, gebied_code, datum, aanvang, plaats, aanwezig, partijen, agenda, notities, version, created_by";

    public Task<bool> MayKeepAsync(ClaimsPrincipal user, string gebied) => afspraken.MayKeepAsync(user, gebied);

    public async Task<OverlegRow?> GetAsync(long id, CancellationToken ct = default) =>
        (await QueryAsync("id = $1", [id], ct)).FirstOrDefault();

    /// <summary>The meetings of the gebieden's circles, newest first.</summary>
    public Task<List<OverlegRow>> OfGebiedenAsync(IReadOnlyList<string> gebieden, CancellationToken ct = default) =>
        QueryAsync("gebied_code = ANY($1)", [gebieden.ToArray()], ct);

    /// <summary>The meetings a partner organisation attended or is invited to.</summary>
    public Task<List<OverlegRow>> OfPartijAsync(string partij, CancellationToken ct = default) =>
        QueryAsync("partijen @> ARRAY[$1]", [partij], ct);

    private async Task<List<OverlegRow>> QueryAsync(string where, object[] args, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM overleg WHERE {where} ORDER BY datum DESC, aanvang DESC NULLS LAST, id DESC");
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        var list = new List<OverlegRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new OverlegRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateOnly>(3), r.IsDBNull(4) ? null : r.GetFieldValue<TimeOnly>(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetFieldValue<string[]>(6), r.GetFieldValue<string[]>(7), r.IsDBNull(8) ? null : r.GetString(8),
                r.IsDBNull(9) ? null : r.GetString(9), r.GetInt32(10), r.GetString(11)));
        return list;
    }

    /// <summary>Plans a meeting with its assembled agenda text; returns its id.</summary>
    public async Task<long> CreateAsync(ClaimsPrincipal user, string kring, string gebied, DateOnly datum, TimeOnly? aanvang, string? plaats,
        IReadOnlyList<string> partijen, string agenda, CancellationToken ct = default)
    {
        if (!await MayKeepAsync(user, gebied)) throw new AfspraakException("Alleen het gebiedsteam van dit gebied (of een beheerder) plant zijn overleggen.", 403);
        if (!kring.EndsWith(":" + gebied) && !kring.StartsWith($"grens:{gebied}|")) throw new AfspraakException("Deze overlegkring hoort niet bij dit gebied.");
        if (plaats?.Trim().Length > 200) throw new AfspraakException("Plaats: ten hoogste 200 tekens.");
        var actor = AuditLog.ActorOf(user);
        await using var cmd = db.CreateCommand(
            "INSERT INTO overleg (kring, gebied_code, datum, aanvang, plaats, partijen, agenda, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id");
        foreach (var v in new object?[] { kring, gebied, datum, aanvang, string.IsNullOrWhiteSpace(plaats) ? null : plaats.Trim(), partijen.Distinct().ToArray(), agenda, actor })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        long id;
        try { id = (long)(await cmd.ExecuteScalarAsync(ct))!; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation) { throw new AfspraakException("Onbekende overlegkring."); }
        await audit.WriteAsync(actor, "overleg gepland", "overleg", id.ToString(), new { kring, datum }, ct: ct);
        return id;
    }

    /// <summary>Saves date, attendance, agenda and notes when the meeting is still at <see cref="OverlegEdit.Version"/>.</summary>
    public async Task<int> SaveAsync(ClaimsPrincipal user, OverlegRow overleg, OverlegEdit edit, CancellationToken ct = default)
    {
        if (!await MayKeepAsync(user, overleg.GebiedCode)) throw new AfspraakException("Alleen het gebiedsteam van dit gebied (of een beheerder) werkt dit overleg bij.", 403);
        if (edit.Agenda?.Length > 8000) throw new AfspraakException("De agenda is te lang (ten hoogste 8000 tekens).");
        if (edit.Notities?.Length > 20000) throw new AfspraakException("De aantekeningen zijn te lang (ten hoogste 20.000 tekens).");
        if (edit.Plaats?.Trim().Length > 200) throw new AfspraakException("Plaats: ten hoogste 200 tekens.");
        static string[] Clean(IEnumerable<string> names) => names.Select(n => n.Trim()).Where(n => n.Length is > 0 and <= 200).Distinct().ToArray();
        var actor = AuditLog.ActorOf(user);
        await using var cmd = db.CreateCommand(
            """
            UPDATE overleg SET datum = $3, aanvang = $4, plaats = $5, aanwezig = $6, partijen = $7, agenda = $8, notities = $9,
                   version = version + 1, updated_at = now()
            WHERE id = $1 AND version = $2 RETURNING version
            """);
        foreach (var v in new object?[] { overleg.Id, edit.Version, edit.Datum, edit.Aanvang, string.IsNullOrWhiteSpace(edit.Plaats) ? null : edit.Plaats.Trim(),
                     Clean(edit.Aanwezig), Clean(edit.Partijen), string.IsNullOrWhiteSpace(edit.Agenda) ? null : edit.Agenda, string.IsNullOrWhiteSpace(edit.Notities) ? null : edit.Notities })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        var version = await cmd.ExecuteScalarAsync(ct) as int?
            ?? throw new AfspraakException("Iemand anders heeft dit overleg intussen gewijzigd; er is niets opgeslagen. Uw tekst staat nog hieronder: kopieer hem en laad de pagina opnieuw.", 409);
        await audit.WriteAsync(actor, "overleg bijgewerkt", "overleg", overleg.Id.ToString(), new { edit.Datum, aanwezig = edit.Aanwezig.Count, partijen = edit.Partijen }, ct: ct);
        return version;
    }
}
