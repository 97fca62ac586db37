using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Health;

/// <summary>Healthy when PostGIS answers and boundaries are loaded; degraded when it answers without boundaries.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = db.CreateCommand(
                "SELECT postgis_lib_version(), (SELECT count(*) FROM area_in_force), (SELECT max(scriptname) FROM schema_versions)");
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            var data = new Dictionary<string, object>
            {
                ["postgis"] = r.GetString(0),
                ["areasInForce"] = r.GetInt64(1),
                ["lastMigration"] = r.IsDBNull(2) ? "" : r.GetString(2),
            };
            return r.GetInt64(1) > 0
                ? HealthCheckResult.Healthy("PostGIS answers and boundaries are loaded.", data)
                : HealthCheckResult.Degraded("PostGIS answers but no boundaries are loaded (run ./kaart import boundaries).", data: data);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("PostGIS does not answer.", e);
        }
    }

    /// <summary>Writes the report as JSON: overall status and each check's status, description and data (no exception text).</summary>
    public static Task WriteResponse(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }
}
