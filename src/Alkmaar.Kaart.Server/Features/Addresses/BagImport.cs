using System.Globalization;
using Alkmaar.Kaart.Geo.Addresses;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Addresses;

/// <summary>What a BAG import did: read, kept (in the gemeente and its margin, in use), and what changed against the set before.</summary>
public sealed record BagImportReport(int Read, int Kept, int SkippedStatus, int SkippedOutside, int Added, int Removed, int Changed, int DemoRemoved)
{
    public string Dutch =>
        $"{Read:N0} adressen gelezen, {Kept:N0} geladen (in de gemeente en {BagImport.MarginM} m daaromheen); {SkippedStatus:N0} overgeslagen " +
        $"(ingetrokken, niet gerealiseerd of nog niet gebouwd), {SkippedOutside:N0} buiten de gemeente. Veranderd: {Added:N0} nieuw, {Removed:N0} " +
        $"verdwenen, {Changed:N0} gewijzigd" + (DemoRemoved > 0 ? $"; {DemoRemoved:N0} DEMO-adressen vervangen." : ".");
}

/// <summary>
/// Real addresses from the official source (issue 34, part 2): the BAG GeoPackage as Kadaster/PDOK publish it
/// (<c>bag-light.gpkg</c>, layers <c>verblijfsobject</c> — points — and <c>ligplaats</c> and <c>standplaats</c> —
/// polygons, each with the hoofdadres flattened onto it: <c>nummeraanduiding_hoofdadres_identificatie</c>,
/// <c>openbare_ruimte_naam</c>, <c>huisnummer</c>, <c>huisletter</c>, <c>toevoeging</c>, <c>postcode</c>,
/// <c>woonplaats_naam</c>, <c>status</c>; RD New). Read with SQLite (the layer's R-tree narrows a national file to the
/// gemeente's box), filtered to the gemeente and a margin of <see cref="MarginM"/> m and to objects that exist; then the
/// whole address set is replaced in one transaction (the DEMO set with it) and the change reported. A ligplaats or
/// standplaats gets a point on its surface.
/// </summary>
public sealed class BagImport(NpgsqlDataSource db, ILogger<BagImport> logger)
{
    public const int MarginM = 250;
    private static readonly string[] Layers = ["verblijfsobject", "ligplaats", "standplaats"];
    // objects that are not (or not yet, or no longer) there: no address to route to
    private static readonly string[] GoneStatuses = ["ingetrokken", "ten onrechte opgevoerd", "niet gerealiseerd", "gevormd"];

