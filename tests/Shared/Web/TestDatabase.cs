using Npgsql;

namespace Alkmaar.Kaart.Testing;

/// <summary>
/// A fresh PostGIS database for one test class, created on the server named by KAART_TEST_PG (set by ./kaart test)
/// and dropped afterwards, so tests never depend on each other or on what an earlier run left.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Name { get; }
    public string ConnectionString { get; }
    private readonly string _admin;

    private TestDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("KAART_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "KAART_TEST_PG is not set: these tests need a real PostGIS. Run them through ./kaart test, or set KAART_TEST_PG " +
                "to a connection string of a PostgreSQL server with PostGIS where the user may create databases.");

    public static async Task<TestDatabase> CreateAsync(string prefix = "kaart_test")
    {
        var db = new TestDatabase(AdminConnectionString, $"{prefix}_{Guid.NewGuid():N}"[..40]);
        await using var conn = new NpgsqlConnection(db._admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{db.Name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return db;
    }

    public NpgsqlDataSource CreateDataSource()
    {
        var b = new NpgsqlDataSourceBuilder(ConnectionString);
        b.UseNetTopologySuite();
        return b.Build();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
