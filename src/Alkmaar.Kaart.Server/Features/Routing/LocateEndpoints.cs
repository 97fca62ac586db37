using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Routing;

namespace Alkmaar.Kaart.Server.Features.Routing;

/// <summary>
/// <c>GET /api/locate?x=&amp;y=</c> (RD New) or <c>?lat=&amp;lon=</c> (WGS84): the areas and gebiedsteam of one point.
/// Public (anonymous): it reveals only public boundaries and team names.
/// </summary>
public static class LocateEndpoints
{
    /// <summary>Routing: the snapshot of the boundaries per version, told of changes by NOTIFY; the responses made per boundary state.</summary>
    public static WebApplicationBuilder AddAreaLocator(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<RoutingOptions>(RoutingOptions.Section);
        builder.Services.AddSingleton<AreaLocatorProvider>();
        builder.Services.AddSingleton<IBoundaryListener>(sp => sp.GetRequiredService<AreaLocatorProvider>());
        builder.Services.AddSingleton<BoundaryResponseCache>();
        builder.Services.AddSingleton<IBoundaryListener>(sp => sp.GetRequiredService<BoundaryResponseCache>());
        builder.Services.AddSingleton<IPgNotificationSubscriber, BoundaryChangeListener>();
        return builder;
    }

    public sealed record AreaRef(string Code, string Name);

    public sealed record LocateResponse(string Kind, AreaRef? Buurt, AreaRef? Wijk, AreaRef? Gebied, AreaRef? Dorp,
        AreaRef? Gemeente, string? Gebiedsteam, double? DistanceM, AreaRef? Municipality, int BoundaryVersion, double X, double Y);

    public static RouteGroupBuilder MapLocate(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/locate").WithTags("Routing").AllowAnonymous();
        group.MapGet("/", LocateAsync).WithName("Locate")
            .WithSummary("The buurt, wijk, gebied, dorp, gemeente and gebiedsteam of a point (RD x/y or WGS84 lat/lon), today or on a date (date=yyyy-MM-dd).");
        return group;
    }

    private static async Task<IResult> LocateAsync(AreaLocatorProvider provider,
        double? x = null, double? y = null, double? lat = null, double? lon = null, string? date = null, CancellationToken ct = default)
    {
        if (!TryReadPoint(x, y, lat, lon, out var rdX, out var rdY, out var problem)) return problem!;
        DateOnly day = default;
        if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out day))
            return Features.Problems.BadRequest("Ongeldige datum", "date is een datum als 2027-01-01: de indeling die op die dag geldt.", "date");
        // a date: the boundaries in force that day (a published plan routes from its first day)
        var snapshot = date is null ? await provider.GetAsync(ct)
            : await provider.GetAtAsync(new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), ct);
        if (snapshot is null)
            return Problems.NoBoundaries();
        var r = snapshot.Locator.Locate(rdX, rdY);
        KaartTelemetry.RoutedPoints.Add(1, new KeyValuePair<string, object?>("via", "locate"));
        return TypedResults.Ok(ResponseOf(snapshot, r, rdX, rdY));
    }

    /// <summary>The answer for a located point (also made, once per area, by the lean path: <see cref="LeanLocate"/>).</summary>
    public static LocateResponse ResponseOf(BoundarySnapshot snapshot, AreaLocation r, double rdX, double rdY) => new(
        KindName(r.Kind),
        Ref(r.Buurt), Ref(r.Wijk), Ref(r.Gebied), Ref(r.Dorp), Ref(r.Gemeente), snapshot.TeamOf(r),
        double.IsNaN(r.DistanceM) ? null : Math.Round(r.DistanceM, 2),
        r.Municipality is null ? null : new AreaRef(r.Municipality.Code, r.Municipality.Name),
        snapshot.Locator.VersionId, Math.Round(rdX, 3), Math.Round(rdY, 3));

    public static AreaRef? Ref(Area? a) => a is null ? null : new AreaRef(a.Code, a.Name);

    /// <summary>The API's name of a location kind: inside, near or outside.</summary>
    public static string KindName(LocationKind kind) =>
        kind switch { LocationKind.Inside => "inside", LocationKind.NearGemeente => "near", _ => "outside" };

    /// <summary>Reads a point as RD x/y or WGS84 lat/lon, inside the RD grid or the Netherlands' lat/lon box.</summary>
    private static bool TryReadPoint(double? x, double? y, double? lat, double? lon, out double rdX, out double rdY, out IResult? problem)
    {
        rdX = rdY = 0;
        problem = null;
        var hasRd = x is not null || y is not null;
        var hasWgs = lat is not null || lon is not null;
        if (hasRd == hasWgs || (hasRd && (x is null || y is null)) || (hasWgs && (lat is null || lon is null)))
        {
            problem = Features.Problems.BadRequest("Ongeldige locatie",
                "Geef een punt als x en y (RD New, EPSG:28992) of als lat en lon (WGS84), niet allebei.", "x,y|lat,lon");
            return false;
        }
        var error = hasRd ? PointInput.ToRd(x!.Value, y!.Value, false, out rdX, out rdY)
                          : PointInput.ToRd(lat!.Value, lon!.Value, true, out rdX, out rdY);
        if (error is null) return true;
        problem = hasRd
            ? Features.Problems.BadRequest("Locatie buiten het RD-bereik", $"{error}: {PointInput.Ranges(false)}", "x,y")
            : Features.Problems.BadRequest("Locatie buiten Nederland", $"{error}: {PointInput.Ranges(true)}", "lat,lon");
        return false;
    }
}
