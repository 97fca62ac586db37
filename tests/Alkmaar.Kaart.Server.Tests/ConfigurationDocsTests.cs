using System.Reflection;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Issue 28: one source for each setting. Every option of every options class (a type with a <c>Section</c> constant) has
/// a row in README's configuration table under its environment name (<c>Section__Name</c>, or <c>__Name</c> in the row of
/// its section), and the table names no setting that does not exist: a renamed or new option fails here, not in production.
/// </summary>
public class ConfigurationDocsTests
{
    private static IEnumerable<(string Section, string Name)> Options() =>
        typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(x => x.Section is not null)
            .SelectMany(x => x.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.SetMethod!.IsPublic && (p.PropertyType.IsValueType || p.PropertyType == typeof(string) || typeof(System.Collections.IEnumerable).IsAssignableFrom(p.PropertyType)
                            || (p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(Nullable<>))))
                .Select(p => (x.Section!.Replace(":", "__"), p.Name)));

    private static string[] ConfigRows()
    {
        var readme = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "README.md"));
        return readme.Where(l => l.StartsWith("| `", StringComparison.Ordinal) && l.Contains("__", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void Every_option_has_a_row_in_the_readme_configuration_table()
    {
        var rows = ConfigRows();
        var missing = Options().Where(o => !rows.Any(r =>
                r.Contains($"`{o.Section}__{o.Name}`", StringComparison.Ordinal) || r.Contains($"`{o.Section}__{o.Name}__", StringComparison.Ordinal) ||
                (r.Contains($"`{o.Section}__", StringComparison.Ordinal) &&
                 (r.Contains($"`__{o.Name}`", StringComparison.Ordinal) || r.Contains($"`__{o.Name}__", StringComparison.Ordinal)))))
            .Select(o => $"{o.Section}__{o.Name}").ToList();
        Assert.True(missing.Count == 0, "Options without a README row: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_readme_names_no_option_that_does_not_exist()
    {
        var options = Options().Select(o => $"{o.Section}__{o.Name}").ToHashSet();
        var sections = Options().Select(o => o.Section).ToHashSet();
        var unknown = new List<string>();
        foreach (var row in ConfigRows())
        {
            var first = row.Split('|', StringSplitOptions.RemoveEmptyEntries)[0];
            var names = System.Text.RegularExpressions.Regex.Matches(first, "`([A-Za-z0-9_]+)`").Select(m => m.Groups[1].Value).ToList();
            var section = names.FirstOrDefault(n => !n.StartsWith("__", StringComparison.Ordinal)) is { } full && full.LastIndexOf("__", StringComparison.Ordinal) is > 0 and var i
                ? full[..i] : null;
            if (section is null || !sections.Contains(section)) continue; // environment variables of ./kaart, connection strings
            foreach (var n in names)
            {
                var name = n.StartsWith("__", StringComparison.Ordinal) ? section + n : n;
                // (a list or dictionary option is written with its index or key: ReverseProxy__KnownProxies__0)
                if (!options.Any(o => name == o || name.StartsWith(o + "__", StringComparison.Ordinal))) unknown.Add(name);
            }
        }
        Assert.True(unknown.Count == 0, "README rows for options that do not exist: " + string.Join(", ", unknown));
    }
}
