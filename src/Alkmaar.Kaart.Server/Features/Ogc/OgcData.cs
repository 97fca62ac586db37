using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>OGC API Features settings (section <c>Ogc</c>).</summary>
public sealed class OgcOptions
{
    public const string Section = "Ogc";

    /// <summary>Features per page when the client gives no <c>limit</c>.</summary>
    [Range(1, 100_000)] public int DefaultLimit { get; set; } = 100;

    /// <summary>The largest <c>limit</c> accepted; a larger one is a 400.</summary>
    [Range(1, 100_000)] public int MaxLimit { get; set; } = 1000;
}

/// <summary>A collection served under /ogc: an area level, or the public (generalised) meldingen.</summary>
public sealed record OgcCollection(string Id, string Title, string Description, AreaLevel? Level, string GeometryType,
    IReadOnlyList<string> Queryables, string TimeProperty);

/// <summary>A feature as the data layer gives it: id, geometry in RD New, properties in order.</summary>
public sealed record OgcFeature(string Id, Geometry Geometry, IReadOnlyList<(string Name, object? Value)> Properties);

/// <summary>What an items request asks: bbox as an RD polygon, a time interval (open ends null), equality filters, a page.</summary>
public sealed record ItemsQuery(Geometry? Bbox, bool HasTime, DateTimeOffset? From, DateTimeOffset? To,
    IReadOnlyDictionary<string, string> Filters, int Limit, int Offset)
{
    /// <summary>Only features inside this area (RD): areas whose interior meets it, cells whose centre it covers.</summary>
    public Geometry? Within { get; init; }

    /// <summary>Meldingen only: count only meldingen with this status.</summary>
    public string? Status { get; init; }
}

/// <summary>
/// The one data layer of the OGC API: every SQL statement it runs. Areas come from <c>area</c> (one feature per code:
/// the version in force now, or with <c>datetime</c> the latest version in force during it); meldingen only as counts per
/// generalisation cell (<see cref="MeldingOptions.GeneralisationGridMetres"/>), never a single melding.
/// </summary>
public sealed class OgcData(NpgsqlDataSource db, IOptions<MeldingOptions> meldingen)
{
    public static readonly IReadOnlyList<OgcCollection> Collections =
    [
        new("gebieden", "Gebieden", "The gebieden of the gemeente (our gebiedsindeling), each the union of its wijken.", AreaLevel.Gebied, "MultiPolygon", ["code", "name"], "validFrom"),
        new("wijken", "Wijken", "CBS wijken, each the union of its buurten.", AreaLevel.Wijk, "MultiPolygon", ["code", "name", "parentCode"], "validFrom"),
        new("buurten", "Buurten", "CBS buurten, the finest areas.", AreaLevel.Buurt, "MultiPolygon", ["code", "name", "parentCode"], "validFrom"),
        new("dorpen", "Dorpen", "The villages of landelijk Alkmaar (their CBS buurten).", AreaLevel.Dorp, "MultiPolygon", ["code", "name", "parentCode"], "validFrom"),
        new("meldingen", "Meldingen (gegeneraliseerd)",
            "Meldingen counted per grid cell (RD), at the cell centre, with counts per category; demo = true where generated DEMO meldingen are counted. No single melding, time, text or person.",
            null, "Point", ["category"], "created"),
    ];

    public static OgcCollection? Find(string id) => Collections.FirstOrDefault(c => c.Id == id);

    private double Grid => meldingen.Value.GeneralisationGridMetres;

    // ------------------------------------------------------------------------------------------------ areas
    private const string AreaSelection =
        """
        WITH sel AS (
            SELECT DISTINCT ON (code) code, name, parent_code, valid_from, valid_to, geom FROM area
            WHERE level = $1 AND (CASE WHEN $2 THEN valid_from <= coalesce($4::date, 'infinity'::date) AND (valid_to IS NULL OR valid_to > coalesce($3::date, '-infinity'::date))
                                       ELSE valid_to IS NULL END)
            ORDER BY code, valid_from DESC)
        SELECT {0} FROM sel
        WHERE ($5::geometry IS NULL OR ST_Intersects(geom, $5)) AND ($6::text IS NULL OR code = $6) AND ($7::text IS NULL OR name = $7)
          AND ($8::text IS NULL OR parent_code = $8) AND ($9::geometry IS NULL OR ST_Relate(geom, $9, 'T********'))
        """;

    // ------------------------------------------------------------------------------------------------ meldingen
    private const string CellSelection =
        """
        WITH c AS (
            SELECT floor(ST_X(geom) / $1)::bigint cx, floor(ST_Y(geom) / $1)::bigint cy, category, count(*)::int n, bool_or(source = 'demo') d FROM melding
            WHERE ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at <= $3) AND ($4::text IS NULL OR category = $4)
              AND ($9::text IS NULL OR status = $9)
            GROUP BY 1, 2, 3),
        cells AS (
            SELECT cx, cy, sum(n)::int total, jsonb_object_agg(category, n) cats, bool_or(d) demo,
                   ST_SetSRID(ST_MakePoint((cx + 0.5) * $1, (cy + 0.5) * $1), 28992) geom
            FROM c GROUP BY cx, cy)
        SELECT {0} FROM cells WHERE ($5::geometry IS NULL OR ST_Intersects(geom, $5)) AND ($6::bigint IS NULL OR (cx = $6 AND cy = $7))
          AND ($8::geometry IS NULL OR ST_Covers($8, geom))
        """;

