using MathNet.Numerics;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;

namespace Alkmaar.Kaart.Geo.Hotspots;

/// <summary>Settings of a hotspot analysis.</summary>
/// <param name="CellSize">Grid cell size in metres (RD New).</param>
/// <param name="Alpha">False-discovery rate (Benjamini–Hochberg) over all cells of the study area.</param>
/// <param name="MinimumCount">
/// The fewest points a hotspot is made of: a cell is never significant when its neighbourhood holds fewer, and a hotspot
/// whose own cells hold fewer is not reported. Two or three points close together in an empty area have a tiny Poisson
/// tail, but they are no pattern (and naming them would point at single meldingen).
/// </param>
public sealed record HotspotOptions(double CellSize = 100, double Alpha = 0.05, int MinimumCount = 10);

/// <summary>One grid cell of the study area with its count, Gi* z-score and p-value.</summary>
public readonly record struct GiCell(int I, int J, int Count, int NeighbourhoodCount, double Z, double P, bool Significant);

/// <summary>A hotspot: significant neighbouring hot cells merged into one polygon (RD New).</summary>
/// <param name="Count">Points in the hotspot's cells.</param>
/// <param name="MaxZ">The highest Gi* z-score of its cells.</param>
/// <param name="MinP">The smallest p-value of its cells.</param>
/// <param name="Confidence">0.99, 0.95 or 0.90: the confidence bin of <see cref="MaxZ"/> (z ≥ 2.58, 1.96, 1.65).</param>
/// <param name="TopCategories">The most frequent categories in it, with their counts, largest first (at most 3).</param>
public sealed record Hotspot(Geometry Polygon, int Cells, int Count, double MaxZ, double MinP, double Confidence,
    IReadOnlyList<(string Category, int Count)> TopCategories)
{
    /// <summary>The grid cells (i, j: floor(x / cell size), floor(y / cell size)) the hotspot is made of.</summary>
    public IReadOnlyList<(int I, int J)> CellIndices { get; init; } = [];
}

/// <summary>The result: the hotspots (strongest first), every cell of the study area, and the statistics used.</summary>
public sealed record HotspotResult(IReadOnlyList<Hotspot> Hotspots, IReadOnlyList<GiCell> Cells, int StudyCells, double Mean,
    double StandardDeviation, double PThreshold, HotspotOptions Options, Envelope Grid);

