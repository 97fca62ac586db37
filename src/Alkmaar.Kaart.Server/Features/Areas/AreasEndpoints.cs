using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Areas;

/// <summary>
/// <c>GET /api/areas?level=&amp;crs=</c> and <c>GET /api/areas/{code}</c>: the areas in force as GeoJSON.
/// Public (anonymous): boundaries are open data. WGS84 (RFC 7946) by default; <c>crs=EPSG:28992</c> gives RD New
/// with the crs stated in the body and in a <c>Content-Crs</c> header.
/// </summary>
public static class AreasEndpoints
{
    /// <summary>Areas: the repository of the areas in force, the map and API settings.</summary>
    public static WebApplicationBuilder AddAreas(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<MapOptions>(MapOptions.Section);
        builder.AddKaartOptions<ApiOptions>(ApiOptions.Section);
        builder.Services.AddSingleton<AreaRepository>();
        return builder;
    }

    public const string GeoJsonContentType = GeoJsonResponse.ContentType;

    public static RouteGroupBuilder MapAreas(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/areas").WithTags("Areas").AllowAnonymous();
        group.MapGet("/", ListAsync).WithName("ListAreas")
            .WithSummary("Areas in force of one level (or all) as a GeoJSON FeatureCollection.");
        group.MapGet("/{code}", GetAsync).WithName("GetArea")
            .WithSummary("One area in force as a GeoJSON Feature, with its chain up to the gemeente.");
        app.MapGet("/api/buurgemeenten", NeighboursAsync).WithTags("Areas").AllowAnonymous().WithName("ListNeighbouringMunicipalities")
            .WithSummary("The neighbouring municipalities (CBS, as imported) as GeoJSON, for looking across the border. Public: open data.");
        return group;
    }

    /// <summary>The imported municipalities other than the gemeente itself (made once per boundary state, like the area layers).</summary>
    private static async Task<IResult> NeighboursAsync(HttpContext http, NpgsqlDataSource db, IOptions<ApiOptions> api,
        Routing.BoundaryResponseCache responses, CrsParameter crs, IConfiguration config, CancellationToken ct = default)
    {
        // how each municipality is reached (CrossBoundary:Contacts in the configuration; organisation and website only)
        string? Contact(string code, string field) => config[$"CrossBoundary:Contacts:{code}:{field}"];
        var targetCrs = crs.Value;
        var cached = await responses.GetAsync($"buurgemeenten {CrsNames.ShortName(targetCrs)}", GeoJsonContentType,
            GeoJsonResponse.ContentCrs(targetCrs), async (body, token) =>
            {
                await using var writer = new GeoJsonFeatureCollectionWriter(body, targetCrs);
                writer.WriteStart([new("attribution", "Kadaster / Centraal Bureau voor de Statistiek, 2024")]);
                await using var cmd = db.CreateCommand(
                    "SELECT code, name, ST_PointOnSurface(geom), geom FROM municipality " +
                    "WHERE code NOT IN (SELECT code FROM area_in_force WHERE level = 'gemeente') ORDER BY code");
                await using var r = await cmd.ExecuteReaderAsync(token);
                while (await r.ReadAsync(token))
                    await writer.WriteFeatureAsync(new Feature((Geometry)r.GetValue(3), GeoJsonFeatureCollectionWriter.Attributes(r.GetString(0),
                        ("code", r.GetString(0)), ("name", r.GetString(1)), ("tooltip", $"Gemeente {r.GetString(1)}"),
                        ("contact", Contact(r.GetString(0), "Organisation")), ("website", Contact(r.GetString(0), "Website")),
                        ("labelPoint", GeoJsonFeatureCollectionWriter.Position((Point)r.GetValue(2), targetCrs)))), token);
                await writer.WriteEndAsync([new("numberReturned", writer.Count)], token);
            }, ct);
        await cached.WriteAsync(http, api.Value.AreaCacheSeconds);
        return TypedResults.Empty;
    }

    private static async Task<IResult> ListAsync(HttpContext http, AreaRepository repo, IOptions<MapOptions> map,
        IOptions<ApiOptions> api, Routing.BoundaryResponseCache responses, CrsParameter crs, string? level = null, string? at = null,
        string? datetime = null, CancellationToken ct = default)
    {
        if (!TryParse(level, out var areaLevel, out var problem)) return problem!;
        var targetCrs = crs.Value;
        if (!TryParseDate(at, datetime, out var date, out problem)) return problem!;

        // made once per boundary state, day, level, CRS and date; ETag and 304 from the cache
        var key = $"areas {level ?? "all"} {CrsNames.ShortName(targetCrs)} {date?.ToString("yyyy-MM-dd") ?? "now"}";
        var cached = await responses.GetAsync(key, GeoJsonContentType, GeoJsonResponse.ContentCrs(targetCrs),
            async (body, token) =>
            {
                await using var writer = new GeoJsonFeatureCollectionWriter(body, targetCrs);
                writer.WriteStart([new("attribution", map.Value.DataAttribution)]);
                await foreach (var a in repo.ListAsync(areaLevel, withGeometry: true, token, date))
                    await writer.WriteFeatureAsync(new Feature(a.Geometry, Properties(a, targetCrs)), token);
                await writer.WriteEndAsync([new("numberReturned", writer.Count)], token);
            }, ct);
        await cached.WriteAsync(http, api.Value.AreaCacheSeconds);
        return TypedResults.Empty;
    }

