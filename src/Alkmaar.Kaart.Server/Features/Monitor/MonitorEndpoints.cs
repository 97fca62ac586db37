using System.Globalization;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Choropleth;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Server.Features.Monitor;

/// <summary>
/// Monitor scores: <c>GET /api/monitor</c> (indicators and years), <c>GET /api/monitor/scores</c> (a choropleth as GeoJSON:
/// areas with value, class and colour; the classes as a top-level member), <c>GET /api/monitor/trend</c> (an area against
/// the gemeente over the years) and <c>POST /api/monitor/import</c> (CSV, beheerder). Scores are public survey aggregates.
/// </summary>
public static class MonitorEndpoints
{
    public static WebApplicationBuilder AddMonitor(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MonitorStore>();
        builder.Services.AddSingleton<MonitorChoropleth>();
        return builder;
    }

    public const long MaxImportBytes = 20 * 1024 * 1024;

    public static void MapMonitor(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/monitor").WithTags("Monitor");
        group.MapGet("/", IndicatorsAsync).AllowAnonymous().WithSummary("Monitors, indicators, units, direction and years.");
        group.MapGet("/scores", ScoresAsync).AllowAnonymous().WithSummary("Choropleth of one indicator and year as GeoJSON with class breaks.");
        group.MapGet("/trend", TrendAsync).AllowAnonymous().WithSummary("An area's scores over the years next to the gemeente's.");
        group.MapPost("/import", ImportAsync).RequireAuthorization(KaartPolicies.Beheerder).WithSummary("Import monitor scores from CSV; a report per row.");
    }

    private static async Task<IResult> IndicatorsAsync(MonitorStore store, CancellationToken ct)
    {
        var indicators = await store.IndicatorsAsync(ct);
        return TypedResults.Ok(new { demo = indicators.Any(i => i.Demo), indicators });
    }

    private static bool TryYear(string? s, out int? year)
    {
        year = null;
        if (string.IsNullOrEmpty(s)) return true;
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var y) || y is < 1990 or > 2100) return false;
        year = y;
        return true;
    }

    private static async Task ScoresAsync(HttpContext http, MonitorChoropleth choropleth, AreaRepository areas, IOptions<MapOptions> map,
        string? monitor, string? indicator, string? year, string? level, CrsParameter crs, CancellationToken ct)
    {
        IResult? problem = null;
        var target = crs.Value;
        var areaLevel = AreaLevel.Wijk;
        if (!TryYear(year, out var y)) problem = Problems.BadRequest("Ongeldig jaar", "year is een jaar van 1990 tot 2100.", "year");
        else if ((monitor is null) != (indicator is null)) problem = Problems.BadRequest("Monitor en indicator horen samen", "Geef monitor en indicator allebei, of geen van beide.", monitor is null ? "monitor" : "indicator");
        else if (level is not null && AreaLevels.Parse(level) is not (AreaLevel.Wijk or AreaLevel.Gebied or AreaLevel.Buurt))
            problem = Problems.BadRequest("Ongeldig niveau", "level is gebied, wijk of buurt.", "level");
        if (problem is not null) { await problem.ExecuteAsync(http); return; }
        if (level is not null) areaLevel = AreaLevels.Parse(level)!.Value;

        var (view, error, parameter) = await choropleth.BuildAsync(monitor, indicator, y, areaLevel, ct);
        if (view is null)
        {
            await (parameter is null
                ? TypedResults.Problem(title: error, statusCode: 404, detail: "Importeer eerst monitorscores (./kaart import monitor).")
                : parameter == "indicator" ? Problems.NotFound("Onbekende indicator", error!) : Problems.BadRequest("Geen scores voor dat jaar", error!, parameter)).ExecuteAsync(http);
            return;
        }
        var ind = view.Indicator;
        GeoJsonResponse.Start(http.Response, target);
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, target);
        writer.WriteStart([
            new("attribution", map.Value.DataAttribution), new("demo", view.Demo), new("monitor", ind.Monitor), new("indicator", ind.Indicator),
            new("unit", ind.Unit), new("higherIsBetter", ind.HigherIsBetter), new("year", view.Year), new("years", ind.Years),
            new("gemeente", view.Gemeente), new("classification", "quantiles"),
            new("classes", view.Classes.Select(c => new { index = c.Index, lower = c.Lower, upper = c.Upper, color = c.Color, count = c.Count }).ToList()),
        ]);
        await foreach (var a in areas.ListAsync(view.Level, withGeometry: true, ct))
        {
            if (!view.Values.TryGetValue(a.Code, out var v)) continue;
            var cls = ClassBreaks.ClassOf(view.Classes, v.Value);
            var text = $"{a.Name}: {ChoroplethView.Format(v.Value, ind.Unit)} ({view.Year})" + (view.Demo ? " — DEMO" : "");
            await writer.WriteFeatureAsync(new Feature(a.Geometry, GeoJsonFeatureCollectionWriter.Attributes(a.Code,
                ("code", a.Code), ("name", a.Name), ("level", "monitor"), ("areaLevel", a.Level.Name()), ("value", v.Value),
                ("respondents", v.Respondents), ("class", cls?.Index), ("fill", cls?.Color), ("tooltip", text), ("demo", v.Demo),
                ("labelPoint", GeoJsonFeatureCollectionWriter.Position(a.LabelPoint, target)))), ct);
        }
        await writer.WriteEndAsync([new("numberReturned", writer.Count)], ct);
    }

    private static async Task<IResult> TrendAsync(MonitorChoropleth choropleth, AreaRepository areas, string? monitor, string? indicator, string? area, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(monitor) || string.IsNullOrEmpty(indicator) || string.IsNullOrEmpty(area))
            return Problems.BadRequest("Onvolledige vraag", "Give monitor, indicator and area.", string.IsNullOrEmpty(area) ? "area" : string.IsNullOrEmpty(monitor) ? "monitor" : "indicator");
        var ind = await choropleth.FindAsync(monitor, indicator, ct);
        if (ind is null) return Problems.NotFound("Onbekende indicator", $"Geen scores voor {monitor} / {indicator}.");
        var details = await areas.GetAsync(area.ToUpperInvariant(), null, withGeometry: false, ct);
        if (details is null) return Problems.NotFound("Onbekend gebied", $"Geen gebied dat nu geldt met code {area}.");
        var trend = await choropleth.TrendAsync(ind, details.Area.Code, ct);
        return TypedResults.Ok(new
        {
            monitor = ind.Monitor, indicator = ind.Indicator, unit = ind.Unit, higherIsBetter = ind.HigherIsBetter, demo = ind.Demo,
            area = details.Area.Code, name = details.Area.Name, series = trend,
        });
    }

    private static async Task<IResult> ImportAsync(HttpContext http, MonitorStore store, AuditLog audit, CancellationToken ct)
    {
        if (Problems.CheckBody(http, MaxImportBytes, $"Stuur text/csv met de kopregel {string.Join(",", MonitorStore.CsvColumns)}.", "text/csv") is { } bodyProblem)
            return bodyProblem;
        MonitorImportReport report;
        try { report = await store.ImportCsvAsync(http.Request.Body, ct); }
        catch (FormatException e) { return Problems.BadRequest("Onbruikbare CSV-kop", e.Message, "header"); }
        await audit.WriteAsync(AuditLog.ActorOf(http.User), "monitorscores geïmporteerd", "monitor_score", null,
            new { imported = report.Imported, rejected = report.Rejected.Count }, ct: ct);
        return TypedResults.Ok(report);
    }
}
