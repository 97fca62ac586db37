using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Initiatieven;

/// <summary>A member's judgement of an application.</summary>
public sealed record RegiegroepOordeel(string Lid, string Oordeel, string? Toelichting, DateTimeOffset At);

/// <summary>The regiegroep's advice or decision on an application, with the count of judgements when it was taken.</summary>
public sealed record RegiegroepBesluit(long InitiatiefId, string AreaCode, string Soort, string Uitkomst, decimal? Bedrag, string Reden,
    int Voor, int Tegen, int Onthouding, int Belang, string Door, DateTimeOffset At)
{
    /// <summary>One line for the team and the applicant, e.g. "advies: toekennen (3 voor, 1 tegen, 1 belang gemeld)".</summary>
    public string Summary => $"{Soort}: {Uitkomst}{(Bedrag is { } b ? " " + WijkbudgetStand.Euro(b) : "")} ({Voor} voor, {Tegen} tegen" +
                             $"{(Onthouding > 0 ? $", {Onthouding} onthouding" : "")}{(Belang > 0 ? $", {Belang} belang gemeld" : "")})";
}

/// <summary>An application as a regiegroep member sees it: the public fields, the area's budget, every member's judgement.</summary>
public sealed record RegiegroepAanvraag(long Id, string Title, string Description, string Theme, string Status, decimal? Requested, int Year,
    string BudgetArea, string BeslistDoor, WijkbudgetStand? Budget, IReadOnlyList<RegiegroepOordeel> Oordelen, RegiegroepBesluit? Besluit)
{
    public RegiegroepOordeel? Of(string lid) => Oordelen.FirstOrDefault(o => o.Lid == lid);
    public bool Open => Besluit is null && Status == InitiatiefStatus.Aangevraagd.Code;
}

public sealed class RegiegroepException(string title, string detail, int status = 409) : RejectedException(title, detail, status: status);

/// <summary>
/// Regiegroepen (issue 33, part 2; tables <c>regiegroep_oordeel</c>, <c>regiegroep_besluit</c>): residents of one wijk,
/// dorp or gebied who judge the applications for bewonersinitiatieven in their area. Each member gives a judgement
/// (voor, tegen, onthouding) with an optional note, or declares a conflict of interest (belang) and takes no part; one
/// member then records the group's conclusion with its reason — advice to the gebiedsteam, or, where the area's
/// wijkbudget says the regiegroep decides, the decision itself (granted against the budget, row-locked). The applicant is
/// told either way. Everything is written with the initiative's row locked, so a judgement never lands after the
/// conclusion.
/// </summary>
public sealed class RegiegroepService(NpgsqlDataSource db, Audit.AuditLog audit, IServiceScopeFactory scopes, WijkbudgetStore budgets)
{
    public static readonly string[] Oordelen = ["voor", "tegen", "onthouding", "belang"];

    // an application belongs to the regiegroep of its budget area (dorp or wijk), of its wijk, or of its gebied
    private const string InArea = "$1 IN (initiatief_budget_area(i.geom, i.wijk_code), i.wijk_code, i.gebied_code)";

    /// <summary>The member's area and account name, checked against the account as stored now.</summary>
    public async Task<(string Area, string Lid)> MemberAsync(ClaimsPrincipal user)
    {
        var now = await scopes.ActorNowAsync(user);
        if (now is null || !now.IsInRole(KaartRoles.Regiegroep) || now.Gebieden().SingleOrDefault() is not { } area)
            throw new RegiegroepException("Geen toegang", "Alleen leden van een regiegroep beoordelen aanvragen; log opnieuw in.", 403);
        return (area, now.Identity!.Name!);
    }

    /// <summary>The name of an area (wijk, dorp or gebied).</summary>
    public async Task<string> AreaNameAsync(string area, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT name FROM area_in_force WHERE code = $1 ORDER BY level = 'dorp' DESC LIMIT 1");
        cmd.Parameters.AddWithValue(area);
        return await cmd.ExecuteScalarAsync(ct) as string ?? area;
    }

