using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using System.Globalization;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Hotspots;
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

/// <summary>Where a collection's features come from.</summary>
public enum OgcKind { Areas, Cells, Initiatieven, Monitor, Hotspots }

/// <summary>
/// A collection served under /ogc (and as an export layer): an area level, the public (generalised) meldingen, the
/// initiatives, the monitor scores (one feature per area, indicator and year) or the hotspots of meldingen.
/// </summary>
public sealed record OgcCollection(string Id, string Title, string Description, OgcKind Kind, AreaLevel? Level, string GeometryType,
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
/// The one data layer of the OGC API and the exports: every SQL statement they run. Areas come from <c>area</c> (one
/// feature per code: the version in force now, or with <c>datetime</c> the latest version in force during it); meldingen
/// only as counts per generalisation cell (<see cref="MeldingOptions.GeneralisationGridMetres"/>), never a single melding;
/// initiatives without who changed them; monitor scores on their area's geometry; hotspots from <see cref="HotspotService"/>
/// for the period asked (all meldingen without <c>datetime</c>).
/// </summary>
public sealed class OgcData(NpgsqlDataSource db, MeldingCells cells, HotspotService hotspots)
{
    public static readonly IReadOnlyList<OgcCollection> Collections =
    [
        new("gebieden", "Gebieden", "The gebieden of the gemeente (our gebiedsindeling), each the union of its wijken.", OgcKind.Areas, AreaLevel.Gebied, "MultiPolygon", ["code", "name"], "validFrom"),
        new("wijken", "Wijken", "CBS wijken, each the union of its buurten.", OgcKind.Areas, AreaLevel.Wijk, "MultiPolygon", ["code", "name", "parentCode"], "validFrom"),
        new("buurten", "Buurten", "CBS buurten, the finest areas.", OgcKind.Areas, AreaLevel.Buurt, "MultiPolygon", ["code", "name", "parentCode"], "validFrom"),
        new("dorpen", "Dorpen", "The villages of landelijk Alkmaar (their CBS buurten).", OgcKind.Areas, AreaLevel.Dorp, "MultiPolygon", ["code", "name", "parentCode"], "validFrom"),
        new("meldingen", "Meldingen (gegeneraliseerd)",
            "Meldingen counted per grid cell (RD), at the cell centre, with counts per category; demo = true where generated DEMO meldingen are counted. No single melding, time, text or person.",
            OgcKind.Cells, null, "Point", ["category"], "created"),
        new("initiatieven", "Bewonersinitiatieven",
            "Bewonersinitiatieven: title, description, theme, status (aangevraagd, toegekend, uitgevoerd, afgewezen), subsidy in euro, year, and the buurt, wijk and gebied they lie in; a point or an area. No personal data.",
            OgcKind.Initiatieven, null, "Geometry", ["status", "theme", "year", "gebiedCode"], "year"),
        new("monitorscores", "Monitorscores",
            "Scores of the monitors (Veiligheidsmonitor, Leefbaarheid) per area and year, on the area's geometry: one feature per monitor, indicator, area and year. demo = true for generated DEMO scores (not survey results).",
            OgcKind.Monitor, null, "MultiPolygon", ["monitor", "indicator", "areaCode", "year"], "year"),
        new("hotspots", "Hotspots van meldingen",
            "Hotspots of meldingen (Getis-Ord Gi* on a 100 m grid, false discovery rate 5%) over the period given by datetime (all meldingen without it), ranked, with count, confidence, top categories, and the gebied and gebiedsteam. category limits the analysis to one category.",
            OgcKind.Hotspots, null, "MultiPolygon", ["category", "gebiedCode"], "period"),
    ];

    public static OgcCollection? Find(string id) => Collections.FirstOrDefault(c => c.Id == id);

    // ------------------------------------------------------------------------------------------------ areas
    private const string AreaSelection =
        """
        WITH sel AS (
            SELECT DISTINCT ON (code) code, name, parent_code, valid_from, valid_to, geom FROM area
            WHERE level = $1 AND (CASE WHEN $2 THEN valid_from <= coalesce($4::date, 'infinity'::date) AND (valid_to IS NULL OR valid_to > coalesce($3::date, '-infinity'::date))
                                       ELSE valid_from <= current_date AND (valid_to IS NULL OR valid_to > current_date) END)
            ORDER BY code, valid_from DESC)
        SELECT {0} FROM sel
        WHERE ($5::geometry IS NULL OR ST_Intersects(geom, $5)) AND ($6::text IS NULL OR code = $6) AND ($7::text IS NULL OR name = $7)
          AND ($8::text IS NULL OR parent_code = $8) AND ($9::geometry IS NULL OR ST_Relate(geom, $9, 'T********'))
        """;

    // ------------------------------------------------------------------------------------------------ initiatives
    private const string InitiatiefSelection =
        """
        SELECT {0} FROM initiatief
        WHERE ($1::geometry IS NULL OR ST_Intersects(geom, $1)) AND ($2::int IS NULL OR year >= $2) AND ($3::int IS NULL OR year <= $3)
          AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR theme = $5) AND ($6::text IS NULL OR year::text = $6)
          AND ($7::text IS NULL OR gebied_code = $7) AND ($8::geometry IS NULL OR ST_Intersects(geom, $8)) AND ($9::text IS NULL OR id::text = $9)
        """;

    private const string InitiatiefColumns = "id, title, description, theme, status, subsidy_eur, year, buurt_code, wijk_code, gebied_code, geom";

    // ------------------------------------------------------------------------------------------------ monitor scores
    private const string MonitorSelection =
        """
        WITH s AS (
            SELECT lower(regexp_replace(m.monitor || '.' || m.indicator, '[^A-Za-z0-9.]+', '-', 'g')) || '.' || m.area_code || '.' || m.year AS fid,
                   m.monitor, m.indicator, m.area_code, a.name AS area_name, a.level AS area_level, m.year, m.value, m.unit, m.respondents,
                   m.higher_is_better, m.demo, a.geom
            FROM monitor_score m
            JOIN LATERAL (SELECT name, level, geom FROM area_in_force WHERE code = m.area_code ORDER BY level = 'dorp' LIMIT 1) a ON true)
        SELECT {0} FROM s
        WHERE ($1::geometry IS NULL OR ST_Intersects(geom, $1)) AND ($2::int IS NULL OR year >= $2) AND ($3::int IS NULL OR year <= $3)
          AND ($4::text IS NULL OR monitor = $4) AND ($5::text IS NULL OR indicator = $5) AND ($6::text IS NULL OR area_code = $6)
          AND ($7::text IS NULL OR year::text = $7) AND ($8::geometry IS NULL OR ST_Covers($8, ST_PointOnSurface(geom))) AND ($9::text IS NULL OR fid = $9)
        """;

    private const string MonitorColumns = "fid, monitor, indicator, area_code, area_name, area_level, year, value, unit, respondents, higher_is_better, demo, geom";

    private NpgsqlCommand Command(OgcCollection c, ItemsQuery q, string columns, string tail, string? id = null)
    {
        NpgsqlCommand cmd;
        if (c.Kind is OgcKind.Initiatieven or OgcKind.Monitor)
        {
            cmd = db.CreateCommand(string.Format(c.Kind == OgcKind.Monitor ? MonitorSelection : InitiatiefSelection, columns) + tail);
            string? F(string name) => q.Filters.TryGetValue(name, out var v) ? v : null;
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Geometry, Value = (object?)q.Bbox ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = q.From is { } f ? f.Year : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = q.To is { } t ? t.Year : DBNull.Value });
            foreach (var name in c.Queryables) // $4..$7, in the order the collection lists them
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)F(name) ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Geometry, Value = (object?)q.Within ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)id ?? DBNull.Value });
        }
        else if (c.Level is { } level)
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
        else throw new InvalidOperationException($"{c.Id} is not read with SQL here.");
        return cmd;
    }

    private const string AreaColumns = "code, name, parent_code, valid_from, valid_to, ST_Area(geom), geom";

    private static string Columns(OgcCollection c) => c.Kind switch
    {
        OgcKind.Initiatieven => InitiatiefColumns,
        OgcKind.Monitor => MonitorColumns,
        _ => AreaColumns,
    };

    private static string Order(OgcCollection c) => c.Kind switch
    {
        OgcKind.Initiatieven => " ORDER BY id",
        OgcKind.Monitor => " ORDER BY fid",
        _ => " ORDER BY code",
    };

    /// <summary>
    /// How many features match (the whole collection under the filters, not one page); null where counting would cost a
    /// scan (meldingen cells: OGC API makes numberMatched optional).
    /// </summary>
    public async Task<long?> CountAsync(OgcCollection c, ItemsQuery q, CancellationToken ct)
    {
        if (c.Kind == OgcKind.Cells) return null;
        if (c.Kind == OgcKind.Hotspots) return (await HotspotsAsync(q, ct)).Count;
        await using var cmd = Command(c, q, "count(*)", "");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>One page of features in a stable order (code, cell, id or rank), streamed.</summary>
    public async IAsyncEnumerable<OgcFeature> ItemsAsync(OgcCollection c, ItemsQuery q, [EnumeratorCancellation] CancellationToken ct)
    {
        if (c.Kind == OgcKind.Hotspots)
        {
            foreach (var h in (await HotspotsAsync(q, ct)).Skip(q.Offset).Take(q.Limit)) yield return h;
            yield break;
        }
        if (c.Kind == OgcKind.Cells)
        {
            await foreach (var cell in cells.ReadAsync(CellFilter(q), q.Limit, q.Offset, ct)) yield return Cell(cell);
            yield break;
        }
        await using var cmd = Command(c, q, Columns(c), $"{Order(c)} LIMIT {(q.Limit == int.MaxValue ? "ALL" : q.Limit.ToString())} OFFSET {q.Offset}");
        cmd.CommandTimeout = 600; // exports read whole collections
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) yield return Read(c, r);
    }

    // ------------------------------------------------------------------------------------------------ hotspots
    /// <summary>The hotspots of the period in <paramref name="q"/> (whole days; all meldingen without one), filtered, in rank order.</summary>
    private async Task<List<OgcFeature>> HotspotsAsync(ItemsQuery q, CancellationToken ct)
    {
        DateOnly? from = q.From is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : null;
        DateOnly? to = q.To is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : null;
        var category = q.Filters.TryGetValue("category", out var cat) ? cat.ToLowerInvariant() : null;
        var analysis = await hotspots.AnalyseAsync(new HotspotQuery(from, to, category, hotspots.Options.DefaultCellSize), ct);
        if (analysis is null) return [];
        var gebied = q.Filters.TryGetValue("gebiedCode", out var g) ? g : null;
        var period = $"{from?.ToString("yyyy-MM-dd") ?? ".."}/{to?.ToString("yyyy-MM-dd") ?? ".."}";
        return analysis.Hotspots
            .Where(h => (q.Bbox is null || q.Bbox.Intersects(h.Hotspot.Polygon)) && (q.Within is null || q.Within.Intersects(h.Hotspot.Polygon))
                        && (gebied is null || h.GebiedCode == gebied))
            .Select(h => new OgcFeature(h.Id, h.Hotspot.Polygon is Polygon p ? RdNew.RdFactory.CreateMultiPolygon([p]) : h.Hotspot.Polygon,
            [
                ("rank", h.Rank), ("count", h.Hotspot.Count), ("cells", h.Hotspot.Cells), ("cellSize", analysis.Query.CellSize),
                ("maxZ", Math.Round(h.Hotspot.MaxZ, 2)), ("confidence", h.Hotspot.Confidence),
                ("topCategories", string.Join(", ", h.Hotspot.TopCategories.Select(c => c.Category))),
                ("category", category), ("period", period), ("gebiedCode", h.GebiedCode), ("gebied", h.GebiedName), ("gebiedsteam", h.Gebiedsteam),
                ("demo", analysis.Demo),
            ]))
            .ToList();
    }

    /// <summary>
    /// One feature by id (areas: the CBS code, in force now; meldingen: <c>cel-{i}-{j}</c>; initiatives: their number;
    /// monitor scores: <c>monitor.indicator.area.year</c> in lower case with dashes; hotspots: <c>hotspot-{rank}</c> of all meldingen), or null.
    /// </summary>
    public async Task<OgcFeature?> GetAsync(OgcCollection c, string id, CancellationToken ct)
    {
        var none = new ItemsQuery(null, false, null, null, new Dictionary<string, string>(), 1, 0);
        if (c.Kind == OgcKind.Hotspots) return (await HotspotsAsync(none, ct)).FirstOrDefault(h => h.Id == id);
        NpgsqlCommand cmd;
        if (c.Kind is OgcKind.Initiatieven or OgcKind.Monitor)
        {
            if (c.Kind == OgcKind.Initiatieven && !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _)) return null;
            cmd = Command(c, none, Columns(c), "", id: id);
        }
        else if (c.Kind == OgcKind.Cells)
        {
            var parts = id.Split('-');
            if (parts.Length != 3 || parts[0] != "cel" || !int.TryParse(parts[1], out var x) || !int.TryParse(parts[2], out var y)) return null;
            await foreach (var cell in cells.ReadAsync(new CellFilter { Cell = (x, y) }, 1, 0, ct)) return Cell(cell);
            return null;
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
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        if (c.Kind == OgcKind.Initiatieven)
            return new OgcFeature(r.GetInt64(0).ToString(CultureInfo.InvariantCulture), (Geometry)r.GetValue(10),
            [
                ("title", r.GetString(1)), ("description", r.GetString(2)), ("theme", r.GetString(3)), ("status", r.GetString(4)),
                ("subsidy", r.IsDBNull(5) ? null : (double)r.GetDecimal(5)), ("year", r.GetInt32(6)),
                ("buurtCode", S(7)), ("wijkCode", S(8)), ("gebiedCode", r.GetString(9)),
            ]);
        if (c.Kind == OgcKind.Monitor)
            return new OgcFeature(r.GetString(0), (Geometry)r.GetValue(12),
            [
                ("monitor", r.GetString(1)), ("indicator", r.GetString(2)), ("areaCode", r.GetString(3)), ("areaName", r.GetString(4)),
                ("level", r.GetString(5)), ("year", r.GetInt32(6)), ("value", r.GetDouble(7)), ("unit", r.GetString(8)),
                ("respondents", r.IsDBNull(9) ? null : r.GetInt32(9)), ("higherIsBetter", r.GetBoolean(10)), ("demo", r.GetBoolean(11)),
            ]);
        return new OgcFeature(r.GetString(0), (Geometry)r.GetValue(6),
        [
            ("code", r.GetString(0)), ("name", r.GetString(1)), ("level", c.Level.Value.Name()),
            ("parentCode", r.IsDBNull(2) ? null : r.GetString(2)),
            ("validFrom", r.GetFieldValue<DateOnly>(3).ToString("yyyy-MM-dd")),
            ("validTo", r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4).ToString("yyyy-MM-dd")),
            ("areaKm2", Math.Round(r.GetDouble(5) / 1e6, 4)),
        ]);
    }

    private static CellFilter CellFilter(ItemsQuery q) => new()
    {
        From = q.From, To = q.To, Category = q.Filters.TryGetValue("category", out var cat) ? cat.ToLowerInvariant() : null,
        Status = q.Status, Bbox = q.Bbox, Within = q.Within,
    };

    // null categories: disclosure control left only the total
    private static OgcFeature Cell(PublishedCell c) => new(c.Id, c.Centre,
        [("count", c.Count), ("categories", c.Categories), ("topCategory", c.Top), ("demo", c.Demo)]);

    /// <summary>The RD extent and time span of a collection as it is now (null when empty).</summary>
    public async Task<(Envelope? Rd, DateTimeOffset? Start, DateTimeOffset? End)> ExtentAsync(OgcCollection c, CancellationToken ct)
    {
        if (c.Kind == OgcKind.Hotspots)
        {
            var all = await HotspotsAsync(new ItemsQuery(null, false, null, null, new Dictionary<string, string>(), int.MaxValue, 0), ct);
            var e = new Envelope();
            foreach (var h in all) e.ExpandToInclude(h.Geometry.EnvelopeInternal);
            return (e.IsNull ? null : e, null, null);
        }
        if (c.Kind == OgcKind.Cells) return await cells.ExtentAsync(ct);
        if (c.Kind is OgcKind.Initiatieven or OgcKind.Monitor)
        {
            await using var x = db.CreateCommand(c.Kind == OgcKind.Initiatieven
                ? "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), y0, y1 FROM (SELECT ST_Extent(geom) e, min(year) y0, max(year) y1 FROM initiatief) s"
                : "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), y0, y1 FROM (SELECT ST_Extent(a.geom) e, min(m.year) y0, max(m.year) y1 FROM monitor_score m JOIN area_in_force a ON a.code = m.area_code) s");
            await using var xr = await x.ExecuteReaderAsync(ct);
            await xr.ReadAsync(ct);
            if (xr.IsDBNull(0)) return (null, null, null);
            return (new Envelope(xr.GetDouble(0), xr.GetDouble(2), xr.GetDouble(1), xr.GetDouble(3)),
                new DateTimeOffset(xr.GetInt32(4), 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(xr.GetInt32(5), 12, 31, 23, 59, 59, TimeSpan.Zero));
        }
        await using var cmd = db.CreateCommand("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), (SELECT min(valid_from)::timestamptz FROM area WHERE level = $1), NULL::timestamptz FROM (SELECT ST_Extent(geom) e FROM area_in_force WHERE level = $1) s");
        cmd.Parameters.Add(new NpgsqlParameter { Value = c.Level!.Value.Name() });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (r.IsDBNull(0)) return (null, null, null);
        return (new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3)),
            r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5));
    }
}
