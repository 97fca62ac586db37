using System.Collections.Concurrent;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Routing;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Routing;

/// <summary>Told when the boundaries in force have changed (after an import commits).</summary>
public interface IBoundaryListener
{
    Task BoundariesChangedAsync(CancellationToken ct);
}

/// <summary>A boundary version's date range: in force from <see cref="ValidFrom"/> up to, not including, <see cref="ValidTo"/>.</summary>
public sealed record BoundaryVersionRange(int Id, DateOnly ValidFrom, DateOnly? ValidTo)
{
    public bool Holds(DateOnly day) => ValidFrom <= day && (ValidTo is null || day < ValidTo);
}

/// <summary>
/// Everything that answers "where is this, and who is responsible" for one boundary version: the locator over its areas,
/// the team name of each gebied, and the version's date range. Immutable; a new version means a new snapshot.
/// </summary>
public sealed record BoundarySnapshot(BoundaryVersionRange Version, AreaLocator Locator, IReadOnlyDictionary<string, string> TeamNames)
{
    public int VersionId => Version.Id;

    /// <summary>The team name of a located point's gebied, or null.</summary>
    public string? TeamOf(AreaLocation location) =>
        location.Gebied is null ? null : TeamNames.GetValueOrDefault(location.Gebied.Code);

    /// <summary>The team name of a gebied of this version, or null.</summary>
    public string? TeamOf(string gebiedCode) => TeamNames.GetValueOrDefault(gebiedCode);
}

/// <summary>
/// Keeps a <see cref="BoundarySnapshot"/> per boundary version, built from PostGIS on first use: the one in force today
/// (<see cref="GetAsync"/>) and, for meldingen dated earlier, the one in force on any day (<see cref="GetAtAsync"/>).
/// Rebuilt after every import, upload or team rename in this process (<see cref="IBoundaryListener"/>) or in any other
/// process on the same database (<see cref="BoundaryChangeListener"/>, PostgreSQL LISTEN/NOTIFY); readers keep using
/// the old snapshot until the new one is swapped in atomically, so lookups never wait and never query the database.
/// When midnight brings a version with a later start into force, the next call swaps to it.
/// </summary>
public sealed class AreaLocatorProvider(NpgsqlDataSource db, TimeProvider time, ILogger<AreaLocatorProvider> logger) : IBoundaryListener
{
    /// <summary>The PostgreSQL channel on which every boundary change is announced.</summary>
    public const string Channel = "kaart_boundaries";

    private sealed record State(IReadOnlyList<BoundaryVersionRange> Versions, BoundarySnapshot? Current,
        IReadOnlyList<Municipality> Municipalities, IReadOnlyDictionary<string, string> TeamNames, string Fingerprint = "");

    private volatile State? _state;
    private readonly ConcurrentDictionary<int, BoundarySnapshot> _byVersion = new();
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private static readonly TimeZoneInfo Zone = FindZone();

