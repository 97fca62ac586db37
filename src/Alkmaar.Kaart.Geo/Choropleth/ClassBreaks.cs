namespace Alkmaar.Kaart.Geo.Choropleth;

/// <summary>A class of a choropleth: values from <see cref="Lower"/> to <see cref="Upper"/> (both inclusive for the first
/// class, lower exclusive for the others) and its colour.</summary>
public sealed record ChoroplethClass(int Index, double Lower, double Upper, string Color, int Count);

/// <summary>
/// Class breaks for choropleth maps: quantiles (about as many areas per class) with a colour-blind-safe sequential palette
/// (ColorBrewer YlGnBu), the darkest colour for the best values (direction given per indicator).
/// </summary>
public static class ClassBreaks
{
    /// <summary>ColorBrewer YlGnBu, 5 classes, light to dark; readable with the common colour-vision deficiencies.</summary>
    public static readonly string[] Palette = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];

    /// <summary>
    /// Up to <paramref name="classes"/> quantile classes over <paramref name="values"/> (NaN ignored). Breaks are values
    /// that occur, classes never empty; fewer distinct values give fewer classes. With <paramref name="higherIsBetter"/>
    /// false the palette runs the other way, so dark always means better.
    /// </summary>
    public static IReadOnlyList<ChoroplethClass> Quantiles(IEnumerable<double> values, int classes = 5, bool higherIsBetter = true)
    {
        if (classes is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(classes), "1 to 5 classes.");
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return [];
        var uppers = new List<double>();
        for (var k = 1; k <= classes; k++)
        {
            var upper = sorted[(int)Math.Ceiling(k * sorted.Length / (double)classes) - 1];
            if (uppers.Count == 0 || upper > uppers[^1]) uppers.Add(upper);
        }
        var n = uppers.Count;
        var colors = Enumerable.Range(0, n).Select(i => Palette[(int)Math.Round(i * (Palette.Length - 1) / Math.Max(1.0, n - 1))]).ToArray();
        if (!higherIsBetter) Array.Reverse(colors);
        var result = new List<ChoroplethClass>();
        var lower = sorted[0];
        for (var i = 0; i < n; i++)
        {
            var lo = i == 0 ? lower : uppers[i - 1];
            var count = sorted.Count(v => (i == 0 ? v >= lo : v > lo) && v <= uppers[i]);
            result.Add(new ChoroplethClass(i, lo, uppers[i], colors[i], count));
        }
        return result;
    }

    /// <summary>The class a value falls in (see <see cref="Quantiles"/>), or null for NaN or outside every class.</summary>
    public static ChoroplethClass? ClassOf(IReadOnlyList<ChoroplethClass> classes, double value)
    {
        if (double.IsNaN(value)) return null;
        for (var i = 0; i < classes.Count; i++)
            if ((i == 0 ? value >= classes[i].Lower : value > classes[i].Lower) && value <= classes[i].Upper) return classes[i];
        return null;
    }
}
