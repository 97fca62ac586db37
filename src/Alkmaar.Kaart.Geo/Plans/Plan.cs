using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Geo.Areas;

namespace Alkmaar.Kaart.Geo.Plans;

/// <summary>
/// A gebiedsindeling as redistricting tools keep a plan: an assignment of units to districts, here every buurt to a wijk
/// and every wijk to a gebied (issue 18). Immutable; an edit makes a new plan (<see cref="MoveBuurt"/>, <see cref="MoveWijk"/>).
/// </summary>
public sealed record Plan(IReadOnlyDictionary<string, string> WijkOfBuurt, IReadOnlyDictionary<string, string> GebiedOfWijk)
{
    public string GebiedOf(string buurt) => GebiedOfWijk[WijkOfBuurt[buurt]];

    /// <summary>The names of the wijken this plan made (code → name); the other wijken are named by the gebiedsindeling.</summary>
    public IReadOnlyDictionary<string, string> NewWijkNames { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A new wijk in <paramref name="gebied"/> (still without buurten: move them in next). Its code is
    /// <see cref="NextWijkCode"/>'s: the gemeente's next free CBS-form wijk code.
    /// </summary>
    public Plan AddWijk(string code, string name, string gebied)
    {
        name = (name ?? "").Trim();
        if (!CbsCode.IsWijk(code)) throw new PlanException($"{code} is geen wijkcode (WKggggnn).");
        if (GebiedOfWijk.ContainsKey(code)) throw new PlanException($"Wijk {code} bestaat al.");
        if (name.Length is < 2 or > 80) throw new PlanException("Geef de nieuwe wijk een naam (2 tot 80 tekens).");
        if (NewWijkNames.Values.Contains(name, StringComparer.OrdinalIgnoreCase)) throw new PlanException($"Er is al een nieuwe wijk {name}.");
        return this with
        {
            GebiedOfWijk = new Dictionary<string, string>(GebiedOfWijk) { [code] = gebied },
            NewWijkNames = new Dictionary<string, string>(NewWijkNames) { [code] = name },
        };
    }

    /// <summary>The first wijk code of gemeente <paramref name="gemeenteCode"/> (GMgggg) that no wijk of this plan has.</summary>
    public string NextWijkCode(string gemeenteCode)
    {
        var g = gemeenteCode.StartsWith("GM", StringComparison.Ordinal) ? gemeenteCode[2..] : gemeenteCode;
        for (var n = 1; n <= 99; n++)
        {
            var code = $"WK{g}{n:00}";
            if (!GebiedOfWijk.ContainsKey(code)) return code;
        }
        throw new PlanException("Er is geen wijkcode meer vrij (99 wijken).");
    }

    /// <summary>The plan of a stored gebiedsindeling for the given buurten (every wijk of the indeling included, also
    /// one without buurten).</summary>
    public static Plan FromIndeling(Gebiedsindeling indeling, IEnumerable<string> buurten)
    {
        var gebiedOfWijk = indeling.Gebieden.SelectMany(g => g.Wijken.Select(w => (w, g.Code))).ToDictionary(t => t.w, t => t.Code);
        var wijkOfBuurt = buurten.ToDictionary(b => b, indeling.WijkOf);
        foreach (var w in wijkOfBuurt.Values.Where(w => !gebiedOfWijk.ContainsKey(w)).ToList())
            throw new PlanException($"Wijk {w} is in de gebiedsindeling niet ingedeeld bij een gebied.");
        return new Plan(wijkOfBuurt, gebiedOfWijk);
    }

    /// <summary>
    /// This plan as a gebiedsindeling on top of <paramref name="basis"/> (names, teams, dorpen and contacts stay): the
    /// gebieden's wijken follow the plan (a wijk left without buurten is dropped), and a buurt the plan put in another wijk
    /// than its CBS code says is listed in <see cref="Gebiedsindeling.BuurtInWijk"/>.
    /// </summary>
    public Gebiedsindeling ToIndeling(Gebiedsindeling basis)
    {
        var used = WijkOfBuurt.Values.ToHashSet();
        var order = basis.Gebieden.SelectMany(g => g.Wijken).Select((w, i) => (w, i)).GroupBy(t => t.w).ToDictionary(g => g.Key, g => g.First().i);
        var unknown = GebiedOfWijk.Values.Where(g => basis.Gebieden.All(x => x.Code != g)).Distinct().ToList();
        if (unknown.Count > 0) throw new PlanException($"Onbekend gebied {unknown[0]}.");
        var names = basis.Wijken.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (code, name) in NewWijkNames.Where(kv => used.Contains(kv.Key))) names[code] = name;
        var nameless = used.Where(w => !names.ContainsKey(w)).Order(StringComparer.Ordinal).ToList();
        if (nameless.Count > 0) throw new PlanException($"Wijk {nameless[0]} heeft geen naam in de gebiedsindeling.");
        return basis with
        {
            Wijken = names,
            Gebieden = basis.Gebieden.Select(g => g with
            {
                Wijken = GebiedOfWijk.Where(kv => kv.Value == g.Code && used.Contains(kv.Key)).Select(kv => kv.Key)
                    .OrderBy(w => order.GetValueOrDefault(w, int.MaxValue)).ThenBy(w => w, StringComparer.Ordinal).ToList(),
            }).ToList(),
            BuurtInWijk = WijkOfBuurt.Where(kv => CbsCode.WijkOfBuurt(kv.Key) != kv.Value)
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value),
        };
    }

    /// <summary>The buurten whose wijk differs between this plan and <paramref name="other"/>.</summary>
    public IEnumerable<(string Buurt, string From, string To)> WijkChanges(Plan other) =>
        WijkOfBuurt.Keys.Where(other.WijkOfBuurt.ContainsKey).Order(StringComparer.Ordinal)
            .Select(b => (b, WijkOfBuurt[b], other.WijkOfBuurt[b]))
            .Where(t => t.Item2 != t.Item3);

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
        && GebiedOfWijk.Count == other.GebiedOfWijk.Count && GebiedOfWijk.All(kv => other.GebiedOfWijk.TryGetValue(kv.Key, out var g) && g == kv.Value)
        && NewWijkNames.Count == other.NewWijkNames.Count && NewWijkNames.All(kv => other.NewWijkNames.TryGetValue(kv.Key, out var n) && n == kv.Value);
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
