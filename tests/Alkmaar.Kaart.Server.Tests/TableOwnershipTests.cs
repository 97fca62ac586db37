using System.Text.RegularExpressions;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Issue 28: one owner per table. The table "Tables and their owners" in docs/architecture.md says which feature writes
/// each table and which others may read it; this reads the SQL in every feature folder and fails on a write by another
/// feature or an undeclared read, naming both — what <see cref="FeatureDependencyTests"/> cannot see (SQL has no usings).
/// </summary>
public partial class TableOwnershipTests
{
    private static readonly string Root = TestPaths.RepoRoot;

    [GeneratedRegex(@"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE)\s+([a-z_][a-z0-9_]*)", RegexOptions.IgnoreCase)]
    private static partial Regex Write();

    [GeneratedRegex(@"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)", RegexOptions.IgnoreCase)]
    private static partial Regex Read();

    private static (Dictionary<string, string> Owner, Dictionary<string, HashSet<string>> Readers) Declared()
    {
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        var readers = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var doc = File.ReadAllLines(Path.Combine(Root, "docs/architecture.md"));
        var start = Array.FindIndex(doc, l => l.StartsWith("## Tables and their owners", StringComparison.Ordinal));
        foreach (var line in doc.Skip(start + 1).SkipWhile(l => !l.StartsWith("| table", StringComparison.Ordinal)).Skip(2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray(); // "", tables, owner, readers, ""
            var by = cells[3] == "every feature" ? ["*"] : cells[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            foreach (Match m in Regex.Matches(cells[1], "`([a-z_0-9]+)`"))
            {
                owner[m.Groups[1].Value] = cells[2];
                readers[m.Groups[1].Value] = [.. by];
            }
        }
        return (owner, readers);
    }

    private static IEnumerable<(string Feature, string File, string Sql)> FeatureSources()
    {
        var features = Path.Combine(Root, "src/Alkmaar.Kaart.Server/Features");
        foreach (var file in Directory.EnumerateFiles(features, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(features, file);
            var feature = relative.Contains(Path.DirectorySeparatorChar) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar)] : "(kernel)";
            yield return (feature, relative, File.ReadAllText(file));
        }
    }

    private static HashSet<string> Tables()
    {
        var tables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(Path.Combine(Root, "src/Alkmaar.Kaart.Server/Database/Migrations"), "*.sql"))
            foreach (Match m in Regex.Matches(File.ReadAllText(f), @"CREATE\s+(?:UNLOGGED\s+)?(?:TABLE|(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_0-9]+)", RegexOptions.IgnoreCase))
                tables.Add(m.Groups[1].Value.ToLowerInvariant());
        return tables;
    }

    [Fact]
    public void Every_table_has_one_owner_in_the_architecture_map()
    {
        var (owner, _) = Declared();
        var missing = Tables().Where(t => !owner.ContainsKey(t)).Order().ToList();
        Assert.True(missing.Count == 0, "Tables without an owner in docs/architecture.md: " + string.Join(", ", missing));
        var stale = owner.Keys.Where(t => !Tables().Contains(t)).ToList();
        Assert.True(stale.Count == 0, "Owners of tables that do not exist: " + string.Join(", ", stale));
    }

    [Fact]
    public void No_feature_writes_another_features_table_or_reads_one_undeclared()
    {
        var (owner, readers) = Declared();
        var tables = Tables();
        var wrong = new List<string>();
        foreach (var (feature, file, sql) in FeatureSources())
        {
            foreach (Match m in Write().Matches(sql))
            {
                var t = m.Groups[1].Value.ToLowerInvariant();
                if (tables.Contains(t) && owner.TryGetValue(t, out var o) && o != feature)
                    wrong.Add($"{feature} writes {t} (owner {o}) in {file}");
            }
            foreach (Match m in Read().Matches(sql))
            {
                var t = m.Groups[1].Value.ToLowerInvariant();
                if (!tables.Contains(t) || !owner.TryGetValue(t, out var o) || o == feature) continue;
                if (!readers[t].Contains("*") && !readers[t].Contains(feature)) wrong.Add($"{feature} reads {t} (owner {o}) undeclared in {file}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Distinct()));
    }
}
