using System.Reflection;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Issue 28: one source for each setting. Every option of every options class (a type with a <c>Section</c> constant) has
/// a row in the configuration table of docs/configuration.md under its environment name (<c>Section__Name</c>, or <c>__Name</c> in the row of
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
        var readme = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "docs", "configuration.md"));
        return readme.Where(l => l.StartsWith("| `", StringComparison.Ordinal) && l.Contains("__", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void Every_option_has_a_row_in_the_configuration_table()
    {
        var rows = ConfigRows();
        var missing = Options().Where(o => !rows.Any(r =>
                r.Contains($"`{o.Section}__{o.Name}`", StringComparison.Ordinal) || r.Contains($"`{o.Section}__{o.Name}__", StringComparison.Ordinal) ||
                (r.Contains($"`{o.Section}__", StringComparison.Ordinal) &&
                 (r.Contains($"`__{o.Name}`", StringComparison.Ordinal) || r.Contains($"`__{o.Name}__", StringComparison.Ordinal)))))
            .Select(o => $"{o.Section}__{o.Name}").ToList();
        Assert.True(missing.Count == 0, "Options without a row in docs/configuration.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_configuration_table_names_no_option_that_does_not_exist()
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
        Assert.True(unknown.Count == 0, "Rows in docs/configuration.md for options that do not exist: " + string.Join(", ", unknown));
    }

    /// <summary>
    /// One source for each setting: a value in <c>appsettings.json</c> that equals its option's default in code is a second
    /// truth that drifts (the boundary file did); it must be left out of the file.
    /// </summary>
    [Fact]
    public void Appsettings_repeats_no_default_written_in_code()
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "Alkmaar.Kaart.Server", "appsettings.json")));
        var types = typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(x => x.Section is not null && x.Type.GetConstructor(Type.EmptyTypes) is not null)
            .ToDictionary(x => x.Section!, x => x.Type);
        var repeated = new List<string>();
        foreach (var (section, type) in types)
        {
            var node = json.RootElement;
            foreach (var part in section.Split(':'))
                if (node.ValueKind != System.Text.Json.JsonValueKind.Object || !node.TryGetProperty(part, out node)) goto next;
            var instance = Activator.CreateInstance(type)!;
            foreach (var property in node.EnumerateObject())
            {
                if (type.GetProperty(property.Name) is not { } p || property.Value.ValueKind is System.Text.Json.JsonValueKind.Object) continue;
                var inCode = p.GetValue(instance);
                var inFile = property.Value.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.String => (object?)property.Value.GetString(),
                    System.Text.Json.JsonValueKind.Number => property.Value.GetRawText(),
                    System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => property.Value.GetBoolean(),
                    System.Text.Json.JsonValueKind.Array => string.Join("|", property.Value.EnumerateArray().Select(e => e.ToString())),
                    _ => null,
                };
                var code = inCode switch
                {
                    null => null,
                    string text => text,
                    bool b => (object)b,
                    System.Collections.IEnumerable list => string.Join("|", list.Cast<object>()),
                    IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                    _ => inCode.ToString(),
                };
                if (inFile is not null && Equals(inFile, code)) repeated.Add($"{section}:{property.Name}");
            }
            next:;
        }
        Assert.True(repeated.Count == 0, "appsettings.json repeats the default written in code of: " + string.Join(", ", repeated));
    }
}