    private NpgsqlCommand Command(OgcCollection c, ItemsQuery q, string columns, string tail, (long X, long Y)? cell = null)
    {
        NpgsqlCommand cmd;
        if (c.Level is { } level)
        {
            cmd = db.CreateCommand(string.Format(AreaSelection, columns) + tail);
            cmd.Parameters.Add(new NpgsqlParameter { Value = level.Name() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = q.HasTime });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = q.From is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = q.To is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Geometry, Value = (object?)q.Bbox ?? DBNull.Value });
            foreach (var name in new[] { "code", "name", "parentCode" })
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = q.Filters.TryGetValue(name, out var v) ? v : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Geometry, Value = (object?)q.Within ?? DBNull.Value });
        }
        else
        {
            cmd = db.CreateCommand(string.Format(CellSelection, columns) + tail);
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = Grid });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = q.From is { } f ? f.ToUniversalTime() : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = q.To is { } t ? t.ToUniversalTime() : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = q.Filters.TryGetValue("category", out var cat) ? cat.ToLowerInvariant() : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Geometry, Value = (object?)q.Bbox ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = cell is { } a ? a.X : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = cell is { } b ? b.Y : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Geometry, Value = (object?)q.Within ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)q.Status ?? DBNull.Value });
        }
        return cmd;
    }

    private const string AreaColumns = "code, name, parent_code, valid_from, valid_to, ST_Area(geom), geom";
    private const string CellColumns = "cx, cy, total, cats::text, geom, demo";

    /// <summary>How many features match (the whole collection under the filters, not one page).</summary>
    public async Task<long> CountAsync(OgcCollection c, ItemsQuery q, CancellationToken ct)
    {
        await using var cmd = Command(c, q, "count(*)", "");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>One page of features in a stable order (code, or cell), streamed.</summary>
    public async IAsyncEnumerable<OgcFeature> ItemsAsync(OgcCollection c, ItemsQuery q, [EnumeratorCancellation] CancellationToken ct)
    {
        var order = c.Level is null ? " ORDER BY cx, cy" : " ORDER BY code";
        await using var cmd = Command(c, q, c.Level is null ? CellColumns : AreaColumns, $"{order} LIMIT {q.Limit} OFFSET {q.Offset}");
        cmd.CommandTimeout = 600; // exports read whole collections
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) yield return Read(c, r);
    }

    /// <summary>One feature by id (areas: the CBS code, in force now; meldingen: <c>cel-{i}-{j}</c>), or null.</summary>
    public async Task<OgcFeature?> GetAsync(OgcCollection c, string id, CancellationToken ct)
    {
        var none = new ItemsQuery(null, false, null, null, new Dictionary<string, string>(), 1, 0);
        NpgsqlCommand cmd;
        if (c.Level is null)
        {
            var parts = id.Split('-');
            if (parts.Length != 3 || parts[0] != "cel" || !long.TryParse(parts[1], out var x) || !long.TryParse(parts[2], out var y)) return null;
            cmd = Command(c, none, CellColumns, "", (x, y));
        }
        else
        {
            cmd = Command(c, none with { Filters = new Dictionary<string, string> { ["code"] = id } }, AreaColumns, "");
        }
        await using (cmd)
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? Read(c, r) : null;
        }
    }

    private static OgcFeature Read(OgcCollection c, NpgsqlDataReader r)
    {
        if (c.Level is null)
        {
            var categories = System.Text.Json.JsonSerializer.Deserialize<SortedDictionary<string, int>>(r.GetString(3))!;
            return new OgcFeature($"cel-{r.GetInt64(0)}-{r.GetInt64(1)}", (Geometry)r.GetValue(4),
                [("count", r.GetInt32(2)), ("categories", categories), ("topCategory", categories.MaxBy(kv => kv.Value).Key),
                 ("demo", r.GetBoolean(5))]);
        }
        return new OgcFeature(r.GetString(0), (Geometry)r.GetValue(6),
        [
            ("code", r.GetString(0)), ("name", r.GetString(1)), ("level", c.Level.Value.Name()),
            ("parentCode", r.IsDBNull(2) ? null : r.GetString(2)),
            ("validFrom", r.GetFieldValue<DateOnly>(3).ToString("yyyy-MM-dd")),
            ("validTo", r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4).ToString("yyyy-MM-dd")),
            ("areaKm2", Math.Round(r.GetDouble(5) / 1e6, 4)),
        ]);
    }

    /// <summary>The RD extent and time span of a collection as it is now (null when empty).</summary>
    public async Task<(Envelope? Rd, DateTimeOffset? Start, DateTimeOffset? End)> ExtentAsync(OgcCollection c, CancellationToken ct)
    {
        await using var cmd = c.Level is { } level
            ? db.CreateCommand("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), (SELECT min(valid_from)::timestamptz FROM area WHERE level = $1), NULL::timestamptz FROM (SELECT ST_Extent(geom) e FROM area WHERE level = $1 AND valid_to IS NULL) s")
            : db.CreateCommand("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), t0, t1 FROM (SELECT ST_Extent(geom) e, min(created_at) t0, max(created_at) t1 FROM melding) s");
        if (c.Level is { } l) cmd.Parameters.Add(new NpgsqlParameter { Value = l.Name() });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (r.IsDBNull(0)) return (null, null, null);
        // meldingen are shown at cell centres: widen by half a cell so the extent holds every centre
        var pad = c.Level is null ? Grid / 2 : 0;
        return (new Envelope(r.GetDouble(0) - pad, r.GetDouble(2) + pad, r.GetDouble(1) - pad, r.GetDouble(3) + pad),
            r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5));
    }
}
