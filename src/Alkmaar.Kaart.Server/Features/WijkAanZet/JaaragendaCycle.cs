using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

/// <summary>An action of an agenda as the overleg and a partner see it: with its agenda and speerpunt.</summary>
public sealed record CycleActie(long Id, long AgendaId, string AreaCode, int Year, string Speerpunt, string Title, string? Owner, string? OwnerKind,
    DateOnly? Due, string Status, IReadOnlyList<ActieUpdate> Updates)
{
    /// <summary>When it became klaar or vervallen.</summary>
    public DateTimeOffset? AfgeslotenOp { get; init; }

    /// <summary>Past its date while still open at the start of <paramref name="at"/>.</summary>
    public bool Late(DateOnly at) => Due is { } d && d < at && (AfgeslotenOp is not { } closed || closed >= DutchTime.StartOf(at));
}

/// <summary>The cycle around the agenda (issue 31, parts 2–4): what an overleg takes up, what a partner carries, the
/// toetsing's verdicts and what carries over into next year's draft.</summary>
public sealed partial class JaaragendaService
{
    public static readonly string[] Oordelen = ["behaald", "deels", "niet behaald"];

    /// <summary>The gebied of an area with an agenda (itself, or the gebied a dorp lies in), or null.</summary>
    public async Task<string?> GebiedOfAgendaAreaAsync(string code, CancellationToken ct = default) =>
        await AgendaLevelAsync(code, ct) switch { "gebied" => code, "dorp" => await campagnes.GebiedOfAsync(code, "dorp", ct), _ => null };

