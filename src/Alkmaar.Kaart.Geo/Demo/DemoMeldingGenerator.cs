using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Demo;

/// <summary>A generated melding: place (RD New), category, time, status. No text and no person.</summary>
public readonly record struct DemoMelding(double X, double Y, string Category, DateTimeOffset CreatedAt, string Status);

/// <summary>A cluster planted on purpose, so hotspot maps have known truth to show.</summary>
public sealed record PlantedCluster(double X, double Y, double Sigma, string Category, int Count, string BuurtCode);

/// <summary>
/// A deterministic year of DEMO meldingen: a background spread uniformly over the gemeente's surface (so that the hotspots
/// a map shows are the planted ones; real meldingen follow where people live),
/// categories with seasons (verlichting in the dark months, groen in spring and summer, afval in summer), daytime hours,
/// older meldingen mostly closed, and planted clusters (a fifth of all meldingen) with one dominant category
/// each. Same seed, same set. Never real: the caller stores them marked as demo.
/// </summary>
public static class DemoMeldingGenerator
{
    /// <summary>Relative weight of a category per month (1–12); categories not listed are flat.</summary>
    private static double Season(string category, int month) => category switch
    {
        "verlichting" => month is 11 or 12 or 1 or 2 ? 2.0 : month is 3 or 10 ? 1.3 : 0.6,
        "groen" => month is >= 4 and <= 9 ? 1.6 : 0.5,
        "afval" => month is >= 6 and <= 8 ? 1.5 : 1.0,
        "overlast" => month is >= 5 and <= 9 ? 1.4 : 0.9,
        _ => 1.0,
    };

    /// <summary>A calendar year of DEMO meldingen.</summary>
    public static (IReadOnlyList<DemoMelding> Meldingen, IReadOnlyList<PlantedCluster> Planted) Generate(
        IReadOnlyList<Area> buurten, IReadOnlyList<string> categories, int year, int count, int seed = 2024, int clusters = 6) =>
        Generate(buurten, categories, new DateOnly(year, 1, 1), new DateOnly(year, 12, 31), count, seed, clusters);

    /// <summary>DEMO meldingen on the days <paramref name="first"/> to <paramref name="last"/> (inclusive, UTC days), e.g. the
    /// year up to yesterday, so that demo data is dated relative to today.</summary>
    public static (IReadOnlyList<DemoMelding> Meldingen, IReadOnlyList<PlantedCluster> Planted) Generate(
        IReadOnlyList<Area> buurten, IReadOnlyList<string> categories, DateOnly first, DateOnly last, int count, int seed = 2024, int clusters = 6)
    {
        if (last < first) throw new ArgumentException("The last day lies before the first.");
        if (buurten.Count == 0 || categories.Count == 0) throw new ArgumentException("Buurten and categories are needed.");
        var rng = new Random(seed);
        var ordered = buurten.OrderBy(b => b.Code, StringComparer.Ordinal).ToList();
        var locators = ordered.Select(b => new IndexedPointInAreaLocator(b.Geometry)).ToList();
        var cumulative = new double[ordered.Count];
        var total = 0.0;
        for (var i = 0; i < ordered.Count; i++) cumulative[i] = total += ordered[i].Geometry.Area;

        Coordinate RandomIn(int b)
        {
            var env = ordered[b].Geometry.EnvelopeInternal;
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var c = new Coordinate(env.MinX + rng.NextDouble() * env.Width, env.MinY + rng.NextDouble() * env.Height);
                if (locators[b].Locate(c) == Location.Interior) return c;
            }
            return ordered[b].Geometry.InteriorPoint.Coordinate;
        }
        int RandomBuurt()
        {
            var i = Array.BinarySearch(cumulative, rng.NextDouble() * total);
            return Math.Min(i < 0 ? ~i : i, ordered.Count - 1);
        }

        // planted clusters: in seeded random buurten (each buurt equally likely, so mostly in town), each with one category
        var planted = new List<PlantedCluster>();
        var plantedTotal = count / 5;
        for (var k = 0; k < clusters && plantedTotal > 0; k++)
        {
            var b = rng.Next(ordered.Count);
            var at = RandomIn(b);
            planted.Add(new PlantedCluster(Math.Round(at.X), Math.Round(at.Y), 60 + rng.Next(0, 80), categories[rng.Next(categories.Count)],
                plantedTotal / clusters, ordered[b].Code));
        }

        var gemeente = NetTopologySuite.Operation.Union.UnaryUnionOp.Union(ordered.Select(b => (Geometry)b.Geometry).ToList());
        var inGemeente = new IndexedPointInAreaLocator(gemeente);
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var days = last.DayNumber - first.DayNumber + 1;
        var end = start.AddDays(days);
        var list = new List<DemoMelding>(count);

        DemoMelding Make(double x, double y, string? category)
        {
            // a day weighted by the category's season (rejection sampling), a daytime hour
            DateTimeOffset at;
            string cat;
            while (true)
            {
                cat = category ?? categories[rng.Next(categories.Count)];
                at = start.AddDays(rng.Next(days)).AddHours(7 + rng.Next(0, 15)).AddMinutes(rng.Next(60));
                if (rng.NextDouble() * 2.0 < Season(cat, at.Month)) break;
            }
            var age = (end - at).TotalDays;
            var status = age > 30 ? (rng.NextDouble() < 0.9 ? "afgehandeld" : "in_behandeling")
                : age > 7 ? (rng.NextDouble() < 0.5 ? "afgehandeld" : "in_behandeling") : "nieuw";
            return new DemoMelding(Math.Round(x, 1), Math.Round(y, 1), cat, at, status);
        }

        foreach (var p in planted)
            for (var made = 0; made < p.Count;)
            {
                var (x, y) = (p.X + Gaussian(rng) * p.Sigma, p.Y + Gaussian(rng) * p.Sigma);
                if (inGemeente.Locate(new Coordinate(x, y)) != Location.Interior) continue;
                list.Add(Make(x, y, rng.NextDouble() < 0.8 ? p.Category : null));
                made++;
            }
        while (list.Count < count)
        {
            var c = RandomIn(RandomBuurt());
            list.Add(Make(c.X, c.Y, null));
        }
        list.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        return (list, planted);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
