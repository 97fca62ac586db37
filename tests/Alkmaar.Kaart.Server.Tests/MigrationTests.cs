using Alkmaar.Kaart.Server.Database;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alkmaar.Kaart.Server.Tests;

public class MigrationTests
{
    [Fact]
    public async Task Migrations_create_the_schema_on_an_empty_database_and_change_nothing_on_an_up_to_date_one()
    {
        await using var db = await TestDatabase.CreateAsync();
        var first = KaartDatabase.Migrate(db.ConnectionString, NullLogger.Instance);
        Assert.Contains(first, n => n.EndsWith("0001_areas.sql"));

        await using var ds = db.CreateDataSource();
        await using (var cmd = ds.CreateCommand(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'area' AND indexdef ILIKE '%USING gist (geom)%'"))
            Assert.Equal(1L, await cmd.ExecuteScalarAsync());
        await using (var cmd = ds.CreateCommand("SELECT Find_SRID('public', 'area', 'geom')"))
            Assert.Equal(28992, await cmd.ExecuteScalarAsync());
        await using (var cmd = ds.CreateCommand("SELECT count(*) FROM schema_versions"))
            Assert.Equal((long)first.Count, await cmd.ExecuteScalarAsync());

        var second = KaartDatabase.Migrate(db.ConnectionString, NullLogger.Instance);
        Assert.Empty(second);
        await using (var cmd = ds.CreateCommand("SELECT count(*) FROM schema_versions"))
            Assert.Equal((long)first.Count, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Three_servers_starting_at_once_migrate_an_empty_database_once_between_them()
    {
        await using var db = await TestDatabase.CreateAsync();
        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => KaartDatabase.Migrate(db.ConnectionString, NullLogger.Instance))));
        // one applied every script; the others waited and found nothing to do (without the lock two would collide)
        Assert.Single(runs, r => r.Count > 0);
        Assert.Equal(2, runs.Count(r => r.Count == 0));
        await using var ds = db.CreateDataSource();
        await using var cmd = ds.CreateCommand("SELECT count(*) FROM schema_versions");
        Assert.Equal((long)runs.Single(r => r.Count > 0).Count, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_area_table_refuses_invalid_geometry_and_other_srids()
    {
        await using var db = await TestDatabase.CreateAsync();
        KaartDatabase.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var ds = db.CreateDataSource();
        await using (var v = ds.CreateCommand("INSERT INTO boundary_version (valid_from, source, source_sha256, source_crs) VALUES ('2024-01-01','t','x','EPSG:28992')"))
            await v.ExecuteNonQueryAsync();
        await using var bowtie = ds.CreateCommand(
            "INSERT INTO area (level, code, name, geom, valid_from, version_id) VALUES ('buurt','BU00000000','x', " +
            "ST_GeomFromText('MULTIPOLYGON(((0 0, 10 10, 10 0, 0 10, 0 0)))', 28992), '2024-01-01', 1)");
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => bowtie.ExecuteNonQueryAsync());
        await using var wgs = ds.CreateCommand(
            "INSERT INTO area (level, code, name, geom, valid_from, version_id) VALUES ('buurt','BU00000001','x', " +
            "ST_GeomFromText('MULTIPOLYGON(((4 52, 5 52, 5 53, 4 52)))', 4326), '2024-01-01', 1)");
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => wgs.ExecuteNonQueryAsync());
    }
}
