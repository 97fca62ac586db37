using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Server.Features.Import;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Commands;

/// <summary>
/// The command line <c>import &lt;kind&gt; [file] [options]</c> (<c>./kaart import …</c>; <see cref="SeedCommand"/> calls it
/// for each kind on first run). Without a file, a kind with a shipped source reads the configured one
/// (<see cref="BoundaryOptions"/>, <see cref="SeedOptions"/>).
/// </summary>
public static class ImportCommand
{
    public const string Usage = "gebruik: import boundaries|municipalities|postcodes|population [bestand] [--if-empty] [--valid-from JJJJ-MM-DD] [--preview] [--confirm] " +
                                "| kerncijfers [csv] [--year JJJJ] [--if-empty] " +
                                "| addresses <bag-light.gpkg>|<csv>|--demo | meldingen --demo [--count N] [--year JJJJ] | monitor <csv>|--demo | initiatieven --demo";

    private static readonly string[] OptionsWithValue = ["--valid-from", "--year", "--count"];

    /// <summary>The file argument: the first argument after the kind that is neither an option nor an option's value.</summary>
    internal static string? FileArgument(string[] args)
    {
        for (var i = 2; i < args.Length; i++)
        {
            if (OptionsWithValue.Contains(args[i])) { i++; continue; }
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Path.GetFullPath(args[i]);
        }
        return null;
    }

