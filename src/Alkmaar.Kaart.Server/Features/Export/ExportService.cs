using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Ogc;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Alkmaar.Kaart.Server.Features.Export;

public enum ExportFormat { GeoJson, Csv, GeoPackage }

/// <summary>What a partner asks to export: a layer (an OGC collection), filters, a CRS and a format.</summary>
public sealed record ExportRequest(OgcCollection Layer, ExportFormat Format, KnownCrs Crs, string? AreaCode,
    DateOnly? From, DateOnly? To, string? Category, string? Status);

/// <summary>A refused export request: a Dutch message and the parameter.</summary>
public sealed class ExportRequestException(string message, string parameter)
    : RejectedException(message, $"The parameter '{parameter}' is refused.", parameter, parameter == "layer" ? 404 : 400)
{
    /// <summary>The refusal as the person reads it (the problem's title).</summary>
    public string Reason => Title;
}

/// <summary>
/// Exports of the public layers as GeoJSON (RFC 7946 WGS84 by default, RD New with its crs stated), CSV with WKT, or
/// GeoPackage. The features come from the OGC data layer, so an export never holds more than public data (areas, and
/// meldingen only as counts per cell); they are streamed from PostGIS to the response (GeoPackage through a temporary
/// file, deleted when sent), never all in memory. Every export carries the attribution.
/// </summary>
public sealed class ExportService(OgcData data, AreaRepository areas, IOptions<MapOptions> map, IOptions<MeldingOptions> meldingen, DisclosureControl release,
    MeldingCells cells)
{
    public static readonly IReadOnlyDictionary<string, ExportFormat> Formats =
        new Dictionary<string, ExportFormat> { ["geojson"] = ExportFormat.GeoJson, ["csv"] = ExportFormat.Csv, ["gpkg"] = ExportFormat.GeoPackage };

    public string Attribution => map.Value.DataAttribution;

    /// <summary>Checks and reads the parameters of an export (as the API and the page give them).</summary>
    public ExportRequest Parse(string layer, string? format, string? crs, string? area, string? from, string? to, string? category, string? status)
    {
        var c = OgcCollections.Find(layer) ?? throw new ExportRequestException(
            $"Onbekende laag '{layer}'; kies uit {string.Join(", ", OgcCollections.All.Select(x => x.Id))}.", "layer");
        var f = ExportFormat.GeoJson;
        if (format is not null && !Formats.TryGetValue(format.ToLowerInvariant(), out f))
            throw new ExportRequestException("Onbekend formaat; kies geojson, csv of gpkg.", "format");
        var k = KnownCrs.Wgs84;
        if (crs is not null && CrsNames.Parse(crs) is not { } parsed) throw new ExportRequestException("Onbekend coördinatenstelsel; kies EPSG:4326 (WGS84) of EPSG:28992 (RD New).", "crs");
        else if (crs is not null) k = CrsNames.Parse(crs)!.Value;
        DateOnly? d0 = null, d1 = null;
        if (!string.IsNullOrEmpty(from)) d0 = DateOnly.TryParseExact(from, "yyyy-MM-dd", out var v0) ? v0 : throw new ExportRequestException("Ongeldige begindatum (jjjj-mm-dd).", "from");
        if (!string.IsNullOrEmpty(to)) d1 = DateOnly.TryParseExact(to, "yyyy-MM-dd", out var v1) ? v1 : throw new ExportRequestException("Ongeldige einddatum (jjjj-mm-dd).", "to");
        if (d0 > d1) throw new ExportRequestException("De begindatum ligt na de einddatum.", "from");
        if (c.UnderReleaseRule)
        {
            // the release rule: whole days up to yesterday, at least the minimum period
            var (_, last, notReleased) = release.Days(d0, d1);
            if (notReleased is not null) throw new ExportRequestException(notReleased, "from");
            d1 = last;
        }
        if (!string.IsNullOrEmpty(category) && !c.FiltersByCategory)
            throw new ExportRequestException("Een categorie geldt alleen voor de lagen meldingen en hotspots.", "category");
        if (!string.IsNullOrEmpty(status) && c.Statuses.Count == 0)
            throw new ExportRequestException("Een status geldt alleen voor de lagen meldingen en initiatieven.", "status");
        if (!string.IsNullOrEmpty(status) && !c.Statuses.Contains(status))
            throw new ExportRequestException($"Onbekende status; kies uit {string.Join(", ", c.Statuses)}.", "status");
        if (!string.IsNullOrEmpty(category) && !meldingen.Value.Categories.Contains(category.ToLowerInvariant()))
            throw new ExportRequestException($"Onbekende categorie; kies uit {string.Join(", ", meldingen.Value.Categories)}.", "category");
        return new ExportRequest(c, f, k, string.IsNullOrWhiteSpace(area) ? null : area.Trim(), d0, d1,
            string.IsNullOrEmpty(category) ? null : category.ToLowerInvariant(), string.IsNullOrEmpty(status) ? null : status);
    }

    private async Task<ItemsQuery> QueryAsync(ExportRequest r, CancellationToken ct)
    {
        Geometry? within = null;
        if (r.AreaCode is not null)
            within = (await areas.GetAsync(r.AreaCode, null, withGeometry: true, ct))?.Area.Geometry
                     ?? throw new ExportRequestException($"Onbekend gebied '{r.AreaCode}'.", "area");
        var hasTime = r.From is not null || r.To is not null;
        DateTimeOffset? from = r.From is { } a ? new DateTimeOffset(a.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
        DateTimeOffset? to = r.To is { } b ? new DateTimeOffset(b.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero) : null;
        var filters = new Dictionary<string, string>();
        if (r.Category is not null) filters["category"] = r.Category;
        var query = new ItemsQuery(null, hasTime, from, to, filters, int.MaxValue, 0) { Within = within };
        return r.Status is null ? query : r.Layer.WithStatus(query, r.Status);
    }

    /// <summary>How many features the export will hold.</summary>
    public async Task<long> CountAsync(ExportRequest r, CancellationToken ct = default)
    {
        var q = await QueryAsync(r, ct);
        if (await data.CountAsync(r.Layer, q, ct) is { } n) return n;
        var count = 0L; // not counted by the data layer: count the features themselves (cells, a few ten thousand at most)
        await foreach (var _ in data.ItemsAsync(r.Layer, q, ct)) count++;
        return count;
    }

    public static string FileName(ExportRequest r) =>
        $"alkmaar-{r.Layer.Id}-{(r.Crs == KnownCrs.RdNew ? "rd" : "wgs84")}.{r.Format switch { ExportFormat.Csv => "csv", ExportFormat.GeoPackage => "gpkg", _ => "geojson" }}";

    public static string ContentType(ExportFormat f) => f switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.GeoPackage => "application/geopackage+sqlite3",
        _ => "application/geo+json",
    };

    /// <summary>Writes the export to <paramref name="output"/>; returns the number of features.</summary>
    public async Task<int> WriteAsync(ExportRequest r, Stream output, CancellationToken ct = default)
    {
        var q = await QueryAsync(r, ct);
        var features = data.ItemsAsync(r.Layer, q, ct);
        return r.Format switch
        {
            ExportFormat.Csv => await WriteCsvAsync(r, features, output, ct),
            ExportFormat.GeoPackage => await WriteGeoPackageAsync(r, features, output, ct),
            _ => await WriteGeoJsonAsync(r, q, features, output, ct),
        };
    }

    private async Task<int> WriteGeoJsonAsync(ExportRequest r, ItemsQuery q, IAsyncEnumerable<OgcFeature> features, Stream output, CancellationToken ct)
    {
        await using var writer = new GeoJsonFeatureCollectionWriter(output, r.Crs);
        writer.WriteStart([new("name", r.Layer.Title), new("attribution", Attribution)]);
        var shown = 0L;
        await foreach (var f in features)
        {
            if (r.Layer.Kind == OgcKind.Cells && f.Properties.FirstOrDefault(p => p.Name == "count").Value is { } n) shown += Convert.ToInt64(n);
            await writer.WriteFeatureAsync(new Feature(f.Geometry, GeoJsonFeatureCollectionWriter.Attributes(f.Id, f.Properties.ToArray())), ct);
        }
        if (r.Layer.Kind == OgcKind.Cells)
        {
            // say what is left out (issue 27: 4,704 of 25,002 meldingen, silently): the cells below the minimum, and why
            // topCategory can be null (no single category reaches the minimum in that cell)
            var all = r.AreaCode is null ? await cells.CountedAsync(new CellFilter { From = q.From, To = q.To, Category = r.Category, Status = r.Status }, ct) : (long?)null;
            var min = meldingen.Value.PublicMinimumCount;
            await writer.WriteEndAsync([new("numberReturned", writer.Count), new("meldingenInCells", shown), new("meldingenInPeriod", all),
                new("minimumCount", min),
                new("note", $"Alleen vakken met ten minste {min} meldingen staan hierin" + (all is { } a ? $": {shown:N0} van de {a:N0} meldingen in deze periode" : "") +
                    $". Zonder topCategory haalt geen enkele categorie in dat vak {min} meldingen; kleine categorieën zijn samengevoegd tot 'overig'. Alleen dagen tot en met gisteren.")], ct);
            return writer.Count;
        }
        await writer.WriteEndAsync([new("numberReturned", writer.Count)], ct);
        return writer.Count;
    }


    private static Geometry InCrs(Geometry rd, KnownCrs crs) => crs == KnownCrs.RdNew ? rd : RdNew.ToWgs84(rd);

    /// <summary>CSV: id, the layer's properties, the CRS and the attribution on every row, and the geometry as WKT last.</summary>
    private async Task<int> WriteCsvAsync(ExportRequest r, IAsyncEnumerable<OgcFeature> features, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        var wkt = new WKTWriter { MaxCoordinatesPerLine = int.MaxValue };
        var count = 0;
        string[]? columns = null;
        await foreach (var f in features)
        {
            if (columns is null)
            {
                columns = f.Properties.Select(p => p.Name).ToArray();
                await writer.WriteLineAsync(string.Join(",", new[] { "id" }.Concat(columns).Concat(["crs", "bron", "wkt"])));
            }
            var sb = new StringBuilder(Features.Csv.Cell(f.Id));
            foreach (var (_, value) in f.Properties) sb.Append(',').Append(Features.Csv.Cell(value));
            sb.Append(',').Append(CrsNames.ShortName(r.Crs)).Append(',').Append(Features.Csv.Cell(Attribution)).Append(',').Append(Features.Csv.Cell(wkt.Write(InCrs(f.Geometry, r.Crs))));
            await writer.WriteLineAsync(sb.ToString());
            if (++count % 500 == 0) await writer.FlushAsync(ct);
        }
        if (columns is null) await writer.WriteLineAsync("id,crs,bron,wkt");
        return count;
    }

    /// <summary>GeoPackage 1.3 (OGC 12-128r18): one feature table with the layer's properties; the attribution in gpkg_contents.</summary>
    private async Task<int> WriteGeoPackageAsync(ExportRequest r, IAsyncEnumerable<OgcFeature> features, Stream output, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kaart-export-{Guid.NewGuid():N}.gpkg");
        var count = 0;
        try
        {
            await using (var conn = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await conn.OpenAsync(ct);
                var srid = CrsNames.Srid(r.Crs);
                var table = r.Layer.Id;
                var geometryType = r.Layer.GeometryType.ToUpperInvariant();
                await Exec(conn, $"""
                    PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
                    CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
                        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
                    INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
                        ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL);
                    CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
                        description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
                    CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
                        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));
                    """, ct);
                await Exec(conn, "INSERT INTO gpkg_spatial_ref_sys VALUES ($name, $id, 'EPSG', $id, $wkt, NULL)", ct, null,
                    ("$name", r.Crs == KnownCrs.RdNew ? "Amersfoort / RD New" : "WGS 84 geodetic"), ("$id", srid),
                    ("$wkt", r.Crs == KnownCrs.RdNew ? RdNew.Wkt : Wgs84Wkt));

                await using var tx = conn.BeginTransaction();
                SqliteCommand? insert = null;
                var writer = new GeoPackageGeoWriter { HandleOrdinates = Ordinates.XY };
                var extent = new Envelope();
                await foreach (var f in features)
                {
                    if (insert is null)
                    {
                        var columns = f.Properties.Select(p => $"\"{p.Name}\" {SqliteType(p.Value)}");
                        await Exec(conn, $"CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometryType}, \"id\" TEXT NOT NULL, {string.Join(", ", columns)})", ct, tx: tx);
                        insert = conn.CreateCommand();
                        insert.Transaction = tx;
                        insert.CommandText = $"INSERT INTO \"{table}\" (geom, \"id\", {string.Join(", ", f.Properties.Select(p => $"\"{p.Name}\""))}) " +
                                             $"VALUES ($g, $id, {string.Join(", ", f.Properties.Select((_, i) => $"$p{i}"))})";
                    }
                    var g = InCrs(f.Geometry, r.Crs);
                    g.SRID = srid;
                    extent.ExpandToInclude(g.EnvelopeInternal);
                    insert.Parameters.Clear();
                    insert.Parameters.AddWithValue("$g", writer.Write(g));
                    insert.Parameters.AddWithValue("$id", f.Id);
                    for (var i = 0; i < f.Properties.Count; i++)
                        insert.Parameters.AddWithValue($"$p{i}", f.Properties[i].Value switch
                        {
                            null => DBNull.Value,
                            IEnumerable<KeyValuePair<string, int>> d => string.Join(";", d.Select(kv => $"{kv.Key}={kv.Value}")),
                            var v => v,
                        });
                    await insert.ExecuteNonQueryAsync(ct);
                    count++;
                }
                if (insert is null) // an empty export still has its (id-only) table
                    await Exec(conn, $"CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometryType}, \"id\" TEXT NOT NULL)", ct, tx: tx);
                await Exec(conn, "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES ($t, 'features', $t, $d, $x0, $y0, $x1, $y1, $s)", ct, tx,
                    ("$t", table), ("$d", $"{r.Layer.Title}. Bron: {Attribution}"),
                    ("$x0", extent.IsNull ? DBNull.Value : extent.MinX), ("$y0", extent.IsNull ? DBNull.Value : extent.MinY),
                    ("$x1", extent.IsNull ? DBNull.Value : extent.MaxX), ("$y1", extent.IsNull ? DBNull.Value : extent.MaxY), ("$s", srid));
                await Exec(conn, "INSERT INTO gpkg_geometry_columns VALUES ($t, 'geom', $type, $s, 0, 0)", ct, tx, ("$t", table), ("$type", geometryType), ("$s", srid));
                insert?.Dispose();
                await tx.CommitAsync(ct);
            }
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            await file.CopyToAsync(output, ct);
        }
        finally
        {
            File.Delete(path);
        }
        return count;
    }

    private const string Wgs84Wkt =
        "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]]," +
        "PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]";

    private static string SqliteType(object? v) => v switch
    {
        int or long => "INTEGER",
        double or float or decimal => "REAL",
        _ => "TEXT",
    };

    private static async Task Exec(SqliteConnection conn, string sql, CancellationToken ct, SqliteTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