/// <summary>
/// Getis-Ord Gi* hotspot analysis of points (meldingen) on a regular grid over a study area (the gemeente).
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item>The grid starts at multiples of <see cref="HotspotOptions.CellSize"/> in RD New (so cells are the same in every
/// run); the study area is every cell whose centre lies in <c>studyArea</c>. Points outside those cells are not counted.</item>
/// <item>Neighbourhood: the cell and its 8 neighbours (queen contiguity) inside the study area, binary weights.
/// Gi* = (Σⱼ wᵢⱼxⱼ − X̄Wᵢ) / (S·√((nWᵢ − Wᵢ²)/(n−1))) with n study cells, X̄ and S their mean and standard deviation
/// (Getis &amp; Ord 1992; Ord &amp; Getis 1995).</item>
/// <item>p-values are one-sided (hot spots only): the larger of the Poisson tail of the neighbourhood count under a
/// uniform intensity (X̄ per cell) and the normal tail of z. Counts of meldingen per 100 m cell are small, and there the
/// normal tail alone overstates significance; the Poisson tail alone would flag every cell of an overdispersed (clustered)
/// pattern, which Gi*'s observed variance accounts for. Significance: Benjamini–Hochberg at
/// <see cref="HotspotOptions.Alpha"/> over all study cells, and z &gt; 0.</item>
/// <item>A cell whose neighbourhood holds fewer than <see cref="HotspotOptions.MinimumCount"/> points is never
/// significant (a p-value is not computed for it: it is 1), and a hotspot whose cells hold fewer is not reported.</item>
/// <item>Significant cells that touch (8-connectivity) form one hotspot; its polygon is the union of their squares.</item>
/// </list>
/// Pure and deterministic: the same input gives the same result.
/// </remarks>
public static class GiStar
{
    /// <summary>Hotspots of points (one melding each) at x, y with their category.</summary>
    public static HotspotResult Compute(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> category,
        IReadOnlyList<string> categoryNames, Geometry studyArea, HotspotOptions? options = null) =>
        Compute(x, y, category, default, categoryNames, studyArea, options);

    /// <summary>
    /// Hotspots of counted points: point k stands for <paramref name="count"/>[k] meldingen of its category (empty: one
    /// each), e.g. counts already kept per cell, given at the cell's centre. The same answer as the points one by one.
    /// </summary>
    public static HotspotResult Compute(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> category, ReadOnlySpan<int> count,
        IReadOnlyList<string> categoryNames, Geometry studyArea, HotspotOptions? options = null)
    {
        var o = options ?? new HotspotOptions();
        if (x.Length != y.Length || x.Length != category.Length) throw new ArgumentException("x, y and category must have the same length.");
        if (!count.IsEmpty && count.Length != x.Length) throw new ArgumentException("count must be empty or as long as x.");
        if (!(o.CellSize > 0)) throw new ArgumentOutOfRangeException(nameof(options), "CellSize must be positive.");
        var s = o.CellSize;
        var env = studyArea.EnvelopeInternal;
        var i0 = (int)Math.Floor(env.MinX / s);
        var j0 = (int)Math.Floor(env.MinY / s);
        var nx = (int)Math.Floor(env.MaxX / s) - i0 + 1;
        var ny = (int)Math.Floor(env.MaxY / s) - j0 + 1;

        // study cells: centre inside the study area
        var locator = new IndexedPointInAreaLocator(studyArea);
        var inStudy = new bool[nx * ny];
        var n = 0;
        var centre = new Coordinate();
        for (var j = 0; j < ny; j++)
        for (var i = 0; i < nx; i++)
        {
            centre.X = (i0 + i + 0.5) * s;
            centre.Y = (j0 + j + 0.5) * s;
            if (locator.Locate(centre) != Location.Exterior) { inStudy[j * nx + i] = true; n++; }
        }
        if (n < 2) throw new ArgumentException("The study area covers fewer than two grid cells.");

        // counts per cell (and per category, for the hotspots' top categories)
        var counts = new int[nx * ny];
        var cellOf = new int[x.Length];
        for (var k = 0; k < x.Length; k++)
        {
            var ci = (int)Math.Floor(x[k] / s) - i0;
            var cj = (int)Math.Floor(y[k] / s) - j0;
            var idx = ci < 0 || cj < 0 || ci >= nx || cj >= ny || !inStudy[cj * nx + ci] ? -1 : cj * nx + ci;
            cellOf[k] = idx;
            if (idx >= 0) counts[idx] += count.IsEmpty ? 1 : count[k];
        }

        double sum = 0, sumSq = 0;
        for (var c = 0; c < counts.Length; c++)
            if (inStudy[c]) { sum += counts[c]; sumSq += (double)counts[c] * counts[c]; }
        var mean = sum / n;
        var sd = Math.Sqrt(Math.Max(0, sumSq / n - mean * mean));

        var cells = new GiCell[n];
        var index = new int[nx * ny];
        Array.Fill(index, -1);
        var k2 = 0;
        for (var j = 0; j < ny; j++)
        for (var i = 0; i < nx; i++)
        {
            var c = j * nx + i;
            if (!inStudy[c]) continue;
            int w = 0, local = 0;
            for (var dj = -1; dj <= 1; dj++)
            for (var di = -1; di <= 1; di++)
            {
                int ii = i + di, jj = j + dj;
                if (ii < 0 || jj < 0 || ii >= nx || jj >= ny || !inStudy[jj * nx + ii]) continue;
                w++;
                local += counts[jj * nx + ii];
            }
            var denominator = sd * Math.Sqrt((n * (double)w - (double)w * w) / (n - 1));
            var z = denominator > 0 ? (local - mean * w) / denominator : 0;
            // both must agree: the Poisson tail (right for sparse counts) and Gi*'s own normal tail (which uses the observed
            // variance, so it is not fooled by overdispersion, e.g. a whole dense neighbourhood)
            // too few points nearby for any statement: not tested at all (p = 1), so it cannot become a hotspot
            var p = local < o.MinimumCount ? 1.0 : Math.Max(PoissonUpperTail(local, mean * w), NormalUpperTail(z));
            index[c] = k2;
            cells[k2++] = new GiCell(i0 + i, j0 + j, counts[c], local, z, p, false);
        }

        // Benjamini–Hochberg over all study cells
        var sorted = cells.Select(c => c.P).Order().ToArray();
        var threshold = 0.0;
        for (var r = sorted.Length; r >= 1; r--)
            if (sorted[r - 1] <= o.Alpha * r / sorted.Length) { threshold = sorted[r - 1]; break; }
        for (var c = 0; c < cells.Length; c++)
            if (threshold > 0 && cells[c].P <= threshold && cells[c].Z > 0) cells[c] = cells[c] with { Significant = true };

        // merge touching significant cells
        var cluster = new int[cells.Length];
        Array.Fill(cluster, -1);
        var members = new List<List<int>>();
        for (var c = 0; c < cells.Length; c++)
        {
            if (!cells[c].Significant || cluster[c] >= 0) continue;
            var list = new List<int>();
            var stack = new Stack<int>([c]);
            cluster[c] = members.Count;
            while (stack.Count > 0)
            {
                var cur = stack.Pop();
                list.Add(cur);
                int ci = cells[cur].I - i0, cj = cells[cur].J - j0;
                for (var dj = -1; dj <= 1; dj++)
                for (var di = -1; di <= 1; di++)
                {
                    int ii = ci + di, jj = cj + dj;
                    if (ii < 0 || jj < 0 || ii >= nx || jj >= ny) continue;
                    var nb = index[jj * nx + ii];
                    if (nb < 0 || !cells[nb].Significant || cluster[nb] >= 0) continue;
                    cluster[nb] = members.Count;
                    stack.Push(nb);
                }
            }
            members.Add(list);
        }

        // categories per hotspot
        var perCluster = new Dictionary<int, int>[members.Count];
        for (var h = 0; h < members.Count; h++) perCluster[h] = [];
        for (var k = 0; k < x.Length; k++)
        {
            if (cellOf[k] < 0) continue;
            var h = cluster[index[cellOf[k]]];
            if (h < 0) continue;
            perCluster[h][category[k]] = perCluster[h].GetValueOrDefault(category[k]) + (count.IsEmpty ? 1 : count[k]);
        }

        var factory = new GeometryFactory(new PrecisionModel(), 28992);
        var hotspots = new List<Hotspot>();
        for (var h = 0; h < members.Count; h++)
        {
            if (members[h].Sum(c => cells[c].Count) < o.MinimumCount) continue; // too few points of its own to name
            var squares = members[h].Select(c => (Geometry)factory.ToGeometry(new Envelope(cells[c].I * s, (cells[c].I + 1) * s, cells[c].J * s, (cells[c].J + 1) * s))).ToList();
            var polygon = UnaryUnionOp.Union(squares);
            var maxZ = members[h].Max(c => cells[c].Z);
            hotspots.Add(new Hotspot(polygon, members[h].Count, members[h].Sum(c => cells[c].Count), maxZ, members[h].Min(c => cells[c].P),
                maxZ >= 2.576 ? 0.99 : maxZ >= 1.960 ? 0.95 : 0.90,
                perCluster[h].OrderByDescending(kv => kv.Value).ThenBy(kv => categoryNames[kv.Key], StringComparer.Ordinal).Take(3).Select(kv => (categoryNames[kv.Key], kv.Value)).ToList())
            {
                CellIndices = members[h].Select(c => (cells[c].I, cells[c].J)).ToList(),
            });
        }
        hotspots.Sort((a, b) => b.MaxZ.CompareTo(a.MaxZ));
        return new HotspotResult(hotspots, cells, n, mean, sd, threshold, o,
            new Envelope(i0 * s, (i0 + nx) * s, j0 * s, (j0 + ny) * s));
    }

    /// <summary>P(Z ≥ z) for a standard normal Z.</summary>
    public static double NormalUpperTail(double z) => 0.5 * SpecialFunctions.Erfc(z / Math.Sqrt(2));

    /// <summary>P(X ≥ k) for X ~ Poisson(μ): the regularised lower incomplete gamma P(k, μ).</summary>
    public static double PoissonUpperTail(int k, double mu) =>
        k <= 0 ? 1.0 : mu <= 0 ? 0.0 : SpecialFunctions.GammaLowerRegularized(k, mu);
}
