using System.ComponentModel.DataAnnotations;
using Alkmaar.Kaart.Geo.Hotspots;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Hotspots;

/// <summary>Hotspot settings (section <c>Hotspots</c>).</summary>
public sealed class HotspotOptions
{
    public const string Section = "Hotspots";
    [Range(25, 1000)] public double DefaultCellSize { get; set; } = 100;
    [Range(0.001, 0.2)] public double Alpha { get; set; } = 0.05;
    [Range(0, 3600)] public int CacheSeconds { get; set; } = 60;
}

/// <summary>What a hotspot map asks for: a period (open ends null), a category, a cell size.</summary>
public sealed record HotspotQuery(DateOnly? From, DateOnly? To, string? Category, double CellSize);

/// <summary>A hotspot with its rank and the gebied (and team) its centre lies in.</summary>
public sealed record RankedHotspot(int Rank, string Id, Hotspot Hotspot, string? GebiedCode, string? GebiedName, string? Gebiedsteam);

public sealed record HotspotAnalysis(HotspotQuery Query, IReadOnlyList<RankedHotspot> Hotspots, int Meldingen, int StudyCells, double PThreshold, bool Demo);

/// <summary>
/// Runs <see cref="GiStar"/> on the meldingen in PostGIS (filtered by period and category) over the gemeente, and gives
/// each hotspot the gebied and gebiedsteam responsible (where its centre lies). Results are cached briefly per query.
/// </summary>
public sealed class HotspotService(NpgsqlDataSource db, AreaLocatorProvider routing, IMemoryCache cache, IOptions<HotspotOptions> options)
{
    public HotspotOptions Options => options.Value;

    public async Task<HotspotAnalysis?> AnalyseAsync(HotspotQuery q, CancellationToken ct = default)
    {
        var key = ("hotspots", q);
        if (cache.TryGetValue(key, out HotspotAnalysis? cached)) return cached;
        var snapshot = await routing.GetAsync(ct);
        if (snapshot is null) return null;
        Geometry? gemeente;
        await using (var cmd = db.CreateCommand("SELECT geom FROM area_in_force WHERE level = 'gemeente' LIMIT 1"))
            gemeente = await cmd.ExecuteScalarAsync(ct) as Geometry;
        if (gemeente is null) return null;

        var xs = new List<double>();
        var ys = new List<double>();
        var cats = new List<int>();
        var names = new List<string>();
        var byName = new Dictionary<string, int>();
        var demo = false;
        await using (var cmd = db.CreateCommand(
            """
            SELECT ST_X(geom), ST_Y(geom), category, source = 'demo' FROM melding
            WHERE ($1::date IS NULL OR created_at >= $1::date) AND ($2::date IS NULL OR created_at < $2::date + 1) AND ($3::text IS NULL OR category = $3)
            """))
        {
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = q.From is { } f ? f : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = q.To is { } t ? t : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)q.Category ?? DBNull.Value });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                xs.Add(r.GetDouble(0));
                ys.Add(r.GetDouble(1));
                var name = r.GetString(2);
                if (!byName.TryGetValue(name, out var id)) { byName[name] = id = names.Count; names.Add(name); }
                cats.Add(id);
                demo |= r.GetBoolean(3);
            }
        }
        var result = GiStar.Compute(xs.ToArray(), ys.ToArray(), cats.ToArray(), names, gemeente, new Geo.Hotspots.HotspotOptions(q.CellSize, Options.Alpha));
        var ranked = result.Hotspots.Select((h, i) =>
        {
            var c = h.Polygon.InteriorPoint;
            var at = snapshot.Locator.Locate(c.X, c.Y);
            return new RankedHotspot(i + 1, $"hotspot-{i + 1}", h, at.Gebied?.Code, at.Gebied?.Name, snapshot.TeamOf(at));
        }).ToList();
        var analysis = new HotspotAnalysis(q, ranked, xs.Count, result.StudyCells, result.PThreshold, demo);
        cache.Set(key, analysis, TimeSpan.FromSeconds(Options.CacheSeconds));
        return analysis;
    }
}
