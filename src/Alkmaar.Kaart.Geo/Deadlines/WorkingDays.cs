using PublicHoliday;

namespace Alkmaar.Kaart.Geo.Deadlines;

/// <summary>
/// Working days in the Netherlands: Monday to Friday except the national public holidays (Nieuwjaarsdag, Tweede Paasdag,
/// Koningsdag — the 26th when the 27th is a Sunday —, Bevrijdingsdag, Hemelvaartsdag, Tweede Pinksterdag, both
/// Kerstdagen), as the PublicHoliday library computes them. Days are local (Europe/Amsterdam) calendar days.
/// </summary>
public static class WorkingDays
{
    private static readonly DutchPublicHoliday Holidays = new();

    public static bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Holidays.IsPublicHoliday(day.ToDateTime(TimeOnly.MinValue));

    /// <summary>The <paramref name="n"/>-th working day after <paramref name="day"/> (the day itself does not count, so a
    /// melding of a Friday with 3 working days is due on Wednesday); <paramref name="day"/> itself for 0.</summary>
    public static DateOnly Add(DateOnly day, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var d = day;
        for (var left = n; left > 0;)
        {
            d = d.AddDays(1);
            if (IsWorkingDay(d)) left--;
        }
        return d;
    }

    /// <summary>The working days after <paramref name="from"/> up to and including <paramref name="to"/> (0 when
    /// <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public static int Between(DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
            if (IsWorkingDay(d)) n++;
        return n;
    }
}

/// <summary>How late a melding is against the handling time promised for its category.</summary>
public enum Lateness
{
    /// <summary>Within its handling time (or closed).</summary>
    OnTime,

    /// <summary>"te laat": its deadline day has passed.</summary>
    Late,

    /// <summary>"3× te laat": three times its handling time has passed (Signalen's mark for what needs escalating).</summary>
    ThreeTimesLate,
}

/// <summary>
/// The handling deadline of a melding: received on <see cref="Received"/> (local day) with <see cref="Days"/> working days
/// to handle it. Due at the end of <see cref="Due"/>; "3× te laat" after <see cref="ThreeTimesDue"/>.
/// </summary>
public sealed record HandlingDeadline(DateOnly Received, int Days)
{
    public DateOnly Due { get; } = WorkingDays.Add(Received, Days);

    public DateOnly ThreeTimesDue { get; } = WorkingDays.Add(Received, 3 * Days);

    /// <summary>How late it is on <paramref name="today"/> while open.</summary>
    public Lateness On(DateOnly today) =>
        today > ThreeTimesDue ? Lateness.ThreeTimesLate : today > Due ? Lateness.Late : Lateness.OnTime;
}
