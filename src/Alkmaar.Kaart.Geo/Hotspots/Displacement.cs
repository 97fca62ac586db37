namespace Alkmaar.Kaart.Geo.Hotspots;

/// <summary>The displacement test's answer: the four counts, the odds ratio (after/before, inside/around), z, two-sided p.</summary>
public sealed record DisplacementResult(long InsideBefore, long AroundBefore, long InsideAfter, long AroundAfter,
    double OddsRatio, double Z, double P, bool Significant)
{
    /// <summary>True when the inside fell against its surroundings, significantly: meldingen pushed over the border.</summary>
    public bool Displaced => Significant && OddsRatio < 1;

    public string Verdict => !Significant ? "Geen significante verschuiving tussen het gebied en de rand."
        : OddsRatio < 1 ? "Aanwijzing voor verplaatsing: binnen het gebied minder meldingen, in de rand meer dan verwacht."
        : "Binnen het gebied meer meldingen dan verwacht ten opzichte van de rand.";
}

/// <summary>
/// Displacement signal (issue 19): a targeted approach can push overlast over the border into the next street. Compares
/// the meldingen inside an area with those around it (its border band outside, or its neighbours) before and after a
/// date, as a 2×2 table: under no displacement the share inside stays the same. Test: Woolf's log odds ratio, z =
/// ln(OR) / √(1/a + 1/b + 1/c + 1/d), with 0.5 added to every cell when one is zero (Haldane); two-sided p from the normal.
/// </summary>
public static class Displacement
{
    public static DisplacementResult Test(long insideBefore, long aroundBefore, long insideAfter, long aroundAfter, double alpha = 0.05)
    {
        if (insideBefore < 0 || aroundBefore < 0 || insideAfter < 0 || aroundAfter < 0) throw new ArgumentOutOfRangeException(nameof(insideBefore), "Counts are not negative.");
        double a = insideBefore, b = aroundBefore, c = insideAfter, d = aroundAfter;
        if (a == 0 || b == 0 || c == 0 || d == 0) { a += 0.5; b += 0.5; c += 0.5; d += 0.5; }
        var or = c * b / (d * a);
        var z = Math.Log(or) / Math.Sqrt(1 / a + 1 / b + 1 / c + 1 / d);
        var p = 2 * GiStar.NormalUpperTail(Math.Abs(z));
        return new DisplacementResult(insideBefore, aroundBefore, insideAfter, aroundAfter, or, z, p, p < alpha);
    }
}
