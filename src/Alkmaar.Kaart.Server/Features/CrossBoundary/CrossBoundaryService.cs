using System.ComponentModel.DataAnnotations;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Hotspots;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.CrossBoundary;

/// <summary>How a neighbouring municipality is reached about matters across the border (no person, no personal data).</summary>
public sealed class MunicipalityContact
{
    public string Organisation { get; set; } = "";
    public string? Phone { get; set; }
    public string? Website { get; set; }
}

/// <summary>Settings of the cross-boundary views (section <c>CrossBoundary</c>).</summary>
public sealed class CrossBoundaryOptions
{
    public const string Section = "CrossBoundary";

    /// <summary>The border band: this many metres on both sides of a border (one of <see cref="Meldingen.DisclosureControl.BandWidths"/>).</summary>
    [AllowedValues(100d, 250d, 500d)] public double BandMetres { get; set; } = 250;

    /// <summary>How near (metres) the generalised municipalities' layer must come to count as lying along a border.</summary>
    [Range(1, 500)] public double MunicipalityToleranceM { get; set; } = 50;

    /// <summary>Gaps narrower than twice this between the gemeente and a neighbour are listed as discrepancies.</summary>
    [Range(0.5, 500)] public double DiscrepancyBandM { get; set; } = 25;

    /// <summary>Per CBS code (GM0399): how that municipality is reached.</summary>
    public Dictionary<string, MunicipalityContact> Contacts { get; set; } = new();
}

/// <summary>A neighbouring municipality along an area's border, with its contact when configured.</summary>
public sealed record MunicipalityNeighbour(string Code, string Name, double SharedLengthM, MunicipalityContact? Contact);

/// <summary>An area and who lies next to it.</summary>
public sealed record Neighbourhood(AreaLevel Level, string Code, string Name, IReadOnlyList<AreaNeighbour> Areas, IReadOnlyList<MunicipalityNeighbour> Municipalities);

/// <summary>One side of a border band: a team (gebied) or a neighbouring municipality, and what lies in the band on its side.</summary>
/// <param name="PerMonth">Meldingen per month, the last 12 months, oldest first; null where fewer than the public minimum.</param>
public sealed record BandSide(string Code, string Name, string Kind, string? Team, long? Meldingen, IReadOnlyList<long?> PerMonth, long Initiatieven);

/// <summary>A border band: its distance, the sides, the hotspots that reach into it, and its shape.</summary>
public sealed record BandReport(string Code, string Name, string? Other, string? OtherName, double DistanceM, IReadOnlyList<string> Months,
    IReadOnlyList<BandSide> Sides, IReadOnlyList<RankedHotspot> Hotspots, Geometry Band, Geometry Border, bool Demo)
{
    /// <summary>The period counted: the 12 whole months before the current one (first and last day).</summary>
    public DateOnly From { get; init; }
    public DateOnly To { get; init; }
}

/// <summary>A melding in a border band as the teams involved see it: no personal data.</summary>
public sealed record BandMelding(long Id, DateTimeOffset CreatedAt, string Category, string Status, string? Gebied, double X, double Y);

/// <summary>The displacement signal of an area around a date: against its border band outside, and against its neighbours.</summary>
public sealed record DisplacementReport(string Code, string Name, DateOnly Date, int Weeks, double DistanceM, DisplacementResult Band, DisplacementResult Neighbours);

