using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A cell of the public, generalised meldingen map: its centre (RD), the count, and the count per category
/// (null when disclosure control leaves only the total).</summary>
public sealed record PublicCell(double X, double Y, int Count, IReadOnlyDictionary<string, int>? Categories);

/// <summary>
/// What other features and the public may know of meldingen: aggregates only (cells of the generalisation grid, counts per
/// area, month and category, the years there are meldingen). The Meldingen feature's query service — no other feature
/// counts in <c>melding</c> itself (docs/architecture.md, "Tables and their owners").
/// </summary>
public sealed class MeldingStatistics(NpgsqlDataSource db, MeldingCells cells)
{
    /// <summary>
    /// The cell size served for a requested one: never finer than the generalisation grid; coarser grids (for clusters at
    /// small scales) are whole multiples of it.
    /// </summary>
    public double PublicCellSize(double? requested) => cells.CellSize(requested);

    /// <summary>
    /// Meldingen for public maps: counted per grid cell (<see cref="PublicCellSize"/>, RD; cells whose centre lies in
    /// <paramref name="bbox"/> when given), at the cell's centre, with the count per category, under
    /// <see cref="DisclosureControl"/> (whole days, at least the minimum period; no count below the minimum). No ids, times,
    /// descriptions or exact locations. Read from the kept cell counts (<see cref="MeldingCells"/>).
    /// </summary>
    public async Task<List<PublicCell>> PublicCellsAsync(DateTimeOffset? from, DateTimeOffset? to, string? category, CancellationToken ct = default,
        double? cellSize = null, Envelope? bbox = null)
    {
        var filter = new CellFilter
        {
            From = from, To = to, Category = category, CellSize = cellSize,
            Bbox = bbox is null ? null : Alkmaar.Kaart.Geo.Transforms.RdNew.RdFactory.ToGeometry(bbox),
        };
        var list = new List<PublicCell>();
        await foreach (var c in cells.ReadAsync(filter, ct: ct)) list.Add(new PublicCell(c.X, c.Y, c.Count, c.Categories));
        return list;
    }

