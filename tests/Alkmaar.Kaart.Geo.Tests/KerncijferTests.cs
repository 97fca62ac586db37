using Alkmaar.Kaart.Geo.Kerncijfers;
using Alkmaar.Kaart.Geo.Statistics;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>CBS cells, forming an area's figure from its buurten, and when a survey score "stands out".</summary>
public class KerncijferTests
{
    [Theory]
    [InlineData("2130", 2130.0)]
    [InlineData("  24.7", 24.7)]
    [InlineData("26,4", 26.4)]     // several kwb editions write a decimal comma
    [InlineData("0", 0.0)]         // a real zero stays a zero
    public void A_cell_with_a_number_reads_as_that_number(string cell, double expected) => Assert.Equal(expected, KwbValue.Parse(cell));

    [Theory]
    [InlineData(".")]
    [InlineData("       .")]
    [InlineData("")]
    [InlineData("-99997")]
    [InlineData("-99995")]
    public void A_secret_or_unknown_cell_is_null_never_zero(string cell) => Assert.Null(KwbValue.Parse(cell));

    [Fact]
    public void A_cell_that_is_neither_a_number_nor_a_CBS_code_is_refused() => Assert.Throws<FormatException>(() => KwbValue.Parse("veel"));

    private static KerncijferDefinition D(string column) => KerncijferCatalog.Find(column)!;

    [Fact]
    public void A_count_sums_and_a_secret_buurt_makes_it_a_lower_bound_that_says_so()
    {
        var all = KerncijferAggregator.Aggregate(D("a_inw"), [new("A", 2130, null), new("B", 1315, null), new("C", 5, null)]);
        Assert.Equal(3450, all.Value);
        Assert.Equal("som van 3 buurten", all.Formed);
        var partial = KerncijferAggregator.Aggregate(D("a_inkont"), [new("A", 1600, null), new("B", null, null)]);
        Assert.Equal(1600, partial.Value);
        Assert.Equal(1, partial.Unknown);
        Assert.Contains("1 onbekend", partial.Formed);
    }

    [Fact]
    public void An_average_is_weighted_by_its_own_base_as_by_hand()
    {
        // g_ink_po is per inkomensontvanger: (31.1·1600 + 36.1·1100) / 2700 = 33.137…; a secret buurt is left out of both sums
        var r = KerncijferAggregator.Aggregate(D("g_ink_po"), [new("A", 31.1, 1600), new("B", 36.1, 1100), new("C", null, 40)]);
        Assert.Equal((31.1 * 1600 + 36.1 * 1100) / 2700, r.Value!.Value, 10);
        Assert.Equal(1, r.Unknown);
        Assert.Contains("gewicht: inkomensontvangers", r.Formed);
        // the unweighted mean would be 33.6: the weighting matters
        Assert.NotEqual(33.6, r.Value!.Value, 1);
    }

    [Fact]
    public void A_share_of_households_and_a_median_are_never_formed_from_buurten()
    {
        var share = KerncijferAggregator.Aggregate(D("p_hh_osm"), [new("A", 11.8, null), new("B", 7.6, null)]);
        Assert.Null(share.Value);
        Assert.Contains("huishoudens", share.Formed);
        Assert.Null(KerncijferAggregator.Aggregate(D("m_hh_ver"), [new("A", 14.3, null), new("B", 134.6, null)]).Value);
    }

    [Fact]
    public void The_Wilson_interval_matches_the_published_values()
    {
        // 2 of 10: 5.67% – 50.98% (Newcombe 1998, table I; Agresti & Coull 1998)
        var i = ScoreComparison.Wilson(20, 10);
        Assert.Equal(5.67, i.Low, 2);
        Assert.Equal(50.98, i.High, 2);
        // 0 of 10 stays within 0–100
        Assert.Equal(0, ScoreComparison.Wilson(0, 10).Low, 10);
        Assert.Equal(27.75, ScoreComparison.Wilson(0, 10).High, 2); // z²/(n+z²) = 3.8415/13.8415
    }

    [Fact]
    public void A_change_uses_Newcombes_interval_for_two_shares()
    {
        // Newcombe 1998, example (a): 56/70 against 48/80, difference 0.2, method 10: 0.0524 to 0.3339
        var c = ScoreComparison.Change(80, 60, "%", 70, 80, null, null)!.Value;
        Assert.Equal(5.24, c.Difference.Low, 2);
        Assert.Equal(33.39, c.Difference.High, 2);
        Assert.Equal(Opvallend.Hoger, c.Result);
    }

    [Theory]
    // 62% of 100 respondents: Wilson 52.2% – 70.9%; a gemeente at 55% lies inside it, one at 50% outside
    [InlineData(62, 100, 55, Opvallend.GeenVerschil)]
    [InlineData(62, 100, 50, Opvallend.Hoger)]
    [InlineData(62, 100, 75, Opvallend.Lager)]
    // the same 7 points from 2,000 respondents is far outside the noise
    [InlineData(62, 2000, 55, Opvallend.Hoger)]
    public void A_score_stands_out_against_the_gemeente_only_outside_its_interval(double score, int n, double gemeente, Opvallend expected)
    {
        var interval = ScoreComparison.IntervalOf(score, "%", n, null)!;
        Assert.Equal(expected, ScoreComparison.AgainstReference(score, interval, gemeente));
    }

    [Fact]
    public void A_rapportcijfer_is_tested_only_with_the_surveys_own_margin()
    {
        Assert.Null(ScoreComparison.IntervalOf(6.8, "cijfer", 300, null));
        var interval = ScoreComparison.IntervalOf(6.8, "cijfer", 300, 0.2)!;
        Assert.Equal(Opvallend.GeenVerschil, ScoreComparison.AgainstReference(6.8, interval, 6.9));
        Assert.Equal(Opvallend.Lager, ScoreComparison.AgainstReference(6.8, interval, 7.1));
        // two years, margins 0.2 and 0.2: a change of 0.25 is inside √0.08 ≈ 0.28, one of 0.3 is not
        Assert.Equal(Opvallend.GeenVerschil, ScoreComparison.Change(7.05, 6.8, "cijfer", null, null, 0.2, 0.2)!.Value.Result);
        Assert.Equal(Opvallend.Hoger, ScoreComparison.Change(7.1, 6.8, "cijfer", null, null, 0.2, 0.2)!.Value.Result);
        Assert.Null(ScoreComparison.Change(7.1, 6.8, "cijfer", 300, 300, null, null));
    }
}
