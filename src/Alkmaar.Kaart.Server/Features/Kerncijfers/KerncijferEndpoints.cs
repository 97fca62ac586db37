using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Choropleth;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Kerncijfers;
using Alkmaar.Kaart.Server.Features.Areas;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Server.Features.Kerncijfers;

/// <summary>
/// CBS kerncijfers for the dashboard (issue 30): <c>GET /api/kerncijfers</c> (the figures and years),
/// <c>GET /api/kerncijfers/kaart</c> (a choropleth of one figure and year per wijk or buurt, GeoJSON shaped like the
/// monitor's) and <c>GET /api/kerncijfers/tabel</c> (all wijken or buurten × chosen figures × years, JSON or CSV).
/// Public: CBS's own published figures and aggregates of them.
/// </summary>
public static class KerncijferEndpoints
{
    public static void MapKerncijfers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/kerncijfers").WithTags("Kerncijfers");
        group.MapGet("/", ListAsync).AllowAnonymous().WithSummary("The CBS figures with their label, unit, definition, how they aggregate, and the imported years.");
        group.MapGet("/kaart", MapAsync).AllowAnonymous().WithSummary("A choropleth of one figure (variabele) and year (jaar) per wijk or buurt (niveau), as GeoJSON with quantile classes.");
        group.MapGet("/tabel", TableAsync).AllowAnonymous().WithSummary("All wijken or buurten (niveau) × figures (variabelen) × years (jaren), as JSON or CSV (format=csv).");
    }

    /// <summary>The levels a choropleth and the table take.</summary>
    private static bool TryLevel(string? s, out AreaLevel level)
    {
        level = string.IsNullOrEmpty(s) ? AreaLevel.Wijk : AreaLevels.Parse(s) ?? AreaLevel.Gemeente;
        return level is AreaLevel.Wijk or AreaLevel.Buurt or AreaLevel.Gebied;
    }

    private static async Task<IResult> ListAsync(KerncijferStore store, CancellationToken ct)
    {
        var years = await store.YearsAsync(ct);
        return TypedResults.Ok(new
        {
            years,
            source = years.Count == 0 ? null : KerncijferCatalog.Source(years[0]),
            figures = KerncijferCatalog.All.Select(d => new
            {
                column = d.Column, label = d.Label, unit = d.Unit, definition = d.Definition,
                aggregation = d.Aggregation switch { KerncijferAggregation.Sum => "som", KerncijferAggregation.WeightedByBase => $"gewogen ({d.Base})", _ => "alleen per buurt" },
            }),
        });
    }

    private static async Task MapAsync(HttpContext http, KerncijferStore store, AreaRepository areas, IOptions<MapOptions> map,
        string? variabele, string? jaar, string? niveau, CrsParameter crs, CancellationToken ct)
    {
        var definition = KerncijferCatalog.Find(variabele ?? "a_inw");
        IResult? problem = null;
        int? year = null;
        if (definition is null)
            problem = Problems.BadRequest("Onbekend kerncijfer", $"variabele is een CBS-kolom: {string.Join(", ", KerncijferCatalog.All.Select(d => d.Column))}.", "variabele");
        else if (!TryLevel(niveau, out var _))
            problem = Problems.BadRequest("Ongeldig niveau", "niveau is gebied, wijk of buurt.", "niveau");
        else if (jaar is not null)
        {
            if (int.TryParse(jaar, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 1990 and <= 2100) year = y;
            else problem = Problems.BadRequest("Ongeldig jaar", "jaar is een jaar van 1990 tot 2100.", "jaar");
        }
        if (problem is not null) { await problem.ExecuteAsync(http); return; }
        TryLevel(niveau, out var level);
        var years = await store.YearsAsync(ct);
        if (years.Count == 0)
        {
            await TypedResults.Problem(title: "Geen kerncijfers", statusCode: 404, detail: "Importeer eerst CBS-kerncijfers (./kaart import kerncijfers).").ExecuteAsync(http);
            return;
        }
        var shown = year ?? years[0];
        if (!years.Contains(shown))
        {
            await Problems.BadRequest("Geen kerncijfers voor dat jaar", $"Wel voor {string.Join(", ", years.Order())}.", "jaar").ExecuteAsync(http);
            return;
        }
        var view = await store.ChoroplethAsync(definition!, shown, level, ct);
        var (values, classes, gemeente) = (view.Values, view.Classes, view.Gemeente);
        var target = crs.Value;
        GeoJsonResponse.Start(http.Response, target);
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, target);
        writer.WriteStart([
            new("attribution", map.Value.DataAttribution + "; " + KerncijferCatalog.Source(shown) + " (CC BY 4.0)"), new("demo", false),
            new("variabele", definition.Column), new("label", definition.Label), new("unit", definition.Unit), new("definition", definition.Definition),
            new("higherIsBetter", definition.HigherIsBetter != -1), new("year", shown), new("years", years.Order().ToList()), new("level", level.Name()),
            new("source", KerncijferCatalog.Source(shown)), new("gemeente", gemeente), new("classification", "quantiles"),
            new("classes", classes.Select(c => new { index = c.Index, lower = c.Lower, upper = c.Upper, color = c.Color, count = c.Count }).ToList()),
        ]);
        await foreach (var a in areas.ListAsync(level, withGeometry: true, ct))
        {
            var v = values.GetValueOrDefault(a.Code);
            if (v is null) continue; // no figure of this kind for the area (not imported)
            var cls = v.Value is { } x ? ClassBreaks.ClassOf(classes, x) : null;
            var text = $"{a.Name}: {(v.Value is { } val ? Format(val, definition) : v.BuurtOnly ? "alleen per buurt" : "onbekend")} ({shown})";
            await writer.WriteFeatureAsync(new Feature(a.Geometry, GeoJsonFeatureCollectionWriter.Attributes(a.Code,
                ("code", a.Code), ("name", a.Name), ("level", "kerncijfers"), ("areaLevel", a.Level.Name()), ("value", v.Value),
                ("formed", v.Formed), ("class", cls?.Index), ("fill", cls?.Color ?? UnknownFill), ("tooltip", text),
                ("labelPoint", GeoJsonFeatureCollectionWriter.Position(a.LabelPoint, target)))), ct);
        }
        await writer.WriteEndAsync([new("numberReturned", writer.Count)], ct);
    }

    /// <summary>Areas without a value: a light grey that is no class of the palette (the legend names it "onbekend").</summary>
    public const string UnknownFill = "#d9d9d9";

    private static async Task<IResult> TableAsync(KerncijferStore store, AreaRepository areas, string? niveau, string? variabelen, string? jaren,
        string? format, CancellationToken ct)
    {
        if (!TryLevel(niveau, out var level)) return Problems.BadRequest("Ongeldig niveau", "niveau is gebied, wijk of buurt.", "niveau");
        var columns = (variabelen ?? "a_inw,a_65_oo,g_ink_pi,p_hh_osm").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var definitions = columns.Select(KerncijferCatalog.Find).ToList();
        if (definitions.IndexOf(null) is var bad and >= 0)
            return Problems.BadRequest("Onbekend kerncijfer", $"'{columns[bad]}' is geen CBS-kolom die we tonen; bekend: {string.Join(", ", KerncijferCatalog.All.Select(d => d.Column))}.", "variabelen");
        var available = await store.YearsAsync(ct);
        List<int> years;
        if (string.IsNullOrEmpty(jaren)) years = available.Order().ToList();
        else
        {
            years = [];
            foreach (var part in jaren.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var y) || !available.Contains(y))
                    return Problems.BadRequest("Onbekend jaar", $"'{part}': kerncijfers zijn er voor {string.Join(", ", available.Order())}.", "jaren");
                years.Add(y);
            }
        }
        var table = await TableRowsAsync(store, areas, level, ct);
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (csv)
        {
            var sb = new StringBuilder();
            sb.Append("code,naam");
            foreach (var d in definitions) foreach (var y in years) sb.Append(',').Append(Csv.Cell($"{d!.Column}_{y}"));
            sb.Append("\r\n");
            foreach (var (code, name, values) in table)
            {
                sb.Append(Csv.Cell(code)).Append(',').Append(Csv.Cell(name));
                foreach (var d in definitions)
                    foreach (var y in years)
                        sb.Append(',').Append(values.GetValueOrDefault(y)?.GetValueOrDefault(d!.Column)?.Value is { } v ? Csv.Cell(Math.Round(v, d!.Decimals + 1)) : "");
                sb.Append("\r\n");
            }
            sb.Append(Csv.Cell($"# {string.Join("; ", years.Select(KerncijferCatalog.Source))} (CC BY 4.0); leeg = onbekend, geheim of niet uit buurten te vormen")).Append("\r\n");
            return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(sb.ToString())).ToArray(), "text/csv; charset=utf-8",
                $"kerncijfers-{level.Name()}.csv");
        }
        return TypedResults.Ok(new
        {
            level = level.Name(), years, sources = years.Select(KerncijferCatalog.Source),
            figures = definitions.Select(d => new { column = d!.Column, label = d.Label, unit = d.Unit }),
            rows = table.Select(r => new
            {
                code = r.Code, name = r.Name,
                values = definitions.ToDictionary(d => d!.Column, d => years.ToDictionary(y => y.ToString(CultureInfo.InvariantCulture),
                    y => r.Values.GetValueOrDefault(y)?.GetValueOrDefault(d!.Column)?.Value is { } v ? Math.Round(v, d!.Decimals + 1) : (double?)null)),
            }),
        });
    }

    /// <summary>Every area of the level in force with its figures per year (an area without any still gets a row).</summary>
    public static async Task<List<(string Code, string Name, Dictionary<int, Dictionary<string, KerncijferValue>> Values)>> TableRowsAsync(
        KerncijferStore store, AreaRepository areas, AreaLevel level, CancellationToken ct)
    {
        var all = await store.OfLevelAsync(level, ct);
        var rows = new List<(string, string, Dictionary<int, Dictionary<string, KerncijferValue>>)>();
        await foreach (var a in areas.ListAsync(level, withGeometry: false, ct))
            rows.Add((a.Code, a.Name, all.GetValueOrDefault(a.Code) ?? []));
        return rows.OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();
    }

    /// <summary>A figure in Dutch notation: counts whole, money in euros, shares and rates with their unit.</summary>
    public static string Format(double value, KerncijferDefinition d)
    {
        var nl = CultureInfo.GetCultureInfo("nl-NL");
        return d.Unit switch
        {
            "× € 1.000" => "€ " + (value * 1000).ToString("N0", nl),
            "%" => value.ToString("N" + d.Decimals, nl) + "%",
            "aantal" => value.ToString("N0", nl),
            "ha" => value.ToString("N0", nl) + " ha",
            _ => value.ToString("N" + d.Decimals, nl) + " " + d.Unit,
        };
    }
}