    /// <summary>
    /// Meldingen inside the area in force <paramref name="areaCode"/> at <paramref name="level"/> created in [from, to),
    /// counted per local month and category; and whether any of them is demo. Aggregates only. Over whole local months
    /// (what the area pages ask) from the counts kept per buurt in force and month (<c>melding_buurt_maand</c>: a melding
    /// counts in the buurt whose polygon covers it; an area sums the buurten whose interior point it covers); over any other
    /// period by PostGIS over the meldingen (points on the area's boundary count).
    /// </summary>
    public async Task<(List<(int Month, string Category, int Count)> Counts, bool Demo)> CountsInAsync(string areaCode, AreaLevel level,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var (fromMonth, toMonth) = (MonthOf(from), MonthOf(to));
        if (fromMonth is null || toMonth is null) return await CountsInExactAsync(areaCode, level, from, to, ct);
        // whole local months: the counts kept per buurt and month (melding_buurt_maand), summed over the area's buurten
        var version = await EnsureBuurtMaandAsync(ct);
        var buurten = await BuurtenOfAsync(areaCode, level, version, ct);
        await using var cmd = db.CreateCommand(
            """
            SELECT extract(month FROM t.maand)::int, t.category, sum(t.n)::int, sum(t.demo) > 0
            FROM melding_buurt_maand t WHERE t.buurt_code = ANY ($1) AND t.maand >= $2 AND t.maand < $3
            GROUP BY 1, 2 HAVING sum(t.n) > 0 ORDER BY 1, 2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = buurten });
        cmd.Parameters.Add(new NpgsqlParameter { Value = fromMonth.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = toMonth.Value });
        var counts = new List<(int, string, int)>();
        var demo = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            counts.Add((r.GetInt32(0), r.GetString(1), r.GetInt32(2)));
            demo |= r.GetBoolean(3);
        }
        return (counts, demo);
    }

    /// <summary>The local month a moment starts, when it is exactly the start of one (Europe/Amsterdam), else null.</summary>
    private static DateOnly? MonthOf(DateTimeOffset t)
    {
        var local = TimeZoneInfo.ConvertTime(t, DutchTime.Amsterdam);
        return local.Day == 1 && local.TimeOfDay == TimeSpan.Zero ? new DateOnly(local.Year, local.Month, 1) : null;
    }

    private int _builtFor = -1;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, AreaLevel, int), string[]> _buurten = new();

    /// <summary>The buurten in force whose interior point lies in the area (kept per boundary version: they only change with it).</summary>
    private async Task<string[]> BuurtenOfAsync(string areaCode, AreaLevel level, int version, CancellationToken ct)
    {
        if (_buurten.TryGetValue((areaCode, level, version), out var known)) return known;
        await using var cmd = db.CreateCommand(
            """
            SELECT ab.code FROM (SELECT geom FROM area_in_force WHERE code = $1 AND level = $2 LIMIT 1) a
            JOIN area_in_force ab ON ab.level = 'buurt' AND ST_Covers(a.geom, ST_PointOnSurface(ab.geom))
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = areaCode });
        cmd.Parameters.Add(new NpgsqlParameter { Value = level.Name() });
        var list = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        if (_buurten.Count > 1000) _buurten.Clear();
        return _buurten[(areaCode, level, version)] = [.. list];
    }

    /// <summary>The per-buurt counts follow the buurten in force: rebuilt (once, under a lock) when another version came
    /// into force since they were built — an import, or a version whose valid-from date arrived. Answers that version.</summary>
    private async Task<int> EnsureBuurtMaandAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        int inForce;
        await using (var cmd = new NpgsqlCommand("SELECT coalesce((SELECT max(version_id) FROM area_in_force WHERE level = 'buurt'), 0)", conn))
            inForce = (int)(await cmd.ExecuteScalarAsync(ct))!;
        if (inForce == _builtFor) return inForce;
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('melding_buurt_maand'))", conn, tx)) await cmd.ExecuteNonQueryAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT version_id FROM melding_buurt_maand_state", conn, tx))
            if (await cmd.ExecuteScalarAsync(ct) is not int built || built != inForce)
                await using (var rebuild = new NpgsqlCommand("SELECT melding_buurt_maand_rebuild()", conn, tx) { CommandTimeout = 600 })
                    await rebuild.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        _builtFor = inForce;
        return inForce;
    }

    /// <summary>Meldingen inside an area (by location, its boundary included) per local month and category over any period.</summary>
    private async Task<(List<(int Month, string Category, int Count)> Counts, bool Demo)> CountsInExactAsync(string areaCode, AreaLevel level,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT extract(month FROM m.created_at AT TIME ZONE 'Europe/Amsterdam')::int, m.category, count(*)::int, bool_or(m.source = 'demo')
            FROM melding m JOIN area_in_force a ON a.code = $1 AND a.level = $2 AND ST_Covers(a.geom, m.geom)
            WHERE m.created_at >= $3 AND m.created_at < $4
            GROUP BY 1, 2 ORDER BY 1, 2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = areaCode });
        cmd.Parameters.Add(new NpgsqlParameter { Value = level.Name() });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = from.ToUniversalTime() });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = to.ToUniversalTime() });
        var counts = new List<(int, string, int)>();
        var demo = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            counts.Add((r.GetInt32(0), r.GetString(1), r.GetInt32(2)));
            demo |= r.GetBoolean(3);
        }
        return (counts, demo);
    }

    /// <summary>The local years from the first to the last melding, newest first (empty without meldingen).</summary>
    public async Task<List<int>> YearsAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT extract(year FROM min(created_at) AT TIME ZONE 'Europe/Amsterdam')::int, extract(year FROM max(created_at) AT TIME ZONE 'Europe/Amsterdam')::int
            FROM melding
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.IsDBNull(0)) return [];
        var (first, last) = (r.GetInt32(0), r.GetInt32(1));
        return Enumerable.Range(first, last - first + 1).Reverse().ToList();
    }

    /// <summary>
    /// Meldingen within <paramref name="distanceM"/> of <paramref name="line"/> created on the local days
    /// [<paramref name="first"/>, <paramref name="last"/>], counted per side (the gebied a melding is routed to; outside the
    /// gemeente, the municipality it lies in, else "onbekend") and local month (its first day). Unreleased counts: the caller
    /// applies the release rule.
    /// </summary>
    public async Task<List<(string Side, DateOnly Month, long Count)>> PerSideAndMonthNearAsync(Geometry line, double distanceM,
        DateOnly first, DateOnly last, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT coalesce(m.gebied_code, mu.code, 'onbekend'), date_trunc('month', m.created_at AT TIME ZONE 'Europe/Amsterdam')::date, count(*)
            FROM melding m LEFT JOIN municipality mu ON m.gebied_code IS NULL AND ST_Covers(mu.geom, m.geom)
            WHERE ST_DWithin(m.geom, $1, $3) AND m.created_at >= ($2::date::timestamp AT TIME ZONE 'Europe/Amsterdam')
              AND m.created_at < ($4::date::timestamp AT TIME ZONE 'Europe/Amsterdam')
            GROUP BY 1, 2
            """);
        cmd.Parameters.AddWithValue(line);
        cmd.Parameters.AddWithValue(first);
        cmd.Parameters.AddWithValue(distanceM);
        cmd.Parameters.AddWithValue(last.AddDays(1));
        var list = new List<(string, DateOnly, long)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetInt64(2)));
        return list;
    }

    /// <summary>
    /// The meldingen within <paramref name="distanceM"/> of <paramref name="line"/> created on the local days
    /// [<paramref name="first"/>, <paramref name="last"/>] (of <paramref name="gebieden"/> only, when given), newest first, at
    /// most <paramref name="limit"/>: no personal data. For staff the caller has found involved.
    /// </summary>
    public async Task<List<MeldingNear>> NearAsync(Geometry line, double distanceM, DateOnly first, DateOnly last,
        IReadOnlyCollection<string>? gebieden, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, created_at, category, status, gebied_code, ST_X(geom), ST_Y(geom) FROM melding
            WHERE ST_DWithin(geom, $1, $3) AND ($2::text[] IS NULL OR gebied_code = ANY($2))
              AND created_at >= ($4::date::timestamp AT TIME ZONE 'Europe/Amsterdam') AND created_at < ($5::date::timestamp AT TIME ZONE 'Europe/Amsterdam')
            ORDER BY created_at DESC, id DESC LIMIT $6
            """);
        cmd.Parameters.AddWithValue(line);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)gebieden?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(distanceM);
        cmd.Parameters.AddWithValue(first);
        cmd.Parameters.AddWithValue(last.AddDays(1));
        cmd.Parameters.AddWithValue(limit);
        var list = new List<MeldingNear>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new MeldingNear(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetDouble(5), r.GetDouble(6)));
        return list;
    }

    /// <summary>
    /// Meldingen created in [<paramref name="from"/>, <paramref name="split"/>) and [<paramref name="split"/>,
    /// <paramref name="to"/>): each time inside <paramref name="area"/>, in its band outside it (within
    /// <paramref name="distanceM"/>) and in <paramref name="around"/> outside it — the displacement test's counts.
    /// </summary>
    public async Task<(long[] Before, long[] After)> InsideBandAndAroundAsync(Geometry area, Geometry around, double distanceM,
        DateTimeOffset from, DateTimeOffset split, DateTimeOffset to, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            WITH m AS (SELECT geom, created_at >= $4 AS after FROM melding
                       WHERE created_at >= $3 AND created_at < $5 AND (ST_DWithin(geom, $1, $6) OR ST_Intersects(geom, $2)))
            SELECT after,
                   count(*) FILTER (WHERE ST_Covers($1, geom)),
                   count(*) FILTER (WHERE NOT ST_Covers($1, geom) AND ST_DWithin(geom, $1, $6)),
                   count(*) FILTER (WHERE NOT ST_Covers($1, geom) AND ST_Intersects(geom, $2))
            FROM m GROUP BY after
            """);
        cmd.Parameters.AddWithValue(area);
        cmd.Parameters.AddWithValue(around);
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(split);
        cmd.Parameters.AddWithValue(to);
        cmd.Parameters.AddWithValue(distanceM);
        long[] before = new long[3], after = new long[3];
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var target = r.GetBoolean(0) ? after : before;
            for (var i = 0; i < 3; i++) target[i] = r.GetInt64(i + 1);
        }
        return (before, after);
    }
}

/// <summary>A melding as staff near a border see it: no description, no person.</summary>
public sealed record MeldingNear(long Id, DateTimeOffset CreatedAt, string Category, string Status, string? Gebied, double X, double Y);
