using System.Collections.Concurrent;
using System.Diagnostics;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Geo.Transforms;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.Plans;

/// <summary>One team's impact under a plan: the counts, the change against the plan's base version, and the balance.</summary>
public sealed record TeamImpact(string Gebied, string Name, long[] Counts, long[] Change, double[] Share, bool[] OutOfBand);

/// <summary>What an edit did: the plan's new row version, the gebieden whose totals changed, the buurten that changed, and
/// how long the edit took on the server (tally and save).</summary>
public sealed record PlanEditResult(int Version, IReadOnlyCollection<string> ChangedGebieden, IReadOnlyCollection<string> ChangedBuurten,
    double TallyMs, double TotalMs);

/// <summary>A plan open for editing: its tally (kept per edit), shapes, adjacency, and the counts of its base for the change.</summary>
public sealed class PlanState
{
    public required PlanInfo Info { get; set; }
    public required PlanTally Tally { get; init; }
    public required Dictionary<string, BuurtShape> Buurten { get; init; }
    public required BuurtAdjacency Adjacency { get; init; }
    public required Gebiedsindeling Indeling { get; init; }
    public required Plan BasePlan { get; init; }
    public required IReadOnlyDictionary<string, long[]> BaseTotals { get; init; }
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>A wijk's name: one the plan made, else the gebiedsindeling's (else its code).</summary>
    public string WijkName(string code) =>
        Tally.Plan.NewWijkNames.TryGetValue(code, out var made) ? made : Indeling.Wijken.GetValueOrDefault(code, code);
}

/// <summary>The shapes a border move changed, kept with the step to undo and redo it.</summary>
public sealed record ShapeChange(IReadOnlyDictionary<string, MultiPolygon> Before, IReadOnlyDictionary<string, MultiPolygon> After);

/// <summary>
/// The plan editor's engine, shared by the page and the API: every open plan once per server, its impact kept by
/// <see cref="PlanTally"/> edit by edit (what moved, never a recount), every edit saved at once with the plan's row
/// version (two tabs or two planners: the second is told). Undo and redo step through the plan's stored history
/// (<see cref="PlanHistory"/>), whichever server made the edits.
/// </summary>
public sealed class PlanWorkspace(PlanStore store, IOptions<PlanOptions> options, ILogger<PlanWorkspace> logger)
{
    private readonly ConcurrentDictionary<int, Lazy<Task<PlanState?>>> _open = new();

    /// <summary>The plan open for editing (loaded on first use; reloaded when another server or a rebase changed it).</summary>
    public async Task<PlanState?> OpenAsync(int id, CancellationToken ct = default)
    {
        var lazy = _open.GetOrAdd(id, i => new Lazy<Task<PlanState?>>(() => LoadAsync(i, CancellationToken.None)));
        PlanState? state;
        try { state = await lazy.Value; }
        catch { _open.TryRemove(id, out _); throw; }
        if (state is null) { _open.TryRemove(id, out _); return null; }
        var info = await store.InfoAsync(id, ct);
        if (info is null) { _open.TryRemove(id, out _); return null; }
        if (info.Version != state.Info.Version)
        {
            _open.TryRemove(new KeyValuePair<int, Lazy<Task<PlanState?>>>(id, lazy));
            return await OpenAsync(id, ct);
        }
        return state;
    }

    /// <summary>Forgets an open plan (after a conflict, a rebase or a publication); the next use reloads it.</summary>
    public void Forget(int id) => _open.TryRemove(id, out _);

