using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Geo.Addresses;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Areas;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using Sylvan.Data.Csv;

namespace Alkmaar.Kaart.Server.Features.Addresses;

/// <summary>One row of an address import that was refused, and why.</summary>
public sealed record AddressRowError(int Row, string Error);

public sealed record AddressImportReport(int Imported, IReadOnlyList<AddressRowError> Rejected);

/// <summary>A PC6's addresses counted per buurt.</summary>
public sealed record Pc6Summary(string Postcode, int Addresses, bool Demo, IReadOnlyList<(string Buurt, string Wijk, string Gebied, int Count)> Areas)
{
    public bool SpansSeveralAreas => Areas.Count > 1;
}

/// <summary>A PC4's overlap with an area: the share of the PC4's surface inside it.</summary>
public sealed record Pc4Share(string Level, string Code, string Name, double Share, double AreaKm2);

/// <summary>
/// Addresses (table <c>address</c>) and PC4 areas (table <c>postcode4</c>): importers and lookups. Addresses are public
/// BAG data, not personal data.
/// </summary>
public sealed partial class AddressStore(NpgsqlDataSource db, AreaRepository areas, ILogger<AddressStore> logger)
{
    /// <summary>The columns of a BAG-style CSV extract (header required, comma-separated, UTF-8; x/y in RD New metres).</summary>
    public static readonly string[] CsvColumns = ["nummeraanduiding", "postcode", "huisnummer", "huisletter", "toevoeging", "straat", "woonplaats", "x", "y"];

    /// <summary>Imports a BAG-style CSV: valid rows are upserted by nummeraanduiding in one transaction; invalid rows are reported and skipped.</summary>
    public async Task<AddressImportReport> ImportCsvAsync(Stream csvStream, CancellationToken ct = default)
    {
        var (csv, header) = await CsvUpload.OpenAsync(csvStream, ct);
        await using var _ = csv;
        var missing = CsvColumns.Except(["huisletter", "toevoeging"]).Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new FormatException($"The address CSV lacks column(s) {string.Join(", ", missing)}; expected {string.Join(",", CsvColumns)}.");
        var rows = new List<AddressRecord>();
        var rejected = new List<AddressRowError>();
        var n = 1;
        while (await csv.ReadAsync(ct))
        {
            n++;
            string Cell(string name) => Array.IndexOf(header, name) is var i and >= 0 && i < csv.RowFieldCount ? csv.GetString(i).Trim() : "";
            var error = Parse(Cell, out var record);
            if (error is null) rows.Add(record!);
            else rejected.Add(new AddressRowError(n, error));
        }
        await UpsertAsync(rows, ct);
        await Database.KaartDatabase.ReadyAfterImportAsync(db, ["address"], logger, ct);
        return new AddressImportReport(rows.Count, rejected);
    }

