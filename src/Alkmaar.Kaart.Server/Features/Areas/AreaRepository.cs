using System.Runtime.CompilerServices;
using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Areas;

/// <summary>An area as stored, with what the API and the panel show of it. Geometry and label point in RD New.</summary>
public sealed record AreaRecord(AreaLevel Level, string Code, string Name, string? ParentCode, double AreaM2,
    Point LabelPoint, Geometry? Geometry, int VersionId, DateOnly ValidFrom);

/// <summary>One step of an area's chain up to the gemeente.</summary>
public sealed record AreaLink(AreaLevel Level, string Code, string Name);

/// <summary>An area with its chain of parents (nearest first) and its gebiedsteam.</summary>
public sealed record AreaDetails(AreaRecord Area, IReadOnlyList<AreaLink> Chain, string? GebiedsteamName, IReadOnlyList<AreaLevel> AlsoLevels);

/// <summary>Reads areas in force from PostGIS. All SQL of the Areas feature lives here.</summary>
public sealed class AreaRepository(NpgsqlDataSource db)
{
    /// <summary>The areas in force today (the view <c>area_in_force</c>) or on a given date (<c>area_at(d)</c>): the one
    /// database definition of "in force". A DateOnly formats to digits and dashes only, so the literal is safe.</summary>
    private static string Areas(DateOnly? at) => at is { } d ? $"area_at('{d:yyyy-MM-dd}'::date)" : "area_in_force";

    /// <summary>Streams the areas in force, of one level or all, ordered by level and code.</summary>
    public async IAsyncEnumerable<AreaRecord> ListAsync(AreaLevel? level, bool withGeometry,
        [EnumeratorCancellation] CancellationToken ct = default, DateOnly? at = null)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT a.level, a.code, a.name, a.parent_code, ST_Area(a.geom), ST_PointOnSurface(a.geom),
                   {(withGeometry ? "a.geom" : "NULL::geometry")}, a.version_id, a.valid_from
            FROM {Areas(at)} a
            WHERE ($1::text IS NULL OR a.level = $1)
            ORDER BY array_position(ARRAY['gemeente','gebied','wijk','buurt','dorp'], a.level), a.code
            """);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)level?.Name() ?? DBNull.Value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) yield return Read(r);
    }

    /// <summary>
    /// One area in force by code, with its chain up to the gemeente. Codes are unique per level; a dorp shares its
    /// buurt's CBS code, so without a level the buurt is returned and <see cref="AreaDetails.AlsoLevels"/> says it is a dorp too.
    /// </summary>
    public async Task<AreaDetails?> GetAsync(string code, AreaLevel? level, bool withGeometry, CancellationToken ct = default, DateOnly? at = null)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT a.level, a.code, a.name, a.parent_code, ST_Area(a.geom), ST_PointOnSurface(a.geom),
                   {(withGeometry ? "a.geom" : "NULL::geometry")}, a.version_id, a.valid_from
            FROM {Areas(at)} a
            WHERE a.code = $1
            ORDER BY array_position(ARRAY['buurt','wijk','gebied','gemeente','dorp'], a.level)
            """);
        cmd.Parameters.AddWithValue(code);
        var found = new List<AreaRecord>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) found.Add(Read(r));
        var area = level is null ? found.FirstOrDefault() : found.FirstOrDefault(f => f.Level == level);
        if (area is null) return null;

        var chain = new List<AreaLink>();
        await using (var up = db.CreateCommand(
            $"""
            WITH RECURSIVE up(level, code, name, parent_code, depth) AS (
                SELECT a.level, a.code, a.name, a.parent_code, 0 FROM {Areas(at)} a
                WHERE a.level <> 'dorp' AND a.code = $1
              UNION ALL
                SELECT a.level, a.code, a.name, a.parent_code, up.depth + 1 FROM {Areas(at)} a JOIN up ON a.code = up.parent_code
                WHERE a.level <> 'dorp' AND up.depth < 10
            )
            SELECT level, code, name FROM up ORDER BY depth
            """))
        {
            up.Parameters.AddWithValue((object?)area.ParentCode ?? DBNull.Value);
            await using var r = await up.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                chain.Add(new AreaLink(AreaLevels.Parse(r.GetString(0))!.Value, r.GetString(1), r.GetString(2)));
        }

        var gebiedCode = area.Level == AreaLevel.Gebied ? area.Code : chain.FirstOrDefault(c => c.Level == AreaLevel.Gebied)?.Code;
        string? team = null;
        if (gebiedCode is not null)
        {
            await using var t = db.CreateCommand("SELECT name FROM gebiedsteam WHERE gebied_code = $1");
            t.Parameters.AddWithValue(gebiedCode);
            team = (string?)await t.ExecuteScalarAsync(ct);
        }
        return new AreaDetails(area, chain, team, found.Where(f => f.Level != area.Level).Select(f => f.Level).ToList());
    }

    /// <summary>The areas in force directly below an area (a gebied's wijken, a wijk's buurten), by name.</summary>
    public async Task<List<AreaLink>> ChildrenAsync(string code, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT a.level, a.code, a.name FROM {Areas(null)} a WHERE a.parent_code = $1 AND a.level <> 'dorp' ORDER BY a.name");
        cmd.Parameters.AddWithValue(code);
        var list = new List<AreaLink>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new AreaLink(AreaLevels.Parse(r.GetString(0))!.Value, r.GetString(1), r.GetString(2)));
        return list;
    }

    private static AreaRecord Read(NpgsqlDataReader r) => new(
        AreaLevels.Parse(r.GetString(0))!.Value, r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
        r.GetDouble(4), (Point)r.GetValue(5), r.IsDBNull(6) ? null : (Geometry)r.GetValue(6), r.GetInt32(7),
        DateOnly.FromDateTime(r.GetDateTime(8)));
}