    private async Task<PlanState?> LoadAsync(int id, CancellationToken ct)
    {
        var loaded = await store.LoadAsync(id, ct);
        if (loaded is null) return null;
        var (info, snapshot) = loaded.Value;
        var perBuurt = await store.CountPerBuurtAsync(id, ct);
        var tally = new PlanTally(snapshot.Plan, PlanMeasures.Keys, perBuurt);
        // the undo history is the plan's, not this server's: any server (or this one after a restart) continues it
        var (done, undone) = await store.HistoryAsync(id, ct);
        try { tally.Restore(done, undone); }
        catch (PlanException) { logger.LogWarning("Plan {Plan}: the stored undo history does not fit the plan; starting without it.", id); }
        var buurten = snapshot.Buurten.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        // changes are counted against the version the plan replaces, on that version's own shapes
        var replaced = await store.LoadVersionAsync(info.ReplacesVersion, ct);
        var basePlan = replaced is not null && buurten.Keys.All(replaced.Plan.WijkOfBuurt.ContainsKey)
            ? replaced.Plan with { WijkOfBuurt = buurten.Keys.ToDictionary(b => b, b => replaced.Plan.WijkOfBuurt[b]) }
            : Plan.FromIndeling(await store.IndelingOfVersionAsync(info.ReplacesVersion, ct), buurten.Keys);
        var versionCounts = await store.CountPerBuurtOfVersionAsync(info.ReplacesVersion, ct);
        var baseTotals = new PlanTally(basePlan, PlanMeasures.Keys,
            buurten.Keys.ToDictionary(b => b, b => versionCounts.GetValueOrDefault(b) ?? new long[PlanMeasures.Keys.Length])).Totals;
        return new PlanState
        {
            Info = info, Tally = tally, Buurten = buurten, Indeling = snapshot.Indeling, BasePlan = basePlan, BaseTotals = baseTotals,
            Adjacency = new BuurtAdjacency(buurten.ToDictionary(kv => kv.Key, kv => (Geometry)kv.Value.Geometry)),
        };
    }

    /// <summary>The impact per team: counts, change against the base version, share of the gemeente and the balance band.</summary>
    public IReadOnlyList<TeamImpact> Impact(PlanState state)
    {
        var totals = state.Tally.Totals;
        var gebieden = state.Indeling.Gebieden;
        var sums = Enumerable.Range(0, PlanMeasures.Keys.Length).Select(i => totals.Values.Sum(t => t[i])).ToArray();
        var band = options.Value.BalanceBandPct / 100.0;
        return gebieden.Select(g =>
        {
            var counts = totals.GetValueOrDefault(g.Code) ?? new long[PlanMeasures.Keys.Length];
            var baseCounts = state.BaseTotals.GetValueOrDefault(g.Code) ?? new long[PlanMeasures.Keys.Length];
            var share = counts.Select((c, i) => sums[i] == 0 ? 0 : (double)c / sums[i]).ToArray();
            var ideal = 1.0 / gebieden.Count;
            return new TeamImpact(g.Code, g.Team.Name, counts, counts.Select((c, i) => c - baseCounts[i]).ToArray(), share,
                share.Select((s, i) => sums[i] > 0 && Math.Abs(s / ideal - 1) > band).ToArray());
        }).ToList();
    }

    public double BalanceBandPct => options.Value.BalanceBandPct;

    /// <summary>Assigns buurten to a wijk (by click or lasso).</summary>
    public Task<PlanEditResult> MoveBuurtenAsync(int id, int version, IReadOnlyList<string> buurten, string wijk, string actor, CancellationToken ct = default) =>
        EditAsync(id, version, actor, ct, state =>
        {
            if (buurten.Count == 0) throw new PlanException("Kies eerst een of meer buurten.");
            var plan = state.Tally.Plan;
            if (!plan.GebiedOfWijk.ContainsKey(wijk)) throw new PlanException($"Onbekende wijk {wijk}.");
            foreach (var b in buurten)
            {
                if (!plan.WijkOfBuurt.ContainsKey(b)) throw new PlanException($"Onbekende buurt {b}.");
                CheckUnlocked(state, b, wijk);
                plan = plan.MoveBuurt(b, wijk);
            }
            return (plan, [], null, new { kind = "buurten", buurten, wijk });
        });