    /// <summary>The day (in the gemeente's time zone) of an instant.</summary>
    public static DateOnly DayOf(DateTimeOffset t) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, Zone).DateTime);

    /// <summary>The snapshot in force today; null when no boundaries are loaded.</summary>
    public async ValueTask<BoundarySnapshot?> GetAsync(CancellationToken ct = default)
    {
        var today = DayOf(time.GetUtcNow());
        if (_state is { Current: { } current } && current.Version.Holds(today)) return current;
        await RebuildAsync(ct);
        return _state?.Current;
    }

    /// <summary>
    /// The snapshot of the version in force at an instant. Before the first version, the first version answers (there
    /// were no other boundaries); null when no boundaries are loaded.
    /// </summary>
    public async ValueTask<BoundarySnapshot?> GetAtAsync(DateTimeOffset at, CancellationToken ct = default)
    {
        var current = await GetAsync(ct);
        var state = _state;
        if (current is null || state is null) return current;
        var day = DayOf(at);
        if (current.Version.Holds(day)) return current;
        var version = state.Versions.FirstOrDefault(v => v.Holds(day))
                      ?? (day < state.Versions[0].ValidFrom ? state.Versions[0] : null);
        if (version is null) return current;
        if (_byVersion.TryGetValue(version.Id, out var cached)) return cached;
        var built = await BuildAsync(version, state, ct);
        return _byVersion.GetOrAdd(version.Id, built);
    }

    /// <summary>The versions with their date ranges, oldest first (loaded with the snapshot).</summary>
    public IReadOnlyList<BoundaryVersionRange> Versions => _state?.Versions ?? [];

    public Task BoundariesChangedAsync(CancellationToken ct) => RebuildAsync(ct);

    private async Task RebuildAsync(CancellationToken ct)
    {
        await _rebuild.WaitAsync(ct);
        try
        {
            // The importing process hears of its own change twice (directly and by NOTIFY): when nothing changed since the
            // last build and today's version still holds, there is nothing to do.
            string fingerprint;
            await using (var cmd = db.CreateCommand(
                """
                SELECT coalesce((SELECT max(id) || '/' || count(*) FROM area), '') || '|' ||
                       coalesce((SELECT max(imported_at)::text || '/' || count(*) FROM municipality), '') || '|' ||
                       coalesce((SELECT md5(string_agg(gebied_code || '=' || name, ',' ORDER BY gebied_code)) FROM gebiedsteam), '')
                """))
                fingerprint = (string)(await cmd.ExecuteScalarAsync(ct))!;
            var today = DayOf(time.GetUtcNow());
            if (_state is { } known && known.Fingerprint == fingerprint && (known.Current is null || known.Current.Version.Holds(today)) && known.Versions.Count > 0)
                return;

            var versions = new List<BoundaryVersionRange>();
            await using (var cmd = db.CreateCommand(
                """
                SELECT v.id, min(a.valid_from), CASE WHEN bool_or(a.valid_to IS NULL) THEN NULL ELSE max(a.valid_to) END
                FROM boundary_version v JOIN area a ON a.version_id = v.id
                GROUP BY v.id ORDER BY 2
                """))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                    versions.Add(new BoundaryVersionRange(r.GetInt32(0), DateOnly.FromDateTime(r.GetDateTime(1)),
                        r.IsDBNull(2) ? null : DateOnly.FromDateTime(r.GetDateTime(2))));

            var municipalities = new List<Municipality>();
            await using (var cmd = db.CreateCommand("SELECT code, name, geom FROM municipality ORDER BY code"))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) municipalities.Add(new Municipality(r.GetString(0), r.GetString(1), (Geometry)r.GetValue(2)));
            var teams = new Dictionary<string, string>();
            await using (var cmd = db.CreateCommand("SELECT gebied_code, name FROM gebiedsteam"))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) teams[r.GetString(0)] = r.GetString(1);

            _byVersion.Clear();
            var state = new State(versions, null, municipalities, teams, fingerprint);
            if (versions.Count == 0)
            {
                _state = state;
                return;
            }
            // Today's version; before the first version starts, the first answers.
            var inForce = versions.LastOrDefault(v => v.Holds(today)) ?? versions[0];
            var current = await BuildAsync(inForce, state, ct);
            _byVersion[inForce.Id] = current;
            _state = state with { Current = current };
            logger.LogInformation("Boundary snapshot of version {Version} (from {ValidFrom}) in force: {Buurten} buurten",
                inForce.Id, inForce.ValidFrom, current.Locator.BuurtCount);
        }
        finally
        {
            _rebuild.Release();
        }
    }

    private async Task<BoundarySnapshot> BuildAsync(BoundaryVersionRange version, State state, CancellationToken ct)
    {
        var list = new List<Area>();
        await using (var cmd = db.CreateCommand("SELECT level, code, name, parent_code, geom FROM area WHERE version_id = $1"))
        {
            cmd.Parameters.AddWithValue(version.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                list.Add(new Area(AreaLevels.Parse(r.GetString(0))!.Value, r.GetString(1), r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3), (MultiPolygon)r.GetValue(4)));
        }
        var locator = new AreaLocator(list, state.Municipalities, versionId: version.Id);
        locator.Warm(); // the answer grid is built before the snapshot is swapped in: no request waits for it
        return new BoundarySnapshot(version, locator, state.TeamNames);
    }

    private static TimeZoneInfo FindZone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }
}

/// <summary>
/// Subscribes to <see cref="AreaLocatorProvider.Channel"/> (through <see cref="PgNotifications"/>) so that a boundary import,
/// upload or team change made by any process on the same database (another server, <c>./kaart import</c>) reaches this
/// server's snapshot within a moment; after a lost connection it rebuilds, in case a change was missed meanwhile.
/// </summary>
public sealed class BoundaryChangeListener(AreaLocatorProvider provider, IEnumerable<IBoundaryListener> listeners,
    ILogger<BoundaryChangeListener> logger) : IPgNotificationSubscriber
{
    /// <summary>Announces a boundary change to every process (delivered when <paramref name="tx"/> commits).</summary>
    public static async Task NotifyAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string what, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_notify($1, $2)", conn, tx);
        cmd.Parameters.AddWithValue(AreaLocatorProvider.Channel);
        cmd.Parameters.AddWithValue(what);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    string IPgNotificationSubscriber.Channel => AreaLocatorProvider.Channel;

    /// <summary>A burst of announcements is one rebuild; after a reconnect too (a change may have come while away).</summary>
    Task IPgNotificationSubscriber.OnNotifiedAsync(IReadOnlyList<string> payloads, bool reconnected, CancellationToken ct) => RebuildAllAsync(ct);

    private async Task RebuildAllAsync(CancellationToken ct)
    {
        logger.LogInformation("Boundary change announced; rebuilding the snapshot");
        foreach (var l in listeners) await l.BoundariesChangedAsync(ct);
        if (!listeners.Contains(provider)) await provider.BoundariesChangedAsync(ct);
    }
}
