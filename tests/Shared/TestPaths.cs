namespace Alkmaar.Kaart.Testing;

/// <summary>Locates the checkout and the shared reference data (../shared/data beside the checkout).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared data folder: $KAART_SHARED_DATA, or ../shared/data next to the checkout.</summary>
    public static string SharedData { get; } =
        Environment.GetEnvironmentVariable("KAART_SHARED_DATA") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    public static string Cbs(string file) => Path.Combine(SharedData, "cbs-2024", file);

    /// <summary>The municipality's full-resolution boundaries (the ones to route on) and CBS kerncijfers 2022.</summary>
    public static string FullRes(string file) => Path.Combine(SharedData, "gemeente-alkmaar-2025", file);

    public static string RealBuurten => FullRes("alkmaar_buurten.geojson");

    public static string Gebiedsindeling => Path.Combine(RepoRoot, "data", "boundaries", "gebiedsindeling.json");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Alkmaar.Kaart.sln"))) return dir.FullName;
        throw new InvalidOperationException("Alkmaar.Kaart.sln not found above " + AppContext.BaseDirectory);
    }
}