    public async Task<BagImportReport> ImportAsync(string gpkgPath, CancellationToken ct = default)
    {
        if (!File.Exists(gpkgPath)) throw new FileNotFoundException($"BAG GeoPackage not found: {gpkgPath}");
        Envelope box;
        await using (var cmd = db.CreateCommand("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Expand(ST_Extent(geom), $1) e FROM area_in_force WHERE level = 'gemeente') s"))
        {
            cmd.Parameters.AddWithValue((double)MarginM);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct) || r.IsDBNull(0)) throw new InvalidOperationException("Load the boundaries first: the BAG is filtered to the gemeente.");
            box = new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3));
        }

        var rows = new List<AddressRecord>();
        int read = 0, skippedStatus = 0;
        await using (var gpkg = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = gpkgPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            await gpkg.OpenAsync(ct);
            var reader = new GeoPackageGeoReader();
            var found = 0;
            foreach (var layer in Layers)
            {
                if (!await ExistsAsync(gpkg, layer, ct)) continue;
                found++;
                var geomColumn = await GeometryColumnAsync(gpkg, layer, ct);
                var rtree = $"rtree_{layer}_{geomColumn}";
                await using var cmd = gpkg.CreateCommand();
                cmd.CommandText = await ExistsAsync(gpkg, rtree, ct)
                    ? $"""
                      SELECT v."{geomColumn}", v.nummeraanduiding_hoofdadres_identificatie, v.openbare_ruimte_naam, v.huisnummer, v.huisletter,
                             v.toevoeging, v.postcode, v.woonplaats_naam, v.status
                      FROM "{layer}" v JOIN "{rtree}" r ON r.id = v.fid
                      WHERE r.maxx >= $minx AND r.minx <= $maxx AND r.maxy >= $miny AND r.miny <= $maxy
                      """
                    : $"""
                      SELECT "{geomColumn}", nummeraanduiding_hoofdadres_identificatie, openbare_ruimte_naam, huisnummer, huisletter,
                             toevoeging, postcode, woonplaats_naam, status FROM "{layer}"
                      """;
                cmd.Parameters.AddWithValue("$minx", box.MinX);
                cmd.Parameters.AddWithValue("$maxx", box.MaxX);
                cmd.Parameters.AddWithValue("$miny", box.MinY);
                cmd.Parameters.AddWithValue("$maxy", box.MaxY);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    read++;
                    if (r.IsDBNull(0) || r.IsDBNull(1) || r.IsDBNull(3) || r.IsDBNull(6)) { skippedStatus++; continue; }
                    var status = r.IsDBNull(8) ? "" : r.GetString(8).ToLowerInvariant();
                    if (GoneStatuses.Any(status.Contains)) { skippedStatus++; continue; }
                    var g = reader.Read((byte[])r.GetValue(0));
                    var p = g is Point pt ? pt : g.InteriorPoint;
                    if (!box.Contains(p.X, p.Y)) continue;
                    var postcode = AddressStore.NormalisePostcode(r.GetString(6));
                    if (postcode is null) { skippedStatus++; continue; }
                    var toevoeging = AddressStore.NormaliseToevoeging((r.IsDBNull(4) ? "" : r.GetString(4)) + (r.IsDBNull(5) ? "" : r.GetString(5)));
                    rows.Add(new AddressRecord(r.GetString(1), postcode, Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture), toevoeging,
                        r.IsDBNull(2) ? "" : r.GetString(2), r.IsDBNull(7) ? "" : r.GetString(7), p.X, p.Y, false));
                }
            }
            if (found == 0) throw new FormatException("This is not the BAG GeoPackage: it has no layer verblijfsobject, ligplaats or standplaats.");
        }
        var report = await ReplaceAsync(rows, read, skippedStatus, ct);
        logger.LogInformation("BAG import: {Report}", report.Dutch);
        return report;
    }

    private static async Task<bool> ExistsAsync(SqliteConnection c, string table, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = $n";
        cmd.Parameters.AddWithValue("$n", table);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
    }

    private static async Task<string> GeometryColumnAsync(SqliteConnection c, string table, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = $t";
        cmd.Parameters.AddWithValue("$t", table);
        return await cmd.ExecuteScalarAsync(ct) as string ?? "geom";
    }

    /// <summary>The whole address set replaced in one transaction (DEMO included), with what changed against the one before.</summary>
    private async Task<BagImportReport> ReplaceAsync(List<AddressRecord> rows, int read, int skippedStatus, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var tmp = new NpgsqlCommand(
            "CREATE TEMP TABLE address_in (bag_id text, postcode text, huisnummer integer, toevoeging text, straat text, woonplaats text, geom geometry(Point, 28992), demo boolean) ON COMMIT DROP", conn, tx))
            await tmp.ExecuteNonQueryAsync(ct);
        await AddressStore.CopyAsync(conn, rows, ct, "address_in");
        int outside;
        await using (var clip = new NpgsqlCommand(
            "DELETE FROM address_in i WHERE NOT EXISTS (SELECT 1 FROM area_in_force g WHERE g.level = 'gemeente' AND ST_DWithin(g.geom, i.geom, $1))", conn, tx))
        {
            clip.Parameters.AddWithValue((double)MarginM);
            outside = await clip.ExecuteNonQueryAsync(ct);
        }
        int added, removed, changed, demo;
        await using (var diff = new NpgsqlCommand(
            """
            SELECT (SELECT count(DISTINCT i.bag_id) FROM address_in i WHERE NOT EXISTS (SELECT 1 FROM address a WHERE a.bag_id = i.bag_id AND NOT a.demo)),
                   (SELECT count(*) FROM address a WHERE NOT a.demo AND NOT EXISTS (SELECT 1 FROM address_in i WHERE i.bag_id = a.bag_id)),
                   (SELECT count(*) FROM address a JOIN (SELECT DISTINCT ON (bag_id) * FROM address_in ORDER BY bag_id) i USING (bag_id)
                    WHERE NOT a.demo AND ((a.postcode, a.huisnummer, a.toevoeging, a.straat, a.woonplaats) IS DISTINCT FROM (i.postcode, i.huisnummer, i.toevoeging, i.straat, i.woonplaats)
                          OR NOT ST_Equals(a.geom, i.geom))),
                   (SELECT count(*) FROM address WHERE demo)
            """, conn, tx))
        await using (var r = await diff.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (added, removed, changed, demo) = ((int)r.GetInt64(0), (int)r.GetInt64(1), (int)r.GetInt64(2), (int)r.GetInt64(3));
        }
        await using (var swap = new NpgsqlCommand(
            """
            DELETE FROM address;
            INSERT INTO address (bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom, demo)
            SELECT DISTINCT ON (bag_id) bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom, false FROM address_in ORDER BY bag_id
            ON CONFLICT DO NOTHING
            """, conn, tx))
            await swap.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        await Database.KaartDatabase.ReadyAfterImportAsync(db, ["address"], logger, ct);
        await using var count = db.CreateCommand("SELECT count(*) FROM address");
        var kept = (int)(long)(await count.ExecuteScalarAsync(ct))!;
        return new BagImportReport(read, kept, skippedStatus, outside, added, removed, changed, demo);
    }
}
