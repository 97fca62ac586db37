using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Testing;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Tests;

/// <summary>Plans of the gebiedsindeling (issue 18, first piece): the equivalency CSV both ways, and impact totals kept
/// per edit that always equal a recount, with undo and redo back to exactly the earlier plan.</summary>
public class PlanTests
{
    private static readonly Lazy<(Plan Plan, IReadOnlyList<string> Buurten)> Real = new(() =>
    {
        var indeling = Gebiedsindeling.Load(TestPaths.Gebiedsindeling);
        using var s = File.OpenRead(TestPaths.RealBuurten);
        var areas = new AreaHierarchyBuilder(indeling).Build(BuurtFileReader.Read(s).Buurten).Areas;
        var wijkOfBuurt = areas.Where(a => a.Level == AreaLevel.Buurt).ToDictionary(a => a.Code, a => a.ParentCode!);
        var gebiedOfWijk = areas.Where(a => a.Level == AreaLevel.Wijk).ToDictionary(a => a.Code, a => a.ParentCode!);
        return (new Plan(wijkOfBuurt, gebiedOfWijk), wijkOfBuurt.Keys.Order(StringComparer.Ordinal).ToList());
    });

    [Fact]
    public void The_equivalency_csv_round_trips_the_plan_in_force()
    {
        var (plan, buurten) = Real.Value;
        var csv = EquivalencyCsv.Write(plan);
        Assert.StartsWith("buurtcode,wijkcode,gebiedcode\n", csv);
        Assert.Equal(66 + 1, csv.TrimEnd('\n').Split('\n').Length);
        var (read, problems) = EquivalencyCsv.Read(csv, buurten.ToHashSet());
        Assert.Empty(problems);
        Assert.True(read!.SameAs(plan));
        Assert.Equal(csv, EquivalencyCsv.Write(read));
    }

    [Fact]
    public void A_broken_equivalency_csv_lists_every_problem_with_its_line()
    {
        var (plan, buurten) = Real.Value;
        var rows = EquivalencyCsv.Write(plan).TrimEnd('\n').Split('\n').ToList();
        var (b1, w1) = (rows[1].Split(',')[0], rows[1].Split(',')[1]);
        rows[2] = rows[1];                                      // a buurt twice (and so rows[2]'s buurt missing)
        rows.Add("BU99999999,WK999999,GB0361-noord");           // unknown buurt
        rows.Add($"{buurten[^1]},{w1}");                        // two fields
        var other = plan.GebiedOfWijk.Values.First(g => g != plan.GebiedOfWijk[w1]);
        rows[3] = $"{rows[3].Split(',')[0]},{w1},{other}";      // the wijk of row 1 in another gebied
        var (read, problems) = EquivalencyCsv.Read(string.Join('\n', rows), buurten.ToHashSet());
        Assert.Null(read);
        Assert.Contains(problems, p => p.StartsWith("regel 3:") && p.Contains($"{b1} staat er twee keer in"));
        Assert.Contains(problems, p => p.StartsWith("regel 4:") && p.Contains($"wijk {w1} hoort bij"));
        Assert.Contains(problems, p => p.Contains("BU99999999 bestaat niet"));
        Assert.Contains(problems, p => p.Contains("drie velden verwacht"));
        Assert.Contains(problems, p => p.EndsWith("ontbreekt."));
        Assert.Equal(["regel 1: de kopregel is 'buurtcode,wijkcode,gebiedcode'."], EquivalencyCsv.Read("code;wijk\n", buurten.ToHashSet()).Problems);
    }

    /// <summary>Totals per gebied computed from scratch: the oracle for the incremental ones.</summary>
    private static Dictionary<string, long[]> Recount(Plan plan, IReadOnlyDictionary<string, long[]> perBuurt, int measures)
    {
        var totals = new Dictionary<string, long[]>();
        foreach (var b in plan.WijkOfBuurt.Keys)
        {
            var g = plan.GebiedOf(b);
            if (!totals.TryGetValue(g, out var t)) totals[g] = t = new long[measures];
            for (var i = 0; i < measures; i++) t[i] += perBuurt[b][i];
        }
        return totals;
    }