    /// <summary>The areas whose agenda the gebied's team keeps: the gebied and the dorpen in it.</summary>
    public async Task<List<string>> AgendaAreasOfGebiedAsync(string gebied, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT $1 UNION ALL
            (SELECT d.code FROM area_in_force d JOIN area_in_force w ON w.code = d.parent_code AND w.level = 'wijk'
             WHERE d.level = 'dorp' AND w.parent_code = $1 ORDER BY d.code)
            """);
        cmd.Parameters.AddWithValue(gebied);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>The actions of the areas' agendas (this year and before) open at the start of <paramref name="day"/>:
    /// made before it and not klaar or vervallen before it (a speerpunt carried into a later agenda counts there only).</summary>
    public Task<List<CycleActie>> OpenActiesAtAsync(IReadOnlyList<string> areas, DateOnly day, CancellationToken ct = default) =>
        CycleActiesAsync("""
            g.area_code = ANY($1) AND g.year <= $2 AND a.created_at < $3 AND (a.afgesloten_op IS NULL OR a.afgesloten_op >= $3)
            AND NOT EXISTS (SELECT 1 FROM speerpunt c WHERE c.overgenomen_uit = s.id AND c.created_at < $3)
            """,
            [areas.ToArray(), day.Year, DutchTime.StartOf(day).ToUniversalTime()], ct);

    /// <summary>The actions a partner organisation carries (owner kind partner, owner its register name): open ones and
    /// those closed in the last 60 days.</summary>
    public Task<List<CycleActie>> ActiesOfPartijAsync(string partij, CancellationToken ct = default) =>
        CycleActiesAsync("a.eigenaar_soort = 'partner' AND a.owner = $1 AND (a.afgesloten_op IS NULL OR a.afgesloten_op > now() - interval '60 days')", [partij], ct);

    private async Task<List<CycleActie>> CycleActiesAsync(string where, object[] args, CancellationToken ct)
    {
        var list = new List<CycleActie>();
        await using (var cmd = db.CreateCommand(
            $"""
            SELECT a.id, g.id, g.area_code, g.year, s.title, a.title, a.owner, a.eigenaar_soort, a.due, a.status, a.afgesloten_op
            FROM speerpunt_actie a JOIN speerpunt s ON s.id = a.speerpunt_id JOIN gebiedsagenda g ON g.id = s.agenda_id
            WHERE {where} ORDER BY a.due NULLS LAST, a.id
            """))
        {
            foreach (var a in args) cmd.Parameters.AddWithValue(a);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                list.Add(new CycleActie(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetString(4), r.GetString(5),
                    r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateOnly>(8), r.GetString(9), [])
                { AfgeslotenOp = r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10) });
        }
        if (list.Count == 0) return list;
        var updates = new Dictionary<long, List<ActieUpdate>>();
        await using (var cmd = db.CreateCommand("SELECT actie_id, at, actor, text FROM speerpunt_actie_update WHERE actie_id = ANY($1) ORDER BY at, id"))
        {
            cmd.Parameters.AddWithValue(list.Select(a => a.Id).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (!updates.TryGetValue(r.GetInt64(0), out var l)) updates[r.GetInt64(0)] = l = [];
                l.Add(new ActieUpdate(r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3)));
            }
        }
        return list.Select(a => a with { Updates = updates.GetValueOrDefault(a.Id) ?? [] }).ToList();
    }

    /// <summary>A partner account reports progress on an action its organisation carries: a new state and/or a short
    /// note. Another organisation's action: 404, nothing changes. Audited as "account (organisation)".</summary>
    public async Task PartnerProgressAsync(ClaimsPrincipal user, long actie, string? status, string? text, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now || !now.IsInRole(KaartRoles.Partner) || now.Partij() is not { } partij)
            throw new WijkAanZetException("Alleen de partner die de actie trekt, meldt haar voortgang.", 403);
        text = text?.Trim();
        if (status is not null && !Jaaragenda.ActieStatuses.Contains(status)) throw new WijkAanZetException("Een actie is gepland, bezig, klaar of vervallen.");
        if (string.IsNullOrEmpty(text) && status is null) throw new WijkAanZetException("Kies een stand of schrijf kort wat er is gebeurd.");
        if (text?.Length is 1 or > 1000) throw new WijkAanZetException("Schrijf kort wat er is gebeurd (2 tot 1000 tekens).");
        var actor = $"{AuditLog.ActorOf(user)} ({partij})";
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long agenda;
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE speerpunt_actie a SET status = coalesce($3, a.status) FROM speerpunt s
            WHERE a.id = $1 AND s.id = a.speerpunt_id AND a.eigenaar_soort = 'partner' AND a.owner = $2 RETURNING s.agenda_id
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(actie);
            cmd.Parameters.AddWithValue(partij);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            agenda = await cmd.ExecuteScalarAsync(ct) as long? ?? throw new WijkAanZetException("Deze actie bestaat niet of is niet van uw organisatie.", 404);
        }
        if (!string.IsNullOrEmpty(text))
        {
            await using var cmd = new NpgsqlCommand("INSERT INTO speerpunt_actie_update (actie_id, actor, text) VALUES ($1, $2, $3)", conn, tx);
            cmd.Parameters.AddWithValue(actie);
            cmd.Parameters.AddWithValue(actor);
            cmd.Parameters.AddWithValue(text);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        await audit.WriteAsync(actor, "voortgang gemeld door partner", "gebiedsagenda", agenda.ToString(), new { actie, status }, ct: ct);
    }

    /// <summary>The toetsing's verdict on a speerpunt (any state of the agenda): behaald, deels, niet behaald, and why.</summary>
    public async Task JudgeAsync(ClaimsPrincipal user, Jaaragenda agenda, long speerpunt, string? oordeel, string? toelichting, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, agenda.AreaCode, ct);
        if (oordeel is not null && !Oordelen.Contains(oordeel)) throw new WijkAanZetException("Een speerpunt is behaald, deels behaald of niet behaald.");
        toelichting = toelichting?.Trim();
        if (toelichting?.Length > 2000) throw new WijkAanZetException("Toelichting: ten hoogste 2000 tekens.");
        if (oordeel is not null and not "behaald" && string.IsNullOrEmpty(toelichting))
            throw new WijkAanZetException("Schrijf waarom het speerpunt niet (helemaal) is behaald: dat neemt het volgende jaar mee.");
        await using var cmd = db.CreateCommand("UPDATE speerpunt SET oordeel = $3, oordeel_toelichting = $4 WHERE id = $1 AND agenda_id = $2");
        cmd.Parameters.AddWithValue(speerpunt);
        cmd.Parameters.AddWithValue(agenda.Id);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)oordeel ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = string.IsNullOrEmpty(toelichting) ? DBNull.Value : toelichting, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw new WijkAanZetException("Dit speerpunt hoort niet bij deze agenda.", 404);
        await audit.WriteAsync(actor, "speerpunt getoetst", "gebiedsagenda", agenda.Id.ToString(), new { speerpunt, oordeel, toelichting }, ct: ct);
    }

    /// <summary>
    /// What carries over: every speerpunt of the year not judged behaald goes into next year's agenda (made as a concept
    /// when there is none), with its actions still gepland or bezig; a speerpunt carried once is not carried again.
    /// Returns next year's agenda and how many speerpunten came over now.
    /// </summary>
    public async Task<(Jaaragenda Next, int Carried)> CarryOverAsync(ClaimsPrincipal user, Jaaragenda agenda, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, agenda.AreaCode, ct);
        var year = agenda.Year + 1;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long nextId;
        await using (var cmd = new NpgsqlCommand(
            """
            WITH made AS (INSERT INTO gebiedsagenda (area_code, year, created_by) VALUES ($1, $2, $3) ON CONFLICT (area_code, year) DO NOTHING RETURNING id)
            SELECT id FROM made UNION ALL SELECT id FROM gebiedsagenda WHERE area_code = $1 AND year = $2
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(agenda.AreaCode);
            cmd.Parameters.AddWithValue(year);
            cmd.Parameters.AddWithValue(actor);
            nextId = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        int carried;
        await using (var cmd = new NpgsqlCommand(
            """
            WITH moved AS (
                INSERT INTO speerpunt (area_code, title, owner, agenda_id, bron, indicator, nulmeting, streefwaarde, verbeterpunt_id, overgenomen_uit)
                SELECT s.area_code, s.title, $3, $2, s.bron, s.indicator, s.nulmeting, s.streefwaarde, s.verbeterpunt_id, s.id
                FROM speerpunt s WHERE s.agenda_id = $1 AND s.oordeel IS DISTINCT FROM 'behaald'
                ON CONFLICT (overgenomen_uit, agenda_id) WHERE overgenomen_uit IS NOT NULL DO NOTHING
                RETURNING id, overgenomen_uit),
            acties AS (
                INSERT INTO speerpunt_actie (speerpunt_id, title, owner, eigenaar_soort, due, status)
                SELECT m.id, a.title, a.owner, a.eigenaar_soort, NULL, a.status FROM moved m JOIN speerpunt_actie a ON a.speerpunt_id = m.overgenomen_uit
                WHERE a.status IN ('gepland', 'bezig') RETURNING 1)
            SELECT count(*)::int FROM moved
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(agenda.Id);
            cmd.Parameters.AddWithValue(nextId);
            cmd.Parameters.AddWithValue(actor);
            carried = (int)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await tx.CommitAsync(ct);
        await audit.WriteAsync(actor, "toetsing: speerpunten overgenomen", "gebiedsagenda", nextId.ToString(), new { from = agenda.Id, year, carried }, ct: ct);
        return ((await GetAsync(agenda.AreaCode, year, ct))!, carried);
    }

    /// <summary>Wij(k) aan zet points chosen by residents in campaigns whose result fell in the year, in the area (a gebied: its wijken and dorpen too).</summary>
    public async Task<int> ChosenVerbeterpuntenAsync(string code, bool gebied, int year, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT count(*)::int FROM verbeterpunt v JOIN campagne c ON c.id = v.campagne_id
            WHERE v.status IN ('gekozen', 'doorgestuurd') AND extract(year FROM c.uitslag_on) = $2
              AND (c.area_code = $1 OR ($3 AND EXISTS (SELECT 1 FROM area_in_force w WHERE w.code = c.area_code AND w.level = 'wijk' AND w.parent_code = $1))
                   OR ($3 AND EXISTS (SELECT 1 FROM area_in_force d JOIN area_in_force w ON w.code = d.parent_code AND w.level = 'wijk'
                                      WHERE d.code = c.area_code AND d.level = 'dorp' AND w.parent_code = $1)))
            """);
        cmd.Parameters.AddWithValue(code);
        cmd.Parameters.AddWithValue(year);
        cmd.Parameters.AddWithValue(gebied);
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
