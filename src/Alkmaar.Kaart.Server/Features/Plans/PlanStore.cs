// Longer than 400 lines: all SQL of the plans tables (drafts, buurten, undo steps, impact counts) in one place; the plan logic is in PlanWorkspace and Geo/Plans.
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Plans;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Plans;

/// <summary>Settings of the plan editor (section <c>Plans</c>).</summary>
public sealed class PlanOptions
{
    public const string Section = "Plans";

    /// <summary>The balance band: a team whose share of a measure is more than this many percent above or below the
    /// average share is marked as out of balance.</summary>
    [Range(1, 200)] public double BalanceBandPct { get; set; } = 20;

    /// <summary>How far (metres) a moved border vertex snaps to an existing vertex at most, whatever the map's zoom.</summary>
    [Range(0.01, 100)] public double MaxSnapM { get; set; } = 25;
}

/// <summary>The measures of a plan's impact, in <see cref="PlanTally"/> order, with their Dutch labels.</summary>
public static class PlanMeasures
{
    public const int Adressen = 0, Inwoners = 1, OpenMeldingen = 2, MeldingenJaar = 3, Initiatieven = 4;
    public static readonly string[] Keys = ["adressen", "inwoners", "openMeldingen", "meldingenJaar", "initiatieven"];
    public static readonly string[] Labels = ["Adressen", "Inwoners", "Open meldingen", "Meldingen afgelopen 12 maanden (hele maanden)", "Lopende initiatieven"];
}

/// <summary>A plan as listed: who made it from what, its row version (optimistic concurrency), and whether it was published.</summary>
/// <param name="BaseVersion">The version the plan started from.</param>
/// <param name="ReplacesVersion">The latest version when the plan was made or rebased: what publishing it replaces (it
/// must still be the latest then) and what its changes are counted against. Older than the latest base: a roll-back.</param>
public sealed record PlanInfo(int Id, string Name, int BaseVersion, string Source, int Version, string CreatedBy, DateTimeOffset CreatedAt,
    string UpdatedBy, DateTimeOffset UpdatedAt, int? PublishedVersion, DateTimeOffset? PublishedAt,
    IReadOnlyList<string> Locked, IReadOnlyList<string> AllowNonContiguous, int ReplacesVersion);

/// <summary>A buurt of a plan or version: its name and shape (RD).</summary>
public sealed record BuurtShape(string Name, MultiPolygon Geometry);

/// <summary>A whole indeling: the assignment, every buurt's shape, and the stored gebiedsindeling it builds on.</summary>
public sealed record IndelingSnapshot(Plan Plan, IReadOnlyDictionary<string, BuurtShape> Buurten, Gebiedsindeling Indeling);

/// <summary>Another planner saved or published this plan first.</summary>
public sealed class PlanConflictException(int expected, int actual)
    : RejectedException("Plan intussen gewijzigd", $"Een collega heeft dit plan intussen gewijzigd (versie {actual}, u werkte op versie {expected}). Laad het plan opnieuw.", status: 409)
{
    public int Actual { get; } = actual;
    protected override IEnumerable<KeyValuePair<string, object?>> MoreExtensions => [new("version", Actual)];
}

/// <summary>All SQL of boundary plans: the drafts, their buurten, and the counts of their impact.</summary>
public sealed class PlanStore(NpgsqlDataSource db, Audit.AuditLog audit, Routing.AreaLocatorProvider routing)
{
    /// <summary>The plan's stored undo history (see <see cref="PlanHistory"/>).</summary>
    public Task<(List<PlanStep> Done, List<PlanStep> Undone)> HistoryAsync(int id, CancellationToken ct = default) => PlanHistory.LoadAsync(db, id, ct);

    private const string InfoColumns =
        "id, name, base_version_id, source, version, created_by, created_at, updated_by, updated_at, published_version_id, published_at, locked, allow_non_contiguous, replaces_version_id";

