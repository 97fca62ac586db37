using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Server.Features.Areas;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.Routing;

/// <summary>Told when the boundaries in force have changed (after an import commits).</summary>
public interface IBoundaryListener
{
    Task BoundariesChangedAsync(CancellationToken ct);
}

/// <summary>What routing answers from: the locator over the areas in force and each gebied's team name.</summary>
public sealed record RoutingSnapshot(AreaLocator Locator, IReadOnlyDictionary<string, string> TeamNames)
{
    /// <summary>The team name of a located point's gebied, or null.</summary>
    public string? TeamOf(AreaLocation location) =>
        location.Gebied is null ? null : TeamNames.GetValueOrDefault(location.Gebied.Code);
}

/// <summary>
/// Keeps the <see cref="RoutingSnapshot"/> of the areas in force. Built from PostGIS on first use and rebuilt after
/// every import (areas, municipalities or teams); readers keep using the old snapshot until the new one is swapped in
/// atomically, so lookups never wait and never query the database.
/// </summary>
public sealed class AreaLocatorProvider(AreaRepository areas, Npgsql.NpgsqlDataSource db, ILogger<AreaLocatorProvider> logger) : IBoundaryListener
{
    private volatile RoutingSnapshot? _current;
    private readonly SemaphoreSlim _rebuild = new(1, 1);

    /// <summary>The snapshot in force; null when no boundaries are loaded.</summary>
    public async ValueTask<RoutingSnapshot?> GetAsync(CancellationToken ct = default)
    {
        if (_current is { } current) return current;
        await RebuildAsync(ct);
        return _current;
    }

    public Task BoundariesChangedAsync(CancellationToken ct) => RebuildAsync(ct);

    private async Task RebuildAsync(CancellationToken ct)
    {
        await _rebuild.WaitAsync(ct);
        try
        {
            var list = new List<Area>();
            var version = 0;
            await foreach (var a in areas.ListAsync(null, withGeometry: true, ct))
            {
                list.Add(new Area(a.Level, a.Code, a.Name, a.ParentCode, (MultiPolygon)a.Geometry!));
                version = Math.Max(version, a.VersionId);
            }
            if (list.Count == 0) return;
            var municipalities = new List<Municipality>();
            await using (var cmd = db.CreateCommand("SELECT code, name, geom FROM municipality ORDER BY code"))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) municipalities.Add(new Municipality(r.GetString(0), r.GetString(1), (Geometry)r.GetValue(2)));
            var teams = new Dictionary<string, string>();
            await using (var cmd = db.CreateCommand("SELECT gebied_code, name FROM gebiedsteam"))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) teams[r.GetString(0)] = r.GetString(1);
            _current = new RoutingSnapshot(new AreaLocator(list, municipalities, versionId: version), teams);
            logger.LogInformation("Area locator built for boundary version {Version}: {Buurten} buurten", version,
                list.Count(a => a.Level == AreaLevel.Buurt));
        }
        finally
        {
            _rebuild.Release();
        }
    }
}
