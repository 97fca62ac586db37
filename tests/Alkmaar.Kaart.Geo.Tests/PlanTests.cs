using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Testing;

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
            Assert.True(tally.Undo());
            Assert.True(tally.Plan.SameAs(history[i]));
        }
        Assert.False(tally.Undo());
        AssertSameTotals(Recount(plan, perBuurt, measures.Length), tally.Totals);
        for (var i = 1; i < history.Count; i++) Assert.True(tally.Redo() && tally.Plan.SameAs(history[i]));
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
}
