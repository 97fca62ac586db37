namespace Alkmaar.Kaart.Geo.Plans;

/// <summary>
/// The impact of a plan per gebied, kept up to date edit by edit as GerryChain does (old − outflow + inflow): every buurt
/// carries its counts (addresses, inwoners, open meldingen, …, in <see cref="Measures"/> order), and a move changes only
/// the totals of the gebieden it leaves and enters — never a recount. Undo and redo step through the edits exactly.
/// </summary>
public sealed class PlanTally
{
    private readonly Dictionary<string, long[]> _perBuurt;
    private readonly Dictionary<string, long[]> _perGebied = new();
    private readonly Stack<(Plan Before, Plan After)> _undo = new(), _redo = new();

    public IReadOnlyList<string> Measures { get; }
    public Plan Plan { get; private set; }

    public PlanTally(Plan plan, IReadOnlyList<string> measures, IReadOnlyDictionary<string, long[]> perBuurt)
    {
        if (perBuurt.Values.Any(v => v.Length != measures.Count)) throw new ArgumentException("Every buurt has one count per measure.");
        Measures = measures;
        _perBuurt = perBuurt.ToDictionary(kv => kv.Key, kv => kv.Value);
        Plan = plan;
        foreach (var b in plan.WijkOfBuurt.Keys) Add(plan.GebiedOf(b), Counts(b), +1);
    }

    /// <summary>The totals per gebied (a copy).</summary>
    public IReadOnlyDictionary<string, long[]> Totals => _perGebied.ToDictionary(kv => kv.Key, kv => (long[])kv.Value.Clone());

    /// <summary>Applies an edit (a new plan made from <see cref="Plan"/>); returns the gebieden whose totals changed.</summary>
    public IReadOnlyCollection<string> Apply(Plan next)
    {
        var changed = Shift(Plan, next);
        _undo.Push((Plan, next));
        _redo.Clear();
        Plan = next;
        return changed;
    }

    public IReadOnlyCollection<string> MoveBuurt(string buurt, string wijk) => Apply(Plan.MoveBuurt(buurt, wijk));
    public IReadOnlyCollection<string> MoveWijk(string wijk, string gebied) => Apply(Plan.MoveWijk(wijk, gebied));

    public bool Undo()
    {
        if (!_undo.TryPop(out var step)) return false;
        Shift(step.After, step.Before);
        _redo.Push(step);
        Plan = step.Before;
        return true;
    }

    public bool Redo()
    {
        if (!_redo.TryPop(out var step)) return false;
        Shift(step.Before, step.After);
        _undo.Push(step);
        Plan = step.After;
        return true;
    }

    /// <summary>Moves the counts of the buurten that change gebied from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private HashSet<string> Shift(Plan from, Plan to)
    {
        var changed = new HashSet<string>();
        // only the buurten of wijken that moved, or that moved themselves, can change gebied
        var candidates = to.WijkOfBuurt.Where(kv => from.WijkOfBuurt[kv.Key] != kv.Value).Select(kv => kv.Key)
            .Concat(to.GebiedOfWijk.Where(kv => !from.GebiedOfWijk.TryGetValue(kv.Key, out var g) || g != kv.Value)
                .SelectMany(kv => to.WijkOfBuurt.Where(b => b.Value == kv.Key).Select(b => b.Key)))
            .Distinct();
        foreach (var b in candidates)
        {
            var (g0, g1) = (from.GebiedOf(b), to.GebiedOf(b));
            if (g0 == g1) continue;
            Add(g0, Counts(b), -1);
            Add(g1, Counts(b), +1);
            changed.Add(g0);
            changed.Add(g1);
        }
        return changed;
    }

    private long[] Counts(string buurt) => _perBuurt.TryGetValue(buurt, out var c) ? c : new long[Measures.Count];

    private void Add(string gebied, long[] counts, int sign)
    {
        if (!_perGebied.TryGetValue(gebied, out var t)) _perGebied[gebied] = t = new long[Measures.Count];
        for (var i = 0; i < t.Length; i++) t[i] += sign * counts[i];
    }
}