    /// <summary>The open applications of the area and those the regiegroep concluded on, newest first.</summary>
    public async Task<List<RegiegroepAanvraag>> ApplicationsAsync(string area, CancellationToken ct = default)
    {
        var list = new List<RegiegroepAanvraag>();
        await using (var cmd = db.CreateCommand(
            $"""
            SELECT i.id, i.title, i.description, i.theme, i.status, i.requested_eur, i.year, initiatief_budget_area(i.geom, i.wijk_code),
                   coalesce(b.beslist_door, 'team')
            FROM initiatief i
            LEFT JOIN wijkbudget b ON b.area_code = initiatief_budget_area(i.geom, i.wijk_code) AND b.year = i.year
            WHERE {InArea} AND i.status_token_hash IS NOT NULL
              AND (i.status = 'aangevraagd' OR EXISTS (SELECT 1 FROM regiegroep_besluit r WHERE r.initiatief_id = i.id))
            ORDER BY i.id DESC LIMIT 200
            """))
        {
            cmd.Parameters.AddWithValue(area);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                list.Add(new RegiegroepAanvraag(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetDecimal(5), r.GetInt32(6), r.GetString(7), r.GetString(8), null, [], null));
        }
        if (list.Count == 0) return list;
        var ids = list.Select(a => a.Id).ToArray();
        var oordelen = await OordelenAsync(ids, ct);
        var besluiten = await ConclusionsAsync(ids, ct);
        var stands = new Dictionary<(string, int), WijkbudgetStand?>();
        foreach (var key in list.Select(a => (a.BudgetArea, a.Year)).Distinct())
            stands[key] = (await budgets.StandAsync(key.Year, key.BudgetArea, ct)).FirstOrDefault();
        return list.Select(a => a with
        {
            Oordelen = oordelen.GetValueOrDefault(a.Id) ?? [],
            Besluit = besluiten.GetValueOrDefault(a.Id),
            Budget = stands[(a.BudgetArea, a.Year)],
        }).ToList();
    }

