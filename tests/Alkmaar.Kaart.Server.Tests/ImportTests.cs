using System.Text.Json.Nodes;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Server.Features.Import;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The boundary import against a real PostGIS, which is also the oracle for the derived geometry.</summary>
public class ImportTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private KaartAppFactory _app = null!;
    private NpgsqlDataSource _ds = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _app = new KaartAppFactory(_db);
        _ = _app.Services; // builds the app: migrations run
        _ds = _db.CreateDataSource();
    }

    public async Task DisposeAsync()
    {
        await _ds.DisposeAsync();
        await _app.DisposeAsync();
        await _db.DisposeAsync();
    }

    private BoundaryImporter Importer => _app.Services.GetRequiredService<BoundaryImporter>();

    private async Task<T> Scalar<T>(string sql)
    {
        await using var cmd = _ds.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<Dictionary<string, long>> CountsInForce()
    {
        var counts = new Dictionary<string, long>();
        await using var cmd = _ds.CreateCommand("SELECT level, count(*) FROM area WHERE valid_to IS NULL GROUP BY level");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) counts[r.GetString(0)] = r.GetInt64(1);
        return counts;
    }

    [Fact]
    public async Task A_server_started_on_an_empty_database_loads_the_full_resolution_boundaries()
    {
        // Issue 28: appsettings.json named the generalised CBS layer, the options class the full-resolution file; a server
        // started without ./kaart had no boundaries at all
        await using var db = await TestDatabase.CreateAsync();
        await using var app = new KaartAppFactory(db)
        {
            Settings = [new("Boundaries:LoadOnEmptyDatabase", "true")], // (the file: the shared data's full-resolution one)
        };
        var buurten = System.Text.Json.JsonDocument.Parse(await app.CreateClient().GetStringAsync("/api/areas?level=buurt")).RootElement.GetProperty("features");
        Assert.Equal(66, buurten.GetArrayLength());
        await using var ds = db.CreateDataSource();
        await using var cmd = ds.CreateCommand("SELECT source, source_sha256 FROM boundary_version");
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal("alkmaar_buurten.geojson", r.GetString(0));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(TestPaths.FullRes("alkmaar_buurten.geojson")))), r.GetString(1));
        // the default is written once: appsettings.json does not name another boundary file
        var settings = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "src/Alkmaar.Kaart.Server/appsettings.json"));
        Assert.DoesNotContain("BuurtenFile", settings);
        Assert.EndsWith("gemeente-alkmaar-2025/alkmaar_buurten.geojson", new BoundaryOptions().BuurtenFile);
    }

    [Fact]
    public async Task Importing_the_real_buurten_stores_every_level_with_its_hierarchy()
    {
        var result = await Importer.ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        Assert.False(result.Unchanged);
        Assert.Equal(new DateOnly(2024, 1, 1), result.ValidFrom);

        var counts = await CountsInForce();
        Assert.Equal(1, counts["gemeente"]);
        Assert.Equal(5, counts["gebied"]);
        Assert.Equal(11, counts["wijk"]);
        Assert.Equal(66, counts["buurt"]);
        Assert.Equal(14, counts["dorp"]);

        // every buurt's parent is a wijk, every wijk's a gebied, every gebied's the gemeente
        Assert.Equal(0L, await Scalar<long>(
            """
            SELECT count(*) FROM area c
            WHERE c.valid_to IS NULL AND c.level <> 'gemeente' AND NOT EXISTS (
              SELECT 1 FROM area p WHERE p.valid_to IS NULL AND p.code = c.parent_code AND p.level =
                CASE c.level WHEN 'buurt' THEN 'wijk' WHEN 'dorp' THEN 'wijk' WHEN 'wijk' THEN 'gebied' WHEN 'gebied' THEN 'gemeente' END)
            """));
        Assert.Equal("GB0361-noord", await Scalar<string>("SELECT parent_code FROM area WHERE level = 'wijk' AND code = 'WK036106'"));
        Assert.Equal(5L, await Scalar<long>("SELECT count(*) FROM gebiedsteam"));
        Assert.True(await Scalar<bool>("SELECT bool_and(ST_IsValid(geom)) FROM area"));
    }

    [Fact]
    public async Task Derived_areas_equal_the_sum_of_their_buurten_and_the_PostGIS_union_within_one_square_metre()
    {
        await Importer.ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        // PostGIS is the oracle: its own area sums and its own union of the buurten.
        var worst = await Scalar<double>(
            """
            WITH parents AS (
              SELECT p.code, p.geom,
                (SELECT array_agg(b.geom) FROM area b WHERE b.valid_to IS NULL AND b.level = 'buurt' AND
                   (p.level = 'gemeente'
                    OR (p.level = 'wijk' AND b.parent_code = p.code)
                    OR (p.level = 'gebied' AND b.parent_code IN (SELECT w.code FROM area w WHERE w.level = 'wijk' AND w.parent_code = p.code)))) AS parts
              FROM area p WHERE p.valid_to IS NULL AND p.level IN ('gemeente', 'gebied', 'wijk'))
            SELECT max(greatest(
                     abs(ST_Area(geom) - (SELECT sum(ST_Area(g)) FROM unnest(parts) g)),
                     ST_Area(ST_SymDifference(geom, (SELECT ST_Union(g) FROM unnest(parts) g)))))
            FROM parents
            """);
        Assert.True(worst <= 1.0, $"worst difference {worst} m²");
        var km2 = await Scalar<double>("SELECT ST_Area(geom) / 1e6 FROM area WHERE level = 'gemeente'");
        Assert.InRange(km2, 117.0, 118.0);
    }

    [Fact]
    public async Task Re_importing_is_safe_the_same_file_is_a_no_op_and_the_same_year_in_WGS84_replaces_without_duplicates_keeping_the_old_version_row()
    {
        var first = await Importer.ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        var again = await Importer.ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        Assert.True(again.Unchanged);
        Assert.Equal(first.VersionId, again.VersionId);
        Assert.Equal(97L, await Scalar<long>("SELECT count(*) FROM area"));

        var wgs = await Importer.ImportAsync(TestPaths.Cbs("wgs84/alkmaar_buurten_2024.geojson"));
        Assert.False(wgs.Unchanged);
        Assert.Equal(Geo.Transforms.KnownCrs.Wgs84, wgs.SourceCrs);
        Assert.Equal(97L, await Scalar<long>("SELECT count(*) FROM area"));
        // The replaced version keeps its row (meldingen may carry its id) but has no areas left, and says it was replaced.
        Assert.Equal(0L, await Scalar<long>($"SELECT count(*) FROM area WHERE version_id = {first.VersionId}"));
        Assert.Equal(97L, await Scalar<long>($"SELECT count(*) FROM area WHERE version_id = {wgs.VersionId}"));
        Assert.StartsWith("vervangen", await Scalar<string>($"SELECT note FROM boundary_version WHERE id = {first.VersionId}"));
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM (SELECT level, code FROM area GROUP BY 1, 2 HAVING count(*) > 1) d"));
    }

    [Fact]
    public async Task A_broken_file_is_rejected_naming_the_offending_buurten_and_nothing_is_written()
    {
        // Move one vertex of Kooimeer 300 m into its neighbour: an overlap.
        var json = JsonNode.Parse(await File.ReadAllTextAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson")))!;
        var kooimeer = json["features"]!.AsArray().First(f => (string?)f!["properties"]!["statcode"] == "BU03610100")!;
        var ring = kooimeer["geometry"]!["coordinates"]![0]!.AsArray();
        ring[1] = new JsonArray(111086 + 300, 515042 + 300);
        var path = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.geojson");
        await File.WriteAllTextAsync(path, json.ToJsonString());
        try
        {
            var e = await Assert.ThrowsAsync<BoundaryValidationException>(() => Importer.ImportAsync(path));
            Assert.Contains(e.Problems, p => p.Code == "BU03610100" || p.Message.Contains("BU03610100"));
            Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM area"));
            Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM boundary_version"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task A_file_in_an_unknown_crs_is_rejected_and_nothing_is_written()
    {
        var path = Path.Combine(Path.GetTempPath(), $"crs-{Guid.NewGuid():N}.geojson");
        var text = (await File.ReadAllTextAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson")))
            .Replace("urn:ogc:def:crs:EPSG::28992", "urn:ogc:def:crs:EPSG::3857");
        await File.WriteAllTextAsync(path, text);
        try
        {
            var e = await Assert.ThrowsAsync<GeoJsonFormatException>(() => Importer.ImportAsync(path));
            Assert.Contains("3857", e.Message);
            Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM area"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task A_failure_half_way_through_writing_rolls_everything_back()
    {
        await Importer.ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        // make the next write fail inside the transaction, after the old version was closed
        await using (var cmd = _ds.CreateCommand("ALTER TABLE gebiedsteam ADD CONSTRAINT no_noord CHECK (gebied_code <> 'GB0361-noord') NOT VALID"))
            await cmd.ExecuteNonQueryAsync();
        await using (var cmd = _ds.CreateCommand("DELETE FROM gebiedsteam"))
            await cmd.ExecuteNonQueryAsync();
        await Assert.ThrowsAsync<PostgresException>(() => Importer.ImportAsync(TestPaths.Cbs("wgs84/alkmaar_buurten_2024.geojson")));
        Assert.Equal(97L, await Scalar<long>("SELECT count(*) FROM area WHERE valid_to IS NULL"));
        Assert.Equal("alkmaar_buurten_2024.geojson", await Scalar<string>("SELECT source FROM boundary_version"));
    }
}