    /// <summary>The configured source of a kind when no file is given (null: the kind needs a file or --demo).</summary>
    internal static string? DefaultFile(WebApplication app, string kind)
    {
        var b = app.Services.GetRequiredService<IOptions<BoundaryOptions>>().Value;
        var seed = app.Services.GetRequiredService<IOptions<SeedOptions>>().Value;
        string File(string p) => b.DataFile(p, app.Environment.ContentRootPath);
        return kind switch
        {
            "boundaries" => File(b.BuurtenFile),
            "municipalities" => File(b.MunicipalitiesFile),
            "postcodes" => File(seed.PostcodesFile),
            "kerncijfers" => File(seed.KerncijfersFile),
            "population" => System.IO.File.Exists(File(seed.PopulationFile)) ? File(seed.PopulationFile) : File(seed.PopulationFallbackFile),
            _ => null,
        };
    }

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var kind = args.ElementAtOrDefault(1) ?? "";
        if (kind is not ("boundaries" or "municipalities" or "postcodes" or "population" or "kerncijfers" or "addresses" or "meldingen" or "monitor" or "initiatieven"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var file = FileArgument(args) ?? DefaultFile(app, kind);
        if (file is not null && !System.IO.File.Exists(file))
        {
            Console.Error.WriteLine($"Bestand niet gevonden: {file}");
            return 2;
        }
        // (the per-kind handlers find their file by its extension among the arguments)
        if (file is not null && FileArgument(args) is null) args = [.. args, file];
        if (kind is "addresses" or "postcodes") return await ImportAddressesAsync(app, args);
        if (kind == "meldingen") return await ImportDemoMeldingenAsync(app, args);
        if (kind == "monitor") return await ImportMonitorAsync(app, args);
        if (kind == "initiatieven") return await ImportDemoInitiatievenAsync(app, args);
        if (kind == "population") return await ImportPopulationAsync(app, args);
        if (kind == "kerncijfers") return await ImportKerncijfersAsync(app, args);
        var importer = app.Services.GetRequiredService<BoundaryImporter>();
        var municipalities = kind == "municipalities";
        var path = file!;
        try
        {
            if (municipalities)
            {
                var m = app.Services.GetRequiredService<MunicipalityImporter>();
                if (args.Contains("--if-empty") && !await m.IsEmptyAsync())
                {
                    Console.WriteLine("De gemeenten zijn al geladen; niets geïmporteerd.");
                    return 0;
                }
                Console.WriteLine($"{await m.ImportAsync(path)} gemeenten geïmporteerd uit {path}.");
                return 0;
            }
            if (args.Contains("--if-empty") && !await importer.IsEmptyAsync())
            {
                Console.WriteLine("De grenzen zijn al geladen; niets geïmporteerd.");
                return 0;
            }
            string? validFromText = args.SkipWhile(a => a != "--valid-from").Skip(1).FirstOrDefault();
            DateOnly? validFrom = null;
            if (validFromText is not null)
            {
                if (!DateOnly.TryParseExact(validFromText, "yyyy-MM-dd", out var d))
                {
                    Console.Error.WriteLine($"--valid-from '{validFromText}' is geen datum (JJJJ-MM-DD).");
                    return 2;
                }
                validFrom = d;
            }
            // the first load is unguarded; later imports are compared with the version in force (--confirm to go beyond the thresholds)
            var mode = args.Contains("--preview") ? ImportMode.Preview : args.Contains("--confirm") ? ImportMode.Confirmed : ImportMode.Guarded;
            var result = await importer.ImportAsync(path, default, validFrom, mode: mode);
            if (result.Change is { } change)
                Console.WriteLine($"Tegen versie {change.LatestVersion}: gemeente {change.GemeenteAreaKm2Before} → {change.GemeenteAreaKm2After} km² " +
                                  $"({change.GemeenteAreaChangePct:+0.###;-0.###;0}%), {change.MissingBuurten.Count} buurten weg, {change.NewBuurten.Count} nieuw, " +
                                  $"{change.AddressesChangingTeam} van {change.Addresses} adressen naar een ander gebiedsteam.");
            if (result.Preview)
            {
                Console.WriteLine("Alleen een voorbeeld: er is niets geschreven.");
                foreach (var d in result.Repairs) Console.WriteLine($"  zou herstellen: {d}");
                return 0;
            }
            Console.WriteLine(result.Unchanged
                ? $"{path} is al de laatste grensversie (versie {result.VersionId}); niets veranderd."
                : $"{path} ({result.SourceCrs}) geïmporteerd als grensversie {result.VersionId}, geldig vanaf {result.ValidFrom:yyyy-MM-dd}: " +
                  string.Join(", ", result.Counts.Select(c => $"{c.Value} {c.Key.Name()}")));
            if (result.Repairs.Count > 0)
            {
                Console.WriteLine($"{result.Repairs.Count} kleine fout(en) in de dekking hersteld (overlap → kleinste buurtcode, gat → langste gedeelde grens):");
                foreach (var d in result.Repairs) Console.WriteLine($"  {d}");
            }
            return 0;
        }
        catch (BoundaryConfirmationRequiredException e)
        {
            Console.Error.WriteLine($"Import geweigerd, er is niets geschreven: {e.Message}");
            Console.Error.WriteLine("Draai opnieuw met --preview om de wijziging te zien, en met --confirm om toch te importeren.");
            return 3;
        }
        catch (BoundaryValidationException e)
        {
            Console.Error.WriteLine($"Import geweigerd, er is niets geschreven. {e.Problems.Count} probleem/problemen in {path}:");
            foreach (var p in e.Problems) Console.Error.WriteLine($"  {p}");
            return 2;
        }
        catch (Exception e) when (e is GeoJsonFormatException or BoundaryImportException or IOException)
        {
            Console.Error.WriteLine($"Import geweigerd, er is niets geschreven: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>import meldingen --demo [--if-empty] [--count N] [--year YYYY]</c>: a generated year of DEMO meldingen.</summary>
    private static async Task<int> ImportDemoMeldingenAsync(WebApplication app, string[] args)
    {
        if (!args.Contains("--demo"))
        {
            Console.Error.WriteLine("gebruik: import meldingen --demo [--if-empty] [--count N] [--year JJJJ] (echte meldingen komen binnen via de API of de CSV-import)");
            return 2;
        }
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var count = int.TryParse(Value("--count"), out var c) && c > 0 ? c : 25_000;
        // without --year: the 365 days up to yesterday (demo data dated relative to today, so this year has meldingen and
        // the public numbers, which end at yesterday, show them)
        var yesterday = Features.Routing.AreaLocatorProvider.DayOf(DateTimeOffset.UtcNow).AddDays(-1);
        var (first, last) = int.TryParse(Value("--year"), out var y) ? (new DateOnly(y, 1, 1), new DateOnly(y, 12, 31)) : (yesterday.AddDays(-364), yesterday);
        var demo = app.Services.GetRequiredService<Features.Meldingen.DemoMeldingen>();
        if (args.Contains("--if-empty") && await demo.CountAsync() > 0)
        {
            Console.WriteLine("Er zijn al meldingen; geen demoset gemaakt.");
            return 0;
        }
        var (stored, planted) = await demo.GenerateAsync(first, last, count);
        Console.WriteLine($"{stored} DEMO-meldingen van {first:dd-MM-yyyy} tot en met {last:dd-MM-yyyy} gemaakt (geen tekst, geen personen; bron 'demo'), met {planted.Count} geplante clusters:");
        foreach (var p in planted) Console.WriteLine($"  {p.Category} rond RD {p.X:F0} {p.Y:F0} in {p.BuurtCode}, sigma {p.Sigma} m, {p.Count} meldingen");
        return 0;
    }

    /// <summary><c>import initiatieven --demo [--if-empty]</c>: the deterministic DEMO set of bewonersinitiatieven.</summary>
    private static async Task<int> ImportDemoInitiatievenAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Features.Initiatieven.InitiatiefStore>();
        if (!args.Contains("--demo")) { Console.Error.WriteLine("gebruik: import initiatieven --demo [--if-empty]"); return 2; }
        if (args.Contains("--if-empty") && await store.AnyAsync())
        {
            Console.WriteLine("Er zijn al initiatieven; geen demoset gemaakt.");
            return 0;
        }
        Console.WriteLine($"{await store.GenerateDemoAsync(DateTime.Today.Year)} DEMO-initiatieven gemaakt (gemarkeerd als demo).");
        return 0;
    }

    /// <summary><c>import monitor &lt;csv&gt;</c>; <c>import monitor --demo [--if-empty]</c>.</summary>
    private static async Task<int> ImportMonitorAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Features.Monitor.MonitorStore>();
        try
        {
            if (args.Contains("--demo"))
            {
                if (args.Contains("--if-empty") && await store.CountAsync() > 0) { Console.WriteLine("Er zijn al monitorscores; geen demoset gemaakt."); return 0; }
                Console.WriteLine($"{await store.GenerateDemoAsync()} DEMO-monitorscores gemaakt (elke wijk en de gemeente, 2020–2024): geen enquêteresultaten.");
                return 0;
            }
            var csv = args.FirstOrDefault(a => a.EndsWith(".csv")) ?? throw new FileNotFoundException("Give the monitor CSV file (or --demo).");
            await using var stream = File.OpenRead(csv);
            var report = await store.ImportCsvAsync(stream);
            Console.WriteLine($"{report.Imported} monitorscores geïmporteerd uit {csv}; {report.Rejected.Count} regels geweigerd.");
            foreach (var r in report.Rejected.Take(50)) Console.Error.WriteLine($"  regel {r.Row}: {r.Error}");
            return report.Imported == 0 && report.Rejected.Count > 0 ? 2 : 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Import geweigerd: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>import kerncijfers [csv] [--year YYYY] [--if-empty]</c>: CBS Kerncijfers wijken en buurten, one year (the
    /// shipped CSV or a kwb file of CBS).</summary>
    private static async Task<int> ImportKerncijfersAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Features.Kerncijfers.KerncijferStore>();
        try
        {
            if (args.Contains("--if-empty") && !await store.IsEmptyAsync()) { Console.WriteLine("De kerncijfers zijn al geladen; niets geïmporteerd."); return 0; }
            var file = args.FirstOrDefault(a => a.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) ?? throw new FileNotFoundException("Geef een CSV van de CBS-kerncijfers.");
            var year = int.TryParse(args.SkipWhile(a => a != "--year").Skip(1).FirstOrDefault(), out var y) ? y : (int?)null;
            var report = await store.ImportFileAsync(file, year);
            Console.WriteLine($"Kerncijfers {report.Year} geïmporteerd uit {file}: {report.Buurten} buurten, {report.Wijken} wijken, {report.Gemeenten} gemeente; " +
                              $"{report.Columns.Count} cijfers ({string.Join(", ", report.Columns)}), {report.Secret} cellen geheim of onbekend (leeg bewaard, niet 0).");
            if (report.OtherRows > 0) Console.WriteLine($"  {report.OtherRows} regels van andere gemeenten overgeslagen.");
            if (report.IgnoredColumns.Count > 0) Console.WriteLine($"  {report.IgnoredColumns.Count} andere CBS-kolommen niet gebruikt: {string.Join(", ", report.IgnoredColumns.Take(20))}{(report.IgnoredColumns.Count > 20 ? ", …" : "")}");
            foreach (var r in report.Rejected.Take(50)) Console.Error.WriteLine($"  regel {r.Row}: {r.Error}");
            return report.Buurten + report.Wijken + report.Gemeenten == 0 ? 2 : 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Import geweigerd: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>import population &lt;pc4.geojson|kerncijfers.csv&gt; [--year YYYY] [--if-empty]</c>: inwoners per buurt.</summary>
    private static async Task<int> ImportPopulationAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Features.Population.PopulationStore>();
        try
        {
            if (args.Contains("--if-empty") && !await store.IsEmptyAsync()) { Console.WriteLine("De inwoners zijn al geladen; niets geïmporteerd."); return 0; }
            var file = args.FirstOrDefault(a => a.EndsWith(".geojson") || a.EndsWith(".json") || a.EndsWith(".csv"))
                       ?? throw new FileNotFoundException("Give the CBS PC4 GeoJSON with inwoners, or a CSV of kerncijfers per buurt.");
            var year = int.TryParse(args.SkipWhile(a => a != "--year").Skip(1).FirstOrDefault(), out var y) ? y : (int?)null;
            Features.Population.PopulationImportReport report;
            if (file.EndsWith(".csv"))
            {
                await using var stream = File.OpenRead(file);
                report = await store.ImportCsvAsync(stream, default, year ?? Features.Population.PopulationStore.YearIn(Path.GetFileName(file)));
            }
            else report = await store.ImportPc4Async(file, year);
            Console.WriteLine($"Inwoners {report.Year} geïmporteerd voor {report.Buurten} buurten uit {file} ({report.Method}): " +
                              $"{report.Inwoners:N0} inwoners in de buurten, van {report.SourceInwoners:N0} in het bestand.");
            foreach (var s in report.Sources.Where(s => s.ShareInside is > 0.005 and < 0.995).OrderByDescending(s => s.Apportioned))
                Console.WriteLine($"  PC4 {s.Id}: {s.ShareInside:P1} binnen de buurten → {s.Apportioned:N0} van {s.Count:N0} inwoners");
            foreach (var r in report.Rejected.Take(50)) Console.Error.WriteLine(r.Row > 0 ? $"  regel {r.Row}: {r.Error}" : $"  {r.Error}");
            return report.Buurten == 0 ? 2 : 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or GeoJsonFormatException)
        {
            Console.Error.WriteLine($"Import geweigerd: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>import postcodes [file] [--if-empty]</c>; <c>import addresses &lt;csv&gt;</c>; <c>import addresses --demo [--if-empty]</c>.</summary>
    /// <summary>Search by name reads the addresses: rebuilt after they change (a running server shares the table).</summary>
    private static async Task RebuildSearchAsync(WebApplication app) =>
        Console.WriteLine($"Zoekindex bijgewerkt: {await app.Services.GetRequiredService<Features.Zoeken.ZoekIndex>().RebuildAsync()} namen.");

    private static async Task<int> ImportAddressesAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Features.Addresses.AddressStore>();
        var ifEmpty = args.Contains("--if-empty");
        try
        {
            if (args.Contains("postcodes"))
            {
                if (ifEmpty && await store.HasPostcode4Async()) { Console.WriteLine("De PC4-gebieden zijn al geladen; niets geïmporteerd."); return 0; }
                var path = args.FirstOrDefault(a => a.EndsWith(".geojson") || a.EndsWith(".json"))
                           ?? throw new FileNotFoundException("Give the PC4 GeoJSON file.");
                Console.WriteLine($"{await store.ImportPostcode4Async(path)} PC4-gebieden geïmporteerd uit {path}.");
                return 0;
            }
            if (args.Contains("--demo"))
            {
                if (ifEmpty && await store.CountAsync() > 0) { Console.WriteLine("Er zijn al adressen; geen demoset gemaakt."); return 0; }
                Console.WriteLine($"{await store.GenerateDemoAsync()} DEMO-adressen gemaakt (straten 'Demostraat …', ids DEMO…): geen echte adressen.");
                await RebuildSearchAsync(app);
                return 0;
            }
            if (args.FirstOrDefault(a => a.EndsWith(".gpkg", StringComparison.OrdinalIgnoreCase)) is { } gpkg)
            {
                // the BAG GeoPackage as PDOK publishes it (docs/data.md): the whole set replaced, what changed reported
                var bag = await app.Services.GetRequiredService<Features.Addresses.BagImport>().ImportAsync(Path.GetFullPath(gpkg));
                Console.WriteLine($"BAG uit {gpkg}: {bag.Dutch}");
                await RebuildSearchAsync(app);
                return 0;
            }
            var csv = args.FirstOrDefault(a => a.EndsWith(".csv")) ?? throw new FileNotFoundException("Give the BAG GeoPackage (.gpkg), the address CSV file, or --demo.");
            await using var stream = File.OpenRead(csv);
            var report = await store.ImportCsvAsync(stream);
            Console.WriteLine($"{report.Imported} adressen geïmporteerd uit {csv}; {report.Rejected.Count} regels geweigerd.");
            foreach (var r in report.Rejected.Take(50)) Console.Error.WriteLine($"  regel {r.Row}: {r.Error}");
            await RebuildSearchAsync(app);
            return 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or GeoJsonFormatException)
        {
            Console.Error.WriteLine($"Import geweigerd: {e.Message}");
            return 2;
        }
    }
}
