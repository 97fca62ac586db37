using MathNet.Numerics.Distributions;

namespace Alkmaar.Kaart.Geo.Statistics;

/// <summary>A 95% confidence interval around a survey score.</summary>
public sealed record ScoreInterval(double Low, double High)
{
    public bool Contains(double value) => value >= Low && value <= High;
}

/// <summary>Whether a difference can be shown: up (+1), down (−1), or none that the intervals allow (0).</summary>
public enum Opvallend { Lager = -1, GeenVerschil = 0, Hoger = 1 }

/// <summary>
/// "Opvallend hoger/lager" only when sampling noise cannot explain it. A percentage from <c>n</c> respondents gets its
/// Wilson score interval (good for small n and for shares near 0 or 100%); another score (a rapportcijfer) only the margin
/// the survey itself publishes. A score differs from the gemeente when its interval excludes the gemeente's score (the
/// gemeente is measured on far more respondents); two years differ when Newcombe's interval for the difference of two
/// independent shares (built from both Wilson intervals) excludes 0, or, with published margins, when the difference
/// exceeds √(m₁² + m₂²).
/// </summary>
public static class ScoreComparison
{
    public const double Confidence = 0.95;
    private static readonly double Z = Normal.InvCDF(0, 1, 1 - (1 - Confidence) / 2);

    /// <summary>The Wilson interval of a share <paramref name="percent"/> (0–100) from <paramref name="n"/> respondents, in percent.</summary>
    public static ScoreInterval Wilson(double percent, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var p = Math.Clamp(percent / 100, 0, 1);
        var z2 = Z * Z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = Z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new ScoreInterval(Math.Max(0, centre - half) * 100, Math.Min(1, centre + half) * 100);
    }

    /// <summary>The interval of a score: Wilson for a percentage with respondents, the published margin otherwise, or null.</summary>
    public static ScoreInterval? IntervalOf(double value, string unit, int? respondents, double? margin)
    {
        if (margin is { } m && m > 0) return new ScoreInterval(value - m, value + m);
        return unit.Trim() == "%" && respondents is { } n && n > 0 ? Wilson(value, n) : null;
    }

    /// <summary>The score against a reference (the gemeente): only when the reference lies outside the score's interval.</summary>
    public static Opvallend AgainstReference(double value, ScoreInterval interval, double reference) =>
        interval.Contains(reference) ? Opvallend.GeenVerschil : value > reference ? Opvallend.Hoger : Opvallend.Lager;

    /// <summary>
    /// A change between two years (independent samples): Newcombe's hybrid score interval for a percentage with respondents
    /// in both years, or the published margins combined; null when neither is known.
    /// </summary>
    public static (Opvallend Result, ScoreInterval Difference)? Change(double now, double before, string unit,
        int? respondentsNow, int? respondentsBefore, double? marginNow, double? marginBefore)
    {
        var d = now - before;
        if (marginNow is > 0 && marginBefore is > 0)
        {
            var half = Math.Sqrt(marginNow.Value * marginNow.Value + marginBefore.Value * marginBefore.Value);
            return (Verdict(d - half, d + half, d), new ScoreInterval(d - half, d + half));
        }
        if (unit.Trim() != "%" || respondentsNow is not > 0 || respondentsBefore is not > 0) return null;
        var a = Wilson(now, respondentsNow.Value);
        var b = Wilson(before, respondentsBefore.Value);
        var low = d - Math.Sqrt(Math.Pow(now - a.Low, 2) + Math.Pow(b.High - before, 2));
        var high = d + Math.Sqrt(Math.Pow(a.High - now, 2) + Math.Pow(before - b.Low, 2));
        return (Verdict(low, high, d), new ScoreInterval(low, high));
    }

    private static Opvallend Verdict(double low, double high, double d) =>
        low <= 0 && high >= 0 ? Opvallend.GeenVerschil : d > 0 ? Opvallend.Hoger : Opvallend.Lager;
}
