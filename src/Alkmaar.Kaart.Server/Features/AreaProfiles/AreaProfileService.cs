using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Gebiedsteams;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Server.Features.Population;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.AreaProfiles;

public sealed record CategoryCount(string Category, int Count, double Share, double? Per1000);

/// <summary>Meldingen inside an area in one year: per month (1–12), top categories, and the gemeente's total to compare.</summary>
public sealed record MeldingenProfile(int? Year, IReadOnlyList<int> Years, int Count, double? Per1000, IReadOnlyList<int> PerMonth,
    IReadOnlyList<CategoryCount> TopCategories, int GemeenteCount, double? GemeentePer1000, bool Demo);

/// <summary>What the monitor scores on an area page stand for: the area itself, its wijk, or the wijken in it.</summary>
public sealed record MonitorBasis(string Description, IReadOnlyList<string> AreaCodes);

/// <summary>Everything an area page shows, from public data and aggregates only.</summary>
public sealed record AreaProfile(AreaDetails Details, PublicGebiedsteam? Team, AreaPopulation? Population,
    MeldingenProfile Meldingen, MonitorBasis? MonitorBasis, IReadOnlyList<MonitorComparison> Monitor, string GemeenteName,
    IReadOnlyList<Initiatief> Initiatieven, IReadOnlyList<RankedHotspot> Hotspots, double? InitiatievenPer1000, IReadOnlyList<AreaLink> Children);

/// <summary>
/// The profile of a gebied, wijk, buurt or dorp: its team, inwoners, meldingen trend and top categories (also per 1,000
/// inwoners, next to the gemeente), monitor scores against the gemeente, initiatives and hotspots inside it.
/// Meldingen and initiatives count by location (inside the area's geometry, its boundary included), not by routing.
/// </summary>
public sealed class AreaProfileService(AreaRepository areas, MeldingService meldingen, MonitorStore monitor,
    InitiatiefStore initiatieven, HotspotService hotspots, PopulationStore population, GebiedsteamStore teams)
{
    public const int TopCategoryCount = 5;

    public async Task<AreaProfile?> GetAsync(string code, AreaLevel? level, int? year, CancellationToken ct = default)
    {
        var details = await areas.GetAsync(code, level, withGeometry: true, ct);
        if (details?.Area.Geometry is not { } geometry) return null;
        var area = details.Area;
        var gemeente = details.Chain.LastOrDefault(c => c.Level == AreaLevel.Gemeente)
                       ?? (area.Level == AreaLevel.Gemeente ? new AreaLink(AreaLevel.Gemeente, area.Code, area.Name) : null);
        var gebiedCode = area.Level == AreaLevel.Gebied ? area.Code : details.Chain.FirstOrDefault(c => c.Level == AreaLevel.Gebied)?.Code;

        var team = gebiedCode is null ? null : await teams.GetPublicAsync(gebiedCode, ct);
        var inwoners = await population.OfAreaAsync(area.Code, area.Level, ct);
        var gemeenteInwoners = gemeente is null ? null : await population.OfAreaAsync(gemeente.Code, AreaLevel.Gemeente, ct);

        var years = await meldingen.YearsAsync(ct);
        int? shownYear = year is { } y && years.Contains(y) ? y : years.Count > 0 ? years[0] : null;
        var profile = await MeldingenAsync(area, gemeente, shownYear, years, inwoners, gemeenteInwoners, ct);

        var children = area.Level is AreaLevel.Gebied or AreaLevel.Wijk or AreaLevel.Gemeente ? await areas.ChildrenAsync(area.Code, ct) : [];
        var basis = MonitorBasisOf(details, children);
        var scores = basis is null || gemeente is null ? [] : await monitor.CompareAsync(basis.AreaCodes, gemeente.Code, ct);

        var inside = (await initiatieven.ListAsync(new InitiatiefFilter(), ct)).Where(i => geometry.Intersects(i.Geometry)).ToList();

        var spots = new List<RankedHotspot>();
        if (shownYear is { } hy)
        {
            var analysis = await hotspots.AnalyseAsync(new HotspotQuery(new DateOnly(hy, 1, 1), new DateOnly(hy, 12, 31), null, hotspots.Options.DefaultCellSize), ct);
            if (analysis is not null) spots = analysis.Hotspots.Where(h => geometry.Intersects(h.Hotspot.Polygon)).ToList();
        }
        var perInitiatief = inwoners?.Per1000(inside.Count);
        return new AreaProfile(details, team, inwoners, profile, basis, scores, gemeente?.Name ?? "gemeente", inside, spots, perInitiatief, children);
    }

    private async Task<MeldingenProfile> MeldingenAsync(AreaRecord area, AreaLink? gemeente, int? year, List<int> years,
        AreaPopulation? inwoners, AreaPopulation? gemeenteInwoners, CancellationToken ct)
    {
        if (year is not { } y) return new MeldingenProfile(null, years, 0, null, new int[12], [], 0, null, false);
        var tz = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        DateTimeOffset Start(int yy) => new(new DateTime(yy, 1, 1), tz.GetUtcOffset(new DateTime(yy, 1, 1)));
        var (counts, demo) = await meldingen.CountsInAsync(area.Code, area.Level, Start(y), Start(y + 1), ct);
        var perMonth = new int[12];
        foreach (var c in counts) perMonth[c.Month - 1] += c.Count;
        var total = perMonth.Sum();
        var top = counts.GroupBy(c => c.Category).Select(g => (Category: g.Key, Count: g.Sum(c => c.Count)))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Category).Take(TopCategoryCount)
            .Select(c => new CategoryCount(c.Category, c.Count, total == 0 ? 0 : (double)c.Count / total, inwoners?.Per1000(c.Count))).ToList();
        var gemeenteCount = gemeente is null ? 0
            : (await meldingen.CountsInAsync(gemeente.Code, AreaLevel.Gemeente, Start(y), Start(y + 1), ct)).Counts.Sum(c => c.Count);
        return new MeldingenProfile(y, years, total, inwoners?.Per1000(total), perMonth, top, gemeenteCount, gemeenteInwoners?.Per1000(gemeenteCount), demo);
    }

    /// <summary>
    /// Monitor scores are published per wijk: a wijk uses its own, a buurt or dorp its wijk's (from its chain), a gebied the
    /// mean of its wijken (its children).
    /// </summary>
    private static MonitorBasis? MonitorBasisOf(AreaDetails details, IReadOnlyList<AreaLink> children)
    {
        var area = details.Area;
        switch (area.Level)
        {
            case AreaLevel.Wijk:
            case AreaLevel.Gemeente:
                return new MonitorBasis(area.Name, [area.Code]);
            case AreaLevel.Buurt:
            case AreaLevel.Dorp:
                var wijk = details.Chain.FirstOrDefault(c => c.Level == AreaLevel.Wijk);
                return wijk is null ? null : new MonitorBasis($"wijk {wijk.Name} (scores worden per wijk gemeten)", [wijk.Code]);
            case AreaLevel.Gebied:
                var wijken = children.Where(c => c.Level == AreaLevel.Wijk).ToList();
                if (wijken.Count == 0) return null;
                return new MonitorBasis(wijken.Count == 1
                    ? $"wijk {wijken[0].Name}"
                    : $"gemiddelde van de wijken {string.Join(", ", wijken.Select(w => w.Name))}, gewogen naar respondenten", wijken.Select(w => w.Code).ToList());
            default:
                return null;
        }
    }
}