    private static void AssertSameTotals(Dictionary<string, long[]> expected, IReadOnlyDictionary<string, long[]> actual)
    {
        foreach (var (g, t) in expected) Assert.Equal(t, actual[g]);
        Assert.All(actual.Where(kv => !expected.ContainsKey(kv.Key)), kv => Assert.All(kv.Value, v => Assert.Equal(0, v)));
    }

    [Fact]
    public void Totals_kept_per_edit_equal_a_recount_after_every_edit_and_undo_returns_exactly()
    {
        var (plan, buurten) = Real.Value;
        var rng = new Random(18);
        string[] measures = ["adressen", "inwoners", "open meldingen", "meldingen vorig jaar", "initiatieven"];
        var perBuurt = buurten.ToDictionary(b => b, _ => measures.Select(_ => (long)rng.Next(0, 5000)).ToArray());
        var tally = new PlanTally(plan, measures, perBuurt);
        AssertSameTotals(Recount(plan, perBuurt, measures.Length), tally.Totals);
        var wijken = plan.GebiedOfWijk.Keys.ToList();
        var gebieden = plan.GebiedOfWijk.Values.Distinct().ToList();
        var history = new List<Plan> { plan };
        for (var i = 0; i < 200; i++)
        {
            var changed = rng.Next(4) == 0
                ? tally.MoveWijk(wijken[rng.Next(wijken.Count)], gebieden[rng.Next(gebieden.Count)])
                : tally.MoveBuurt(buurten[rng.Next(buurten.Count)], wijken[rng.Next(wijken.Count)]);
            history.Add(tally.Plan);
            AssertSameTotals(Recount(tally.Plan, perBuurt, measures.Length), tally.Totals);
            // only the gebieden an edit touches change
            Assert.All(changed, g => Assert.Contains(g, gebieden));
        }
        // the sum over the gebieden never changes: moves only move
        Assert.Equal(perBuurt.Values.Sum(v => v[1]), tally.Totals.Values.Sum(v => v[1]));
        for (var i = history.Count - 2; i >= 0; i--)
        {
            Assert.NotNull(tally.Undo());
            Assert.True(tally.Plan.SameAs(history[i]));
        }
        Assert.Null(tally.Undo());
        AssertSameTotals(Recount(plan, perBuurt, measures.Length), tally.Totals);
        for (var i = 1; i < history.Count; i++) Assert.True(tally.Redo() is not null && tally.Plan.SameAs(history[i]));
        AssertSameTotals(Recount(history[^1], perBuurt, measures.Length), tally.Totals);
    }

    [Fact]
    public void Moving_a_buurt_to_a_wijk_of_another_gebied_moves_its_counts_and_says_which_gebieden_changed()
    {
        var (plan, buurten) = Real.Value;
        var buurt = buurten[0];
        var from = plan.GebiedOf(buurt);
        var wijk = plan.GebiedOfWijk.First(kv => kv.Value != from).Key;
        var to = plan.GebiedOfWijk[wijk];
        var perBuurt = buurten.ToDictionary(b => b, b => new long[] { b == buurt ? 100 : 1 });
        var tally = new PlanTally(plan, ["adressen"], perBuurt);
        var before = tally.Totals;
        Assert.Equal(new[] { from, to }.Order(StringComparer.Ordinal), tally.MoveBuurt(buurt, wijk).Order(StringComparer.Ordinal));
        Assert.Equal(before[from][0] - 100, tally.Totals[from][0]);
        Assert.Equal(before[to][0] + 100, tally.Totals[to][0]);
        Assert.Equal([(buurt, from, to)], plan.GebiedChanges(tally.Plan));
        Assert.Throws<PlanException>(() => tally.MoveBuurt("BU00000000", wijk));
    }

