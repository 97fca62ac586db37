using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A public aggregate of meldingen asked for a period that is too short (or otherwise refused).</summary>
public sealed class DisclosureException(string title, string detail, string parameter) : RejectedException(title, detail, parameter);

/// <summary>
/// The release rule for every public number about meldingen (the public cells, the dashboard's layers, OGC API, exports,
/// hotspots, border bands, area pages and profiles), applied here and nowhere else: periods already over, fixed bands,
/// nothing finer than the generalisation grid, no count below <see cref="MeldingOptions.PublicMinimumCount"/>.
/// </summary>
/// <remarks>
/// Rules (docs/security.md, "The release rule", says what each one prevents):
/// <list type="number">
/// <item>Today is never released: a period ends at the end of yesterday (Europe/Amsterdam) at the latest, an open end
/// means "up to yesterday", and "all time" too. So polling shows nothing of today, and asking up to today or up to
/// yesterday gives the same answer.</item>
/// <item>A period is widened to whole local days and must span at least <see cref="MeldingOptions.PublicMinimumPeriodDays"/>.</item>
/// <item>Series by month (border bands, profiles) count whole calendar months that are over: "afgelopen 12 maanden" is
/// the 12 whole months before the current one (<see cref="Last12Months"/>), one definition everywhere.</item>
/// <item>Border bands have fixed widths (<see cref="BandWidths"/>): no distance in between, so differences of counts
/// over distances say nothing finer than the bands.</item>
/// <item>A cell with fewer meldingen than the minimum is not published; in a published cell, categories below the minimum
/// are merged into <c>overig</c>; if <c>overig</c> itself would be below the minimum (but not zero), the cell is published
/// with its total only. A series (months, categories) with a published total gets a second suppression where one
/// suppressed part could be told from the total (<see cref="Series"/>).</item>
/// </list>
/// </remarks>
public sealed class DisclosureControl(IOptions<MeldingOptions> options, TimeProvider time)
{
    public const string Other = "overig";
    public int MinimumCount => options.Value.PublicMinimumCount;
    public int MinimumPeriodDays => options.Value.PublicMinimumPeriodDays;

    /// <summary>The widths of a border band that may be asked (metres on both sides of the border).</summary>
    public static readonly IReadOnlyList<int> BandWidths = [100, 250, 500];

    private static readonly TimeZoneInfo Zone = FindZone();

    /// <summary>Today (Europe/Amsterdam): never released.</summary>
    public DateOnly Today => LocalDay(time.GetUtcNow());

    /// <summary>The newest day a public number counts: yesterday.</summary>
    public DateOnly LastReleasedDay => Today.AddDays(-1);

    /// <summary>The instant the released days end: the start of today.</summary>
    public DateTimeOffset ReleaseEnd => StartOfLocalDay(Today);

    /// <summary>
    /// The released period for an asked one: widened to whole local days, ending at the end of yesterday at the latest (also
    /// for an open end or no period at all); throws <see cref="DisclosureException"/> when it is not over yet or shorter than
    /// the minimum. From null: since the first melding.
    /// </summary>
    public (DateTimeOffset? From, DateTimeOffset To) Period(DateTimeOffset? from, DateTimeOffset? to, string parameter = "from,to")
    {
        var start = from is { } f ? StartOfDay(f) : (DateTimeOffset?)null;
        var end = to is { } t ? EndOfDay(t) : ReleaseEnd;
        if (end > ReleaseEnd) end = ReleaseEnd;
        if (start is { } s0 && s0 >= end)
            throw new DisclosureException("Periode nog niet voorbij",
                $"Openbare tellingen van meldingen gaan tot en met gisteren ({LastReleasedDay:dd-MM-yyyy}); deze periode begint daarna.", parameter);
        if (start is { } s && (end - s).TotalDays < MinimumPeriodDays - 1e-9)
            throw new DisclosureException("Periode te kort",
                $"Openbare tellingen van meldingen beslaan ten minste {MinimumPeriodDays} hele dagen tot en met gisteren (gevraagd: {Math.Max(0, (end - s).TotalDays):0.#}).", parameter);
        return (start, end);
    }

    /// <summary>
    /// The released days for days asked (first and last inclusive): the last day at most yesterday (an open end: yesterday);
    /// a Dutch message when the period is not over or shorter than the minimum. The same rule as <see cref="Period"/>.
    /// </summary>
    public (DateOnly? From, DateOnly To, string? Error) Days(DateOnly? from, DateOnly? to)
    {
        var last = to is { } t && t < LastReleasedDay ? t : LastReleasedDay;
        if (from is { } f && f > last)
            return (from, last, $"Openbare tellingen van meldingen gaan tot en met gisteren ({LastReleasedDay:dd-MM-yyyy}); deze periode begint daarna.");
        if (from is { } start && last.DayNumber - start.DayNumber + 1 < MinimumPeriodDays)
            return (from, last, $"De periode is minstens {MinimumPeriodDays} hele dagen tot en met gisteren (kortere periodes zouden losse meldingen herkenbaar maken).");
        return (from, last, null);
    }

    /// <summary>"Afgelopen 12 maanden": the 12 whole calendar months before the current one (first day, last day).</summary>
    public (DateOnly First, DateOnly Last) Last12Months()
    {
        var thisMonth = new DateOnly(Today.Year, Today.Month, 1);
        return (thisMonth.AddMonths(-12), thisMonth.AddDays(-1));
    }

    /// <summary>The name of <see cref="Last12Months"/> on a page: "december 2025 t/m november 2026".</summary>
    public string Last12MonthsLabel()
    {
        var (first, last) = Last12Months();
        var nl = System.Globalization.CultureInfo.GetCultureInfo("nl-NL");
        return $"{first.ToString("MMMM yyyy", nl)} t/m {last.ToString("MMMM yyyy", nl)}";
    }

    /// <summary>A count as published: null when below the minimum (zero is published as zero).</summary>
    public long? Count(long n) => n == 0 || n >= MinimumCount ? n : null;

    /// <summary>
    /// Parts of a series whose total is published (months of a year, categories of an area): each part below the minimum
    /// is left out (null), and when what is left out could be told from the total (one part, or parts adding up to less
    /// than the minimum), the smallest other parts are left out too until it cannot.
    /// </summary>
    public long?[] Series(IReadOnlyList<long> parts)
    {
        var k = MinimumCount;
        var shown = parts.Select(p => p == 0 || p >= k ? (long?)p : null).ToArray();
        long Hidden() => parts.Where((p, i) => shown[i] is null).Sum();
        int HiddenCount() => shown.Count(v => v is null);
        while (HiddenCount() > 0 && (HiddenCount() == 1 || Hidden() < k))
        {
            var next = Enumerable.Range(0, parts.Count).Where(i => shown[i] is > 0).OrderBy(i => parts[i]).ThenBy(i => i).FirstOrDefault(-1);
            if (next < 0) break;
            shown[next] = null;
        }
        return shown;
    }

    /// <summary>True when a border band of this width may be asked.</summary>
    public static bool IsBandWidth(double metres) => BandWidths.Any(w => w == metres);

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
