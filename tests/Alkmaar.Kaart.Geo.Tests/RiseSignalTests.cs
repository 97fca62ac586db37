using Alkmaar.Kaart.Geo.Statistics;

namespace Alkmaar.Kaart.Geo.Tests;

public class RiseSignalTests
{
    [Fact]
    public void The_upper_tail_is_the_sum_of_the_poisson_probabilities_from_the_count_up()
    {
        // oracle: the tail summed term by term, P(X = k) = e^-λ λ^k / k!
        foreach (var (k, lambda) in new[] { (0, 3.0), (1, 3.0), (5, 3.0), (12, 4.0), (30, 20.0) })
        {
            double term = Math.Exp(-lambda), below = 0;
            for (var i = 0; i < k; i++) { below += term; term *= lambda / (i + 1); }
            Assert.Equal(1 - below, RiseSignal.UpperTail(k, lambda), 10);
        }
    }

    [Theory]
    [InlineData(12, 4, true)]    // three times last year: P(X ≥ 12 | 4) ≈ 0.0009
    [InlineData(8, 4, false)]    // twice, but P ≈ 0.051: could be chance
    [InlineData(4, 0, false)]    // from nothing to four: too few to call
    [InlineData(6, 0, true)]     // from nothing to six (λ floored at 1): P ≈ 0.0006
    [InlineData(40, 40, false)]  // the same as last year
    [InlineData(3, 30, false)]   // a fall is never a rise signal
    public void A_signal_needs_a_count_unlikely_under_last_years_rate_and_at_least_five(int observed, int lastYear, bool signal) =>
        Assert.Equal(signal, RiseSignal.Test(observed, lastYear).Signal);
}
