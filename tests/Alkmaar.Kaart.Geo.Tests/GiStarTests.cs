using Alkmaar.Kaart.Geo.Hotspots;
using Alkmaar.Kaart.Geo.Transforms;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>Gi* hotspots on synthetic data with known truth: planted clusters are found where and as large as planted;
/// uniform data gives no hotspot in at least 95 of 100 seeded runs; the statistic matches a hand computation.</summary>
public class GiStarTests
{
    // a 6 × 6 km square study area at RD (110000, 510000)
    private static readonly Polygon Area = SmallGemeente.Square(110_000, 510_000, 6_000);
    private static readonly string[] Categories = ["afval", "groen", "verlichting"];

    private static (double[] X, double[] Y, int[] C) Uniform(Random rng, int n)
    {
        var (x, y, c) = (new double[n], new double[n], new int[n]);
        for (var k = 0; k < n; k++)
        {
            x[k] = 110_000 + rng.NextDouble() * 6_000;
            y[k] = 510_000 + rng.NextDouble() * 6_000;
            c[k] = rng.Next(3);
        }
        return (x, y, c);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void Planted_clusters_are_found_at_their_place_with_their_size_and_category()
    {
        var rng = new Random(11);
        var (bx, by, bc) = Uniform(rng, 20_000); // background: ~5.6 per 100 m cell
        var planted = new[] { (X: 111_500.0, Y: 511_500.0, Sigma: 80.0, N: 400, Cat: 0), (X: 114_200.0, Y: 514_800.0, Sigma: 150.0, N: 1200, Cat: 2) };
        var (x, y, c) = (bx.ToList(), by.ToList(), bc.ToList());
        foreach (var p in planted)
            for (var k = 0; k < p.N; k++)
            {
                x.Add(p.X + Gaussian(rng) * p.Sigma);
                y.Add(p.Y + Gaussian(rng) * p.Sigma);
                c.Add(p.Cat);
            }

        var result = GiStar.Compute(x.ToArray(), y.ToArray(), c.ToArray(), Categories, Area);

        Assert.Equal(3600, result.StudyCells);
        Assert.Equal(2, result.Hotspots.Count);
        foreach (var p in planted)
        {
            var at = RdNew.RdFactory.CreatePoint(new Coordinate(p.X, p.Y));
            var h = Assert.Single(result.Hotspots, h => h.Polygon.Covers(at));
            // size: the disc where the planted intensity exceeds the background's, widened by the one-cell neighbourhood
            var peak = p.N / (2 * Math.PI * p.Sigma * p.Sigma) * 100 * 100; // per 100 m cell
            var background = 20_000 / 3600.0;
            var radius = Math.Sqrt(2 * p.Sigma * p.Sigma * Math.Log(peak / background)) + 100;
            var disc = Math.PI * radius * radius;
            Assert.InRange(h.Polygon.Area, disc * 0.6, disc * 1.4);
            // the hotspot's cells are the squares of its polygon
            Assert.Equal(h.Cells, h.CellIndices.Count);
            Assert.Equal(h.Polygon.Area, h.CellIndices.Count * 100.0 * 100.0, 3);
            Assert.All(h.CellIndices, ij => Assert.True(h.Polygon.Covers(RdNew.RdFactory.CreatePoint(new Coordinate((ij.I + 0.5) * 100, (ij.J + 0.5) * 100)))));
            Assert.True(h.Polygon.Centroid.Distance(at) < 75, $"centroid {h.Polygon.Centroid} vs planted {at}");
            Assert.Equal(Categories[p.Cat], h.TopCategories[0].Category);
            Assert.Equal(0.99, h.Confidence);
            Assert.True(h.Count > p.N * 0.5);
        }
        // the larger, denser cluster ranks first
        Assert.True(result.Hotspots[0].Polygon.Covers(RdNew.RdFactory.CreatePoint(new Coordinate(114_200, 514_800))));
    }

    [Fact]
    public void Uniform_random_data_gives_no_hotspot_in_at_least_95_of_100_seeded_runs()
    {
        var clean = 0;
        for (var seed = 0; seed < 100; seed++)
        {
            var (x, y, c) = Uniform(new Random(1000 + seed), 20_000);
            if (GiStar.Compute(x, y, c, Categories, Area).Hotspots.Count == 0) clean++;
        }
        Assert.True(clean >= 95, $"{clean} of 100 uniform runs had no hotspot");
    }

    [Fact]
    public void The_statistic_matches_a_hand_computation_on_a_small_grid()
    {
        // 3 × 3 cells of 100 m; 9 points in the centre cell, 1 in a corner
        var area = SmallGemeente.Square(100_000, 500_000, 300);
        var xs = Enumerable.Repeat(100_150.0, 9).Append(100_050).ToArray();
        var ys = Enumerable.Repeat(500_150.0, 9).Append(500_050).ToArray();
        var result = GiStar.Compute(xs, ys, new int[10], ["afval"], area, new HotspotOptions(CellSize: 100));
        Assert.Equal(9, result.StudyCells);
        Assert.Equal(10.0 / 9, result.Mean, 12);
        var sd = Math.Sqrt((81 + 1) / 9.0 - Math.Pow(10.0 / 9, 2));
        Assert.Equal(sd, result.StandardDeviation, 12);
        // corner cell (0,0): neighbours are 4 cells (itself, right, up, centre): sum = 1 + 9
        var corner = result.Cells.Single(c => c.I == 1000 && c.J == 5000);
        var expected = (10 - 10.0 / 9 * 4) / (sd * Math.Sqrt((9 * 4 - 16) / 8.0));
        Assert.Equal(expected, corner.Z, 10);
        Assert.Equal(10, corner.NeighbourhoodCount);
        Assert.Equal(Math.Max(GiStar.PoissonUpperTail(10, 40.0 / 9), GiStar.NormalUpperTail(expected)), corner.P, 12);
        // a centre cell sees everything: z = 0 (its neighbourhood is the whole study area)
        Assert.Equal(0, result.Cells.Single(c => c.I == 1001 && c.J == 5001).Z, 10);
    }

    [Fact]
    public void Poisson_tail_is_right()
    {
        Assert.Equal(1, GiStar.PoissonUpperTail(0, 3));
        // P(X >= 2) for mu = 1: 1 - e^-1 - e^-1
        Assert.Equal(1 - 2 * Math.Exp(-1), GiStar.PoissonUpperTail(2, 1), 12);
        Assert.Equal(0, GiStar.PoissonUpperTail(1, 0));
        Assert.Equal(0.025, GiStar.NormalUpperTail(1.959964), 6);
    }

    [Fact]
    public void The_grid_is_aligned_to_the_cell_size_and_points_outside_the_study_area_are_not_counted()
    {
        var area = SmallGemeente.Square(100_030, 500_030, 200); // not aligned: cells start at 100000, 500000
        var result = GiStar.Compute([100_100, 90_000], [500_100, 500_100], [0, 0], ["afval"], area);
        Assert.Equal(100_000, result.Grid.MinX);
        Assert.Equal(500_000, result.Grid.MinY);
        Assert.Equal(1, result.Cells.Sum(c => c.Count));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Two_or_three_points_close_together_make_no_hotspot_however_empty_the_rest_is(int points)
    {
        // issue 27, item 3: two meldingen of a category in a week made a "99 % zeker" hotspot (count 2, z 36): the Poisson
        // tail of 2 where 0.002 are expected is tiny, but two points are no pattern, and naming them points at them
        var x = Enumerable.Range(0, points).Select(k => 112_010.0 + 20 * k).ToArray();
        var y = Enumerable.Range(0, points).Select(k => 512_010.0 + 15 * k).ToArray();
        var c = new int[points];
        Assert.Empty(GiStar.Compute(x, y, c, Categories, Area).Hotspots);
        Assert.All(GiStar.Compute(x, y, c, Categories, Area).Cells, cell => Assert.False(cell.Significant));
        // the same points under the old rule (no minimum) were a hotspot: the minimum is what refuses them
        var old = GiStar.Compute(x, y, c, Categories, Area, new HotspotOptions(MinimumCount: 1));
        Assert.Equal(points, Assert.Single(old.Hotspots).Count);
    }

    [Fact]
    public void A_cluster_of_the_minimum_size_is_still_found()
    {
        var rng = new Random(7);
        var (x, y, c) = Uniform(rng, 200);
        var xs = x.Concat(Enumerable.Range(0, 12).Select(k => 113_020.0 + 5 * k)).ToArray();
        var ys = y.Concat(Enumerable.Range(0, 12).Select(k => 513_020.0 + 5 * k)).ToArray();
        var cs = c.Concat(new int[12]).ToArray();
        var h = Assert.Single(GiStar.Compute(xs, ys, cs, Categories, Area, new HotspotOptions(MinimumCount: 10)).Hotspots);
        Assert.True(h.Count >= 12);
    }
}
