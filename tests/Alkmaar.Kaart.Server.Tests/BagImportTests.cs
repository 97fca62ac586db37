using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.Zoeken;
using Alkmaar.Kaart.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The BAG import (issue 34, part 2) on a small GeoPackage in the official schema of PDOK's bag-light.gpkg (layers
/// verblijfsobject — points — and ligplaats — polygons — with the hoofdadres flattened onto each row, an R-tree per layer,
/// RD New): it loads what lies in the gemeente and is in use, replaces the DEMO set, a second import reports what was
/// added, removed and changed, and search finds the real street.
/// </summary>
public class BagImportTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private sealed record Vbo(string Id, string Straat, int Nr, string? Letter, string Postcode, string Status, Geometry Geom);

    private static void WriteGpkg(string path, IReadOnlyList<Vbo> vbos, IReadOnlyList<Vbo> ligplaatsen)
    {
        if (File.Exists(path)) File.Delete(path);
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        void Exec(string sql) { using var cmd = c.CreateCommand(); cmd.CommandText = sql; cmd.ExecuteNonQuery(); }
        Exec("PRAGMA application_id = 1196444487"); // 'GPKG'
        Exec("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)");
        Exec("INSERT INTO gpkg_spatial_ref_sys VALUES ('Amersfoort / RD New', 28992, 'EPSG', 28992, 'PROJCS[\"Amersfoort / RD New\"]', NULL)");
        Exec("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)");
        Exec("CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)");
        var writer = new GeoPackageGeoWriter();
        foreach (var (layer, rows, type) in new[] { ("verblijfsobject", vbos, "POINT"), ("ligplaats", ligplaatsen, "POLYGON") })
        {
            Exec($"""
                 CREATE TABLE {layer} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {type}, identificatie TEXT, status TEXT, gebruiksdoel TEXT,
                   openbare_ruimte_naam TEXT, huisnummer INTEGER, huisletter TEXT, toevoeging TEXT, postcode TEXT, woonplaats_naam TEXT,
                   nummeraanduiding_hoofdadres_identificatie TEXT, openbare_ruimte_identificatie TEXT, woonplaats_identificatie TEXT, bronhouder_identificatie TEXT)
                 """);
            Exec($"INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('{layer}', 'features', '{layer}', 28992)");
            Exec($"INSERT INTO gpkg_geometry_columns VALUES ('{layer}', 'geom', '{type}', 28992, 0, 0)");
            Exec($"CREATE VIRTUAL TABLE rtree_{layer}_geom USING rtree(id, minx, maxx, miny, maxy)");
            foreach (var v in rows)
            {
                v.Geom.SRID = 28992;
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"""
                    INSERT INTO {layer} (geom, identificatie, status, gebruiksdoel, openbare_ruimte_naam, huisnummer, huisletter, toevoeging, postcode,
                      woonplaats_naam, nummeraanduiding_hoofdadres_identificatie, bronhouder_identificatie)
                    VALUES ($g, $id, $status, 'woonfunctie', $straat, $nr, $letter, NULL, $pc, 'Alkmaar', $na, '0361') RETURNING fid
                    """;
                cmd.Parameters.AddWithValue("$g", writer.Write(v.Geom));
                cmd.Parameters.AddWithValue("$id", "0361010000" + v.Id);
                cmd.Parameters.AddWithValue("$status", v.Status);
                cmd.Parameters.AddWithValue("$straat", v.Straat);
                cmd.Parameters.AddWithValue("$nr", v.Nr);
                cmd.Parameters.AddWithValue("$letter", (object?)v.Letter ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$pc", v.Postcode);
                cmd.Parameters.AddWithValue("$na", "0361200000" + v.Id);
                var fid = (long)cmd.ExecuteScalar()!;
                var e = v.Geom.EnvelopeInternal;
                Exec(FormattableString.Invariant($"INSERT INTO rtree_{layer}_geom VALUES ({fid}, {e.MinX}, {e.MaxX}, {e.MinY}, {e.MaxY})"));
            }
        }
    }

    [Fact]
    public async Task The_official_geopackage_loads_the_gemeentes_addresses_in_use_replaces_the_demo_set_and_a_second_import_reports_changes()
    {
        await TestData.EnsureDemoAddressesAsync(fx.Factory.Services);
        await using var db = fx.Database.CreateDataSource();
        var (x1, y1) = await TestData.InsideAsync(db, "BU03610600");
        var (x2, y2) = await TestData.InsideAsync(db, "BU03610100");
        var gf = new GeometryFactory(new PrecisionModel(), 28992);
        Point P(double x, double y) => gf.CreatePoint(new Coordinate(x, y));
        var vbos = new List<Vbo>
        {
            new("000001", "Drevelstraat", 12, null, "1824AB", "Verblijfsobject in gebruik", P(x1, y1)),
            new("000002", "Drevelstraat", 12, "A", "1824AB", "Verblijfsobject in gebruik", P(x1 + 5, y1)),
            new("000003", "Drevelstraat", 14, null, "1824AB", "Verblijfsobject in gebruik (niet ingemeten)", P(x1 + 10, y1)),
            new("000004", "Kanaalkade", 1, null, "1811AA", "Verblijfsobject in gebruik", P(x2, y2)),
            new("000005", "Kanaalkade", 3, null, "1811AA", "Verblijfsobject ingetrokken", P(x2 + 5, y2)),
            new("000006", "Damrak", 1, null, "1012LG", "Verblijfsobject in gebruik", P(121500, 487500)), // Amsterdam: outside
        };
        var ligplaats = new List<Vbo>
        {
            new("000007", "Kanaalkade", 101, null, "1811AB", "Plaats aangewezen", gf.CreatePolygon([new(x2, y2 + 20), new(x2 + 20, y2 + 20), new(x2 + 20, y2 + 28), new(x2, y2 + 28), new(x2, y2 + 20)])),
        };
        var path = Path.Combine(Path.GetTempPath(), $"bag-fixture-{Guid.NewGuid():N}.gpkg");
        WriteGpkg(path, vbos, ligplaats);
        var bag = fx.Factory.Services.GetRequiredService<BagImport>();
        var store = fx.Factory.Services.GetRequiredService<AddressStore>();
        var demoBefore = await store.CountAsync(demo: true);
        Assert.True(demoBefore > 0);

        var first = await bag.ImportAsync(path);
        Assert.Equal((5, 1, 0, 0, 0, (int)demoBefore), (first.Kept, first.SkippedStatus, first.Removed, first.Changed, first.Added - 5, first.DemoRemoved));
        Assert.Equal(0, await store.CountAsync(demo: true)); // the DEMO set is gone with a real one
        Assert.Equal(5, await store.CountAsync());
        var found = await store.FindAsync("1824AB", 12, "A");
        Assert.Equal(("0361200000000002", "Drevelstraat"), (found!.BagId, found.Straat));
        var boat = await store.FindAsync("1811AB", 101, null);
        Assert.NotNull(boat); // a ligplaats: a point on its surface
        Assert.InRange(boat!.Y, y2 + 20, y2 + 28);

        // a month later: one moved to another postcode, one gone, one new
        vbos[2] = vbos[2] with { Postcode = "1824AC" };
        vbos.RemoveAt(3);
        vbos.Add(new("000008", "Drevelstraat", 16, null, "1824AB", "Verblijfsobject in gebruik", P(x1 + 15, y1)));
        WriteGpkg(path, vbos, ligplaats);
        var second = await bag.ImportAsync(path);
        Assert.Equal((5, 1, 1, 1, 0), (second.Kept, second.Added, second.Removed, second.Changed, second.DemoRemoved));
        Assert.Null(await store.FindAsync("1811AA", 1, null));

        // search by the real street, with a typing error
        var index = fx.Factory.Services.GetRequiredService<ZoekIndex>();
        await index.RebuildAsync();
        var hit = (await index.SearchAsync("drevelstrat 14")).First();
        Assert.Equal(("adres", "Drevelstraat 14", "1824AC"), (hit.Kind, hit.Label, hit.Postcode));
        Assert.NotNull(hit.Gebiedsteam);
        Assert.Equal("Drevelstraat", (await index.SearchAsync("Drevelstraat")).First().Label);
        File.Delete(path);

        await Assert.ThrowsAsync<FileNotFoundException>(() => bag.ImportAsync(path));
    }
}
