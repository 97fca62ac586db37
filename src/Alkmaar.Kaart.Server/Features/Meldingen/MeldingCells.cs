using System.Runtime.CompilerServices;
using System.Text;
using Alkmaar.Kaart.Geo.Transforms;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// Which published cells to read: a period (widened to whole days and checked by <see cref="DisclosureControl"/>), a
/// category, a status, a cell size (a multiple of the generalisation grid), cells whose centre lies in <see cref="Bbox"/>
/// (intersects) and in <see cref="Within"/> (covered), or one cell.
/// </summary>
public sealed record CellFilter
{
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Category { get; init; }
    public string? Status { get; init; }
    public double? CellSize { get; init; }
    public Geometry? Bbox { get; init; }
    public Geometry? Within { get; init; }
    public (long X, long Y)? Cell { get; init; }
}

/// <summary>
/// A published cell: its grid index and size, the count, the categories under disclosure control (null: total only) and
/// the most frequent named one.
/// </summary>
public sealed record PublishedCell(long Cx, long Cy, double Size, int Count, CellCategories? Categories, string? Top, bool Demo)
{
    public string Id => $"cel-{Cx}-{Cy}";
    public double X => (Cx + 0.5) * Size;
    public double Y => (Cy + 0.5) * Size;
    public Point Centre => RdNew.RdFactory.CreatePoint(new Coordinate(X, Y));
}

/// <summary>
/// The published categories of a cell, kept as the JSON object PostgreSQL gives (written as it is into GeoJSON: see
/// <see cref="Alkmaar.Kaart.Geo.GeoJson.IRawJson"/>) and read as a dictionary in name order when needed.
/// </summary>
public sealed class CellCategories : IReadOnlyDictionary<string, int>, Alkmaar.Kaart.Geo.GeoJson.IRawJson
{
    private SortedDictionary<string, int>? _counts;

    public CellCategories(string json) => Json = json;

    public CellCategories(IReadOnlyDictionary<string, int> counts)
    {
        _counts = new SortedDictionary<string, int>(counts.ToDictionary(), StringComparer.Ordinal);
        Json = System.Text.Json.JsonSerializer.Serialize(_counts);
    }

    public string Json { get; }
    private SortedDictionary<string, int> Counts =>
        _counts ??= new SortedDictionary<string, int>(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(Json)!, StringComparer.Ordinal);

    public int this[string key] => Counts[key];
    public IEnumerable<string> Keys => Counts.Keys;
    public IEnumerable<int> Values => Counts.Values;
    public int Count => Counts.Count;
    public bool ContainsKey(string key) => Counts.ContainsKey(key);
    public bool TryGetValue(string key, out int value) => Counts.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, int>> GetEnumerator() => Counts.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Counts of meldingen per cell (given at its centre) of a coarser grid, for an analysis (hotspots).</summary>
public sealed record GridCounts(double CellSize, double[] X, double[] Y, int[] Count, bool Demo)
{
    public int Total => Count.Sum();
}

/// <summary>
/// The one query of public meldingen cells (OGC API, the dashboard's layers, exports, hotspots). Reads the counts that
/// PostgreSQL keeps per cell (<c>melding_cell</c>, all time) and per cell and day (<c>melding_cell_day</c>), maintained in
/// the same transaction as every melding (migration 0012), never the meldingen themselves: the cost follows the number of
/// cells, not of meldingen. Disclosure control (<see cref="DisclosureControl"/>: no cell below the minimum in SQL, the
/// categories of each cell read) applies to every answer.
/// </summary>
public sealed class MeldingCells(NpgsqlDataSource db, IOptions<MeldingOptions> options, DisclosureControl disclosure)
{
    /// <summary>The generalisation grid in metres: the finest cell anything public is counted in.</summary>
    public double Grid => options.Value.GeneralisationGridMetres;

    /// <summary>A requested cell size as published: a multiple of the grid, never finer than it.</summary>
    public double CellSize(double? requested) => requested is { } size && size > Grid ? Math.Max(1, Math.Round(size / Grid)) * Grid : Grid;

    /// <summary>
    /// Recounts every cell when the stored counts were kept at another grid than <paramref name="grid"/> (at start-up, with
    /// the migrations: on the connection string, like them).
    /// </summary>
    public static async Task EnsureGridAsync(string connectionString, double grid, int minimumCount, ILogger logger, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        double? size = null;
        int? published = null;
        await using (var check = new NpgsqlCommand("SELECT size, minimum_count FROM melding_cell_grid", conn))
        await using (var r = await check.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct)) (size, published) = (r.GetDouble(0), r.IsDBNull(1) ? null : r.GetInt32(1));
        async Task Run(string sql, object value, NpgsqlDbType type)
        {
            await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 3600 };
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (size != grid)
        {
            await Run("SELECT melding_cell_rebuild($1)", grid, NpgsqlDbType.Double);
            logger.LogInformation("Recounted the public meldingen cells at a {Grid} m grid", grid);
        }
        if (published != minimumCount)
        {
            await Run("SELECT melding_cell_publish($1)", minimumCount, NpgsqlDbType.Integer);
            logger.LogInformation("Published the meldingen cells' categories for a minimum count of {Minimum}", minimumCount);
        }
    }

