using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A public aggregate of meldingen asked for a period that is too short (or otherwise refused).</summary>
public sealed class DisclosureException(string title, string detail, string parameter) : RejectedException(title, detail, parameter);

/// <summary>
/// Disclosure control for every public aggregate of meldingen (the public cells, the dashboard's layers, OGC API, exports,
/// hotspots): nothing finer than the generalisation grid, no period shorter than
/// <see cref="MeldingOptions.PublicMinimumPeriodDays"/> whole days, and no count below
/// <see cref="MeldingOptions.PublicMinimumCount"/>.
/// </summary>
/// <remarks>
/// Rules, applied in one place (<see cref="Period"/>, <see cref="Publishable"/>, <see cref="Categories"/>; <see cref="MeldingCells"/>
/// reads every public cell through them):
/// <list type="number">
/// <item>A period is widened to whole days (Europe/Amsterdam) and must span at least the minimum; an open start means
/// "since the first melding", an open end "until now".</item>
/// <item>A cell with fewer meldingen than the minimum is not published.</item>
/// <item>In a published cell, categories below the minimum are merged into <c>overig</c>; if <c>overig</c> itself would
/// be below the minimum (but not zero), the cell is published with its total only, without categories.</item>
/// </list>
/// </remarks>
public sealed class DisclosureControl(IOptions<MeldingOptions> options, TimeProvider time)
{
    public const string Other = "overig";
    public int MinimumCount => options.Value.PublicMinimumCount;
    public int MinimumPeriodDays => options.Value.PublicMinimumPeriodDays;

    private static readonly TimeZoneInfo Zone = FindZone();

    /// <summary>The period widened to whole local days; throws <see cref="DisclosureException"/> when shorter than the minimum.</summary>
    public (DateTimeOffset? From, DateTimeOffset? To) Period(DateTimeOffset? from, DateTimeOffset? to, string parameter = "from,to")
    {
        if (from is null && to is null) return (null, null);
        var start = from is { } f ? StartOfDay(f) : (DateTimeOffset?)null;
        var end = EndOfDay(to ?? time.GetUtcNow());
        if (start is { } s && (end - s).TotalDays < MinimumPeriodDays - 1e-9)
            throw new DisclosureException("Periode te kort",
                $"Openbare tellingen van meldingen beslaan ten minste {MinimumPeriodDays} hele dagen (gevraagd: {Math.Max(0, (end - s).TotalDays):0.#}).", parameter);
        return (start, to is null ? null : end);
    }

    /// <summary>
    /// For periods given as days (first and last day inclusive; an open end is today): a Dutch message when the period is
    /// shorter than <paramref name="minimumDays"/>, else null. The same rule as <see cref="Period"/>, for the pages and
    /// parameters that take dates.
    /// </summary>
    public static string? ShortPeriod(DateOnly? from, DateOnly? to, int minimumDays) =>
        from is { } start && (to ?? DateOnly.FromDateTime(DateTime.UtcNow)).DayNumber - start.DayNumber + 1 < minimumDays
            ? $"De periode is minstens {minimumDays} dagen (kortere periodes zouden losse meldingen herkenbaar maken)."
            : null;

    /// <summary>The categories of a published cell (see the rules), or null for "total only".</summary>
    public IReadOnlyDictionary<string, int>? Categories(IReadOnlyDictionary<string, int> counts)
    {
        var k = MinimumCount;
        var shown = counts.Where(c => c.Value >= k).ToDictionary(c => c.Key, c => c.Value);
        var other = counts.Where(c => c.Value < k).Sum(c => c.Value);
        if (other == 0) return shown;
        if (other < k) return null;
        shown[Other] = shown.GetValueOrDefault(Other) + other;
        return shown;
    }

    /// <summary>The most frequent named category of a published cell (not <c>overig</c>), or null when none is shown.</summary>
    public static string? Top(IEnumerable<KeyValuePair<string, int>>? categories) =>
        categories?.Where(kv => kv.Key != Other).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key).FirstOrDefault();

    /// <summary>True when a cell of this total may be published.</summary>
    public bool Publishable(int total) => total >= MinimumCount;

    /// <summary>The local (Europe/Amsterdam) day an instant falls on: the days the kept cell counts are per.</summary>
    public static DateOnly LocalDay(DateTimeOffset t) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, Zone).DateTime);

    /// <summary>The instant a local day starts.</summary>
    public static DateTimeOffset StartOfLocalDay(DateOnly day)
    {
        var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(start, Zone.GetUtcOffset(start));
    }

    private static DateTimeOffset StartOfDay(DateTimeOffset t)
    {
        var local = TimeZoneInfo.ConvertTime(t, Zone);
        var day = new DateTime(local.Year, local.Month, local.Day, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(day, Zone.GetUtcOffset(day));
    }

    private static DateTimeOffset EndOfDay(DateTimeOffset t)
    {
        var start = StartOfDay(t);
        if (t == start) return start; // already a day boundary
        var next = start.DateTime.AddDays(1);
        return new DateTimeOffset(next, Zone.GetUtcOffset(next));
    }

    private static TimeZoneInfo FindZone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }
}
