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

/// <summary>A published cell: its grid index and size, the count, the categories under disclosure control (null: total only).</summary>
public sealed record PublishedCell(long Cx, long Cy, double Size, int Count, SortedDictionary<string, int>? Categories, bool Demo)
{
    public string Id => $"cel-{Cx}-{Cy}";
    public double X => (Cx + 0.5) * Size;
    public double Y => (Cy + 0.5) * Size;
    public Point Centre => RdNew.RdFactory.CreatePoint(new Coordinate(X, Y));
}

/// <summary>Counts of meldingen per cell of a coarser grid and per category, for an analysis (hotspots).</summary>
public sealed record GridCounts(double CellSize, double[] X, double[] Y, int[] Category, int[] Count, IReadOnlyList<string> Categories, bool Demo)
{
    public int Total => Count.Sum();
}

/// <summary>
/// The one query of public meldingen cells (OGC API, the dashboard's layers, exports, hotspots). Reads the counts that
/// PostgreSQL keeps per cell (<c>melding_cell</c>, all time) and per cell and day (<c>melding_cell_day</c>), maintained in
/// the same transaction as every melding (migration 0012), never the meldingen themselves: the cost follows the number of
/// cells, not of meldingen. Disclosure control (<see cref="DisclosureControl"/>, SQL <c>melding_cats_published</c>)
/// applies to every answer.
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
    public static async Task EnsureGridAsync(string connectionString, double grid, ILogger logger, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var check = new NpgsqlCommand("SELECT size FROM melding_cell_grid", conn);
        if (await check.ExecuteScalarAsync(ct) is double size && size == grid) return;
        await using var rebuild = new NpgsqlCommand("SELECT melding_cell_rebuild($1)", conn);
        rebuild.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = grid });
        rebuild.CommandTimeout = 3600;
        await rebuild.ExecuteNonQueryAsync(ct);
        logger.LogInformation("Recounted the public meldingen cells at a {Grid} m grid", grid);
    }

    /// <summary>Published cells in grid order (x, then y), a page of them.</summary>
    public async IAsyncEnumerable<PublishedCell> ReadAsync(CellFilter filter, int limit = int.MaxValue, int offset = 0,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var size = CellSize(filter.CellSize);
        await using var cmd = Command(filter, size);
        cmd.CommandText += $" ORDER BY cx, cy LIMIT {(limit == int.MaxValue ? "ALL" : limit.ToString())} OFFSET {offset}";
        cmd.CommandTimeout = 600; // exports read every cell
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var categories = r.IsDBNull(3) ? null : System.Text.Json.JsonSerializer.Deserialize<SortedDictionary<string, int>>(r.GetString(3));
            yield return new PublishedCell(r.GetInt64(0), r.GetInt64(1), size, r.GetInt32(2), categories, r.GetBoolean(4));
        }
    }

    private NpgsqlCommand Command(CellFilter f, double size)
    {
        var (from, to) = disclosure.Period(f.From, f.To);
        var cmd = db.CreateCommand();
        void P(string name, NpgsqlDbType type, object value) => cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        P("k", NpgsqlDbType.Integer, disclosure.MinimumCount);
        if (f.Category is { } category) P("cat", NpgsqlDbType.Text, category);
        if (f.Bbox is { } bbox) P("bbox", NpgsqlDbType.Geometry, bbox);
        if (f.Within is { } within) P("within", NpgsqlDbType.Geometry, within);
        var sql = new StringBuilder();
        if (from is null && to is null && f.Status is null && size == Grid)
        {
            // all time at the grid itself: one row per cell, kept up to date
            sql.Append(f.Category is null
                ? "SELECT cx::bigint cx, cy::bigint cy, total, melding_cats_published(cats, @k)::text, demo > 0 FROM melding_cell WHERE total >= @k"
                : "SELECT cx::bigint cx, cy::bigint cy, (cats ->> @cat)::int, jsonb_build_object(@cat, (cats ->> @cat)::int)::text, demo > 0 FROM melding_cell WHERE (cats ->> @cat)::int >= @k");
            if (f.Bbox is not null) sql.Append(" AND geom && @bbox AND ST_Intersects(geom, @bbox)");
            if (f.Within is not null) sql.Append(" AND geom && @within AND ST_Covers(@within, geom)");
            if (f.Cell is { } cell) { P("x", NpgsqlDbType.Integer, (int)cell.X); P("y", NpgsqlDbType.Integer, (int)cell.Y); sql.Append(" AND cx = @x AND cy = @y"); }
            cmd.CommandText = sql.ToString();
            return cmd;
        }

        // a period, a status or coarser cells: sum the kept counts into the cells asked
        var m = (int)Math.Round(size / Grid);
        P("m", NpgsqlDbType.Double, (double)m);
        P("size", NpgsqlDbType.Double, size);
        var days = from is not null || to is not null || f.Status is not null;
        sql.Append(days
            ? "WITH c AS (SELECT floor(cx / @m)::bigint cx, floor(cy / @m)::bigint cy, category, sum(n)::int n, sum(demo) > 0 d FROM melding_cell_day WHERE true"
            : "WITH c AS (SELECT floor(cx / @m)::bigint cx, floor(cy / @m)::bigint cy, e.key category, sum(e.value::int)::int n, bool_or(demo > 0) d FROM melding_cell, jsonb_each_text(cats) e WHERE true");
        if (from is { } start) { P("from", NpgsqlDbType.Date, DisclosureControl.LocalDay(start)); sql.Append(" AND day >= @from"); }
        if (to is { } end) { P("to", NpgsqlDbType.Date, DisclosureControl.LocalDay(end)); sql.Append(" AND day < @to"); }
        if (f.Status is { } status) { P("status", NpgsqlDbType.Text, status); sql.Append(" AND status = @status"); }
        if (f.Category is not null) sql.Append(days ? " AND category = @cat" : " AND e.key = @cat");
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
        sql.Append(" SELECT cx, cy, total, cats::text, demo FROM (SELECT cx, cy, sum(n)::int total, melding_cats_published(jsonb_object_agg(category, n), @k) cats, bool_or(d) demo")
           .Append(" FROM c GROUP BY cx, cy HAVING sum(n) >= @k) p WHERE true");
        const string centre = "ST_SetSRID(ST_MakePoint((cx + 0.5) * @size, (cy + 0.5) * @size), 28992)";
        if (f.Bbox is not null) sql.Append($" AND ST_Intersects({centre}, @bbox)");
        if (f.Within is not null) sql.Append($" AND ST_Covers(@within, {centre})");
        if (f.Cell is { } c1) { P("x", NpgsqlDbType.Bigint, c1.X); P("y", NpgsqlDbType.Bigint, c1.Y); sql.Append(" AND cx = @x AND cy = @y"); }
        cmd.CommandText = sql.ToString();
        return cmd;
    }

    /// <summary>The extent of the published grid's cell centres and the days counted (null when there are none).</summary>
    public async Task<(Envelope? Rd, DateTimeOffset? Start, DateTimeOffset? End)> ExtentAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), (SELECT min(day) FROM melding_cell_day), (SELECT max(day) FROM melding_cell_day) " +
            "FROM (SELECT ST_Extent(geom) e FROM melding_cell WHERE total >= $1) s");
        cmd.Parameters.Add(new NpgsqlParameter { Value = disclosure.MinimumCount });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (r.IsDBNull(0)) return (null, null, null);
        return (new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3)),
            DisclosureControl.StartOfLocalDay(r.GetFieldValue<DateOnly>(4)), DisclosureControl.StartOfLocalDay(r.GetFieldValue<DateOnly>(5).AddDays(1)));
    }

    /// <summary>
    /// Meldingen counted per cell of <paramref name="cellSize"/> (a multiple of the grid, see <see cref="CellSize"/>) and per
    /// category, in the days <paramref name="from"/>..<paramref name="to"/> (inclusive; open ends: all), for an analysis.
    /// </summary>
    public async Task<GridCounts> CountsOnGridAsync(DateOnly? from, DateOnly? to, string? category, double cellSize, CancellationToken ct)
    {
        var size = CellSize(cellSize);
        var days = from is not null || to is not null;
        await using var cmd = db.CreateCommand(days
            ? """
              SELECT floor(cx / $1)::int, floor(cy / $1)::int, category, sum(n)::int, sum(demo) > 0 FROM melding_cell_day
              WHERE ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3) AND ($4::text IS NULL OR category = $4) GROUP BY 1, 2, 3
              """
            : """
              SELECT floor(cx / $1)::int, floor(cy / $1)::int, e.key, sum(e.value::int)::int, bool_or(demo > 0) FROM melding_cell, jsonb_each_text(cats) e
              WHERE ($4::text IS NULL OR e.key = $4) GROUP BY 1, 2, 3
              """);
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = Math.Round(size / Grid) });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = from is { } f ? f : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = to is { } t ? t : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)category ?? DBNull.Value });
        var (xs, ys, cats, counts) = (new List<double>(), new List<double>(), new List<int>(), new List<int>());
        var names = new List<string>();
        var byName = new Dictionary<string, int>();
        var demo = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            xs.Add((r.GetInt32(0) + 0.5) * size);
            ys.Add((r.GetInt32(1) + 0.5) * size);
            var name = r.GetString(2);
            if (!byName.TryGetValue(name, out var id)) { byName[name] = id = names.Count; names.Add(name); }
            cats.Add(id);
            counts.Add(r.GetInt32(3));
            demo |= r.GetBoolean(4);
        }
        return new GridCounts(size, xs.ToArray(), ys.ToArray(), cats.ToArray(), counts.ToArray(), names, demo);
    }
}
