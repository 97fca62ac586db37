using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Commands;

/// <summary>
/// The command line <c>seed</c>: what <c>./kaart run</c> loads before it serves, each step only into an empty table, in the
/// order the steps need each other (boundaries before anything that is routed; PC4 areas before the demo addresses that
/// are spread over them). The order lives here, not in the entry script.
/// </summary>
public static class SeedCommand
{
    /// <summary>One step: the import arguments, what it loads (for the error), and whether it runs without its file.</summary>
    private sealed record Step(string[] Args, string What, bool NeedsFile = true, bool Demo = false);

    public static async Task<int> RunAsync(WebApplication app)
    {
        var seed = app.Services.GetRequiredService<IOptions<SeedOptions>>().Value;
        Step[] steps =
        [
            new(["import", "boundaries", "--if-empty"], "de grenzen"),
            new(["import", "municipalities", "--if-empty"], "de buurgemeenten"),
            new(["import", "population", "--if-empty"], "de inwoners"),
            new(["import", "kerncijfers", "--if-empty"], "de CBS-kerncijfers"),
            new(["import", "postcodes", "--if-empty"], "de PC4-gebieden"),
            // no BAG extract loaded: a deterministic DEMO address set, as many per buurt as households (marked demo everywhere)
            new(["import", "addresses", "--demo", "--if-empty"], "de demo-adressen", NeedsFile: false, Demo: true),
            // no meldingen yet: a generated DEMO year (no text, no persons), so the overlays and hotspots have something to show
            new(["import", "meldingen", "--demo", "--if-empty"], "de demo-meldingen", NeedsFile: false, Demo: true),
            // no monitor scores yet: a generated DEMO set per wijk 2020–2024 (labelled demo on every screen)
            new(["import", "monitor", "--demo", "--if-empty"], "de demo-monitorscores", NeedsFile: false, Demo: true),
            // no initiatives yet: two per wijk, "DEMO" in the title
            new(["import", "initiatieven", "--demo", "--if-empty"], "de demo-initiatieven", NeedsFile: false, Demo: true),
        ];
        var postcodesLoaded = false;
        foreach (var step in steps)
        {
            var kind = step.Args[1];
            if (step.Demo && !seed.DemoData) continue;
            if (step.NeedsFile && ImportCommand.DefaultFile(app, kind) is { } file && !File.Exists(file))
            {
                if (kind == "boundaries")
                {
                    Console.Error.WriteLine($"Het grensbestand {file} bestaat niet. Haal de buurten op (zie docs/data.md) en draai: ./kaart import boundaries <bestand>");
                    return 2;
                }
                Console.WriteLine($"{file} ontbreekt: {step.What} overgeslagen.");
                continue;
            }
            if (kind == "postcodes") postcodesLoaded = true;
            // the demo addresses are spread over the PC4 areas: without them there are none to make
            if (kind == "addresses" && !postcodesLoaded) continue;
            var code = await ImportCommand.RunAsync(app, step.Args);
            if (code != 0)
            {
                Console.Error.WriteLine($"Het laden van {step.What} is mislukt.");
                return code;
            }
        }
        return 0;
    }
}