    /// <summary>Published cells in grid order (x, then y), a page of them.</summary>
    public async IAsyncEnumerable<PublishedCell> ReadAsync(CellFilter filter, int limit = int.MaxValue, int offset = 0,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var size = CellSize(filter.CellSize);
        var (cmd, published) = Command(filter, size, await NothingUnreleasedAsync(ct));
        await using var _ = cmd;
        // a page in the order of the primary key
        cmd.CommandText += $" ORDER BY cx, cy LIMIT {(limit == int.MaxValue ? "ALL" : limit.ToString())} OFFSET {offset}";
        cmd.CommandTimeout = 600; // exports read every cell
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            CellCategories? categories;
            string? top;
            if (published) // kept under disclosure control by PostgreSQL (melding_cats_published, the same rules)
                (categories, top) = (r.IsDBNull(3) ? null : new CellCategories(r.GetString(3)), r.IsDBNull(4) ? null : r.GetString(4));
            else
            {
                var shown = disclosure.Categories(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(r.GetString(3))!);
                categories = shown is null ? null : new CellCategories(shown);
                top = DisclosureControl.Top(shown);
            }
            yield return new PublishedCell(r.GetInt64(0), r.GetInt64(1), size, r.GetInt32(2), categories, top, r.GetInt32(5) > 0);
        }
    }

    /// <summary>
    /// True when no melding of today (or later) is counted: then the all-time counts kept per cell are exactly the released
    /// ones (up to yesterday) and may be read as they are; otherwise all time is summed from the days up to yesterday.
    /// </summary>
    private async Task<bool> NothingUnreleasedAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM melding_cell_day WHERE day >= $1)");
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = disclosure.Today });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The query of the cells asked; Published: its categories column is already under disclosure control.</summary>
    private (NpgsqlCommand Command, bool Published) Command(CellFilter f, double size, bool allTimeIsReleased)
    {
        // the release rule: never today; an open end or no period at all ends at the end of yesterday
        var (from, to) = disclosure.Period(f.From, f.To);
        var cmd = db.CreateCommand();
        void P(string name, NpgsqlDbType type, object value) => cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        P("k", NpgsqlDbType.Integer, disclosure.MinimumCount);
        if (f.Category is { } category) P("cat", NpgsqlDbType.Text, category);
        if (f.Bbox is { } bbox) P("bbox", NpgsqlDbType.Geometry, bbox);
        if (f.Within is { } within) P("within", NpgsqlDbType.Geometry, within);
        var sql = new StringBuilder();
        if (f.From is null && f.To is null && allTimeIsReleased && f.Status is null && size == Grid)
        {
            // all time at the grid itself: one row per cell, kept up to date
            sql.Append(f.Category is null
                ? "SELECT cx, cy, total, published::text, top, demo FROM melding_cell WHERE total >= @k"
                : "SELECT cx, cy, (cats ->> @cat)::int total, jsonb_build_object(@cat, (cats ->> @cat)::int)::text, nullif(@cat, 'overig'), demo FROM melding_cell WHERE (cats ->> @cat)::int >= @k");
            // the cells of the envelope by primary key range (a page in key order stops early), then the exact test on the
            // centre (not through the spatial index, which would find every cell of a large box before sorting them)
            var box = f.Bbox?.EnvelopeInternal ?? new Envelope();
            if (f.Within is { } w0) box = box.IsNull ? w0.EnvelopeInternal : box.Intersection(w0.EnvelopeInternal);
            if (f.Bbox is not null || f.Within is not null) P("size", NpgsqlDbType.Double, size);
            if (!box.IsNull)
            {
                P("x0", NpgsqlDbType.Integer, (int)Math.Floor(box.MinX / size));
                P("x1", NpgsqlDbType.Integer, (int)Math.Floor(box.MaxX / size));
                P("y0", NpgsqlDbType.Integer, (int)Math.Floor(box.MinY / size));
                P("y1", NpgsqlDbType.Integer, (int)Math.Floor(box.MaxY / size));
                sql.Append(" AND cx BETWEEN @x0 AND @x1 AND cy BETWEEN @y0 AND @y1");
            }
            const string at = "ST_SetSRID(ST_MakePoint((cx + 0.5) * @size, (cy + 0.5) * @size), 28992)";
            if (f.Bbox is not null) sql.Append($" AND ST_Intersects({at}, @bbox)");
            if (f.Within is not null) sql.Append($" AND ST_Covers(@within, {at})");
            if (f.Cell is { } cell) { P("x", NpgsqlDbType.Integer, (int)cell.X); P("y", NpgsqlDbType.Integer, (int)cell.Y); sql.Append(" AND cx = @x AND cy = @y"); }
            cmd.CommandText = sql.ToString();
            return (cmd, true);
        }

        // a period, a status or coarser cells: sum the kept counts into the cells asked
        var m = (int)Math.Round(size / Grid);
        P("m", NpgsqlDbType.Double, (double)m);
        P("size", NpgsqlDbType.Double, size);
        // periods and statuses are kept per day; all time is summed from the released days too
        sql.Append("WITH c AS (SELECT floor(cx / @m)::bigint cx, floor(cy / @m)::bigint cy, category, sum(n)::int n, sum(demo)::int d FROM melding_cell_day WHERE true");
        if (from is { } start) { P("from", NpgsqlDbType.Date, DisclosureControl.LocalDay(start)); sql.Append(" AND day >= @from"); }
        P("to", NpgsqlDbType.Date, DisclosureControl.LocalDay(to));
        sql.Append(" AND day < @to");
        if (f.Status is { } status) { P("status", NpgsqlDbType.Text, status); sql.Append(" AND status = @status"); }
        if (f.Category is not null) sql.Append(" AND category = @cat");
        // only the grid cells of the coarse cells whose centre can lie in the area asked
        var env = f.Bbox?.EnvelopeInternal ?? new Envelope();
        if (f.Within is { } w) env = env.IsNull ? w.EnvelopeInternal : env.Intersection(w.EnvelopeInternal);
        if (f.Cell is { } one) env = new Envelope((one.X + 0.5) * size, (one.X + 0.5) * size, (one.Y + 0.5) * size, (one.Y + 0.5) * size);
        if (!env.IsNull)
        {
            P("x0", NpgsqlDbType.Integer, (int)(Math.Ceiling(env.MinX / size - 0.5) * m));
            P("x1", NpgsqlDbType.Integer, (int)((Math.Floor(env.MaxX / size - 0.5) + 1) * m - 1));
            P("y0", NpgsqlDbType.Integer, (int)(Math.Ceiling(env.MinY / size - 0.5) * m));
            P("y1", NpgsqlDbType.Integer, (int)((Math.Floor(env.MaxY / size - 0.5) + 1) * m - 1));
            sql.Append(" AND cx BETWEEN @x0 AND @x1 AND cy BETWEEN @y0 AND @y1");
        }
        sql.Append(" GROUP BY 1, 2, 3)");
        sql.Append(" SELECT cx, cy, total, cats::text, NULL::text, demo FROM (SELECT cx, cy, sum(n)::int total, jsonb_object_agg(category, n) cats, sum(d)::int demo")
           .Append(" FROM c GROUP BY cx, cy HAVING sum(n) >= @k) p WHERE true");
        const string centre = "ST_SetSRID(ST_MakePoint((cx + 0.5) * @size, (cy + 0.5) * @size), 28992)";
        if (f.Bbox is not null) sql.Append($" AND ST_Intersects({centre}, @bbox)");
        if (f.Within is not null) sql.Append($" AND ST_Covers(@within, {centre})");
        if (f.Cell is { } c1) { P("x", NpgsqlDbType.Bigint, c1.X); P("y", NpgsqlDbType.Bigint, c1.Y); sql.Append(" AND cx = @x AND cy = @y"); }
        cmd.CommandText = sql.ToString();
        return (cmd, false);
    }

    /// <summary>
    /// How many meldingen the released period, category and status hold in the whole gemeente, published cells or not: what an
    /// export of cells says it shows part of (a total over the gemeente, never below the grid).
    /// </summary>
    public async Task<long> CountedAsync(CellFilter f, CancellationToken ct = default)
    {
        var (from, to) = disclosure.Period(f.From, f.To);
        await using var cmd = db.CreateCommand(
            "SELECT coalesce(sum(n), 0) FROM melding_cell_day WHERE day < $1 AND ($2::date IS NULL OR day >= $2) AND ($3::text IS NULL OR category = $3) AND ($4::text IS NULL OR status = $4)");
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = DisclosureControl.LocalDay(to) });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = from is { } s ? DisclosureControl.LocalDay(s) : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)f.Category ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)f.Status ?? DBNull.Value });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    /// <summary>The extent of the published grid's cell centres and the days counted (null when there are none).</summary>
    public async Task<(Envelope? Rd, DateTimeOffset? Start, DateTimeOffset? End)> ExtentAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), (SELECT min(day) FROM melding_cell_day WHERE day < $2), (SELECT max(day) FROM melding_cell_day WHERE day < $2) " +
            "FROM (SELECT ST_Extent(geom) e FROM melding_cell WHERE total >= $1) s");
        cmd.Parameters.Add(new NpgsqlParameter { Value = disclosure.MinimumCount });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = disclosure.Today }); // days released: up to yesterday
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (r.IsDBNull(0) || r.IsDBNull(4)) return (null, null, null);
        return (new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3)),
            DisclosureControl.StartOfLocalDay(r.GetFieldValue<DateOnly>(4)), DisclosureControl.StartOfLocalDay(r.GetFieldValue<DateOnly>(5).AddDays(1)));
    }

    /// <summary>
    /// Meldingen counted per cell of <paramref name="cellSize"/> (a multiple of the grid, see <see cref="CellSize"/>), of one
    /// category or all, in the days <paramref name="from"/>..<paramref name="to"/> (inclusive; open ends: all), for an
    /// analysis: totals per cell only (<see cref="CategoriesInCellsAsync"/> gives the categories of the cells that matter).
    /// </summary>
    public async Task<GridCounts> TotalsOnGridAsync(DateOnly? from, DateOnly? to, string? category, double cellSize, CancellationToken ct)
    {
        var size = CellSize(cellSize);
        await using var cmd = db.CreateCommand(from is not null || to is not null
            ? """
              SELECT floor(cx / $1)::int, floor(cy / $1)::int, sum(n)::int, bool_or(demo > 0) FROM melding_cell_day
              WHERE ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3) AND ($4::text IS NULL OR category = $4) GROUP BY 1, 2
              """
            : """
              SELECT floor(cx / $1)::int, floor(cy / $1)::int, sum(CASE WHEN $4::text IS NULL THEN total ELSE (cats ->> $4)::int END)::int, bool_or(demo > 0)
              FROM melding_cell WHERE $4::text IS NULL OR cats ? $4 GROUP BY 1, 2
              """);
        AddGridParameters(cmd, size, from, to, category);
        var (xs, ys, counts) = (new List<double>(), new List<double>(), new List<int>());
        var demo = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            xs.Add((r.GetInt32(0) + 0.5) * size);
            ys.Add((r.GetInt32(1) + 0.5) * size);
            counts.Add(r.GetInt32(2));
            demo |= r.GetBoolean(3);
        }
        return new GridCounts(size, xs.ToArray(), ys.ToArray(), counts.ToArray(), demo);
    }

    /// <summary>The counts per category in the given cells of <paramref name="cellSize"/> (same filters as <see cref="TotalsOnGridAsync"/>).</summary>
    public async Task<Dictionary<(int I, int J), Dictionary<string, int>>> CategoriesInCellsAsync(DateOnly? from, DateOnly? to, string? category,
        double cellSize, IReadOnlyCollection<(int I, int J)> cells, CancellationToken ct)
    {
        var result = new Dictionary<(int, int), Dictionary<string, int>>();
        if (cells.Count == 0) return result;
        var size = CellSize(cellSize);
        var m = (int)Math.Round(size / Grid);
        await using var cmd = db.CreateCommand(
            $"""
            WITH asked AS (SELECT * FROM unnest($5::int[], $6::int[]) a(i, j))
            {(from is not null || to is not null
                ? "SELECT floor(cx / $1)::int i, floor(cy / $1)::int j, category, sum(n)::int FROM melding_cell_day WHERE ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3) AND ($4::text IS NULL OR category = $4)"
                : "SELECT floor(cx / $1)::int i, floor(cy / $1)::int j, e.key, sum(e.value::int)::int FROM melding_cell, jsonb_each_text(cats) e WHERE ($4::text IS NULL OR e.key = $4)")}
              AND cx BETWEEN $7 AND $8 AND cy BETWEEN $9 AND $10 AND (floor(cx / $1)::int, floor(cy / $1)::int) IN (SELECT i, j FROM asked)
            GROUP BY 1, 2, 3
            """);
        AddGridParameters(cmd, size, from, to, category);
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = cells.Select(c => c.I).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = cells.Select(c => c.J).ToArray() });
        foreach (var bound in new[] { cells.Min(c => c.I) * m, (cells.Max(c => c.I) + 1) * m - 1, cells.Min(c => c.J) * m, (cells.Max(c => c.J) + 1) * m - 1 })
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = bound });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var key = (r.GetInt32(0), r.GetInt32(1));
            if (!result.TryGetValue(key, out var cats)) result[key] = cats = [];
            cats[r.GetString(2)] = r.GetInt32(3);
        }
        return result;
    }

    private void AddGridParameters(NpgsqlCommand cmd, double size, DateOnly? from, DateOnly? to, string? category)
    {
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = Math.Round(size / Grid) });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = from is { } f ? f : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = to is { } t ? t : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)category ?? DBNull.Value });
    }
}