    /// <summary>A new wijk in a gebied (no buurten yet; they are moved in next), with the gemeente's next free wijk code.</summary>
    public Task<PlanEditResult> AddWijkAsync(int id, int version, string name, string gebied, string actor, CancellationToken ct = default) =>
        EditAsync(id, version, actor, ct, state =>
        {
            if (state.Indeling.Gebieden.All(g => g.Code != gebied)) throw new PlanException($"Onbekend gebied {gebied}.");
            if (state.Info.Locked.Contains(gebied)) throw new PlanException($"{Name(state, gebied)} is vergrendeld: er gaan geen buurten uit of bij.");
            var plan = state.Tally.Plan;
            if (plan.GebiedOfWijk.Keys.Any(w => string.Equals(state.WijkName(w), (name ?? "").Trim(), StringComparison.OrdinalIgnoreCase)))
                throw new PlanException($"Er is al een wijk {name!.Trim()}.");
            var code = plan.NextWijkCode(state.Indeling.Gemeente.Code);
            return (plan.AddWijk(code, name ?? "", gebied), [], null, new { kind = "nieuwe wijk", wijk = code, name, gebied });
        });

    /// <summary>Assigns wijken to a gebied (its team).</summary>
    public Task<PlanEditResult> MoveWijkenAsync(int id, int version, IReadOnlyList<string> wijken, string gebied, string actor, CancellationToken ct = default) =>
        EditAsync(id, version, actor, ct, state =>
        {
            if (wijken.Count == 0) throw new PlanException("Kies eerst een of meer wijken.");
            if (state.Indeling.Gebieden.All(g => g.Code != gebied)) throw new PlanException($"Onbekend gebied {gebied}.");
            var plan = state.Tally.Plan;
            foreach (var w in wijken)
            {
                if (!plan.GebiedOfWijk.TryGetValue(w, out var from)) throw new PlanException($"Onbekende wijk {w}.");
                foreach (var area in new[] { from, gebied, w }.Where(state.Info.Locked.Contains))
                    throw new PlanException($"{Name(state, area)} is vergrendeld: er gaan geen buurten uit of bij.");
                plan = plan.MoveWijk(w, gebied);
            }
            return (plan, [], null, new { kind = "wijken", wijken, gebied });
        });

    /// <summary>Moves the shared border of two buurten to a new line (WGS84 lat/lon pairs), snapping within
    /// <paramref name="snapM"/> metres; both buurten change together, their counts move with the ground.</summary>
    public async Task<PlanEditResult> MoveBorderAsync(int id, int version, string a, string b, IReadOnlyList<double[]> latLons, double snapM,
        string actor, CancellationToken ct = default)
    {
        snapM = Math.Clamp(snapM, 0.05, options.Value.MaxSnapM);
        var line = latLons.Select(p => p.Length == 2 ? RdNew.FromWgs84(p[1], p[0]) : throw new PlanException("Elk punt is [lat, lon].")).ToList();
        // the counts of the ground that moves come from PostGIS, so the edit is prepared outside the state's lock first
        return await EditAsync(id, version, actor, ct, null, async state =>
        {
            if (!state.Buurten.TryGetValue(a, out var sa) || !state.Buurten.TryGetValue(b, out var sb))
                throw new PlanException("Kies twee buurten die aan elkaar grenzen.");
            CheckUnlocked(state, a, null);
            CheckUnlocked(state, b, null);
            var edge = BorderReshape.SharedEdge(sa.Geometry, sb.Geometry) ?? throw new PlanException($"{sa.Name} en {sb.Name} grenzen niet aan elkaar.");
            var targets = state.Adjacency.NeighboursOf(a).Concat(state.Adjacency.NeighboursOf(b)).Append(a).Append(b).Distinct()
                .SelectMany(code => state.Buurten[code].Geometry.Coordinates);
            var r = BorderReshape.Apply(sa.Geometry, sb.Geometry, edge, line.Select(p => new Coordinate(p.X, p.Y)).ToList(), targets, snapM);
            if (!r.Changed) throw new PlanException("De grens is niet verplaatst.");
            var counts = await store.CountInAsync([r.ToA, r.ToB], ct);
            var moves = new List<CountMove>();
            if (!r.ToA.IsEmpty) moves.Add(new CountMove(b, a, WithInwoners(state, b, counts[0])));
            if (!r.ToB.IsEmpty) moves.Add(new CountMove(a, b, WithInwoners(state, a, counts[1])));
            var change = new ShapeChange(new Dictionary<string, MultiPolygon> { [a] = sa.Geometry, [b] = sb.Geometry },
                new Dictionary<string, MultiPolygon> { [a] = r.A, [b] = r.B });
            return (state.Tally.Plan, moves, change, new { kind = "grens", a, b, naarA = Math.Round(r.ToA.Area, 1), naarB = Math.Round(r.ToB.Area, 1) });
        });
    }

