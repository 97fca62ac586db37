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

/// <summary>
/// Meldingen inside an area in one year under the release rule (<see cref="DisclosureControl"/>): the whole months of that
/// year that are over (<see cref="Months"/>), per month (1–12; null where left out or not over yet), top categories (only
/// those published), and the gemeente's total to compare. <see cref="Count"/> is null when below the minimum.
/// </summary>
public sealed record MeldingenProfile(int? Year, IReadOnlyList<int> Years, int? Count, double? Per1000, IReadOnlyList<int?> PerMonth,
    IReadOnlyList<CategoryCount> TopCategories, int? GemeenteCount, double? GemeentePer1000, bool Demo)
{
    /// <summary>How many months of <see cref="Year"/> are counted (12, or fewer for the current year).</summary>
    public int Months { get; init; } = 12;
}

/// <summary>What the monitor scores on an area page stand for: the area itself, its wijk, or the wijken in it.</summary>
public sealed record MonitorBasis(string Description, IReadOnlyList<string> AreaCodes);

/// <summary>Everything an area page shows, from public data and aggregates only.</summary>
public sealed record AreaProfile(AreaDetails Details, PublicGebiedsteam? Team, AreaPopulation? Population,
    MeldingenProfile Meldingen, MonitorBasis? MonitorBasis, IReadOnlyList<MonitorComparison> Monitor, string GemeenteName,
    IReadOnlyList<Initiatief> Initiatieven, IReadOnlyList<RankedHotspot> Hotspots, double? InitiatievenPer1000, IReadOnlyList<AreaLink> Children)
{
    /// <summary>The CBS kerncijfers of the area (the Gebiedsanalyse), latest year of each against the gemeente.</summary>
    public IReadOnlyList<Kerncijfers.AreaKerncijfer> Kerncijfers { get; init; } = [];
}

