using System.Globalization;
using System.Text;

namespace Alkmaar.Kaart.Geo.Plans;

/// <summary>
/// A gebiedsindeling as redistricting tools keep a plan: an assignment of units to districts, here every buurt to a wijk
/// and every wijk to a gebied (issue 18). Immutable; an edit makes a new plan (<see cref="MoveBuurt"/>, <see cref="MoveWijk"/>).
/// </summary>
public sealed record Plan(IReadOnlyDictionary<string, string> WijkOfBuurt, IReadOnlyDictionary<string, string> GebiedOfWijk)
{
    public string GebiedOf(string buurt) => GebiedOfWijk[WijkOfBuurt[buurt]];

    public Plan MoveBuurt(string buurt, string wijk)
    {
        if (!WijkOfBuurt.ContainsKey(buurt)) throw new PlanException($"Onbekende buurt {buurt}.");
        if (!GebiedOfWijk.ContainsKey(wijk)) throw new PlanException($"Onbekende wijk {wijk}.");
        return this with { WijkOfBuurt = new Dictionary<string, string>(WijkOfBuurt) { [buurt] = wijk } };
    }

    public Plan MoveWijk(string wijk, string gebied)
    {
        if (!GebiedOfWijk.ContainsKey(wijk)) throw new PlanException($"Onbekende wijk {wijk}.");
        return this with { GebiedOfWijk = new Dictionary<string, string>(GebiedOfWijk) { [wijk] = gebied } };
    }

    /// <summary>The buurten whose gebied differs between this plan and <paramref name="other"/> (the same buurten in both).</summary>
    public IEnumerable<(string Buurt, string From, string To)> GebiedChanges(Plan other) =>
        WijkOfBuurt.Keys.Order(StringComparer.Ordinal)
            .Select(b => (b, GebiedOf(b), other.GebiedOf(b)))
            .Where(t => t.Item2 != t.Item3);

    public bool SameAs(Plan other) =>
        WijkOfBuurt.Count == other.WijkOfBuurt.Count && WijkOfBuurt.All(kv => other.WijkOfBuurt.TryGetValue(kv.Key, out var w) && w == kv.Value)
        && GebiedOfWijk.Count == other.GebiedOfWijk.Count && GebiedOfWijk.All(kv => other.GebiedOfWijk.TryGetValue(kv.Key, out var g) && g == kv.Value);
}

public sealed class PlanException(string message) : Exception(message);

/// <summary>
/// The equivalency file of redistricting tools for our plans: <c>buurtcode,wijkcode,gebiedcode</c>, one row per buurt,
/// sorted by buurt code. Reading checks it against the buurten that exist: every buurt once, no unknown buurt, one gebied
/// per wijk; problems are listed with their line.
/// </summary>
public static class EquivalencyCsv
{
    public const string Header = "buurtcode,wijkcode,gebiedcode";

    public static string Write(Plan plan)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var (buurt, wijk) in plan.WijkOfBuurt.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(buurt).Append(',').Append(wijk).Append(',').Append(plan.GebiedOfWijk[wijk]).Append('\n');
        return sb.ToString();
    }

    /// <summary>The plan in <paramref name="csv"/>, or the problems (Dutch, with line numbers) that keep it from being one.</summary>
    public static (Plan? Plan, IReadOnlyList<string> Problems) Read(string csv, IReadOnlySet<string> knownBuurten)
    {
        var problems = new List<string>();
        var lines = csv.Replace("\r\n", "\n").Split('\n');
        if (lines.Length == 0 || lines[0].Trim().TrimStart('\uFEFF') != Header)
            return (null, [$"regel 1: de kopregel is '{Header}'."]);
        var wijkOfBuurt = new Dictionary<string, string>();
        var gebiedOfWijk = new Dictionary<string, string>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var f = line.Split(',');
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (f.Length != 3 || f.Any(x => x.Trim().Length == 0)) { problems.Add($"regel {n}: drie velden verwacht (buurtcode,wijkcode,gebiedcode)."); continue; }
            var (buurt, wijk, gebied) = (f[0].Trim(), f[1].Trim(), f[2].Trim());
            if (!knownBuurten.Contains(buurt)) { problems.Add($"regel {n}: buurt {buurt} bestaat niet."); continue; }
            if (!wijkOfBuurt.TryAdd(buurt, wijk)) { problems.Add($"regel {n}: buurt {buurt} staat er twee keer in."); continue; }
            if (gebiedOfWijk.TryGetValue(wijk, out var earlier) && earlier != gebied)
                problems.Add($"regel {n}: wijk {wijk} hoort bij {earlier} en hier bij {gebied}; een wijk hoort bij één gebied.");
            else gebiedOfWijk[wijk] = gebied;
        }
        foreach (var missing in knownBuurten.Where(b => !wijkOfBuurt.ContainsKey(b)).Order(StringComparer.Ordinal))
            problems.Add($"buurt {missing} ontbreekt.");
        return problems.Count > 0 ? (null, problems) : (new Plan(wijkOfBuurt, gebiedOfWijk), []);
    }
}
