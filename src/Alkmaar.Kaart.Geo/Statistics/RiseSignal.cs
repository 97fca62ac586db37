using MathNet.Numerics.Distributions;

namespace Alkmaar.Kaart.Geo.Statistics;

/// <summary>
/// "Stijgt deze soort melding hier opvallend?": a one-sided Poisson test of a count against its own count in the same
/// period a year earlier. Under "nothing changed" the count is Poisson with the earlier count as its mean (at least
/// <see cref="MinimumExpected"/>, so a category that was nearly absent does not signal on two meldingen); the signal is
/// raised when a count this high or higher would happen less often than <see cref="Alpha"/> and the rise is at least
/// <see cref="MinimumCount"/>. A signal is a reason to look, not a verdict: the many wijk × category pairs tested each
/// month make some false alarms certain (at α = 0.01, about one in a hundred pairs that did not change).
/// </summary>
public static class RiseSignal
{
    public const double Alpha = 0.01;
    public const int MinimumCount = 5;
    public const double MinimumExpected = 1.0;

    /// <summary>P(X ≥ <paramref name="observed"/>) for X ~ Poisson(<paramref name="expected"/>).</summary>
    public static double UpperTail(int observed, double expected)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(observed);
        var lambda = Math.Max(expected, MinimumExpected);
        return observed == 0 ? 1.0 : 1.0 - Poisson.CDF(lambda, observed - 1);
    }

    /// <summary>Whether <paramref name="observed"/> against last year's <paramref name="lastYear"/> is a signal, and its p-value.</summary>
    public static (bool Signal, double P) Test(int observed, int lastYear)
    {
        var p = UpperTail(observed, lastYear);
        return (observed >= MinimumCount && observed > lastYear && p < Alpha, p);
    }
}
