using Alkmaar.Kaart.Geo.Monitor;

namespace Alkmaar.Kaart.Geo.Demo;

/// <summary>An indicator of the demo set: its monitor, unit, direction and a plausible centre and spread.</summary>
public sealed record DemoIndicator(string Monitor, string Indicator, string Unit, bool HigherIsBetter, double Centre, double Spread,
    double Min, double Max);

/// <summary>
/// A deterministic DEMO set of monitor scores: the leefbaarheid themes schoon, heel, veilig, sociaal and ondernemend (a
/// rapportcijfer 1–10) and a few Veiligheidsmonitor indicators, per wijk and year, plus the gemeente as the
/// respondent-weighted mean of its wijken. Generated numbers, not survey results: every row has <c>Demo = true</c>.
/// Each wijk has a character (better or worse across the board) and a trend of its own, so the map and the trend chart
/// show differences worth looking at; the same codes and years always give the same numbers.
/// </summary>
public static class DemoMonitorGenerator
{
    public const string Leefbaarheid = "Leefbaarheid";
    public const string Veiligheidsmonitor = "Veiligheidsmonitor";

    public static readonly IReadOnlyList<DemoIndicator> Indicators =
    [
        new(Leefbaarheid, "Schoon", "rapportcijfer", true, 6.9, 0.6, 1, 10),
        new(Leefbaarheid, "Heel", "rapportcijfer", true, 7.0, 0.5, 1, 10),
        new(Leefbaarheid, "Veilig", "rapportcijfer", true, 7.1, 0.6, 1, 10),
        new(Leefbaarheid, "Sociaal", "rapportcijfer", true, 6.8, 0.5, 1, 10),
        new(Leefbaarheid, "Ondernemend", "rapportcijfer", true, 6.5, 0.5, 1, 10),
        new(Veiligheidsmonitor, "Voelt zich weleens onveilig in de buurt", "%", false, 19, 6, 0, 100),
        new(Veiligheidsmonitor, "Rapportcijfer veiligheid in de buurt", "rapportcijfer", true, 7.2, 0.5, 1, 10),
        new(Veiligheidsmonitor, "Ervaart veel overlast in de buurt", "%", false, 12, 4, 0, 100),
        new(Veiligheidsmonitor, "Slachtoffer van criminaliteit (12 maanden)", "%", false, 14, 3, 0, 100),
    ];

    /// <summary>Scores for every indicator, wijk and year from <paramref name="fromYear"/> to <paramref name="toYear"/>, and the gemeente.</summary>
    public static IReadOnlyList<MonitorScore> Generate(IReadOnlyList<string> wijkCodes, string gemeenteCode, int fromYear = 2020, int toYear = 2024)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromYear, toYear);
        var result = new List<MonitorScore>();
        foreach (var ind in Indicators)
        {
            for (var year = fromYear; year <= toYear; year++)
            {
                double weighted = 0;
                var respondentsTotal = 0;
                foreach (var wijk in wijkCodes.Order(StringComparer.Ordinal))
                {
                    var character = Unit(Seed(wijk)) * 2 - 1;               // −1 (worse) … +1 (better), same for all indicators
                    var trend = (Unit(Seed(wijk, "trend")) * 2 - 1) * 0.35;  // in spreads over the whole period
                    var own = Normal(new Random(Seed(wijk, ind.Indicator))) * 0.45;
                    var noise = Normal(new Random(Seed(wijk, ind.Indicator, year.ToString()))) * 0.25;
                    var t = (year - fromYear) / (double)Math.Max(1, toYear - fromYear);
                    var goodness = 0.9 * character + own + trend * t + noise; // in spreads
                    var value = ind.Centre + (ind.HigherIsBetter ? 1 : -1) * goodness * ind.Spread;
                    value = Math.Round(Math.Clamp(value, ind.Min, ind.Max), 1);
                    var respondents = 90 + (int)(Unit(Seed(wijk, "respondents", year.ToString())) * 260);
                    result.Add(new MonitorScore(ind.Monitor, ind.Indicator, wijk, year, value, ind.Unit, respondents, ind.HigherIsBetter, true)
                    {
                        Margin = DemoMargin(ind, respondents),
                    });
                    weighted += value * respondents;
                    respondentsTotal += respondents;
                }
                if (respondentsTotal > 0)
                    result.Add(new MonitorScore(ind.Monitor, ind.Indicator, gemeenteCode, year, Math.Round(weighted / respondentsTotal, 1), ind.Unit,
                        respondentsTotal, ind.HigherIsBetter, true) { Margin = DemoMargin(ind, respondentsTotal) });
            }
        }
        return result;
    }

    /// <summary>A rapportcijfer's margin as a survey would publish it: 1.96 · s / √n with a spread of grades s = 1.3
    /// (a share needs none: its Wilson interval follows from the respondents).</summary>
    private static double? DemoMargin(DemoIndicator ind, int respondents) =>
        ind.Unit == "%" ? null : Math.Round(1.96 * 1.3 / Math.Sqrt(respondents), 2);

    /// <summary>A stable seed from strings (FNV-1a; <see cref="string.GetHashCode()"/> differs per process).</summary>
    private static int Seed(params string[] parts)
    {
        unchecked
        {
            var h = 2166136261u;
            foreach (var p in parts)
            {
                foreach (var c in p) { h ^= c; h *= 16777619u; }
                h ^= 0x1f; h *= 16777619u;
            }
            return (int)(h & 0x7fffffff);
        }
    }

    private static double Unit(int seed) => new Random(seed).NextDouble();

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