    private static string? Parse(Func<string, string> cell, out AddressRecord? record)
    {
        record = null;
        var id = cell("nummeraanduiding");
        if (!BagIdPattern().IsMatch(id)) return $"nummeraanduiding '{Short(id)}' is geen BAG-id van 16 cijfers";
        var postcode = NormalisePostcode(cell("postcode"));
        if (postcode is null) return $"postcode '{Short(cell("postcode"))}' is geen Nederlandse postcode (1234AB)";
        if (!int.TryParse(cell("huisnummer"), NumberStyles.None, CultureInfo.InvariantCulture, out var nr) || nr is < 1 or > 99999)
            return $"huisnummer '{Short(cell("huisnummer"))}' is geen getal van 1 tot 99999";
        var toevoeging = NormaliseToevoeging(cell("huisletter") + cell("toevoeging"));
        if (toevoeging.Length > 10) return "huisletter + toevoeging is langer dan 10 tekens";
        if (cell("straat").Length is 0 or > 200 || cell("woonplaats").Length is 0 or > 100) return "straat en woonplaats zijn verplicht (ten hoogste 200 en 100 tekens)";
        if (!double.TryParse(cell("x"), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ||
            !double.TryParse(cell("y"), NumberStyles.Float, CultureInfo.InvariantCulture, out var y) || !RdNew.ValidRange.Contains(x, y))
            return "x en y zijn RD New-coördinaten (meters) binnen het RD-bereik";
        record = new AddressRecord(id, postcode, nr, toevoeging, cell("straat"), cell("woonplaats"), x, y, false);
        return null;
    }

    /// <summary>Replaces the demo set (if any) by a freshly generated one; refuses when real addresses are loaded.</summary>
    public async Task<int> GenerateDemoAsync(CancellationToken ct = default)
    {
        if (await CountAsync(demo: false, ct) > 0) throw new InvalidOperationException("Real addresses are loaded; no demo set is generated next to them.");
        var buurten = new List<Area>();
        var dorpen = new List<Area>();
        await foreach (var a in areas.ListAsync(AreaLevel.Buurt, withGeometry: true, ct)) buurten.Add(new Area(a.Level, a.Code, a.Name, a.ParentCode, (MultiPolygon)a.Geometry!));
        await foreach (var a in areas.ListAsync(AreaLevel.Dorp, withGeometry: true, ct)) dorpen.Add(new Area(a.Level, a.Code, a.Name, a.ParentCode, (MultiPolygon)a.Geometry!));
        var pc4 = new List<Pc4Area>();
        await using (var cmd = db.CreateCommand("SELECT postcode, geom FROM postcode4"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) pc4.Add(new Pc4Area(r.GetString(0), (Geometry)r.GetValue(1)));
        if (buurten.Count == 0 || pc4.Count == 0) throw new InvalidOperationException("Load the boundaries and the PC4 areas before generating demo addresses.");
        // as many addresses per buurt as households (CBS inwoners per buurt, when loaded)
        var inwoners = new Dictionary<string, double>();
        await using (var cmd = db.CreateCommand("SELECT buurt_code, inwoners FROM population"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) inwoners[r.GetString(0)] = r.GetDouble(1);
        var set = DemoAddressGenerator.Generate(buurten, dorpen, pc4, inwoners: inwoners.Count > 0 ? inwoners : null);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM address WHERE demo", conn, tx)) await del.ExecuteNonQueryAsync(ct);
        await CopyAsync(conn, set, ct);
        await tx.CommitAsync(ct);
        await Database.KaartDatabase.ReadyAfterImportAsync(db, ["address"], logger, ct);
        return set.Count;
    }

    private async Task UpsertAsync(IReadOnlyList<AddressRecord> rows, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var tmp = new NpgsqlCommand("CREATE TEMP TABLE address_in (bag_id text, postcode text, huisnummer integer, toevoeging text, straat text, woonplaats text, geom geometry(Point, 28992), demo boolean) ON COMMIT DROP", conn, tx))
            await tmp.ExecuteNonQueryAsync(ct);
        await CopyAsync(conn, rows, ct, "address_in");
        await using (var up = new NpgsqlCommand(
            """
            DELETE FROM address WHERE demo;
            INSERT INTO address (bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom, demo)
            SELECT DISTINCT ON (bag_id) bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom, false FROM address_in ORDER BY bag_id
            ON CONFLICT (bag_id) DO UPDATE SET postcode = EXCLUDED.postcode, huisnummer = EXCLUDED.huisnummer, toevoeging = EXCLUDED.toevoeging,
              straat = EXCLUDED.straat, woonplaats = EXCLUDED.woonplaats, geom = EXCLUDED.geom
            """, conn, tx))
            await up.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    internal static async Task CopyAsync(NpgsqlConnection conn, IReadOnlyList<AddressRecord> rows, CancellationToken ct, string table = "address")
    {
        await using var copy = await conn.BeginBinaryImportAsync(
            $"COPY {table} (bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom, demo) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var a in rows)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(a.BagId, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(a.Postcode, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(a.Huisnummer, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(a.Toevoeging, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(a.Straat, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(a.Woonplaats, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(new Point(a.X, a.Y) { SRID = RdNew.Srid }, NpgsqlDbType.Geometry, ct);
            await copy.WriteAsync(a.Demo, NpgsqlDbType.Boolean, ct);
        }
        await copy.CompleteAsync(ct);
    }

    /// <summary>Imports the CBS PC4 polygons (property <c>postcode</c>), replacing what was there.</summary>
    public async Task<int> ImportPostcode4Async(string path, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        var fc = GeoJsonFeatureReader.Read(stream);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM postcode4", conn, tx)) await del.ExecuteNonQueryAsync(ct);
        var count = 0;
        foreach (var f in fc.Features)
        {
            var code = BuurtFileReader.First(f.Attributes, ["postcode", "pc4", "statcode"]);
            if (code is null || f.Geometry is null) continue;
            await using var ins = new NpgsqlCommand("INSERT INTO postcode4 (postcode, geom, source) VALUES ($1, ST_Multi(ST_MakeValid($2)), $3)", conn, tx);
            ins.Parameters.Add(new NpgsqlParameter { Value = code });
            ins.Parameters.Add(new NpgsqlParameter { Value = f.Geometry });
            ins.Parameters.Add(new NpgsqlParameter { Value = Path.GetFileName(path) });
            await ins.ExecuteNonQueryAsync(ct);
            count++;
        }
        await tx.CommitAsync(ct);
        return count;
    }

    public async Task<long> CountAsync(bool? demo = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM address WHERE $1::boolean IS NULL OR demo = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)demo ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Boolean });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<bool> HasPostcode4Async(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM postcode4)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    // ------------------------------------------------------------------------------------------------ lookups
    public async Task<AddressRecord?> FindAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, ST_X(geom), ST_Y(geom), demo FROM address WHERE postcode = $1 AND huisnummer = $2 AND toevoeging = $3");
        cmd.Parameters.Add(new NpgsqlParameter { Value = postcode });
        cmd.Parameters.Add(new NpgsqlParameter { Value = huisnummer });
        cmd.Parameters.Add(new NpgsqlParameter { Value = NormaliseToevoeging(toevoeging) });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new AddressRecord(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetDouble(6), r.GetDouble(7), r.GetBoolean(8))
            : null;
    }