/// <summary>
/// Cross-boundary views (issue 19): neighbours of every area (same level and municipalities), the border band of an area
/// or of one shared border, the border discrepancies with the neighbouring municipalities' layer, and the displacement
/// signal. Neighbours and discrepancies are computed by <c>Geo</c> once per boundary state; counts come from PostGIS.
/// </summary>
public sealed class CrossBoundaryService(NpgsqlDataSource db, Meldingen.MeldingStatistics meldingen, AreaLocatorProvider routing, IMemoryCache cache, HotspotService hotspots,
    IOptions<CrossBoundaryOptions> options, Meldingen.DisclosureControl release)
{
    public CrossBoundaryOptions Options => options.Value;

    private sealed record Layer(IReadOnlyList<Area> Areas, IReadOnlyDictionary<string, IReadOnlyList<AreaNeighbour>> Neighbours);

    private async Task<int> VersionAsync(CancellationToken ct) => (await routing.GetAsync(ct))?.VersionId ?? 0;

    /// <summary>The areas of one level in force with their same-level neighbours, once per boundary version.</summary>
    private async Task<Layer> LayerAsync(AreaLevel level, CancellationToken ct)
    {
        var key = ("buren", level, await VersionAsync(ct));
        if (cache.TryGetValue(key, out Layer? cached)) return cached!;
        var areas = new List<Area>();
        await using (var cmd = db.CreateCommand("SELECT code, name, parent_code, geom FROM area_in_force WHERE level = $1 ORDER BY code"))
        {
            cmd.Parameters.AddWithValue(level.Name());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) areas.Add(new Area(level, r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), (MultiPolygon)r.GetValue(3)));
        }
        var layer = new Layer(areas, AreaNeighbours.SameLevel(areas));
        cache.Set(key, layer, TimeSpan.FromHours(1));
        return layer;
    }

    private async Task<(IReadOnlyList<Municipality> All, string Own)> MunicipalitiesAsync(CancellationToken ct)
    {
        if (cache.TryGetValue("buurgemeenten", out (IReadOnlyList<Municipality>, string) cached)) return cached;
        var list = new List<Municipality>();
        await using (var cmd = db.CreateCommand("SELECT code, name, geom FROM municipality ORDER BY code"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add(new Municipality(r.GetString(0), r.GetString(1), (Geometry)r.GetValue(2)));
        string own;
        await using (var cmd = db.CreateCommand("SELECT code FROM area_in_force WHERE level = 'gemeente' LIMIT 1"))
            own = await cmd.ExecuteScalarAsync(ct) as string ?? "";
        var result = ((IReadOnlyList<Municipality>)list, own);
        cache.Set("buurgemeenten", result, TimeSpan.FromMinutes(10));
        return result;
    }

    /// <summary>An area's neighbours; null when there is no such area in force.</summary>
    public async Task<Neighbourhood?> NeighboursAsync(string code, AreaLevel level, CancellationToken ct = default)
    {
        var layer = await LayerAsync(level, ct);
        if (layer.Areas.FirstOrDefault(a => a.Code == code) is not { } area) return null;
        var (municipalities, own) = await MunicipalitiesAsync(ct);
        var key = ("buurgemeenten-van", level, code, await VersionAsync(ct));
        if (!cache.TryGetValue(key, out IReadOnlyList<AreaNeighbour>? along))
        {
            along = AreaNeighbours.Municipalities(area.Geometry, municipalities, own, Options.MunicipalityToleranceM);
            cache.Set(key, along, TimeSpan.FromHours(1));
        }
        return new Neighbourhood(level, area.Code, area.Name, layer.Neighbours[code],
            along!.Select(m => new MunicipalityNeighbour(m.Code, m.Name, Math.Round(m.SharedLengthM, 1), Options.Contacts.GetValueOrDefault(m.Code))).ToList());
    }

    /// <summary>The contact of a municipality (configured), or null.</summary>
    public MunicipalityContact? ContactOf(string code) => Options.Contacts.GetValueOrDefault(code);

    /// <summary>
    /// The border band of a gebied (its whole border, or only the border it shares with <paramref name="other"/>: a gebied or
    /// a municipality code): <paramref name="distanceM"/> on both sides. What lies in it per side over the last 12 months:
    /// meldingen (per month, small counts suppressed), running initiatives, and the hotspots that reach into it.
    /// </summary>
    public async Task<BandReport?> BandAsync(string code, string? other, double? distanceM, CancellationToken ct = default)
    {
        var d = distanceM ?? Options.BandMetres;
        if (!Meldingen.DisclosureControl.IsBandWidth(d)) throw new ArgumentOutOfRangeException(nameof(distanceM), d, "Not a band width of the release rule.");
        var layer = await LayerAsync(AreaLevel.Gebied, ct);
        if (layer.Areas.FirstOrDefault(a => a.Code == code) is not { } area) return null;
        Geometry border;
        string? otherName = null;
        if (other is null) border = area.Geometry.Boundary;
        else if (layer.Areas.FirstOrDefault(a => a.Code == other) is { } b)
        {
            border = NetTopologySuite.Operation.OverlayNG.OverlayNGRobust.Overlay(area.Geometry.Boundary, b.Geometry.Boundary, NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection);
            otherName = b.Name;
        }
        else if ((await MunicipalitiesAsync(ct)).All.FirstOrDefault(m => m.Code == other) is { } m)
        {
            border = NetTopologySuite.Operation.OverlayNG.OverlayNGRobust.Overlay(area.Geometry.Boundary, m.Geometry.Buffer(Options.MunicipalityToleranceM), NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection);
            otherName = m.Name;
        }
        else return null;
        if (border.IsEmpty || border.Length == 0) return null;
        border.SRID = RdNew.Srid; // overlay results carry no SRID; PostGIS compares it
        var band = border.Buffer(d);
        band.SRID = RdNew.Srid;

        // the release rule: the 12 whole months before the current one (nothing of this month, so nothing of today)
        var (first, last) = release.Last12Months();
        var months = Enumerable.Range(0, 12).Select(i => first.AddMonths(i)).ToList();
        var perSide = new Dictionary<string, long[]>(StringComparer.Ordinal);
        // the side: the team (gebied) a melding is routed to; outside the gemeente, the municipality it lies in
        // in the band: within the distance of the border itself (exact, not the drawn band's approximated arcs)
        foreach (var (side, monthStart, count) in await meldingen.PerSideAndMonthNearAsync(border, d, first, last, ct))
        {
            var month = months.IndexOf(monthStart);
            if (month < 0) continue;
            if (!perSide.TryGetValue(side, out var counts)) perSide[side] = counts = new long[12];
            counts[month] += count;
        }
        var initiatives = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var cmd = db.CreateCommand(
            "SELECT gebied_code, count(*) FROM initiatief WHERE status IN ('aangevraagd', 'toegekend') AND ST_DWithin(geom, $1, $2) GROUP BY 1"))
        {
            cmd.Parameters.AddWithValue(border);
            cmd.Parameters.AddWithValue(d);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) initiatives[r.GetString(0)] = r.GetInt64(1);
        }
        var snapshot = await routing.GetAsync(ct);
        var (municipalities, own) = await MunicipalitiesAsync(ct);
        string NameOf(string side) => layer.Areas.FirstOrDefault(a => a.Code == side)?.Name ?? municipalities.FirstOrDefault(x => x.Code == side)?.Name ?? side;
        // every side the band reaches: this team, the other side asked for, the neighbouring teams and municipalities it
        // touches (also without meldingen), and whoever has meldingen or initiatives in it
        var sides = new List<string> { code };
        if (other is not null) sides.Add(other);
        sides.AddRange(layer.Areas.Where(a => a.Geometry.Intersects(band)).Select(a => a.Code));
        sides.AddRange(municipalities.Where(x => x.Code != own && x.Geometry.Intersects(band)).Select(x => x.Code));
        sides.AddRange(perSide.Keys.Concat(initiatives.Keys));
        sides = sides.Distinct().ToList();
        var result = sides.Select(s =>
        {
            var counts = perSide.GetValueOrDefault(s) ?? new long[12];
            var isTeam = layer.Areas.Any(a => a.Code == s);
            // no count below the minimum, and no month that could be told from the year's total and the other months
            return new BandSide(s, NameOf(s), isTeam ? "team" : "gemeente", isTeam ? snapshot?.TeamOf(s) : null,
                release.Count(counts.Sum()), release.Series(counts), initiatives.GetValueOrDefault(s));
        }).ToList();

        var analysis = await hotspots.AnalyseAsync(new HotspotQuery(first, last, null, hotspots.Options.DefaultCellSize), ct);
        var inBand = analysis?.Hotspots.Where(h => h.Hotspot.Polygon.Intersects(band)).ToList() ?? [];
        return new BandReport(code, area.Name, other, otherName, d, months.Select(m => m.ToString("MM-yyyy")).ToList(), result, inBand, band, border, analysis?.Demo ?? false)
            { From = first, To = last };
    }

    /// <summary>
    /// The meldingen in a band in full for <paramref name="user"/> (no personal data), newest first, at most 2,000; null when
    /// the user is not involved. A beheerder sees all of them; a member of the gebiedsteam on either side of this border
    /// those of the teams in the band; anyone else none.
    /// </summary>
    public async Task<List<BandMelding>?> BandMeldingenForAsync(System.Security.Claims.ClaimsPrincipal user, BandReport band, CancellationToken ct = default)
    {
        if (user.IsInRole(Accounts.KaartRoles.Beheerder)) return await BandMeldingenAsync(band, null, ct);
        var involved = user.IsInRole(Accounts.KaartRoles.Gebiedsteam) && Accounts.ClaimsPrincipalExtensions.Gebieden(user).Any(g => g == band.Code || g == band.Other);
        return involved ? await BandMeldingenAsync(band, band.Sides.Where(s => s.Kind == "team").Select(s => s.Code).ToList(), ct) : null;
    }

    // the same 12 months as the counts above (the page lists what it counts)
    private async Task<List<BandMelding>> BandMeldingenAsync(BandReport band, IReadOnlyCollection<string>? gebieden, CancellationToken ct) =>
        (await meldingen.NearAsync(band.Border, band.DistanceM, band.From, band.To, gebieden, 2000, ct))
        .Select(m => new BandMelding(m.Id, m.CreatedAt, m.Category, m.Status, m.Gebied, m.X, m.Y)).ToList();

    /// <summary>Where the gemeente in force and the neighbouring municipalities' layer disagree (and, within that layer,
    /// where our own municipality's polygon and its neighbours do), once per boundary state.</summary>
    public async Task<IReadOnlyList<(string Layer, BorderDiscrepancy Discrepancy)>> DiscrepanciesAsync(CancellationToken ct = default)
    {
        var key = ("afwijkingen", await VersionAsync(ct));
        if (cache.TryGetValue(key, out IReadOnlyList<(string, BorderDiscrepancy)>? cached)) return cached!;
        var (municipalities, own) = await MunicipalitiesAsync(ct);
        var neighbours = municipalities.Where(m => m.Code != own).ToList();
        var list = new List<(string, BorderDiscrepancy)>();
        Geometry? gemeente;
        await using (var cmd = db.CreateCommand("SELECT geom FROM area_in_force WHERE level = 'gemeente' LIMIT 1"))
            gemeente = await cmd.ExecuteScalarAsync(ct) as Geometry;
        if (gemeente is not null)
            list.AddRange(BorderDiscrepancies.Find(gemeente, neighbours, Options.DiscrepancyBandM).Select(d => ("gemeente", d)));
        if (municipalities.FirstOrDefault(m => m.Code == own) is { } cbsOwn)
            list.AddRange(BorderDiscrepancies.Find(cbsOwn.Geometry, neighbours, Options.DiscrepancyBandM).Select(d => ("cbs", d)));
        cache.Set(key, (IReadOnlyList<(string, BorderDiscrepancy)>)list, TimeSpan.FromHours(1));
        return list;
    }

    /// <summary>
    /// The displacement signal of gebied or wijk <paramref name="code"/> around <paramref name="date"/>: meldingen inside it
    /// against its border band outside it, and against its same-level neighbours, <paramref name="weeks"/> before and after.
    /// </summary>
    public async Task<DisplacementReport?> DisplacementAsync(string code, AreaLevel level, DateOnly date, int weeks, double? distanceM, CancellationToken ct = default)
    {
        var d = distanceM is { } asked && Meldingen.DisclosureControl.IsBandWidth(asked) ? asked : Options.BandMetres;
        weeks = Math.Clamp(weeks, 1, 52);
        var layer = await LayerAsync(level, ct);
        if (layer.Areas.FirstOrDefault(a => a.Code == code) is not { } area) return null;
        var neighbours = layer.Neighbours[code].Select(n => layer.Areas.First(a => a.Code == n.Code).Geometry).ToArray();
        var around = neighbours.Length == 0 ? area.Geometry.Factory.CreateMultiPolygon() : NetTopologySuite.Operation.OverlayNG.OverlayNGRobust.Union(neighbours);
        around.SRID = RdNew.Srid;
        var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var (before, after) = await meldingen.InsideBandAndAroundAsync(area.Geometry, around, d, start.AddDays(-7 * weeks), start, start.AddDays(7 * weeks), ct);
        return new DisplacementReport(code, area.Name, date, weeks, d,
            Displacement.Test(before[0], before[1], after[0], after[1]), Displacement.Test(before[0], before[2], after[0], after[2]));
    }
}
