using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Import;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.Plans;

/// <summary>A problem that keeps a plan from being published, with where it is (RD) when it has a place.</summary>
/// <param name="Kind">dekking (gap, overlap, invalid shape), samenhang (an area in pieces), leeg (a team without buurten),
/// gemeente (the outer border changed).</param>
public sealed record PlanProblem(string Kind, string Code, string Message, double? X = null, double? Y = null);

/// <summary>One line of a comparison: a buurt that changes wijk or gebied, or a piece of ground that changes buurt (a
/// moved border), with what lies in it.</summary>
public sealed record PlanDiffRow(string Kind, string Buurt, string Name, string FromBuurt, string FromWijk, string ToWijk,
    string FromGebied, string ToGebied, double AreaM2, long[] Counts, Geometry Geometry)
{
    public bool ChangesTeam => FromGebied != ToGebied;
}

/// <summary>What the plan is compared with: a boundary version or another plan.</summary>
public sealed record CompareTarget(string Label, IndelingSnapshot Snapshot);

/// <summary>
/// Plans from their start to their publication: made from a version, an equivalency CSV or a buurten file; checked as a
/// coverage with contiguous areas; compared with the version in force or another plan; published as a boundary version
/// from a date (routing follows from that day); rebased when another plan was published first.
/// </summary>
public sealed partial class PlanService(PlanStore store, PlanWorkspace workspace, BoundaryImporter importer, TimeProvider time)
{
    public async Task<int> CreateFromVersionAsync(string name, int? version, string actor, CancellationToken ct = default)
    {
        var latest = (await store.LatestVersionAsync(ct))?.Id ?? throw new PlanException(Problems.NoBoundariesDetail);
        var v = version ?? latest;
        var snapshot = await store.LoadVersionAsync(v, ct) ?? throw new PlanException($"Er is geen grensversie {v}.");
        // a plan from an older version is a roll-back: it replaces the latest version all the same
        return await store.CreateAsync(CheckName(name), v, latest, v == latest ? $"versie {v}" : $"versie {v} (terug naar)", snapshot.Plan, snapshot.Buurten, actor, ct);
    }

