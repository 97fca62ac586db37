namespace Alkmaar.Kaart.Geo.Plans;

/// <summary>Counts that change buurt with a border move: what lies in the ground that went from one to the other.</summary>
public sealed record CountMove(string FromBuurt, string ToBuurt, long[] Counts);

/// <summary>One edit: the plan before and after, the counts a border move shifted, and what the caller keeps with it
/// (e.g. the shapes before and after) to undo it.</summary>
public sealed record PlanStep(Plan Before, Plan After, IReadOnlyList<CountMove> Moves, object? Payload);

/// <summary>
/// The impact of a plan per gebied, kept up to date edit by edit as GerryChain does (old − outflow + inflow): every buurt
/// carries its counts (addresses, inwoners, open meldingen, …, in <see cref="Measures"/> order), and a move changes only
/// the totals of the gebieden it leaves and enters — never a recount. Undo and redo step through the edits exactly.
/// </summary>
public sealed class PlanTally
{
    private readonly Dictionary<string, long[]> _perBuurt;
    private readonly Dictionary<string, long[]> _perGebied = new();
    private readonly Stack<PlanStep> _undo = new(), _redo = new();

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

    /// <summary>The counts of one buurt as the plan stands (a copy).</summary>
    public long[] CountsOf(string buurt) => (long[])Counts(buurt).Clone();

    public bool CanUndo => _undo.Count > 0;
    public bool CanRedo => _redo.Count > 0;

    /// <summary>Applies an edit (a new plan made from <see cref="Plan"/>, and the counts a border move shifted between
    /// buurten); returns the gebieden whose totals changed.</summary>
    public IReadOnlyCollection<string> Apply(Plan next, IReadOnlyList<CountMove>? moves = null, object? payload = null)
    {
        var step = new PlanStep(Plan, next, moves ?? [], payload);
        var changed = Forward(step);
        _undo.Push(step);
        _redo.Clear();
        Plan = next;
        return changed;
    }

    public IReadOnlyCollection<string> MoveBuurt(string buurt, string wijk) => Apply(Plan.MoveBuurt(buurt, wijk));
    public IReadOnlyCollection<string> MoveWijk(string wijk, string gebied) => Apply(Plan.MoveWijk(wijk, gebied));

    /// <summary>
    /// Puts back a stored history of the plan as it stands: <paramref name="done"/> the edits that led here (oldest first),
    /// <paramref name="undone"/> those taken back (the next to redo first). The counts are not touched: they are those of
    /// the plan as it stands. Refused when the history does not end (or, undone, begin) at this plan.
    /// </summary>
    public void Restore(IReadOnlyList<PlanStep> done, IReadOnlyList<PlanStep> undone)
    {
        if (done.Count > 0 && !done[^1].After.SameAs(Plan) || undone.Count > 0 && !undone[0].Before.SameAs(Plan))
            throw new PlanException("De opgeslagen geschiedenis past niet bij dit plan.");
        _undo.Clear();
        _redo.Clear();
        foreach (var step in done) _undo.Push(step);
        foreach (var step in undone.Reverse()) _redo.Push(step);
    }

    /// <summary>Takes back the last edit; returns it (null when there is none).</summary>
    public PlanStep? Undo()
    {
        if (!_undo.TryPop(out var step)) return null;
        foreach (var m in step.Moves.Reverse()) MoveCounts(step.After, m.ToBuurt, m.FromBuurt, m.Counts);
        Shift(step.After, step.Before);
        _redo.Push(step);
        Plan = step.Before;
        return step;
    }

    /// <summary>Does the last undone edit again; returns it (null when there is none).</summary>
    public PlanStep? Redo()
    {
        if (!_redo.TryPop(out var step)) return null;
        Forward(step);
        _undo.Push(step);
        Plan = step.After;
        return step;
    }

    private HashSet<string> Forward(PlanStep step)
    {
        var changed = Shift(step.Before, step.After);
        foreach (var m in step.Moves)
        {
            MoveCounts(step.After, m.FromBuurt, m.ToBuurt, m.Counts);
            var (g0, g1) = (step.After.GebiedOf(m.FromBuurt), step.After.GebiedOf(m.ToBuurt));
            if (g0 != g1 && m.Counts.Any(c => c != 0)) { changed.Add(g0); changed.Add(g1); }
        }
        return changed;
    }

    /// <summary>Moves counts from one buurt to another (a border move), and between their gebieden in <paramref name="plan"/>.</summary>
    private void MoveCounts(Plan plan, string from, string to, long[] counts)
    {
        if (counts.Length != Measures.Count) throw new ArgumentException("One count per measure.");
        var (f, t) = (Counts(from), Counts(to));
        _perBuurt[from] = f = (long[])f.Clone();
        _perBuurt[to] = t = (long[])t.Clone();
        for (var i = 0; i < counts.Length; i++) { f[i] -= counts[i]; t[i] += counts[i]; }
        Add(plan.GebiedOf(from), counts, -1);
        Add(plan.GebiedOf(to), counts, +1);
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
