using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>A boundary version as planners see it: its date range, source, and how many defects its import repaired.</summary>
public sealed record BoundaryVersionInfo(int Id, DateOnly ValidFrom, DateOnly? ValidTo, string Source, string SourceCrs,
    DateTimeOffset ImportedAt, string? Note, int Repairs, bool InForce);

/// <summary>One repair of an import (<see cref="Geo.Coverage.CoverageRepair"/>), its location in RD.</summary>
public sealed record BoundaryRepairInfo(long Id, string Kind, IReadOnlyList<string> Buurten, string AssignedTo, double AreaM2, double WidthM, Point Location);

/// <summary>The boundary versions and their repairs, for the planners' page and API. All SQL of it lives here.</summary>
public sealed class BoundaryVersions(NpgsqlDataSource db)
{
    public async Task<List<BoundaryVersionInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT v.id, min(a.valid_from), CASE WHEN bool_or(a.valid_to IS NULL) THEN NULL ELSE max(a.valid_to) END, v.source, v.source_crs,
                   v.imported_at, v.note, (SELECT count(*) FROM boundary_repair r WHERE r.version_id = v.id)::int,
                   bool_or(a.valid_from <= current_date AND (a.valid_to IS NULL OR a.valid_to > current_date))
            FROM boundary_version v JOIN area a ON a.version_id = v.id
            GROUP BY v.id ORDER BY min(a.valid_from) DESC, v.id DESC
            """);
        var list = new List<BoundaryVersionInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new BoundaryVersionInfo(r.GetInt32(0), DateOnly.FromDateTime(r.GetDateTime(1)), r.IsDBNull(2) ? null : DateOnly.FromDateTime(r.GetDateTime(2)),
                r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetInt32(7), r.GetBoolean(8)));
        return list;
    }

    /// <summary>The repairs of a version, largest first; null when the version does not exist.</summary>
    public async Task<List<BoundaryRepairInfo>?> RepairsAsync(int version, CancellationToken ct = default)
    {
        await using (var exists = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM boundary_version WHERE id = $1)"))
        {
            exists.Parameters.AddWithValue(version);
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return null;
        }
        await using var cmd = db.CreateCommand(
            "SELECT id, kind, buurten, assigned_to, area_m2, width_m, location FROM boundary_repair WHERE version_id = $1 ORDER BY area_m2 DESC, id");
        cmd.Parameters.AddWithValue(version);
        var list = new List<BoundaryRepairInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new BoundaryRepairInfo(r.GetInt64(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5), (Point)r.GetValue(6)));
        return list;
    }
}
