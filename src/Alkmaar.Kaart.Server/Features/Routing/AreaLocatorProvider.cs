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

/// <summary>
/// Keeps the <see cref="AreaLocator"/> snapshot of the areas in force. Built from PostGIS on first use and rebuilt after
/// every import; readers keep using the old snapshot until the new one is swapped in, so they never wait.
/// </summary>
public sealed class AreaLocatorProvider(AreaRepository areas, Npgsql.NpgsqlDataSource db, ILogger<AreaLocatorProvider> logger) : IBoundaryListener
{
    private readonly AreaLocatorHolder _holder = new();
    private readonly SemaphoreSlim _rebuild = new(1, 1);

    /// <summary>The snapshot in force; null when no boundaries are loaded.</summary>
    public async ValueTask<AreaLocator?> GetAsync(CancellationToken ct = default)
    {
        if (_holder.Current is { } current) return current;
        await RebuildAsync(ct);
        return _holder.Current;
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
            _holder.Replace(new AreaLocator(list, municipalities, versionId: version));
            logger.LogInformation("Area locator built for boundary version {Version}: {Buurten} buurten", version,
                list.Count(a => a.Level == AreaLevel.Buurt));
        }
        finally
        {
            _rebuild.Release();
        }
    }
}