    /// <summary>The toevoegingen known for a postcode and huisnummer (to help a resident who left it out).</summary>
    public async Task<List<string>> ToevoegingenAsync(string postcode, int huisnummer, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT toevoeging FROM address WHERE postcode = $1 AND huisnummer = $2 ORDER BY toevoeging");
        cmd.Parameters.Add(new NpgsqlParameter { Value = postcode });
        cmd.Parameters.Add(new NpgsqlParameter { Value = huisnummer });
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>A PC6's addresses counted per buurt (with wijk and gebied), PostGIS point-in-polygon on the areas in force.</summary>
    public async Task<Pc6Summary?> Pc6Async(string postcode, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT b.code, w.code, g.code, count(*)::int, bool_or(a.demo)
            FROM address a
            JOIN area_in_force b ON b.level = 'buurt' AND ST_Covers(b.geom, a.geom)
            JOIN area_in_force w ON w.level = 'wijk' AND w.code = b.parent_code
            JOIN area_in_force g ON g.level = 'gebied' AND g.code = w.parent_code
            WHERE a.postcode = $1
            GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = postcode });
        var list = new List<(string, string, string, int)>();
        var demo = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3)));
            demo |= r.GetBoolean(4);
        }
        return list.Count == 0 ? null : new Pc6Summary(postcode, list.Sum(l => l.Item4), demo, list);
    }

    /// <summary>Every buurt, wijk and gebied a PC4 overlaps, with the share of the PC4's surface inside it (largest first).</summary>
    public async Task<List<Pc4Share>?> Pc4Async(string postcode, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT a.level, a.code, a.name, ST_Area(ST_Intersection(a.geom, p.geom)) / ST_Area(p.geom), ST_Area(p.geom) / 1e6
            FROM postcode4 p JOIN area_in_force a ON a.level IN ('buurt', 'wijk', 'gebied') AND ST_Intersects(a.geom, p.geom)
            WHERE p.postcode = $1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = postcode });
        var list = new List<Pc4Share>();
        var exists = false;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            exists = true;
            var share = r.GetDouble(3);
            if (share >= 0.0005) list.Add(new Pc4Share(r.GetString(0), r.GetString(1), r.GetString(2), Math.Round(share, 4), Math.Round(r.GetDouble(4), 3)));
        }
        if (!exists && !await Pc4ExistsAsync(postcode, ct)) return null;
        return [.. list.OrderBy(s => s.Level switch { "gebied" => 0, "wijk" => 1, _ => 2 }).ThenByDescending(s => s.Share)];
    }

    private async Task<bool> Pc4ExistsAsync(string postcode, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM postcode4 WHERE postcode = $1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = postcode });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>"1811 ab" → "1811AB"; null when not a Dutch postcode.</summary>
    public static string? NormalisePostcode(string? s)
    {
        var p = (s ?? "").Replace(" ", "").ToUpperInvariant();
        return Pc6Pattern().IsMatch(p) ? p : null;
    }

    public static string NormaliseToevoeging(string? s) => new string((s ?? "").Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();

    private static string Short(string s) => s.Length > 30 ? s[..30] + "…" : s;

    [GeneratedRegex("^[0-9]{16}$")] private static partial Regex BagIdPattern();
    [GeneratedRegex("^[1-9][0-9]{3}[A-Z]{2}$")] private static partial Regex Pc6Pattern();
}