    private static PlanInfo ReadInfo(NpgsqlDataReader r) => new(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetInt32(4),
        r.GetString(5), r.GetFieldValue<DateTimeOffset>(6), r.GetString(7), r.GetFieldValue<DateTimeOffset>(8),
        r.IsDBNull(9) ? null : r.GetInt32(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
        r.GetFieldValue<string[]>(11), r.GetFieldValue<string[]>(12), r.GetInt32(13));

    public async Task<List<PlanInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {InfoColumns} FROM boundary_plan ORDER BY updated_at DESC, id DESC");
        var list = new List<PlanInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadInfo(r));
        return list;
    }

    public async Task<PlanInfo?> InfoAsync(int id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {InfoColumns} FROM boundary_plan WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadInfo(r) : null;
    }

    /// <summary>A plan with its buurten; null when there is none with this id.</summary>
    public async Task<(PlanInfo Info, IndelingSnapshot Snapshot)?> LoadAsync(int id, CancellationToken ct = default)
    {
        var info = await InfoAsync(id, ct);
        if (info is null) return null;
        Plan plan;
        await using (var cmd = db.CreateCommand("SELECT wijk_of_buurt::text, gebied_of_wijk::text, new_wijken::text FROM boundary_plan WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            plan = new Plan(JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(0))!, JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(1))!)
            {
                NewWijkNames = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(2))!,
            };
        }
        var buurten = new Dictionary<string, BuurtShape>(StringComparer.Ordinal);
        await using (var cmd = db.CreateCommand("SELECT code, name, geom FROM boundary_plan_buurt WHERE plan_id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) buurten[r.GetString(0)] = new BuurtShape(r.GetString(1), (MultiPolygon)r.GetValue(2));
        }
        return (info, new IndelingSnapshot(plan, buurten, await IndelingOfVersionAsync(info.BaseVersion, ct)));
    }

    /// <summary>The stored gebiedsindeling of a boundary version, with the teams named as they are now (one source for
    /// team names: the gebiedsteams a beheerder keeps, through routing's snapshot; the stored configuration only for a
    /// team that has none).</summary>
    public async Task<Gebiedsindeling> IndelingOfVersionAsync(int version, CancellationToken ct = default)
    {
        Gebiedsindeling indeling;
        await using (var cmd = db.CreateCommand("SELECT indeling::text FROM boundary_version WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(version);
            indeling = await cmd.ExecuteScalarAsync(ct) is string json ? Gebiedsindeling.FromJson(json)
                : throw new PlanException($"Versie {version} heeft geen gebiedsindeling.");
        }
        if ((await routing.GetAsync(ct))?.TeamNames is not { Count: > 0 } names) return indeling;
        return indeling with
        {
            Gebieden = indeling.Gebieden.Select(g => names.TryGetValue(g.Code, out var name) ? g with { Team = g.Team with { Name = name } } : g).ToList(),
        };
    }

    /// <summary>A boundary version as an indeling: the buurten's wijk and the wijken's gebied as stored with its areas.</summary>
    public async Task<IndelingSnapshot?> LoadVersionAsync(int version, CancellationToken ct = default)
    {
        var wijkOfBuurt = new Dictionary<string, string>(StringComparer.Ordinal);
        var gebiedOfWijk = new Dictionary<string, string>(StringComparer.Ordinal);
        var buurten = new Dictionary<string, BuurtShape>(StringComparer.Ordinal);
        await using (var cmd = db.CreateCommand("SELECT level, code, name, parent_code, geom FROM area WHERE version_id = $1 AND level IN ('buurt', 'wijk')"))
        {
            cmd.Parameters.AddWithValue(version);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (r.GetString(0) == "wijk") { gebiedOfWijk[r.GetString(1)] = r.GetString(3); continue; }
                wijkOfBuurt[r.GetString(1)] = r.GetString(3);
                buurten[r.GetString(1)] = new BuurtShape(r.GetString(2), (MultiPolygon)r.GetValue(4));
            }
        }
        if (buurten.Count == 0) return null;
        return new IndelingSnapshot(new Plan(wijkOfBuurt, gebiedOfWijk), buurten, await IndelingOfVersionAsync(version, ct));
    }

    /// <summary>The latest boundary version (the last to come into force) and its first day; null before any import.</summary>
    public async Task<(int Id, DateOnly ValidFrom)?> LatestVersionAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT v.id, v.valid_from FROM boundary_version v WHERE EXISTS (SELECT 1 FROM area a WHERE a.version_id = v.id AND a.valid_to IS NULL) ORDER BY v.valid_from DESC LIMIT 1");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt32(0), DateOnly.FromDateTime(r.GetDateTime(1))) : null;
    }

    /// <summary>The version in force on a day (area_at), or null.</summary>
    public async Task<int?> VersionOnAsync(DateOnly day, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT version_id FROM area_at($1) LIMIT 1");
        cmd.Parameters.AddWithValue(day);
        return await cmd.ExecuteScalarAsync(ct) is int v ? v : null;
    }

    /// <summary>The area (m²) of the gemeente in a version.</summary>
    public async Task<double> GemeenteAreaAsync(int version, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT coalesce(sum(ST_Area(geom)), 0) FROM area WHERE version_id = $1 AND level = 'gemeente'");
        cmd.Parameters.AddWithValue(version);
        return (double)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<int> CreateAsync(string name, int baseVersion, int replacesVersion, string source, Plan plan, IReadOnlyDictionary<string, BuurtShape> buurten,
        string actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int id;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO boundary_plan (name, base_version_id, replaces_version_id, source, wijk_of_buurt, gebied_of_wijk, created_by, updated_by, new_wijken)
            VALUES ($1, $2, $7, $3, $4, $5, $6, $6, $8) RETURNING id
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(name);
            cmd.Parameters.AddWithValue(baseVersion);
            cmd.Parameters.AddWithValue(source);
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.WijkOfBuurt));
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.GebiedOfWijk));
            cmd.Parameters.AddWithValue(actor);
            cmd.Parameters.AddWithValue(replacesVersion);
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.NewWijkNames));
            id = (int)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await CopyBuurtenAsync(conn, id, buurten, ct);
        await audit.WriteAsync(actor, "plan gemaakt", "plan", id.ToString(), new { name, baseVersion, replacesVersion, source }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>
    /// Saves an edit: the whole assignment, the shapes that changed, and the row version raised by one — only when the
    /// plan is still at <paramref name="expectedVersion"/> and not published (else <see cref="PlanConflictException"/>).
    /// Audited with <paramref name="what"/>. Returns the new version.
    /// </summary>
    public async Task<int> SaveAsync(int id, int expectedVersion, Plan plan, IReadOnlyDictionary<string, MultiPolygon> changedShapes,
        string actor, object what, CancellationToken ct = default, StepRecord? history = null)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE boundary_plan SET wijk_of_buurt = $1, gebied_of_wijk = $2, new_wijken = $6, version = version + 1, updated_by = $3, updated_at = now()
            WHERE id = $4 AND version = $5 AND published_version_id IS NULL
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.WijkOfBuurt));
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.GebiedOfWijk));
            cmd.Parameters.AddWithValue(actor);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(expectedVersion);
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.NewWijkNames));
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) await ThrowConflictAsync(conn, tx, id, expectedVersion, ct);
        }
        foreach (var (code, geom) in changedShapes)
        {
            await using var cmd = new NpgsqlCommand("UPDATE boundary_plan_buurt SET geom = $1 WHERE plan_id = $2 AND code = $3", conn, tx);
            cmd.Parameters.AddWithValue(geom);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(code);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (history is not null) await PlanHistory.WriteAsync(conn, tx, id, history, ct);
        await audit.WriteAsync(actor, "plan gewijzigd", "plan", id.ToString(), what, conn, tx, ct);
        await tx.CommitAsync(ct);
        return expectedVersion + 1;
    }

    /// <summary>Replaces a plan's whole content (after rebasing it on a newer version), as one save.</summary>
    public async Task<int> ReplaceAsync(int id, int expectedVersion, int baseVersion, Plan plan, IReadOnlyDictionary<string, BuurtShape> buurten,
        string actor, object what, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE boundary_plan SET base_version_id = $1, replaces_version_id = $1, wijk_of_buurt = $2, gebied_of_wijk = $3, new_wijken = $7,
                   version = version + 1, updated_by = $4, updated_at = now()
            WHERE id = $5 AND version = $6 AND published_version_id IS NULL
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(baseVersion);
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.WijkOfBuurt));
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.GebiedOfWijk));
            cmd.Parameters.AddWithValue(actor);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(expectedVersion);
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan.NewWijkNames));
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) await ThrowConflictAsync(conn, tx, id, expectedVersion, ct);
        }
        await using (var del = new NpgsqlCommand("DELETE FROM boundary_plan_buurt WHERE plan_id = $1", conn, tx))
        {
            del.Parameters.AddWithValue(id);
            await del.ExecuteNonQueryAsync(ct);
        }
        await CopyBuurtenAsync(conn, id, buurten, ct);
        await PlanHistory.ClearAsync(conn, tx, id, ct); // the edits were on the old base
        await audit.WriteAsync(actor, "plan opnieuw gebaseerd", "plan", id.ToString(), what, conn, tx, ct);
        await tx.CommitAsync(ct);
        return expectedVersion + 1;
    }

    private static async Task CopyBuurtenAsync(NpgsqlConnection conn, int id, IReadOnlyDictionary<string, BuurtShape> buurten, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync("COPY boundary_plan_buurt (plan_id, code, name, geom) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var (code, b) in buurten)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(id, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(code, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(b.Name, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(b.Geometry, NpgsqlDbType.Geometry, ct);
        }
        await copy.CompleteAsync(ct);
    }

    /// <summary>Sets the locked areas and the areas allowed to be in pieces.</summary>
    public async Task<int> SetRulesAsync(int id, int expectedVersion, IReadOnlyList<string> locked, IReadOnlyList<string> allowNonContiguous,
        string actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE boundary_plan SET locked = $1, allow_non_contiguous = $2, version = version + 1, updated_by = $3, updated_at = now()
            WHERE id = $4 AND version = $5 AND published_version_id IS NULL
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(locked.Distinct().Order().ToArray());
            cmd.Parameters.AddWithValue(allowNonContiguous.Distinct().Order().ToArray());
            cmd.Parameters.AddWithValue(actor);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(expectedVersion);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) await ThrowConflictAsync(conn, tx, id, expectedVersion, ct);
        }
        await audit.WriteAsync(actor, "plan regels gewijzigd", "plan", id.ToString(), new { locked, allowNonContiguous }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return expectedVersion + 1;
    }

    /// <summary>
    /// Deletes a draft plan (its buurten and history go with it) when it is still at <paramref name="expectedVersion"/>: a
    /// colleague's newer edit is not deleted unseen (<see cref="PlanConflictException"/>), a published plan never
    /// (<see cref="PlanException"/>: it is the source of a boundary version). Audited with the plan's name.
    /// </summary>
    public async Task DeleteDraftAsync(int id, int expectedVersion, string actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        string? name;
        await using (var cmd = new NpgsqlCommand(
            "DELETE FROM boundary_plan WHERE id = $1 AND version = $2 AND published_version_id IS NULL RETURNING name", conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(expectedVersion);
            name = await cmd.ExecuteScalarAsync(ct) as string;
        }
        if (name is null) await ThrowConflictAsync(conn, tx, id, expectedVersion, ct);
        await audit.WriteAsync(actor, "plan verwijderd", "plan", id.ToString(), new { naam = name, versie = expectedVersion }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task ThrowConflictAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int id, int expected, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT version, published_version_id FROM boundary_plan WHERE id = $1", conn, tx);
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new PlanException($"Er is geen plan {id}.");
        if (!r.IsDBNull(1)) throw new PlanException($"Dit plan is al gepubliceerd als versie {r.GetInt32(1)}; maak een nieuw plan om verder te werken.");
        throw new PlanConflictException(expected, r.GetInt32(0));
    }

    /// <summary>
    /// The impact counts of every buurt of a plan, in <see cref="PlanMeasures"/> order: addresses, inwoners (CBS, per buurt
    /// code), open meldingen, meldingen of the last 12 months, initiatives still running (aangevraagd, toegekend).
    /// </summary>
    public Task<Dictionary<string, long[]>> CountPerBuurtAsync(int planId, CancellationToken ct = default) =>
        CountPerBuurtAsync("boundary_plan_buurt b", "b.plan_id = $1", planId, ct);

    /// <summary>The impact counts of every buurt of a boundary version (its own shapes), in <see cref="PlanMeasures"/> order:
    /// what a plan's changes are counted against.</summary>
    public Task<Dictionary<string, long[]>> CountPerBuurtOfVersionAsync(int version, CancellationToken ct = default) =>
        CountPerBuurtAsync("area b", "b.version_id = $1 AND b.level = 'buurt'", version, ct);

    private async Task<Dictionary<string, long[]>> CountPerBuurtAsync(string from, string where, int id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT b.code, {CountColumns("b.geom")}, coalesce(round(p.inwoners), 0)::bigint
            FROM {from} LEFT JOIN population p ON p.buurt_code = b.code
            WHERE {where}
            """);
        cmd.Parameters.AddWithValue(id);
        var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            counts[r.GetString(0)] = [r.GetInt64(1), r.GetInt64(5), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)];
        return counts;
    }

    /// <summary>Addresses, open meldingen, meldingen of the last 12 months and running initiatives in each of the pieces of
    /// ground (a border move's faces): what changes buurt with them.</summary>
    public async Task<long[][]> CountInAsync(IReadOnlyList<Geometry> pieces, CancellationToken ct = default)
    {
        if (pieces.Count == 0) return [];
        await using var cmd = db.CreateCommand(
            $"SELECT f.i, {CountColumns("f.geom")} FROM unnest($1::geometry[]) WITH ORDINALITY AS f(geom, i) ORDER BY f.i");
        cmd.Parameters.AddWithValue(pieces.Select(p => p.IsEmpty ? p.Factory.CreatePolygon() : p).ToArray());
        var result = new long[pieces.Count][];
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result[r.GetInt64(0) - 1] = [r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)];
        return result;
    }

    /// <summary>
    /// "Afgelopen 12 maanden" in SQL, the one definition used everywhere (<see cref="Meldingen.DisclosureControl.Last12Months"/>):
    /// the 12 whole months before the current one, in Europe/Amsterdam.
    /// </summary>
    public static string Last12Months(string column) =>
        $"{column} >= ((date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - interval '12 months') AT TIME ZONE 'Europe/Amsterdam') " +
        $"AND {column} < (date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') AT TIME ZONE 'Europe/Amsterdam')";

    /// <summary>Counts of addresses, open meldingen, meldingen of the last 12 months and running initiatives inside a geometry expression.</summary>
    public static string CountColumns(string geom) =>
        $"""
        (SELECT count(*) FROM address a WHERE ST_Intersects({geom}, a.geom)),
        (SELECT count(*) FROM melding m WHERE m.status <> 'afgehandeld' AND ST_Intersects({geom}, m.geom)),
        (SELECT count(*) FROM melding m WHERE {Last12Months("m.created_at")} AND ST_Intersects({geom}, m.geom)),
        (SELECT count(*) FROM initiatief i WHERE i.status IN ('aangevraagd', 'toegekend') AND i.geom && {geom} AND ST_Intersects({geom}, ST_PointOnSurface(i.geom)))
        """;

    /// <summary>
    /// The full recount the editor avoids: every point of every measure joined to the plan's buurten and summed per gebied
    /// in PostGIS (addresses, open meldingen, meldingen of the last 12 months, running initiatives). The oracle of the tests
    /// and the baseline of the benchmark.
    /// </summary>
    public async Task<Dictionary<string, long[]>> RecountPerGebiedAsync(int planId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"""
            WITH p AS (SELECT wijk_of_buurt, gebied_of_wijk FROM boundary_plan WHERE id = $1),
                 g AS (SELECT b.code, b.geom, (SELECT p.gebied_of_wijk ->> (p.wijk_of_buurt ->> b.code) FROM p) AS gebied
                       FROM boundary_plan_buurt b WHERE b.plan_id = $1)
            SELECT g.gebied, sum(c.a)::bigint, sum(c.o)::bigint, sum(c.j)::bigint, sum(c.i)::bigint
            FROM g, LATERAL (SELECT {CountColumns("g.geom")}) AS c(a, o, j, i)
            GROUP BY g.gebied
            """);
        cmd.Parameters.AddWithValue(planId);
        var totals = new Dictionary<string, long[]>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) totals[r.GetString(0)] = [r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)];
        return totals;
    }
}