    /// <summary>Takes back the last edit (false when there is none).</summary>
    public Task<PlanEditResult?> UndoAsync(int id, int version, string actor, CancellationToken ct = default) => StepAsync(id, version, actor, undo: true, ct);

    public Task<PlanEditResult?> RedoAsync(int id, int version, string actor, CancellationToken ct = default) => StepAsync(id, version, actor, undo: false, ct);

    private async Task<PlanEditResult?> StepAsync(int id, int version, string actor, bool undo, CancellationToken ct)
    {
        var state = await OpenAsync(id, ct) ?? throw new PlanException($"Er is geen plan {id}.");
        await state.Gate.WaitAsync(ct);
        try
        {
            Expect(state, version);
            var clock = Stopwatch.StartNew();
            var step = undo ? state.Tally.Undo() : state.Tally.Redo();
            if (step is null) return null;
            var tallyMs = clock.Elapsed.TotalMilliseconds;
            var shapes = step.Payload is ShapeChange sc ? (undo ? sc.Before : sc.After) : new Dictionary<string, MultiPolygon>();
            var plan = undo ? step.Before : step.After;
            try
            {
                state.Info = state.Info with
                {
                    Version = await store.SaveAsync(id, version, plan, shapes, actor, new { kind = undo ? "ongedaan" : "opnieuw" }, ct,
                        new StepRecord(undo ? StepAction.Undo : StepAction.Redo)),
                };
            }
            catch { Forget(id); throw; }
            ApplyShapes(state, shapes);
            var changed = step.Before.GebiedChanges(step.After).SelectMany(c => new[] { c.From, c.To })
                .Concat(step.Moves.SelectMany(m => new[] { plan.GebiedOf(m.FromBuurt), plan.GebiedOf(m.ToBuurt) })).ToHashSet();
            return new PlanEditResult(state.Info.Version, changed, Changed(step), tallyMs, clock.Elapsed.TotalMilliseconds);
        }
        finally { state.Gate.Release(); }
    }

    private static IReadOnlyCollection<string> Changed(PlanStep step) =>
        step.Before.WijkChanges(step.After).Select(c => c.Buurt).Concat(step.Moves.SelectMany(m => new[] { m.FromBuurt, m.ToBuurt }))
            .Concat(step.Before.GebiedChanges(step.After).Select(c => c.Buurt)).ToHashSet();

    private delegate (Plan Plan, IReadOnlyList<CountMove> Moves, ShapeChange? Shapes, object What) Edit(PlanState state);

    private delegate Task<(Plan Plan, IReadOnlyList<CountMove> Moves, ShapeChange? Shapes, object What)> AsyncEdit(PlanState state);

    private Task<PlanEditResult> EditAsync(int id, int version, string actor, CancellationToken ct, Edit edit) =>
        EditAsync(id, version, actor, ct, edit, null);

