using System.Text.RegularExpressions;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The feature folders of the server (<c>src/Alkmaar.Kaart.Server/Features/*</c>) depend on each other in one direction
/// only: a new cycle between two folders fails here, with the cycle spelled out. A folder depends on another when one of
/// its files has <c>using …Features.X;</c> or names <c>X.Type</c> / <c>Features.X.Type</c>.
/// </summary>
public class FeatureDependencyTests
{
    private static readonly string Root = Path.Combine(TestPaths.RepoRoot, "src", "Alkmaar.Kaart.Server", "Features");

    public static Dictionary<string, SortedSet<string>> Graph()
    {
        var features = Directory.GetDirectories(Root).Select(Path.GetFileName).Cast<string>().ToList();
        var graph = features.ToDictionary(f => f, _ => new SortedSet<string>(StringComparer.Ordinal));
        foreach (var from in features)
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, from), "*.cs", SearchOption.AllDirectories))
        {
            var code = Regex.Replace(File.ReadAllText(file), @"//.*", "");
            foreach (var to in features.Where(t => t != from))
                if (Regex.IsMatch(code, $@"using Alkmaar\.Kaart\.Server\.Features\.{to}\s*;") || Regex.IsMatch(code, $@"(?<![\w.])(Features\.)?{to}\.[A-Z]\w*"))
                    graph[from].Add(to);
        }
        return graph;
    }

    /// <summary>A cycle in the graph as "A → B → … → A", or null.</summary>
    public static string? FindCycle(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var state = graph.Keys.ToDictionary(k => k, _ => 0); // 0 new, 1 on the path, 2 done
        var path = new List<string>();
        string? Visit(string n)
        {
            state[n] = 1;
            path.Add(n);
            foreach (var m in graph[n])
            {
                if (state[m] == 1) return string.Join(" → ", path.Skip(path.IndexOf(m)).Append(m));
                if (state[m] == 0 && Visit(m) is { } cycle) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[n] = 2;
            return null;
        }
        foreach (var n in graph.Keys.Order(StringComparer.Ordinal))
            if (state[n] == 0 && Visit(n) is { } cycle) return cycle;
        return null;
    }

    [Fact]
    public void Feature_folders_depend_in_one_direction_only()
    {
        var graph = Graph();
        Assert.True(graph.Count >= 15, "the feature folders were not found");
        Assert.Contains("Areas", graph["AreaProfiles"]); // the profile sits on top of the features it shows
        Assert.Null(FindCycle(graph));
    }

    [Fact]
    public void The_cycle_finder_finds_a_cycle()
    {
        var graph = new Dictionary<string, SortedSet<string>>
        {
            ["A"] = new(["B"]), ["B"] = new(["C"]), ["C"] = new(["A"]), ["D"] = new(["A"]),
        };
        Assert.Equal("A → B → C → A", FindCycle(graph));
        graph["C"].Clear();
        Assert.Null(FindCycle(graph));
    }
}
