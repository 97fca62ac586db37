using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>
/// The command line <c>import boundaries|municipalities [path] [--if-empty]</c>, called by <c>./kaart import …</c> and
/// <c>./kaart run</c>.
/// </summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var importer = app.Services.GetRequiredService<BoundaryImporter>();
        var options = app.Services.GetRequiredService<IOptions<BoundaryOptions>>().Value;
        if (args.Contains("addresses") || args.Contains("postcodes")) return await ImportAddressesAsync(app, args);
        if (args.Contains("meldingen")) return await ImportDemoMeldingenAsync(app, args);
        if (args.Contains("monitor")) return await ImportMonitorAsync(app, args);
        if (args.Contains("population")) return await ImportPopulationAsync(app, args);
        var municipalities = args.Contains("municipalities");
        var path = args.FirstOrDefault(a => a.EndsWith(".geojson") || a.EndsWith(".json"))
                   ?? PathResolution.Resolve(municipalities ? options.MunicipalitiesFile : options.BuurtenFile, options.Root, app.Environment.ContentRootPath);
        try
        {
            if (municipalities)
            {
                var m = app.Services.GetRequiredService<MunicipalityImporter>();
                if (args.Contains("--if-empty") && !await m.IsEmptyAsync())
                {
                    Console.WriteLine("Municipalities are already loaded; nothing imported.");
                    return 0;
                }
                Console.WriteLine($"Imported {await m.ImportAsync(path)} municipalities from {path}.");
                return 0;
            }
            if (args.Contains("--if-empty") && !await importer.IsEmptyAsync())
            {
                Console.WriteLine("Boundaries are already loaded; nothing imported.");
                return 0;
            }
            string? validFromText = args.SkipWhile(a => a != "--valid-from").Skip(1).FirstOrDefault();
            DateOnly? validFrom = null;
            if (validFromText is not null)
            {
                if (!DateOnly.TryParseExact(validFromText, "yyyy-MM-dd", out var d))
                {
                    Console.Error.WriteLine($"--valid-from '{validFromText}' is not a date (YYYY-MM-DD).");
                    return 2;
                }
                validFrom = d;
            }
            // the first load is unguarded; later imports are compared with the version in force (--confirm to go beyond the thresholds)
            var mode = args.Contains("--preview") ? ImportMode.Preview : args.Contains("--confirm") ? ImportMode.Confirmed : ImportMode.Guarded;
            var result = await importer.ImportAsync(path, default, validFrom, mode: mode);
            if (result.Change is { } change)
                Console.WriteLine($"Against version {change.LatestVersion}: gemeente {change.GemeenteAreaKm2Before} → {change.GemeenteAreaKm2After} km² " +
                                  $"({change.GemeenteAreaChangePct:+0.###;-0.###;0}%), {change.MissingBuurten.Count} buurten gone, {change.NewBuurten.Count} new, " +
                                  $"{change.AddressesChangingTeam} of {change.Addresses} addresses to another gebiedsteam.");
            if (result.Preview)
            {
                Console.WriteLine("Preview only: nothing was written.");
                foreach (var d in result.Repairs) Console.WriteLine($"  would repair {d}");
                return 0;
            }
            Console.WriteLine(result.Unchanged
                ? $"{path} is already the latest boundary version (version {result.VersionId}); nothing changed."
                : $"Imported {path} ({result.SourceCrs}) as boundary version {result.VersionId}, valid from {result.ValidFrom:yyyy-MM-dd}: " +
                  string.Join(", ", result.Counts.Select(c => $"{c.Value} {c.Key.Name()}")));
            if (result.Repairs.Count > 0)
            {
                Console.WriteLine($"Repaired {result.Repairs.Count} small coverage defect(s) (overlap → smallest buurt code, gap → longest shared border):");
                foreach (var d in result.Repairs) Console.WriteLine($"  {d}");
            }
            return 0;
        }
        catch (BoundaryConfirmationRequiredException e)
        {
            Console.Error.WriteLine($"Import refused, nothing was written: {e.Message}");
            Console.Error.WriteLine("Run again with --preview to see the change, and with --confirm to import it anyway.");
            return 3;
        }
        catch (BoundaryValidationException e)
        {
            Console.Error.WriteLine($"Import refused, nothing was written. {e.Problems.Count} problem(s) in {path}:");
            foreach (var p in e.Problems) Console.Error.WriteLine($"  {p}");
            return 2;
        }
        catch (Exception e) when (e is GeoJsonFormatException or BoundaryImportException or IOException)
        {
            Console.Error.WriteLine($"Import refused, nothing was written: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>import meldingen --demo [--if-empty] [--count N] [--year YYYY]</c>: a generated year of DEMO meldingen.</summary>
    private static async Task<int> ImportDemoMeldingenAsync(WebApplication app, string[] args)
    {
        if (!args.Contains("--demo"))
        {
            Console.Error.WriteLine("usage: import meldingen --demo [--if-empty] [--count N] [--year YYYY] (real meldingen come in through the API or its CSV import)");
            return 2;
        }
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var count = int.TryParse(Value("--count"), out var c) && c > 0 ? c : 25_000;
        var year = int.TryParse(Value("--year"), out var y) ? y : DateTime.UtcNow.Year - 1;
        var demo = app.Services.GetRequiredService<Meldingen.DemoMeldingen>();
        if (args.Contains("--if-empty") && await demo.CountAsync() > 0)
        {
            Console.WriteLine("Meldingen are already loaded; no demo set generated.");
            return 0;
        }
        var (stored, planted) = await demo.GenerateAsync(year, count);
        Console.WriteLine($"Generated {stored} DEMO meldingen for {year} (no text, no persons; source 'demo'), with {planted.Count} planted clusters:");
        foreach (var p in planted) Console.WriteLine($"  {p.Category} around RD {p.X:F0} {p.Y:F0} in {p.BuurtCode}, sigma {p.Sigma} m, {p.Count} meldingen");
        return 0;
    }

    /// <summary><c>import monitor &lt;csv&gt;</c>; <c>import monitor --demo [--if-empty]</c>.</summary>
    private static async Task<int> ImportMonitorAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Monitor.MonitorStore>();
        try
        {
            if (args.Contains("--demo"))
            {
                if (args.Contains("--if-empty") && await store.CountAsync() > 0) { Console.WriteLine("Monitor scores are already loaded; no demo set generated."); return 0; }
                Console.WriteLine($"Generated {await store.GenerateDemoAsync()} DEMO monitor scores (every wijk and the gemeente, 2020–2024): not survey results.");
                return 0;
            }
            var csv = args.FirstOrDefault(a => a.EndsWith(".csv")) ?? throw new FileNotFoundException("Give the monitor CSV file (or --demo).");
            await using var stream = File.OpenRead(csv);
            var report = await store.ImportCsvAsync(stream);
            Console.WriteLine($"Imported {report.Imported} monitor scores from {csv}; {report.Rejected.Count} rows refused.");
            foreach (var r in report.Rejected.Take(50)) Console.Error.WriteLine($"  row {r.Row}: {r.Error}");
            return report.Imported == 0 && report.Rejected.Count > 0 ? 2 : 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Import refused: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>import population &lt;pc4.geojson|kerncijfers.csv&gt; [--year YYYY] [--if-empty]</c>: inwoners per buurt.</summary>
    private static async Task<int> ImportPopulationAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Population.PopulationStore>();
        try
        {
            if (args.Contains("--if-empty") && !await store.IsEmptyAsync()) { Console.WriteLine("Inwoners are already loaded; nothing imported."); return 0; }
            var file = args.FirstOrDefault(a => a.EndsWith(".geojson") || a.EndsWith(".json") || a.EndsWith(".csv"))
                       ?? throw new FileNotFoundException("Give the CBS PC4 GeoJSON with inwoners, or a CSV of kerncijfers per buurt.");
            var year = int.TryParse(args.SkipWhile(a => a != "--year").Skip(1).FirstOrDefault(), out var y) ? y : (int?)null;
            Population.PopulationImportReport report;
            if (file.EndsWith(".csv"))
            {
                await using var stream = File.OpenRead(file);
                report = await store.ImportCsvAsync(stream, default, year ?? Population.PopulationStore.YearIn(Path.GetFileName(file)));
            }
            else report = await store.ImportPc4Async(file, year);
            Console.WriteLine($"Imported inwoners {report.Year} for {report.Buurten} buurten from {file} ({report.Method}): " +
                              $"{report.Inwoners:N0} inwoners in the buurten, of {report.SourceInwoners:N0} in the file.");
            foreach (var s in report.Sources.Where(s => s.ShareInside is > 0.005 and < 0.995).OrderByDescending(s => s.Apportioned))
                Console.WriteLine($"  PC4 {s.Id}: {s.ShareInside:P1} inside the buurten → {s.Apportioned:N0} of {s.Count:N0} inwoners");
            foreach (var r in report.Rejected.Take(50)) Console.Error.WriteLine(r.Row > 0 ? $"  row {r.Row}: {r.Error}" : $"  {r.Error}");
            return report.Buurten == 0 ? 2 : 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or GeoJsonFormatException)
        {
            Console.Error.WriteLine($"Import refused: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>import postcodes [file] [--if-empty]</c>; <c>import addresses &lt;csv&gt;</c>; <c>import addresses --demo [--if-empty]</c>.</summary>
    private static async Task<int> ImportAddressesAsync(WebApplication app, string[] args)
    {
        var store = app.Services.GetRequiredService<Addresses.AddressStore>();
        var ifEmpty = args.Contains("--if-empty");
        try
        {
            if (args.Contains("postcodes"))
            {
                if (ifEmpty && await store.HasPostcode4Async()) { Console.WriteLine("PC4 areas are already loaded; nothing imported."); return 0; }
                var path = args.FirstOrDefault(a => a.EndsWith(".geojson") || a.EndsWith(".json"))
                           ?? throw new FileNotFoundException("Give the PC4 GeoJSON file.");
                Console.WriteLine($"Imported {await store.ImportPostcode4Async(path)} PC4 areas from {path}.");
                return 0;
            }
            if (args.Contains("--demo"))
            {
                if (ifEmpty && await store.CountAsync() > 0) { Console.WriteLine("Addresses are already loaded; no demo set generated."); return 0; }
                Console.WriteLine($"Generated {await store.GenerateDemoAsync()} DEMO addresses (streets 'Demostraat …', ids DEMO…): not real addresses.");
                return 0;
            }
            var csv = args.FirstOrDefault(a => a.EndsWith(".csv")) ?? throw new FileNotFoundException("Give the address CSV file (or --demo).");
            await using var stream = File.OpenRead(csv);
            var report = await store.ImportCsvAsync(stream);
            Console.WriteLine($"Imported {report.Imported} addresses from {csv}; {report.Rejected.Count} rows refused.");
            foreach (var r in report.Rejected.Take(50)) Console.Error.WriteLine($"  row {r.Row}: {r.Error}");
            return 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or GeoJsonFormatException)
        {
            Console.Error.WriteLine($"Import refused: {e.Message}");
            return 2;
        }
    }
}