    private async Task<PlanEditResult> EditAsync(int id, int version, string actor, CancellationToken ct, Edit? edit, AsyncEdit? asyncEdit)
    {
        var state = await OpenAsync(id, ct) ?? throw new PlanException($"Er is geen plan {id}.");
        await state.Gate.WaitAsync(ct);
        try
        {
            Expect(state, version);
            var clock = Stopwatch.StartNew();
            var (plan, moves, shapes, what) = edit is not null ? edit(state) : await asyncEdit!(state);
            var prepared = clock.Elapsed.TotalMilliseconds;
            var before = state.Tally.Plan;
            var changedGebieden = state.Tally.Apply(plan, moves, shapes);
            var tallyMs = clock.Elapsed.TotalMilliseconds - prepared;
            try
            {
                state.Info = state.Info with
                {
                    Version = await store.SaveAsync(id, version, plan, shapes?.After ?? new Dictionary<string, MultiPolygon>(), actor, what, ct,
                        new StepRecord(StepAction.New, new PlanStep(before, plan, moves, shapes))),
                };
            }
            catch { Forget(id); throw; }
            if (shapes is not null) ApplyShapes(state, shapes.After);
            var changedBuurten = Changed(new PlanStep(before, plan, moves, shapes));
            logger.LogInformation("Plan {Plan} edited by {Actor}: {Buurten} buurt(en), {Gebieden} team(s) changed in {Ms:0.0} ms",
                id, actor, changedBuurten.Count, changedGebieden.Count, clock.Elapsed.TotalMilliseconds);
            return new PlanEditResult(state.Info.Version, changedGebieden, changedBuurten, prepared + tallyMs, clock.Elapsed.TotalMilliseconds);
        }
        finally { state.Gate.Release(); }
    }

    private static void ApplyShapes(PlanState state, IReadOnlyDictionary<string, MultiPolygon> shapes)
    {
        foreach (var (code, geom) in shapes) state.Buurten[code] = state.Buurten[code] with { Geometry = geom };
        var all = state.Buurten.ToDictionary(kv => kv.Key, kv => (Geometry)kv.Value.Geometry);
        foreach (var code in shapes.Keys) state.Adjacency.Refresh(code, all);
    }

    private static void Expect(PlanState state, int version)
    {
        if (state.Info.PublishedVersion is { } published)
            throw new PlanException($"Dit plan is al gepubliceerd als versie {published}; maak een nieuw plan om verder te werken.");
        if (state.Info.Version != version) throw new PlanConflictException(version, state.Info.Version);
    }

    /// <summary>Refuses an edit that takes a buurt out of, or brings one into, a locked wijk or gebied.</summary>
    private static void CheckUnlocked(PlanState state, string buurt, string? toWijk)
    {
        var plan = state.Tally.Plan;
        var areas = new List<string> { plan.WijkOfBuurt[buurt], plan.GebiedOf(buurt) };
        if (toWijk is not null) areas.AddRange([toWijk, plan.GebiedOfWijk[toWijk]]);
        foreach (var area in areas.Where(state.Info.Locked.Contains))
            throw new PlanException($"{Name(state, area)} is vergrendeld: er gaan geen buurten uit of bij.");
    }

    public static string Name(PlanState state, string area) =>
        state.Indeling.Gebieden.FirstOrDefault(g => g.Code == area) is { } g ? $"Gebied {g.Name}"
        : state.Tally.Plan.GebiedOfWijk.ContainsKey(area) || state.Indeling.Wijken.ContainsKey(area) ? $"Wijk {state.WijkName(area)}" : area;

    /// <summary>A border move's counts with the inwoners that go along: the source buurt's inwoners per address.</summary>
    private static long[] WithInwoners(PlanState state, string from, long[] c)
    {
        var source = state.Tally.CountsOf(from);
        var inwoners = source[PlanMeasures.Adressen] == 0 ? 0
            : (long)Math.Round((double)source[PlanMeasures.Inwoners] * c[0] / source[PlanMeasures.Adressen]);
        return [c[0], Math.Min(inwoners, source[PlanMeasures.Inwoners]), c[1], c[2], c[3]];
    }
}