    [Fact]
    public void A_new_wijk_takes_the_next_free_code_gets_its_buurten_is_named_in_the_indeling_and_goes_with_undo()
    {
        var (plan, buurten) = Real.Value;
        var indeling = Gebiedsindeling.Load(TestPaths.Gebiedsindeling);
        var code = plan.NextWijkCode(indeling.Gemeente.Code);
        Assert.Matches("^WK0361[0-9]{2}$", code);
        Assert.DoesNotContain(code, plan.GebiedOfWijk.Keys);
        Assert.Equal(Enumerable.Range(1, 99).Select(n => $"WK0361{n:00}").First(c => !plan.GebiedOfWijk.ContainsKey(c)), code);
        // two buurten of one wijk form the new wijk, in another gebied
        var wijk = plan.WijkOfBuurt[buurten[0]];
        var moved = buurten.Where(b => plan.WijkOfBuurt[b] == wijk).Take(2).ToList();
        var gebied = plan.GebiedOfWijk.Values.First(g => g != plan.GebiedOfWijk[wijk]);
        var perBuurt = buurten.ToDictionary(b => b, b => new long[] { moved.Contains(b) ? 10 : 1 });
        var tally = new PlanTally(plan, ["adressen"], perBuurt);
        Assert.Empty(tally.Apply(plan.AddWijk(code, "Nieuwe Wijk", gebied))); // no buurt changes gebied yet
        foreach (var b in moved) tally.MoveBuurt(b, code);
        Assert.Equal(plan.GebiedOfWijk.Count + 1, tally.Plan.GebiedOfWijk.Count);
        Assert.All(moved, b => Assert.Equal(gebied, tally.Plan.GebiedOf(b)));
        var made = tally.Plan.ToIndeling(indeling);
        Assert.Equal("Nieuwe Wijk", made.Wijken[code]);
        Assert.Contains(code, made.Gebieden.Single(g => g.Code == gebied).Wijken);
        Assert.All(moved, b => Assert.Equal(code, made.WijkOf(b)));
        // the same name or code twice, a code that is no wijk code, a name too short
        Assert.Throws<PlanException>(() => tally.Plan.AddWijk(code, "Andere", gebied));
        Assert.Throws<PlanException>(() => tally.Plan.AddWijk(tally.Plan.NextWijkCode(indeling.Gemeente.Code), "nieuwe wijk", gebied));
        Assert.Throws<PlanException>(() => tally.Plan.AddWijk("X1", "Andere", gebied));
        Assert.Throws<PlanException>(() => tally.Plan.AddWijk(tally.Plan.NextWijkCode(indeling.Gemeente.Code), " x ", gebied));
        // undo all the way: the plan in force again, without the new wijk
        while (tally.CanUndo) tally.Undo();
        Assert.True(tally.Plan.SameAs(plan));
        Assert.False(tally.Plan.SameAs(plan.AddWijk(code, "Nieuwe Wijk", gebied)));
        // a new wijk without buurten is not part of the indeling
        Assert.DoesNotContain(code, plan.AddWijk(code, "Leeg", gebied).ToIndeling(indeling).Gebieden.SelectMany(g => g.Wijken));
    }
}

/// <summary>The border edit (issue 18): moving the shared edge of two real buurten, against the shapes themselves as the
/// oracle (areas kept, the coverage still valid, every other buurt untouched), and contiguity of a plan's areas.</summary>
public class BorderReshapeTests
{
    private static readonly Lazy<(Gebiedsindeling Indeling, IReadOnlyList<BuurtInput> Buurten, Plan Plan)> Real = new(() =>
    {
        var indeling = Gebiedsindeling.Load(TestPaths.Gebiedsindeling);
        using var s = File.OpenRead(TestPaths.RealBuurten);
        var h = new AreaHierarchyBuilder(indeling).Build(BuurtFileReader.Read(s).Buurten);
        var buurten = h.OfLevel(AreaLevel.Buurt).Select(a => new BuurtInput(a.Code, a.Name, a.Geometry)).ToList();
        return (indeling, buurten, Plan.FromIndeling(indeling, buurten.Select(b => b.Code)));
    });

