using System.ComponentModel.DataAnnotations;

namespace Alkmaar.Kaart.Server;

/// <summary>Where the boundaries and our own configuration come from (section <c>Boundaries</c>).</summary>
public sealed class BoundaryOptions
{
    public const string Section = "Boundaries";

    /// <summary>The gebiedsindeling configuration (data/boundaries/gebiedsindeling.json). Relative paths are from the checkout.</summary>
    [Required] public string Gebiedsindeling { get; set; } = "data/boundaries/gebiedsindeling.json";

    /// <summary>The reference data folder (../shared/data beside the checkout); relative data file paths start here.</summary>
    [Required] public string SharedData { get; set; } = "../shared/data";

    /// <summary>The buurten GeoJSON imported on first run (RD or WGS84): the municipality's full-resolution boundaries, the
    /// ones to route on. Relative to <see cref="SharedData"/>. The one place this default is written (appsettings.json
    /// does not repeat it).</summary>
    [Required] public string BuurtenFile { get; set; } = "gemeente-alkmaar-2025/alkmaar_buurten.geojson";

    /// <summary>A server that starts on a database without boundaries imports <see cref="BuurtenFile"/> (and the
    /// neighbouring municipalities) before it serves, so it never routes on nothing (or on another map).</summary>
    public bool LoadOnEmptyDatabase { get; set; } = true;

    /// <summary>CBS municipalities around the gemeente (for "buiten gemeente …" answers), imported on first run.</summary>
    public string MunicipalitiesFile { get; set; } = "cbs-2024/alkmaar_en_buurgemeenten_2024.geojson";

    /// <summary>The checkout root that relative paths start from; found from the content root when empty.</summary>
    public string? Root { get; set; }

    /// <summary>A data file's full path: as given when rooted, else within <see cref="SharedData"/> (itself relative to the checkout).</summary>
    public string DataFile(string path, string contentRoot) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(PathResolution.Resolve(SharedData, Root, contentRoot), path));
}

/// <summary>What <c>seed</c> (<c>./kaart run</c>) loads into empty tables besides the boundaries (section <c>Seed</c>).
/// Relative paths are within <see cref="BoundaryOptions.SharedData"/>.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>The CBS PC4 areas (postcode → area overlap).</summary>
    public string PostcodesFile { get; set; } = "cbs-2024/alkmaar_postcode4_2024.geojson";

    /// <summary>Inwoners per buurt: the CBS kerncijfers (a_inw).</summary>
    public string PopulationFile { get; set; } = "gemeente-alkmaar-2025/cbs_kerncijfers_2022_buurten.csv";

    /// <summary>CBS Kerncijfers wijken en buurten (all the figures of the Gebiedsanalyse); more years with <c>./kaart import kerncijfers</c>.</summary>
    public string KerncijfersFile { get; set; } = "gemeente-alkmaar-2025/cbs_kerncijfers_2022_buurten.csv";

    /// <summary>Inwoners when <see cref="PopulationFile"/> is not there: CBS PC4 counts apportioned by area.</summary>
    public string PopulationFallbackFile { get; set; } = "cbs-pc4-2021/pc4_alkmaar_18xx_2021.geojson";

    /// <summary>Generate the DEMO sets (addresses, a year of meldingen, monitor scores, initiatieven) into empty tables;
    /// every screen that shows them says they are demo.</summary>
    public bool DemoData { get; set; } = true;
}

/// <summary>Map defaults (section <c>Map</c>).</summary>
public sealed class MapOptions
{
    public const string Section = "Map";

    /// <summary>Background tiles in EPSG:28992 (PDOK BRT-Achtergrondkaart by default); empty for no background.</summary>
    public string? BackgroundTileUrl { get; set; } =
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:28992/{z}/{x}/{y}.png";

    public string BackgroundAttribution { get; set; } = "Achtergrond: <a href=\"https://www.pdok.nl\">PDOK</a> BRT-Achtergrondkaart, Kadaster";

    /// <summary>Attribution of the boundary data, shown on every map and export.</summary>
    [Required] public string DataAttribution { get; set; } = "Gemeente Alkmaar; Kadaster / Centraal Bureau voor de Statistiek, 2024";
}

/// <summary>Limits of the area API (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Cache lifetime for area GeoJSON in seconds.</summary>
    [Range(0, 86400)] public int AreaCacheSeconds { get; set; } = 300;
}

/// <summary>Limits of boundary files, uploaded by planners or imported (section <c>BoundaryUpload</c>).</summary>
public sealed class BoundaryUploadOptions
{
    public const string Section = "BoundaryUpload";

    [Range(1024, 1L << 31)] public long MaxBytes { get; set; } = 64 * 1024 * 1024;
    [Range(1, 1_000_000)] public int MaxFeatures { get; set; } = 5000;
    [Range(4, 10_000_000)] public int MaxVerticesPerFeature { get; set; } = 200_000;

    /// <summary>Coverage repair on import: overlaps up to this many m² (per pair of buurten) are repaired, larger refused.</summary>
    [Range(0, 1_000_000)] public double RepairMaxOverlapM2 { get; set; } = 250;
    /// <summary>Gaps (holes between buurten) up to this many m² are repaired, larger refused.</summary>
    [Range(0, 1_000_000)] public double RepairMaxGapM2 { get; set; } = 25;
    /// <summary>Defects wider than this (metres) are refused whatever their area.</summary>
    [Range(0, 1000)] public double RepairMaxWidthM { get; set; } = 1;

    /// <summary>Change guard against the version in force: beyond these an upload or CLI import needs an explicit confirmation.</summary>
    [Range(0, 100)] public double MaxGemeenteAreaChangePct { get; set; } = 1;
    [Range(0, 10_000)] public int MaxMissingBuurten { get; set; } = 0;
    [Range(0, 10_000)] public int MaxNewBuurten { get; set; } = 0;
    [Range(0, 100)] public double MaxAddressesChangingTeamPct { get; set; } = 5;
    /// <summary>A buurt counts as moved when its boundary moved more than this many metres on average (mean displacement).</summary>
    [Range(0, 10_000)] public double MovedBuurtM { get; set; } = 1;
    /// <summary>More moved buurten than this needs a confirmation (a whole set shifted or scaled moves all of them).</summary>
    [Range(0, 10_000)] public int MaxMovedBuurten { get; set; } = 5;

    public Geo.Coverage.CoverageTolerances Tolerances => new()
    {
        MaxOverlapM2 = RepairMaxOverlapM2, MaxGapM2 = RepairMaxGapM2, MaxWidthM = RepairMaxWidthM,
    };
}

internal static class PathResolution
{
    /// <summary>Resolves a configured path against the checkout root (the folder with Alkmaar.Kaart.sln above the content root).</summary>
    public static string Resolve(string path, string? root, string contentRoot)
    {
        if (Path.IsPathRooted(path)) return path;
        root ??= FindRoot(contentRoot) ?? contentRoot;
        return Path.GetFullPath(Path.Combine(root, path));
    }

    private static string? FindRoot(string start)
    {
        foreach (var s in new[] { start, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(s); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Alkmaar.Kaart.sln"))) return dir.FullName;
        return null;
    }
}

public static class KaartOptionsRegistration
{
    /// <summary>Options bound from configuration section <paramref name="section"/>, validated by their annotations at start-up.</summary>
    public static Microsoft.Extensions.Options.OptionsBuilder<T> AddKaartOptions<T>(this WebApplicationBuilder builder, string section) where T : class =>
        builder.Services.AddOptions<T>().Bind(builder.Configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
