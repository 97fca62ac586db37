using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Issue 28: small files. No source file in <c>src/</c> (C#, Razor, our JavaScript) is longer than about 400 lines unless
/// it says why at its top ("Longer than 400 lines: …") — a newcomer reads one concept per file.
/// </summary>
public class FileSizeTests
{
    private const int About400 = 420;

    [Fact]
    public void No_source_file_is_over_about_400_lines_without_its_reason_at_the_top()
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src");
        var files = Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".razor") || (f.EndsWith(".js") && f.Contains($"{Path.DirectorySeparatorChar}Scripts{Path.DirectorySeparatorChar}")))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains("node_modules"));
        var unexplained = files
            .Select(f => (File: Path.GetRelativePath(TestPaths.RepoRoot, f), Lines: File.ReadAllLines(f)))
            .Where(x => x.Lines.Length > About400 && !x.Lines.Take(3).Any(l => l.Contains("Longer than 400 lines: ", StringComparison.Ordinal)))
            .Select(x => $"{x.File} ({x.Lines.Length} lines)").ToList();
        Assert.True(unexplained.Count == 0, "Over about 400 lines without a reason at the top: " + string.Join(", ", unexplained));
    }
}