    private async Task<Dictionary<long, List<RegiegroepOordeel>>> OordelenAsync(long[] ids, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT initiatief_id, lid, oordeel, toelichting, updated_at FROM regiegroep_oordeel WHERE initiatief_id = ANY($1) ORDER BY lid");
        cmd.Parameters.AddWithValue(ids);
        var map = new Dictionary<long, List<RegiegroepOordeel>>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (!map.TryGetValue(r.GetInt64(0), out var l)) map[r.GetInt64(0)] = l = [];
            l.Add(new RegiegroepOordeel(r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetFieldValue<DateTimeOffset>(4)));
        }
        return map;
    }

    /// <summary>The regiegroep's conclusions on these initiatives (for the team's list and the applicant's status page).</summary>
    public async Task<Dictionary<long, RegiegroepBesluit>> ConclusionsAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        var map = new Dictionary<long, RegiegroepBesluit>();
        if (ids.Count == 0) return map;
        await using var cmd = db.CreateCommand(
            """
            SELECT initiatief_id, area_code, soort, uitkomst, bedrag_eur, reden, voor, tegen, onthouding, belang, vastgesteld_door, vastgesteld_op
            FROM regiegroep_besluit WHERE initiatief_id = ANY($1)
            """);
        cmd.Parameters.AddWithValue(ids.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            map[r.GetInt64(0)] = new RegiegroepBesluit(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetDecimal(4),
                r.GetString(5), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9), r.GetString(10), r.GetFieldValue<DateTimeOffset>(11));
        return map;
    }

    /// <summary>A member's judgement (or declared conflict of interest) of an open application of their area; replaces their earlier one.</summary>
    public async Task JudgeAsync(ClaimsPrincipal user, long id, string? oordeel, string? toelichting, CancellationToken ct = default)
    {
        var (area, lid) = await MemberAsync(user);
        if (oordeel is null || !Oordelen.Contains(oordeel))
            throw new RegiegroepException("Kies een oordeel", "Kies voor, tegen, onthouding of 'ik heb een belang'.", 422);
        toelichting = string.IsNullOrWhiteSpace(toelichting) ? null : toelichting.Trim();
        if (toelichting is { Length: > 1000 }) throw new RegiegroepException("Toelichting te lang", "Houd de toelichting onder 1000 tekens.", 422);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await RequireOpenAsync(conn, tx, id, area, ct);
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO regiegroep_oordeel (initiatief_id, lid, oordeel, toelichting) VALUES ($1, $2, $3, $4)
            ON CONFLICT (initiatief_id, lid) DO UPDATE SET oordeel = EXCLUDED.oordeel, toelichting = EXCLUDED.toelichting, updated_at = now()
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(lid);
            cmd.Parameters.AddWithValue(oordeel);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)toelichting ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        await audit.WriteAsync(lid, oordeel == "belang" ? "regiegroep: belang gemeld" : "regiegroep: oordeel", "initiatief", id.ToString(), new { area, oordeel });
    }

    /// <summary>
    /// The regiegroep's conclusion on an open application, recorded by a member without a declared interest, after at
    /// least one judgement: advice to the team, or — where the area's budget is decided by the regiegroep — the decision,
    /// which grants (within the budget) or refuses the application. The applicant is told with the reason.
    /// </summary>
    public async Task<RegiegroepBesluit> ConcludeAsync(ClaimsPrincipal user, long id, string? uitkomst, decimal? bedrag, string? reden, CancellationToken ct = default)
    {
        var (area, lid) = await MemberAsync(user);
        if (uitkomst is not ("toekennen" or "afwijzen")) throw new RegiegroepException("Kies de uitkomst", "Kies toekennen of afwijzen.", 422);
        reden = reden?.Trim();
        if (string.IsNullOrEmpty(reden)) throw new RegiegroepException("Reden ontbreekt", "Schrijf waarom de regiegroep zo oordeelt; de aanvrager leest het.", 422);
        if (reden.Length > 2000) throw new RegiegroepException("Reden te lang", "Houd de reden onder 2000 tekens.", 422);
        if (bedrag is < 0 or > 1_000_000) throw new RegiegroepException("Bedrag klopt niet", "Het bedrag ligt tussen € 0 en € 1.000.000.", 422);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await RequireOpenAsync(conn, tx, id, area, ct);
        var counts = new Dictionary<string, int>();
        string? own = null;
        await using (var cmd = new NpgsqlCommand("SELECT lid, oordeel FROM regiegroep_oordeel WHERE initiatief_id = $1", conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                counts[r.GetString(1)] = counts.GetValueOrDefault(r.GetString(1)) + 1;
                if (r.GetString(0) == lid) own = r.GetString(1);
            }
        }
        if (own == "belang")
            throw new RegiegroepException("U hebt een belang gemeld", "Wie een belang heeft gemeld, stelt het oordeel van de regiegroep niet vast; laat een ander lid dat doen.", 403);
        if (counts.GetValueOrDefault("voor") + counts.GetValueOrDefault("tegen") + counts.GetValueOrDefault("onthouding") == 0)
            throw new RegiegroepException("Nog geen oordelen", "Er is nog geen oordeel van een lid zonder belang; geef eerst uw eigen oordeel.", 409);
        string beslistDoor;
        await using (var cmd = new NpgsqlCommand(
            "SELECT coalesce((SELECT beslist_door FROM wijkbudget WHERE area_code = initiatief_budget_area($1, $2) AND year = $3), 'team')", conn, tx))
        {
            cmd.Parameters.AddWithValue(current.Geometry);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)current.WijkCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.AddWithValue(current.Year);
            beslistDoor = (string)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var soort = beslistDoor == "regiegroep" ? "besluit" : "advies";
        var amount = uitkomst == "toekennen" ? bedrag ?? current.Requested : null;
        var areaName = await AreaNameAsync(area, ct);
        var besluit = new RegiegroepBesluit(id, area, soort, uitkomst, amount, reden, counts.GetValueOrDefault("voor"), counts.GetValueOrDefault("tegen"),
            counts.GetValueOrDefault("onthouding"), counts.GetValueOrDefault("belang"), lid, DateTimeOffset.UtcNow);
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO regiegroep_besluit (initiatief_id, area_code, soort, uitkomst, bedrag_eur, reden, voor, tegen, onthouding, belang, vastgesteld_door)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(area);
            cmd.Parameters.AddWithValue(soort);
            cmd.Parameters.AddWithValue(uitkomst);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)amount ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
            cmd.Parameters.AddWithValue(reden);
            cmd.Parameters.AddWithValue(besluit.Voor);
            cmd.Parameters.AddWithValue(besluit.Tegen);
            cmd.Parameters.AddWithValue(besluit.Onthouding);
            cmd.Parameters.AddWithValue(besluit.Belang);
            cmd.Parameters.AddWithValue(lid);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var actor = $"{lid} (regiegroep {areaName})";
        if (soort == "besluit")
        {
            await InitiatiefStore.DecideAsync(conn, tx, current, uitkomst == "toekennen", amount, actor, reden,
                $"De regiegroep van {areaName} heeft over uw aanvraag voor het bewonersinitiatief '{current.Title}' besloten: " +
                (uitkomst == "toekennen" ? $"toegekend{(amount is { } a ? $" ({WijkbudgetStand.Euro(a)})" : "")}." : "afgewezen."), ct);
        }
        else
        {
            await InitiatiefStore.TellApplicantAsync(conn, tx, id, "initiatief advies", $"Advies van de regiegroep over '{current.Title}'",
                $"De regiegroep van {areaName} adviseert het gebiedsteam uw aanvraag voor het bewonersinitiatief '{current.Title}' " +
                $"{(uitkomst == "toekennen" ? "toe te kennen" : "af te wijzen")}.\n\nReden: {reden}\n\nHet gebiedsteam besluit; u hoort het van ons.", ct);
        }
        await tx.CommitAsync(ct);
        await audit.WriteAsync(actor, $"regiegroep: {soort} {uitkomst}", "initiatief", id.ToString(), new { area, besluit.Voor, besluit.Tegen, besluit.Onthouding, besluit.Belang, amount });
        return besluit;
    }

    /// <summary>Locks the initiative; refuses when it is not an application of this area or not open for the regiegroep any more.</summary>
    private static async Task<Initiatief> RequireOpenAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string area, CancellationToken ct)
    {
        var current = await InitiatiefStore.LockAsync(conn, tx, id, ct);
        bool inArea;
        await using (var cmd = new NpgsqlCommand($"SELECT {InArea} AND i.status_token_hash IS NOT NULL FROM initiatief i WHERE i.id = $2", conn, tx))
        {
            cmd.Parameters.AddWithValue(area);
            cmd.Parameters.AddWithValue(id);
            inArea = await cmd.ExecuteScalarAsync(ct) is true;
        }
        // another area's application is answered as if it did not exist
        if (current is null || !inArea) throw new RegiegroepException("Aanvraag niet gevonden", $"Er is geen aanvraag {id} in uw gebied.", 404);
        await using (var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM regiegroep_besluit WHERE initiatief_id = $1)", conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            if (await cmd.ExecuteScalarAsync(ct) is true)
                throw new RegiegroepException("Al vastgesteld", "De regiegroep heeft over deze aanvraag al geoordeeld; het oordeel staat vast.");
        }
        if (current.Status != InitiatiefStatus.Aangevraagd.Code)
            throw new RegiegroepException("Niet meer open", $"Het gebiedsteam heeft al over deze aanvraag besloten ({InitiatiefStatus.LabelOf(current.Status)}).");
        return current;
    }
}
