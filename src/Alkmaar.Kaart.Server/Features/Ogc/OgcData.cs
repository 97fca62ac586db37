using System.ComponentModel.DataAnnotations;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Meldingen;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>OGC API Features settings (section <c>Ogc</c>).</summary>
public sealed class OgcOptions
{
    public const string Section = "Ogc";

    /// <summary>Features per page when the client gives no <c>limit</c>.</summary>
    [Range(1, 100_000)] public int DefaultLimit { get; set; } = 100;

    /// <summary>The largest <c>limit</c> accepted; a larger one is a 400.</summary>
    [Range(1, 100_000)] public int MaxLimit { get; set; } = 1000;
}

/// <summary>
/// The data layer of the OGC API and the exports: each collection (<see cref="OgcCollections"/>) reads its own features;
/// this gives them their sources (PostGIS, the kept meldingen cells, the hotspot analysis).
/// </summary>
public sealed class OgcData(NpgsqlDataSource db, MeldingCells cells, HotspotService hotspots)
{
    private readonly OgcSources _sources = new(db, cells, hotspots);

    /// <inheritdoc cref="OgcCollection.CountAsync"/>
    public Task<long?> CountAsync(OgcCollection c, ItemsQuery q, CancellationToken ct) => c.CountAsync(_sources, q, ct);

    /// <inheritdoc cref="OgcCollection.ItemsAsync"/>
    public IAsyncEnumerable<OgcFeature> ItemsAsync(OgcCollection c, ItemsQuery q, CancellationToken ct) => c.ItemsAsync(_sources, q, ct);

    /// <inheritdoc cref="OgcCollection.GetAsync"/>
    public Task<OgcFeature?> GetAsync(OgcCollection c, string id, CancellationToken ct) => c.GetAsync(_sources, id, ct);

    /// <summary>The RD extent and time span of a collection as it is now (null when empty).</summary>
    public async Task<(Envelope? Rd, DateTimeOffset? Start, DateTimeOffset? End)> ExtentAsync(OgcCollection c, CancellationToken ct)
    {
        var e = await c.ExtentAsync(_sources, ct);
        return (e.Rd, e.Start, e.End);
    }
}