    /// <summary>The first pair (by code) of buurten sharing a long border, its edge, and a middle vertex moved 10 m into B.</summary>
    private static (BuurtInput A, BuurtInput B, LineString Edge, Coordinate[] Moved, Coordinate NewVertex) LongBorder()
    {
        var buurten = Real.Value.Buurten;
        foreach (var a in buurten)
            foreach (var b in buurten.Where(b => string.CompareOrdinal(a.Code, b.Code) < 0))
            {
                if (BorderReshape.SharedEdge(a.Geometry, b.Geometry) is not { Length: > 300, NumPoints: >= 5 } edge) continue;
                var coords = edge.Coordinates.Select(c => c.Copy()).ToArray();
                var i = coords.Length / 2;
                var (p, q) = (coords[i - 1], coords[i + 1]);
                var (dx, dy) = (q.Y - p.Y, -(q.X - p.X));
                var len = Math.Sqrt(dx * dx + dy * dy);
                var into = new Coordinate(coords[i].X + 10 * dx / len, coords[i].Y + 10 * dy / len);
                if (!b.Geometry.Contains(a.Geometry.Factory.CreatePoint(into))) into = new Coordinate(coords[i].X - 10 * dx / len, coords[i].Y - 10 * dy / len);
                coords[i] = into;
                return (a, b, edge, coords, into);
            }
        throw new InvalidOperationException("no long border");
    }

    [Fact]
    public void Moving_a_shared_border_moves_ground_from_one_buurt_to_the_other_and_keeps_the_coverage()
    {
        var (a, b, edge, moved, vertex) = LongBorder();
        // what the browser sends back: every vertex through WGS84 and back (mm off), one moved 10 m into b
        var jittered = moved.Select(c => c == vertex ? c : new Coordinate(c.X + 0.004, c.Y - 0.003)).ToList();
        var r = BorderReshape.Apply(a.Geometry, b.Geometry, edge, jittered, [], snapM: 0.5);
        Assert.True(r.Changed);
        Assert.True(r.ToB.IsEmpty);
        Assert.InRange(r.ToA.Area, 100, 100_000);
        Assert.Equal(a.Geometry.Area + r.ToA.Area, r.A.Area, 3);
        Assert.Equal(b.Geometry.Area - r.ToA.Area, r.B.Area, 3);
        // the two still cover exactly what they covered, and the whole gemeente is still a valid coverage
        var before = a.Geometry.Union(b.Geometry);
        Assert.True(before.SymmetricDifference(r.A.Union(r.B)).Area < 1e-6);
        var all = Real.Value.Buurten.Select(x => x.Code == a.Code ? r.A : x.Code == b.Code ? r.B : x.Geometry).ToArray();
        Assert.All(NetTopologySuite.Coverage.CoverageValidator.Validate(all, 1.0), e => Assert.True(e is null || e.IsEmpty));
        // the moved vertex is on both new shapes' borders, unmoved ones snapped back exactly (no sliver)
        var newEdge = BorderReshape.SharedEdge(r.A, r.B)!;
        Assert.Contains(newEdge.Coordinates, c => c.Equals2D(vertex));
        Assert.Equal(edge.NumPoints, newEdge.NumPoints);

        // jitter alone is no change at all
        var still = BorderReshape.Apply(a.Geometry, b.Geometry, edge, edge.Coordinates.Select(c => new Coordinate(c.X + 0.004, c.Y)).ToList(), [], 0.5);
        Assert.False(still.Changed);
        Assert.True(still.A.EqualsExact(AreaHierarchyBuilder.AsMulti(a.Geometry)));
    }

