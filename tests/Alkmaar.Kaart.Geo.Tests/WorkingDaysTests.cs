using Alkmaar.Kaart.Geo.Deadlines;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>
/// Handling deadlines in working days (issue 29), against the Dutch public holidays as the government publishes them
/// (rijksoverheid.nl, "Officiële feestdagen" 2026: Nieuwjaarsdag 1 januari, Tweede Paasdag 6 april, Koningsdag 27 april,
/// Bevrijdingsdag 5 mei, Hemelvaartsdag 14 mei, Tweede Pinksterdag 25 mei, Kerstdagen 25 en 26 december).
/// </summary>
public class WorkingDaysTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-01-01")] [InlineData("2026-04-06")] [InlineData("2026-04-27")] [InlineData("2026-05-05")]
    [InlineData("2026-05-14")] [InlineData("2026-05-25")] [InlineData("2026-12-25")] [InlineData("2025-04-26")]
    public void The_published_holidays_are_no_working_days(string day) => Assert.False(WorkingDays.IsWorkingDay(D(day)));

    [Theory]
    [InlineData("2026-04-03")] // Goede Vrijdag: not a day off for the gemeente
    [InlineData("2025-04-28")] // the Monday after Koningsdag on a Saturday
    [InlineData("2026-12-24")]
    public void Other_weekdays_are_working_days(string day) => Assert.True(WorkingDays.IsWorkingDay(D(day)));

    [Theory]
    [InlineData("2026-04-24", 3, "2026-04-30")] // Friday; Monday is Koningsdag
    [InlineData("2026-05-13", 1, "2026-05-15")] // over Hemelvaartsdag
    [InlineData("2026-12-24", 2, "2026-12-29")] // over Christmas and a weekend
    [InlineData("2026-12-07", 0, "2026-12-07")]
    [InlineData("2026-12-05", 1, "2026-12-07")] // received on a Saturday
    public void A_deadline_counts_working_days_after_the_day_of_receipt(string received, int days, string due) =>
        Assert.Equal(D(due), WorkingDays.Add(D(received), days));

    [Fact]
    public void A_year_has_its_weekdays_less_the_holidays_on_weekdays_and_counting_back_undoes_adding()
    {
        // 2026: 261 weekdays, 7 holidays on a weekday (26 December is a Saturday)
        Assert.Equal(254, WorkingDays.Between(D("2025-12-31"), D("2026-12-31")));
        var rng = new Random(29);
        for (var i = 0; i < 500; i++)
        {
            var day = D("2020-01-01").AddDays(rng.Next(0, 3650));
            var n = rng.Next(0, 40);
            Assert.Equal(n, WorkingDays.Between(day, WorkingDays.Add(day, n)));
        }
    }

    [Fact]
    public void Late_after_the_due_day_three_times_late_after_three_handling_times()
    {
        var d = new HandlingDeadline(D("2026-04-24"), 3);
        Assert.Equal(D("2026-04-30"), d.Due);
        Assert.Equal(D("2026-05-11"), d.ThreeTimesDue); // 9 working days, over 5 May
        Assert.Equal(Lateness.OnTime, d.On(D("2026-04-30")));
        Assert.Equal(Lateness.Late, d.On(D("2026-05-01")));
        Assert.Equal(Lateness.Late, d.On(D("2026-05-11")));
        Assert.Equal(Lateness.ThreeTimesLate, d.On(D("2026-05-12")));
    }

    [Fact]
    public void A_pause_moves_the_deadline_on_by_the_working_days_it_lasted_and_is_never_late_while_it_lasts()
    {
        // received Friday 24 April 2026, 3 working days: due Thursday 30 April (Koningsdag skipped)
        var asked = D("2026-04-28"); // the team asks the melder on Tuesday
        var answered = D("2026-05-04"); // the melder answers the next Monday: Wed, Thu, Fri, Mon = 4 working days
        var pause = HandlingDeadline.PauseLength(asked, answered);
        Assert.Equal(4, pause);
        var d = new HandlingDeadline(D("2026-04-24"), 3, pause);
        Assert.Equal(D("2026-05-07"), d.Due); // 28, 29, 30 Apr, 1, 4, 6 (5 May skipped), 7 May
        Assert.Equal(WorkingDays.Add(D("2026-04-24"), 9 + 4), d.ThreeTimesDue);
        Assert.Equal(Lateness.OnTime, d.On(D("2026-05-07")));
        Assert.Equal(Lateness.Late, d.On(D("2026-05-08")));
        // while the clock stands still nothing is late, however long the melder takes
        Assert.Equal(Lateness.OnTime, (new HandlingDeadline(D("2026-04-24"), 3) { Paused = true }).On(D("2026-07-01")));
        Assert.Equal(0, HandlingDeadline.PauseLength(answered, answered));
    }
}
