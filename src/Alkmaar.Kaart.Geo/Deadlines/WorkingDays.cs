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
/// The handling deadline of a melding: its clock started on <see cref="Received"/> (local day; the day it arrived, or the
/// day it was reopened) with <see cref="Days"/> working days to handle it, moved on by <see cref="PausedDays"/> working
/// days the clock stood still (waiting for the melder's answer). Due at the end of <see cref="Due"/>; "3× te laat" after
/// <see cref="ThreeTimesDue"/>. While <see cref="Paused"/> it is never late.
/// </summary>
public sealed record HandlingDeadline(DateOnly Received, int Days, int PausedDays = 0)
{
    public DateOnly Due { get; } = WorkingDays.Add(Received, Days + PausedDays);

    public DateOnly ThreeTimesDue { get; } = WorkingDays.Add(Received, 3 * Days + PausedDays);

    /// <summary>The clock stands still now (the team waits for the melder).</summary>
    public bool Paused { get; init; }

    /// <summary>How late it is on <paramref name="today"/> while open.</summary>
    public Lateness On(DateOnly today) =>
        Paused ? Lateness.OnTime : today > ThreeTimesDue ? Lateness.ThreeTimesLate : today > Due ? Lateness.Late : Lateness.OnTime;

    /// <summary>The working days a clock paused on <paramref name="pausedOn"/> stood still until <paramref name="resumedOn"/>:
    /// the deadline moves on by that many working days.</summary>
    public static int PauseLength(DateOnly pausedOn, DateOnly resumedOn) => WorkingDays.Between(pausedOn, resumedOn);
}