    [Fact]
    public void A_border_move_that_shifts_an_end_point_or_leaves_the_two_buurten_is_refused_in_dutch()
    {
        var (a, b, edge, moved, _) = LongBorder();
        var endMoved = moved.ToArray();
        endMoved[0] = new Coordinate(endMoved[0].X + 25, endMoved[0].Y + 25);
        Assert.Contains("eindpunten", Assert.Throws<PlanException>(() => BorderReshape.Apply(a.Geometry, b.Geometry, edge, endMoved, [], 0.5)).Message);
        var far = moved.ToArray();
        far[far.Length / 2] = new Coordinate(far[far.Length / 2].X + 5000, far[far.Length / 2].Y + 5000);
        Assert.Throws<PlanException>(() => BorderReshape.Apply(a.Geometry, b.Geometry, edge, far, [], 0.5));
    }

    [Fact]
    public void A_moved_vertex_snaps_to_an_existing_vertex_nearby()
    {
        var (a, b, edge, moved, vertex) = LongBorder();
        var target = new Coordinate(vertex.X + 0.8, vertex.Y - 0.6);  // 1 m away: an existing corner to snap to
        var r = BorderReshape.Apply(a.Geometry, b.Geometry, edge, moved, [target], snapM: 1.5);
        Assert.Contains(BorderReshape.SharedEdge(r.A, r.B)!.Coordinates, c => c.Equals2D(target));
    }

    [Fact]
    public void The_real_areas_are_contiguous_and_a_buurt_moved_far_away_makes_its_new_wijk_and_gebied_fall_apart()
    {
        var (_, buurten, plan) = Real.Value;
        var adjacency = new BuurtAdjacency(buurten.ToDictionary(b => b.Code, b => b.Geometry));
        Assert.Empty(adjacency.NonContiguous(plan));
        // a buurt of West into the wijk Centrum: not next to it
        var westBuurt = plan.WijkOfBuurt.Where(kv => plan.GebiedOf(kv.Key) == "GB0361-west")
            .First(kv => !adjacency.NeighboursOf(kv.Key).Any(n => plan.WijkOfBuurt[n] == "WK036108")).Key;
        var moved = plan.MoveBuurt(westBuurt, "WK036108");
        var problems = adjacency.NonContiguous(moved);
        Assert.Contains(problems, p => p.Level == AreaLevel.Wijk && p.Code == "WK036108" && p.Pieces.Count == 2 && p.Pieces[1].SequenceEqual([westBuurt]));
        Assert.Contains(problems, p => p.Level == AreaLevel.Gebied && p.Code == "GB0361-centrum");
        Assert.DoesNotContain(adjacency.NonContiguous(moved, new HashSet<string> { "WK036108", "GB0361-centrum" }), p => p.Code is "WK036108" or "GB0361-centrum");
    }

    [Fact]
    public void A_plan_becomes_a_gebiedsindeling_whose_derived_wijken_follow_the_moved_buurt()
    {
        var (indeling, buurten, plan) = Real.Value;
        var buurt = plan.WijkOfBuurt.First(kv => kv.Value == "WK036104").Key;   // a buurt of wijk West
        var moved = plan.MoveBuurt(buurt, "WK036105").MoveWijk("WK036105", "GB0361-zuid");
        var next = moved.ToIndeling(indeling);
        Assert.Equal(new Dictionary<string, string> { [buurt] = "WK036105" }, next.BuurtInWijk);
        Assert.Contains("WK036105", next.Gebieden.Single(g => g.Code == "GB0361-zuid").Wijken);
        Assert.DoesNotContain("WK036105", next.Gebieden.Single(g => g.Code == "GB0361-west").Wijken);
        Assert.True(Plan.FromIndeling(Gebiedsindeling.FromJson(next.ToJson()), plan.WijkOfBuurt.Keys).SameAs(moved));
        var h = new AreaHierarchyBuilder(next).Build(buurten);
        Assert.Equal("WK036105", h.Areas.Single(a => a.Level == AreaLevel.Buurt && a.Code == buurt).ParentCode);
        var wijk = h.Areas.Single(a => a.Level == AreaLevel.Wijk && a.Code == "WK036105");
        Assert.Equal("GB0361-zuid", wijk.ParentCode);
        Assert.True(wijk.Geometry.Covers(buurten.Single(b => b.Code == buurt).Geometry.InteriorPoint));
    }
}