    private static async Task<IResult> GetAsync(HttpContext http, AreaRepository repo, IOptions<MapOptions> map,
        string code, CrsParameter crs, string? level = null, string? at = null, string? datetime = null, CancellationToken ct = default)
    {
        if (!TryParse(level, out var areaLevel, out var problem)) return problem!;
        var targetCrs = crs.Value;
        if (!TryParseDate(at, datetime, out var date, out problem)) return problem!;
        var details = await repo.GetAsync(code, areaLevel, withGeometry: true, ct, date);
        if (details is null)
            return Problems.NotFound("Gebied niet gevonden",
                $"Geen gebied {(date is null ? "dat nu geldt" : $"dat geldt op {date:yyyy-MM-dd}")} heeft de code '{code}'{(areaLevel is null ? "" : $" op niveau {areaLevel.Value.Name()}")}.");

        GeoJsonResponse.Start(http.Response, targetCrs);
        var props = Properties(details.Area, targetCrs);
        props.Add("chain", details.Chain.Select(c => new { level = c.Level.Name(), code = c.Code, name = c.Name }).ToList());
        props.Add("gebiedsteam", details.GebiedsteamName);
        props.Add("alsoLevels", details.AlsoLevels.Select(l => l.Name()).ToList());
        props.Add("attribution", map.Value.DataAttribution);
        await GeoJsonFeatureCollectionWriter.WriteSingleAsync(http.Response.Body, new Feature(details.Area.Geometry, props), targetCrs, ct);
        return TypedResults.Empty;
    }

    private static AttributesTable Properties(AreaRecord a, KnownCrs crs) =>
        GeoJsonFeatureCollectionWriter.Attributes(a.Code,
            ("code", a.Code), ("name", a.Name), ("level", a.Level.Name()), ("parentCode", a.ParentCode),
            ("areaKm2", Math.Round(a.AreaM2 / 1e6, 4)), ("labelPoint", GeoJsonFeatureCollectionWriter.Position(a.LabelPoint, crs)),
            ("validFrom", a.ValidFrom.ToString("yyyy-MM-dd")));

    /// <summary>The level and crs parameters of the area endpoints; a problem when refused.</summary>
    internal static bool TryParse(string? level, out AreaLevel? areaLevel, out IResult? problem)
    {
        areaLevel = null;
        problem = null;
        if (level is null) return true;
        areaLevel = AreaLevels.Parse(level);
        if (areaLevel is not null) return true;
        problem = Problems.BadRequest("Onbekend niveau",
            $"level '{level}' is onbekend. Kies uit: {string.Join(", ", AreaLevels.All.Select(l => l.Name()))}.", "level");
        return false;
    }

    /// <summary>
    /// The date to answer for: <c>at=YYYY-MM-DD</c>, or OGC's <c>datetime</c> as one instant (a date or an RFC 3339 time;
    /// its day counts). Without either, today.
    /// </summary>
    private static bool TryParseDate(string? at, string? datetime, out DateOnly? date, out IResult? problem)
    {
        date = null;
        problem = null;
        var text = at ?? datetime;
        if (text is null) return true;
        var name = at is not null ? "at" : "datetime";
        if (at is not null && datetime is not null)
        {
            problem = Problems.BadRequest("Ongeldige datum", "Geef at of datetime, niet allebei.", "datetime");
            return false;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d)
            || (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
                && text.Contains('T') && (d = DateOnly.FromDateTime(t.UtcDateTime)) != default))
        {
            if (d.Year is < 1900 or > 2200)
            {
                problem = Problems.BadRequest("Ongeldige datum", $"{name} must lie between 1900 and 2200.", name);
                return false;
            }
            date = d;
            return true;
        }
        problem = Problems.BadRequest("Ongeldige datum", $"{name} '{(text.Length > 40 ? text[..40] : text)}' is geen datum (JJJJ-MM-DD) of RFC 3339-tijdstip; een periode kan hier niet.", name);
        return false;
    }

}