    /// <summary>A plan with the latest version's buurten and the assignment of an equivalency CSV; its problems (Dutch, per
    /// line) when it is none.</summary>
    public async Task<(int? Id, IReadOnlyList<string> Problems)> CreateFromCsvAsync(string name, string csv, string actor, CancellationToken ct = default)
    {
        var latest = await store.LatestVersionAsync(ct) ?? throw new PlanException(Problems.NoBoundariesDetail);
        var snapshot = (await store.LoadVersionAsync(latest.Id, ct))!;
        var (plan, problems) = EquivalencyCsv.Read(csv, snapshot.Buurten.Keys.ToHashSet());
        if (plan is null) return (null, problems);
        var gebieden = snapshot.Indeling.Gebieden.Select(g => g.Code).ToHashSet();
        var unknown = plan.GebiedOfWijk.Where(kv => !gebieden.Contains(kv.Value)).Select(kv => $"wijk {kv.Key}: onbekend gebied {kv.Value}.")
            .Concat(plan.GebiedOfWijk.Keys.Where(w => !snapshot.Indeling.Wijken.ContainsKey(w)).Select(w => $"wijk {w} bestaat niet in de gebiedsindeling."))
            .ToList();
        if (unknown.Count > 0) return (null, unknown);
        // wijken the CSV leaves without buurten keep their gebied, so a later edit can use them again
        var gebiedOfWijk = snapshot.Plan.GebiedOfWijk.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (w, g) in plan.GebiedOfWijk) gebiedOfWijk[w] = g;
        var id = await store.CreateAsync(CheckName(name), latest.Id, latest.Id, "equivalentiebestand (CSV)", plan with { GebiedOfWijk = gebiedOfWijk }, snapshot.Buurten, actor, ct);
        return (id, []);
    }

    /// <summary>A plan with the buurten (shapes) of a GeoJSON file and the latest version's assignment: e.g. a new CBS year.
    /// Its problems (gaps, overlaps) are listed by the check, not refused here, so the planner sees them.</summary>
    public async Task<int> CreateFromFileAsync(string name, Stream geojson, string sourceName, string actor, CancellationToken ct = default)
    {
        var latest = await store.LatestVersionAsync(ct) ?? throw new PlanException(Problems.NoBoundariesDetail);
        var indeling = await store.IndelingOfVersionAsync(latest.Id, ct);
        var (buurten, _) = BuurtFileReader.Read(geojson);
        var shapes = new Dictionary<string, BuurtShape>(StringComparer.Ordinal);
        foreach (var b in buurten)
        {
            if (!CbsCode.IsBuurt(b.Code)) throw new PlanException($"{b.Code} is geen CBS-buurtcode (BUggggwwbb).");
            if (b.Geometry is not (Polygon or MultiPolygon) || b.Geometry.IsEmpty) throw new PlanException($"Buurt {b.Code} heeft geen vlak.");
            if (!shapes.TryAdd(b.Code, new BuurtShape(b.Name, AreaHierarchyBuilder.AsMulti(b.Geometry)))) throw new PlanException($"Buurt {b.Code} staat er twee keer in.");
        }
        var plan = Plan.FromIndeling(indeling, shapes.Keys);
        return await store.CreateAsync(CheckName(name), latest.Id, latest.Id, $"bestand {sourceName}", plan, shapes, actor, ct);
    }

    private static string CheckName(string name)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 200) throw new PlanException("Geef het plan een naam (ten hoogste 200 tekens).");
        return name;
    }

    /// <summary>Everything that keeps the plan from being published: the import's coverage rules on its buurten (valid
    /// shapes, no overlaps, no gaps or holes), contiguous wijken and gebieden (unless allowed), no team without buurten, and
    /// the gemeente's outer border unchanged.</summary>
    public async Task<IReadOnlyList<PlanProblem>> CheckAsync(PlanState state, CancellationToken ct = default)
    {
        var plan = state.Tally.Plan;
        var problems = new List<PlanProblem>();
        Gebiedsindeling indeling;
        try { indeling = plan.ToIndeling(state.Indeling); }
        catch (PlanException e) { return [new PlanProblem("indeling", "", e.Message)]; }
        var inputs = state.Buurten.Select(kv => new BuurtInput(kv.Key, kv.Value.Name, kv.Value.Geometry)).ToList();
        foreach (var p in new AreaHierarchyBuilder(indeling).Validate(inputs))
        {
            var at = Location().Match(p.Message);
            problems.Add(new PlanProblem("dekking", p.Code, $"{p.Code}: {p.Message}",
                at.Success ? double.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture) : null,
                at.Success ? double.Parse(at.Groups[2].Value, CultureInfo.InvariantCulture) : null));
        }
        foreach (var (level, code, pieces) in state.Adjacency.NonContiguous(plan, state.Info.AllowNonContiguous.ToHashSet()))
        {
            var loose = pieces.Skip(1).SelectMany(p => p).ToList();
            var point = state.Buurten[loose[0]].Geometry.InteriorPoint;
            problems.Add(new PlanProblem("samenhang", code,
                $"{PlanWorkspace.Name(state, code)} ligt in {pieces.Count} losse delen: {string.Join(", ", loose.Select(b => state.Buurten[b].Name))} " +
                $"{(loose.Count == 1 ? "grenst" : "grenzen")} niet aan de rest. Sta dit expliciet toe als het zo bedoeld is.", point.X, point.Y));
        }
        var used = plan.WijkOfBuurt.Keys.Select(plan.GebiedOf).ToHashSet();
        foreach (var g in state.Indeling.Gebieden.Where(g => !used.Contains(g.Code)))
            problems.Add(new PlanProblem("leeg", g.Code, $"Gebied {g.Name} houdt geen buurten over; {g.Team.Name} zou niets meer hebben."));
        var gemeente = await store.GemeenteAreaAsync(state.Info.ReplacesVersion, ct);
        var total = state.Buurten.Values.Sum(b => b.Geometry.Area);
        if (problems.All(p => p.Kind != "dekking") && Math.Abs(total - gemeente) > 1)
            problems.Add(new PlanProblem("gemeente", "", $"De buurten beslaan {total:N0} m², de gemeente {gemeente:N0} m²: de buitengrens van de gemeente verandert."));
        return problems;
    }

    /// <summary>The same ground: vertex for vertex, or (after an import re-noded it) the same point set.</summary>
    private static bool SameShape(Geometry a, Geometry b) => a.EqualsExact(b) || a.EqualsTopologically(b);

    [GeneratedRegex(@"bij \((-?[0-9.]+) (-?[0-9.]+)\)")]
    private static partial Regex Location();

    /// <summary>What the plan changes against <paramref name="target"/>: buurten that change wijk or gebied (with their
    /// counts), and pieces of ground that change buurt by a moved border (with what lies in them).</summary>
    public async Task<IReadOnlyList<PlanDiffRow>> CompareAsync(PlanState state, IndelingSnapshot target, CancellationToken ct = default)
    {
        var (plan, from) = (state.Tally.Plan, target.Plan);
        var rows = new List<PlanDiffRow>();
        foreach (var (code, shape) in state.Buurten.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!from.WijkOfBuurt.TryGetValue(code, out var fromWijk)) continue;
            var (toWijk, toGebied, fromGebied) = (plan.WijkOfBuurt[code], plan.GebiedOf(code), from.GebiedOf(code));
            if (fromWijk == toWijk && fromGebied == toGebied) continue;
            rows.Add(new PlanDiffRow("buurt", code, shape.Name, code, fromWijk, toWijk, fromGebied, toGebied,
                Math.Round(shape.Geometry.Area, 1), state.Tally.CountsOf(code), shape.Geometry));
        }
        // moved borders: the ground each buurt of the plan holds that belonged to another buurt in the target
        var pieces = new List<(string To, string From, Geometry Piece)>();
        var index = new NetTopologySuite.Index.Strtree.STRtree<string>();
        foreach (var (code, b) in target.Buurten) index.Insert(b.Geometry.EnvelopeInternal, code);
        foreach (var (code, shape) in state.Buurten.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (target.Buurten.TryGetValue(code, out var same) && SameShape(same.Geometry, shape.Geometry)) continue;
            foreach (var other in index.Query(shape.Geometry.EnvelopeInternal).Where(o => o != code).Order(StringComparer.Ordinal))
            {
                var piece = NetTopologySuite.Operation.OverlayNG.OverlayNGRobust.Overlay(shape.Geometry, target.Buurten[other].Geometry,
                    NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection);
                if (piece.Area > 0.01) pieces.Add((code, other, piece));
            }
        }
        var counts = await store.CountInAsync(pieces.Select(p => p.Piece).ToList(), ct);
        for (var i = 0; i < pieces.Count; i++)
        {
            var (to, fromBuurt, piece) = pieces[i];
            var c = counts[i];
            rows.Add(new PlanDiffRow("grond", to, state.Buurten[to].Name, fromBuurt, from.WijkOfBuurt[fromBuurt], plan.WijkOfBuurt[to],
                from.GebiedOf(fromBuurt), plan.GebiedOf(to), Math.Round(piece.Area, 1), [c[0], 0, c[1], c[2], c[3]], piece));
        }
        return rows;
    }

    /// <summary>The target of a comparison: <c>versie:N</c>, <c>plan:N</c>, or (empty) the version in force today.</summary>
    public async Task<CompareTarget?> TargetAsync(string? with, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(with) || with == "in-werking")
        {
            var today = await store.VersionOnAsync(Today, ct);
            return today is null ? null : new CompareTarget($"versie {today} (in werking)", (await store.LoadVersionAsync(today.Value, ct))!);
        }
        var m = Regex.Match(with, "^(versie|plan):([0-9]{1,9})$");
        if (!m.Success) throw new PlanException("Vergelijk met 'versie:N', 'plan:N' of 'in-werking'.");
        var n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (m.Groups[1].Value == "versie")
            return await store.LoadVersionAsync(n, ct) is { } v ? new CompareTarget($"versie {n}", v) : null;
        return await workspace.OpenAsync(n, ct) is { } other
            ? new CompareTarget($"plan {n} ({other.Info.Name})", new IndelingSnapshot(other.Tally.Plan, other.Buurten, other.Indeling))
            : null;
    }

    public DateOnly Today => Routing.AreaLocatorProvider.DayOf(time.GetUtcNow());

    /// <summary>
    /// Publishes the plan as a new boundary version from <paramref name="validFrom"/> (today or later, after the latest
    /// version's first day) with a reason. Refused with its problems when the check finds any; refused with
    /// <see cref="BoundaryConflictException"/> when another plan was published since this one's base (rebase first).
    /// </summary>
    public async Task<(BoundaryImportResult? Result, IReadOnlyList<PlanProblem> Problems)> PublishAsync(int id, int version, DateOnly validFrom,
        string reason, string actor, CancellationToken ct = default)
    {
        reason = (reason ?? "").Trim();
        if (reason.Length is < 3 or > 1000) throw new PlanException("Geef een reden voor de nieuwe indeling (3 tot 1000 tekens).");
        if (validFrom < Today) throw new PlanException($"De ingangsdatum ligt in het verleden; kies vandaag ({Today:dd-MM-yyyy}) of later.");
        var state = await workspace.OpenAsync(id, ct) ?? throw new PlanException($"Er is geen plan {id}.");
        await state.Gate.WaitAsync(ct);
        try
        {
            if (state.Info.PublishedVersion is { } done) throw new PlanException($"Dit plan is al gepubliceerd als versie {done}.");
            if (state.Info.Version != version) throw new PlanConflictException(version, state.Info.Version);
            var problems = await CheckAsync(state, ct);
            if (problems.Count > 0) return (null, problems);
            var plan = state.Tally.Plan;
            var buurten = state.Buurten.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new BuurtInput(kv.Key, kv.Value.Name, kv.Value.Geometry)).ToList();
            var result = await importer.ImportBuurtenAsync(buurten, plan.ToIndeling(state.Indeling),
                new BoundarySource($"plan {id} '{state.Info.Name}'", Sha(plan, buurten), KnownCrs.RdNew), validFrom, actor,
                ImportMode.Unguarded, new PlanPublication(id, state.Info.ReplacesVersion, reason), ct);
            return (result, []);
        }
        finally
        {
            state.Gate.Release();
            workspace.Forget(id);
        }
    }

    private static string Sha(Plan plan, IReadOnlyList<BuurtInput> buurten)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(EquivalencyCsv.Write(plan)));
        var wkb = new NetTopologySuite.IO.WKBWriter();
        foreach (var b in buurten) sha.AppendData(wkb.Write(b.Geometry));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Rebases a plan on the latest version after another plan was published: the latest version's indeling with this
    /// plan's own changes against its old base put back on top (buurten to another wijk, wijken to another gebied, moved
    /// borders). A buurt whose shape both changed is a conflict: the latest version's shape is kept and it is listed.
    /// </summary>
    public async Task<IReadOnlyList<string>> RebaseAsync(int id, int version, string actor, CancellationToken ct = default)
    {
        var loaded = await store.LoadAsync(id, ct) ?? throw new PlanException($"Er is geen plan {id}.");
        var (info, mine) = loaded;
        if (info.Version != version) throw new PlanConflictException(version, info.Version);
        var latest = await store.LatestVersionAsync(ct) ?? throw new PlanException(Problems.NoBoundariesDetail);
        if (latest.Id == info.ReplacesVersion) return [];
        // this plan's own changes are those against the version it was to replace (for a roll-back: the way back)
        var old = (await store.LoadVersionAsync(info.ReplacesVersion, ct))!;
        var next = (await store.LoadVersionAsync(latest.Id, ct))!;
        var conflicts = new List<string>();
        var plan = next.Plan;
        // the wijken this plan made come along (under a free code, should the newer version have taken theirs)
        var renamed = new Dictionary<string, string>();
        foreach (var (w, name) in mine.Plan.NewWijkNames)
        {
            var code = plan.GebiedOfWijk.ContainsKey(w) ? plan.NextWijkCode(next.Indeling.Gemeente.Code) : w;
            if (code != w) { renamed[w] = code; conflicts.Add($"De nieuwe wijk {name} heeft nu code {code} ({w} was intussen in gebruik)."); }
            plan = plan.AddWijk(code, name, mine.Plan.GebiedOfWijk[w]);
        }
        mine = mine with { Plan = mine.Plan with { WijkOfBuurt = mine.Plan.WijkOfBuurt.ToDictionary(kv => kv.Key, kv => renamed.GetValueOrDefault(kv.Value, kv.Value)) } };
        foreach (var (w, g) in mine.Plan.GebiedOfWijk)
            if (old.Plan.GebiedOfWijk.GetValueOrDefault(w) != g && plan.GebiedOfWijk.ContainsKey(w) && !mine.Plan.NewWijkNames.ContainsKey(w)) plan = plan.MoveWijk(w, g);
        foreach (var (b, w) in mine.Plan.WijkOfBuurt)
            if (old.Plan.WijkOfBuurt.GetValueOrDefault(b) != w && plan.WijkOfBuurt.ContainsKey(b) && plan.GebiedOfWijk.ContainsKey(w)) plan = plan.MoveBuurt(b, w);
        var buurten = next.Buurten.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (b, shape) in mine.Buurten)
        {
            if (!buurten.TryGetValue(b, out var theirs) || !old.Buurten.TryGetValue(b, out var before)) continue;
            if (SameShape(shape.Geometry, before.Geometry)) continue;
            if (!SameShape(theirs.Geometry, before.Geometry)) { conflicts.Add($"De vorm van {shape.Name} ({b}) is in beide veranderd; de gepubliceerde vorm is gehouden."); continue; }
            buurten[b] = shape;
        }
        await store.ReplaceAsync(id, version, latest.Id, plan, buurten, actor, new { from = info.ReplacesVersion, to = latest.Id, conflicts }, ct);
        workspace.Forget(id);
        return conflicts;
    }
}
