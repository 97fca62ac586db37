using System.Reflection;
using DbUp;
using Npgsql;

namespace Alkmaar.Kaart.Server.Database;

/// <summary>The PostGIS database: the data source (with NetTopologySuite types) and the migrations.</summary>
public static class KaartDatabase
{
    public const string ConnectionStringName = "Kaart";

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseNetTopologySuite();
        builder.ConnectionStringBuilder.ApplicationName ??= "alkmaar-kaart";
        return builder.Build();
    }

    /// <summary>
    /// After a bulk import (issue 35): <c>VACUUM (ANALYZE)</c> of the tables it filled — planner statistics and the
    /// visibility map up to date at once, so the first request after an import is as fast as the thousandth (index-only
    /// scans and the right plans without waiting for autovacuum). Runs outside any transaction, one table at a time.
    /// </summary>
    public static async Task ReadyAfterImportAsync(NpgsqlDataSource db, IEnumerable<string> tables, ILogger logger, CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        foreach (var table in tables)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(table, "^[a-z_][a-z0-9_]*$")) throw new ArgumentException($"not a table name: {table}");
            await using var cmd = db.CreateCommand($"VACUUM (ANALYZE) {table}");
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync(ct);
        }
        logger.LogInformation("Tables ready after the import (VACUUM ANALYZE) in {Seconds:0.0} s", started.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Applies the embedded migrations (<c>Database/Migrations/NNNN_name.sql</c>) in name order, each once, all in one
    /// transaction, journaled in <c>schema_versions</c>. Running it on an up-to-date database changes nothing. Several
    /// servers starting at once (a rolling start behind a proxy) take turns: a session advisory lock is held meanwhile, so
    /// the first applies and the others find nothing left to do.
    /// </summary>
    public static IReadOnlyList<string> Migrate(string connectionString, ILogger logger)
    {
        using var guard = new NpgsqlConnection(connectionString);
        guard.Open();
        using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('kaart.migrate'))", guard)) take.ExecuteNonQuery();
        try { return MigrateUnguarded(connectionString, logger); }
        finally
        {
            using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('kaart.migrate'))", guard);
            release.ExecuteNonQuery();
        }
    }

    private static IReadOnlyList<string> MigrateUnguarded(string connectionString, ILogger logger)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(assembly, name => name.Contains(".Database.Migrations.") && name.EndsWith(".sql"))
            .WithTransaction()
            .WithVariablesDisabled() // migrations are plain SQL: $tag$ quoting is PostgreSQL's, not a DbUp variable
            .JournalToPostgresqlTable("public", "schema_versions")
            .LogScriptOutput()
            .LogTo(new DbUpLogger(logger))
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Database migration failed in {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        var applied = result.Scripts.Select(s => s.Name).ToList();
        if (applied.Count > 0) logger.LogInformation("Applied {Count} migrations: {Migrations}", applied.Count, applied);
        return applied;
    }

    private sealed class DbUpLogger(ILogger logger) : DbUp.Engine.Output.IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