/// <summary>
/// The profile of a gebied, wijk, buurt or dorp: its team, inwoners, meldingen trend and top categories (also per 1,000
/// inwoners, next to the gemeente), monitor scores against the gemeente, initiatives and hotspots inside it.
/// Meldingen and initiatives count by location (inside the area's geometry, its boundary included), not by routing.
/// </summary>
public sealed class AreaProfileService(AreaRepository areas, MeldingStatistics meldingen, MonitorStore monitor,
    InitiatiefStore initiatieven, HotspotService hotspots, PopulationStore population, GebiedsteamStore teams, DisclosureControl release,
    Kerncijfers.KerncijferStore kerncijfers)
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

        // years with a whole month over (the current year from February on; January's year only once January is over)
        var years = (await meldingen.YearsAsync(ct)).Where(yy => new DateOnly(yy, 1, 1).AddMonths(1) <= ReleasedMonthsEnd).ToList();
        int? shownYear = year is { } y && years.Contains(y) ? y : years.Count > 0 ? years[0] : null;
        var profile = await MeldingenAsync(area, gemeente, shownYear, years, inwoners, gemeenteInwoners, ct);

        var children = area.Level is AreaLevel.Gebied or AreaLevel.Wijk or AreaLevel.Gemeente ? await areas.ChildrenAsync(area.Code, ct) : [];
        var basis = MonitorBasisOf(details, children);
        var scores = basis is null || gemeente is null ? [] : await monitor.CompareAsync(basis.AreaCodes, gemeente.Code, ct);

        var inside = (await initiatieven.ListAsync(new InitiatiefFilter(), ct)).Where(i => geometry.Intersects(i.Geometry)).ToList();

        var spots = new List<RankedHotspot>();
        if (shownYear is { } hy)
        {
            var end = new DateOnly(hy, 12, 31) < ReleasedMonthsEnd ? new DateOnly(hy, 12, 31) : ReleasedMonthsEnd.AddDays(-1);
            var analysis = await hotspots.AnalyseAsync(new HotspotQuery(new DateOnly(hy, 1, 1), end, null, hotspots.Options.DefaultCellSize), ct);
            if (analysis is not null) spots = analysis.Hotspots.Where(h => geometry.Intersects(h.Hotspot.Polygon)).ToList();
        }
        var perInitiatief = inwoners?.Per1000(inside.Count);
        var figures = await kerncijfers.ProfileAsync(area.Code, area.Level, gemeente?.Code, ct);
        return new AreaProfile(details, team, inwoners, profile, basis, scores, gemeente?.Name ?? "gemeente", inside, spots, perInitiatief, children)
        {
            Kerncijfers = figures,
        };
    }

    /// <summary>The meldingen of the profile's area in another year (the same release rule), e.g. last year to compare.</summary>
    public async Task<MeldingenProfile> MeldingenOfYearAsync(AreaProfile p, int year, CancellationToken ct = default)
    {
        var gemeente = p.Details.Chain.LastOrDefault(c => c.Level == AreaLevel.Gemeente);
        var gemeenteInwoners = gemeente is null ? null : await population.OfAreaAsync(gemeente.Code, AreaLevel.Gemeente, ct);
        return await MeldingenAsync(p.Details.Area, gemeente, year, [.. p.Meldingen.Years], p.Population, gemeenteInwoners, ct);
    }

    private async Task<MeldingenProfile> MeldingenAsync(AreaRecord area, AreaLink? gemeente, int? year, List<int> years,
        AreaPopulation? inwoners, AreaPopulation? gemeenteInwoners, CancellationToken ct)
    {
        if (year is not { } y) return new MeldingenProfile(null, years, null, null, new int?[12], [], null, null, false);
        // the release rule: whole months that are over (the current year up to the end of last month)
        var end = new DateOnly(y + 1, 1, 1) < ReleasedMonthsEnd ? new DateOnly(y + 1, 1, 1) : ReleasedMonthsEnd;
        var months = (end.Year - y) * 12 + end.Month - 1;
        var (counts, demo) = await meldingen.CountsInAsync(area.Code, area.Level, DisclosureControl.StartOfLocalDay(new DateOnly(y, 1, 1)),
            DisclosureControl.StartOfLocalDay(end), ct);
        var perMonth = new long[12];
        foreach (var c in counts) perMonth[c.Month - 1] += c.Count;
        var total = perMonth.Sum();
        // no count below the minimum, and no part that could be told from the total and the other parts
        var shownMonths = release.Series(perMonth[..months]).Concat(Enumerable.Repeat<long?>(null, 12 - months)).Select(v => (int?)v).ToList();
        var byCategory = counts.GroupBy(c => c.Category).Select(g => (Category: g.Key, Count: (long)g.Sum(c => c.Count))).OrderBy(c => c.Category, StringComparer.Ordinal).ToList();
        var shownCategories = release.Series(byCategory.Select(c => c.Count).ToList());
        var shownTotal = release.Count(total);
        var top = byCategory.Select((c, i) => (c.Category, Count: shownCategories[i])).Where(c => c.Count is > 0 && shownTotal is not null)
            .OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).Take(TopCategoryCount)
            .Select(c => new CategoryCount(c.Category, (int)c.Count!.Value, (double)c.Count.Value / total, inwoners?.Per1000((int)c.Count.Value))).ToList();
        var gemeenteCount = gemeente is null ? null
            : release.Count((await meldingen.CountsInAsync(gemeente.Code, AreaLevel.Gemeente, DisclosureControl.StartOfLocalDay(new DateOnly(y, 1, 1)),
                DisclosureControl.StartOfLocalDay(end), ct)).Counts.Sum(c => (long)c.Count));
        return new MeldingenProfile(y, years, (int?)shownTotal, shownTotal is { } t ? inwoners?.Per1000((int)t) : null, shownMonths, top,
            (int?)gemeenteCount, gemeenteCount is { } gc ? gemeenteInwoners?.Per1000((int)gc) : null, demo) { Months = months };
    }

    /// <summary>The first day of the current month: months before it are over and may be released.</summary>
    private DateOnly ReleasedMonthsEnd => new(release.Today.Year, release.Today.Month, 1);

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
