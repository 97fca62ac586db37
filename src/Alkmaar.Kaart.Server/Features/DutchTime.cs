using System.Globalization;

namespace Alkmaar.Kaart.Server.Features;

/// <summary>
/// Times and dates as people read them: in Europe/Amsterdam (whatever the server's own zone), as dd-mm-jjjj. Every page
/// uses these, so one event never reads 16:59 on one page and 17:59 on another.
/// </summary>
public static class DutchTime
{
    public static readonly TimeZoneInfo Amsterdam = Find();
    private static readonly CultureInfo Nl = CultureInfo.GetCultureInfo("nl-NL");

    /// <summary>The instant in Dutch local time.</summary>
    public static DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Amsterdam);

    /// <summary>"06-12-2026 17:59".</summary>
    public static string Format(DateTimeOffset t) => Local(t).ToString("dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"06-12-2026 17:59", or an empty string for none.</summary>
    public static string Format(DateTimeOffset? t) => t is { } v ? Format(v) : "";

    /// <summary>"06-12-2026 17:59:03" (the audit log).</summary>
    public static string Seconds(DateTimeOffset t) => Local(t).ToString("dd-MM-yyyy HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>"06-12-2026": the local day of an instant.</summary>
    public static string Date(DateTimeOffset t) => Local(t).ToString("dd-MM-yyyy", CultureInfo.InvariantCulture);

    /// <summary>"06-12-2026".</summary>
    public static string Date(DateOnly d) => d.ToString("dd-MM-yyyy", CultureInfo.InvariantCulture);

    /// <summary>The Dutch calendar day of an instant.</summary>
    public static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(Local(t).DateTime);

    /// <summary>"6 december 2026 17:59" (running text).</summary>
    public static string Long(DateTimeOffset t) => Local(t).ToString("d MMMM yyyy HH:mm", Nl);

    private static TimeZoneInfo Find()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }

    /// <summary>The instant a Dutch calendar day begins (midnight in Amsterdam), for filters on days a person picked.</summary>
    public static DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Amsterdam.GetUtcOffset(local));
    }
}
