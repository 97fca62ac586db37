using System.Globalization;
using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Initiatieven;

/// <summary>A wijk's or dorp's budget of a year and how much of it is asked, granted and left (public figures).</summary>
public sealed record WijkbudgetStand(string AreaCode, string AreaName, int Year, decimal Amount, string BeslistDoor, decimal Requested, decimal Granted, int Version)
{
    public decimal Left => Amount - Granted;
    public static string Euro(decimal v) => "€ " + v.ToString(v == Math.Floor(v) ? "#,##0" : "#,##0.00", CultureInfo.GetCultureInfo("nl-NL"));
}

/// <summary>
/// Wijkbudget (issue 33, part 1; table <c>wijkbudget</c>): per wijk or dorp per year, set by the team of its gebied (or a
/// beheerder); an application asks an amount; the grant check runs inside the initiative's own update transaction and
/// locks the budget's row, so concurrent grants never exceed it. Initiatives without a budget for their area and year
/// are granted as before.
/// </summary>
public sealed class WijkbudgetStore(NpgsqlDataSource db, Audit.AuditLog audit, IServiceScopeFactory scopes)
{
    private const string Granted = "i.status IN ('toegekend', 'uitgevoerd')";

    /// <summary>
    /// Inside the transaction that grants (or changes the grant of) an initiative: locks the budget of the initiative's
    /// wijk or dorp for its year and refuses when the granted total with this one would exceed it.
    /// </summary>
    public static async Task CheckGrantAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long initiatief, decimal subsidy, int year, Geometry geom, string? wijk,
        CancellationToken ct)
    {
        string? area;
        await using (var cmd = new NpgsqlCommand("SELECT initiatief_budget_area($1, $2)", conn, tx))
        {
            cmd.Parameters.AddWithValue(geom);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)wijk ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            area = await cmd.ExecuteScalarAsync(ct) as string;
        }
        if (area is null) return;
        decimal amount;
        await using (var cmd = new NpgsqlCommand("SELECT amount_eur FROM wijkbudget WHERE area_code = $1 AND year = $2 FOR UPDATE", conn, tx))
        {
            cmd.Parameters.AddWithValue(area);
            cmd.Parameters.AddWithValue(year);
            if (await cmd.ExecuteScalarAsync(ct) is not decimal a) return; // no budget set for this area and year
            amount = a;
        }
        decimal others;
        await using (var cmd = new NpgsqlCommand(
            $"SELECT coalesce(sum(i.subsidy_eur), 0) FROM initiatief i WHERE i.id <> $1 AND i.year = $2 AND {Granted} AND initiatief_budget_area(i.geom, i.wijk_code) = $3", conn, tx))
        {
            cmd.Parameters.AddWithValue(initiatief);
            cmd.Parameters.AddWithValue(year);
            cmd.Parameters.AddWithValue(area);
            others = (decimal)(await cmd.ExecuteScalarAsync(ct))!;
        }
        if (others + subsidy > amount)
            throw new InitiatiefRejectedException("Wijkbudget niet toereikend",
                $"Het wijkbudget {year} van {area} is {WijkbudgetStand.Euro(amount)}; toegekend is al {WijkbudgetStand.Euro(others)}, over {WijkbudgetStand.Euro(amount - others)}. " +
                $"{WijkbudgetStand.Euro(subsidy)} past daar niet in: ken minder toe of verhoog eerst het budget.", "subsidy", 409);
    }

    /// <summary>The budgets of a year (or one area), with asked, granted and left; newest data, public figures only.</summary>
    public async Task<List<WijkbudgetStand>> StandAsync(int year, string? area = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT b.area_code, coalesce(a.name, b.area_code), b.year, b.amount_eur, b.beslist_door,
                   coalesce(sum(i.requested_eur) FILTER (WHERE i.status = 'aangevraagd'), 0),
                   coalesce(sum(i.subsidy_eur) FILTER (WHERE {Granted}), 0), b.version
            FROM wijkbudget b
            LEFT JOIN LATERAL (SELECT name FROM area_in_force WHERE code = b.area_code ORDER BY level = 'dorp' DESC LIMIT 1) a ON true
            LEFT JOIN initiatief i ON i.year = b.year AND initiatief_budget_area(i.geom, i.wijk_code) = b.area_code
            WHERE b.year = $1 AND ($2::text IS NULL OR b.area_code = $2)
            GROUP BY b.area_code, a.name, b.year, b.amount_eur, b.beslist_door, b.version ORDER BY 2
            """);
        cmd.Parameters.AddWithValue(year);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)area ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var list = new List<WijkbudgetStand>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new WijkbudgetStand(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetDecimal(3), r.GetString(4), r.GetDecimal(5), r.GetDecimal(6), r.GetInt32(7)));
        return list;
    }

    /// <summary>What the application form says about the budget of the chosen place.</summary>
    public static string HintAt(WijkbudgetStand? b, int year) => b is null
        ? $"Voor deze plek is voor {year} nog geen wijkbudget vastgesteld; het gebiedsteam beslist over uw aanvraag."
        : $"Wijkbudget {b.Year} van {b.AreaName}: nog {WijkbudgetStand.Euro(b.Left)} over (van {WijkbudgetStand.Euro(b.Amount)}).";

    /// <summary>The budget a place (WGS84) draws on in a year — its dorp's, or else its wijk's — or null when none is set.</summary>
    public async Task<WijkbudgetStand?> AtAsync(double lat, double lon, int year, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT initiatief_budget_area(p, (SELECT code FROM area_in_force WHERE level = 'wijk' AND ST_Intersects(geom, p) LIMIT 1))
            FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), 28992) p) q
            """);
        cmd.Parameters.AddWithValue(lon);
        cmd.Parameters.AddWithValue(lat);
        return await cmd.ExecuteScalarAsync(ct) is string area ? (await StandAsync(year, area, ct)).FirstOrDefault() : null;
    }

    /// <summary>Sets (or changes) the budget of a wijk or dorp for a year: the team of its gebied or a beheerder; audited.
    /// Lowering it below what is already granted is refused.</summary>
    public async Task SetAsync(ClaimsPrincipal user, string area, int year, decimal amount, string beslistDoor, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now) throw new InitiatiefRejectedException("Geen toegang", "Log opnieuw in.", null, 403);
        if (year is < 2000 or > 2100) throw new InitiatiefRejectedException("Ongeldig jaar", "Het jaar is 2000 tot 2100.", "jaar");
        if (amount is < 0 or > 10_000_000) throw new InitiatiefRejectedException("Ongeldig bedrag", "Het budget is 0 tot 10.000.000 euro.", "bedrag");
        if (beslistDoor is not ("team" or "regiegroep")) throw new InitiatiefRejectedException("Wie beslist?", "Het gebiedsteam of een regiegroep beslist over de aanvragen.", "beslist");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        string? gebied;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT CASE a.level WHEN 'wijk' THEN a.parent_code ELSE w.parent_code END
            FROM area_in_force a LEFT JOIN area_in_force w ON w.code = a.parent_code AND w.level = 'wijk'
            WHERE a.code = $1 AND a.level IN ('wijk', 'dorp') ORDER BY a.level = 'dorp' DESC LIMIT 1
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(area);
            gebied = await cmd.ExecuteScalarAsync(ct) as string;
        }
        if (gebied is null) throw new InitiatiefRejectedException("Onbekende wijk of dorp", $"{area} is geen wijk of dorp die nu geldt.", "code", 404);
        if (!now.IsBeheerder() && !(now.IsInRole(KaartRoles.Gebiedsteam) && now.Gebieden().Contains(gebied)))
            throw new InitiatiefRejectedException("Geen toegang", "Alleen het gebiedsteam van dit gebied (of een beheerder) stelt het wijkbudget vast.", null, 403);
        await using (var lockCmd = new NpgsqlCommand(
            """
            INSERT INTO wijkbudget (area_code, year, amount_eur, beslist_door, updated_by) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (area_code, year) DO UPDATE SET amount_eur = excluded.amount_eur, beslist_door = excluded.beslist_door,
                updated_by = excluded.updated_by, updated_at = now(), version = wijkbudget.version + 1
            """, conn, tx))
        {
            lockCmd.Parameters.AddWithValue(area);
            lockCmd.Parameters.AddWithValue(year);
            lockCmd.Parameters.AddWithValue(Math.Round(amount, 2));
            lockCmd.Parameters.AddWithValue(beslistDoor);
            lockCmd.Parameters.AddWithValue(Audit.AuditLog.ActorOf(user));
            await lockCmd.ExecuteNonQueryAsync(ct); // (the row is now locked until commit: no grant slips in between)
        }
        await using (var cmd = new NpgsqlCommand(
            $"SELECT coalesce(sum(i.subsidy_eur), 0) FROM initiatief i WHERE i.year = $1 AND {Granted} AND initiatief_budget_area(i.geom, i.wijk_code) = $2", conn, tx))
        {
            cmd.Parameters.AddWithValue(year);
            cmd.Parameters.AddWithValue(area);
            var granted = (decimal)(await cmd.ExecuteScalarAsync(ct))!;
            if (granted > amount)
                throw new InitiatiefRejectedException("Lager dan toegekend", $"Er is al {WijkbudgetStand.Euro(granted)} toegekend; het budget kan niet lager.", "bedrag", 409);
        }
        await tx.CommitAsync(ct);
        await audit.WriteAsync(Audit.AuditLog.ActorOf(user), "wijkbudget vastgesteld", "wijkbudget", $"{area}/{year}", new { amount, beslistDoor }, ct: ct);
    }
}
