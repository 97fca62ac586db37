using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Server.Features.Security;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Routing;

/// <summary>
/// The lean path of <c>GET /api/locate?x=&amp;y=</c> / <c>?lat=&amp;lon=</c> (issue 35): answered before routing,
/// authentication and the rest of the pipeline, from the boundary snapshot in memory, with the answer's bytes made once per
/// snapshot and area (only the point's own x and y are written per request). It answers exactly what the endpoint
/// (<see cref="LocateEndpoints"/>) answers, with the same security headers and the same read budget per client
/// (<see cref="PublicReadBudget"/>). Everything else goes the full way and gets the endpoint's own answer: another method
/// (HEAD), a date, a request with a cookie (a signed-in user is not limited), a budget used up (429 problem+json),
/// anything the endpoint would refuse (problem+json), a query with escapes, no boundaries loaded.
/// </summary>
public static class LeanLocate
{
    private static readonly byte[] YPart = ",\"y\":"u8.ToArray();
    private static readonly KeyValuePair<string, object?> RouteTag = new("http.route", "/api/locate/");

    /// <summary>The answer before its x, per snapshot and per located area (the buurt for inside, the municipality for outside).</summary>
    private sealed class Prefixes
    {
        public readonly Dictionary<object, byte[]> ByArea = new(ReferenceEqualityComparer.Instance);
        public byte[]? OutsideNowhere;
        public readonly Lock Gate = new();
    }

    private static readonly ConditionalWeakTable<BoundarySnapshot, Prefixes> Cache = new();

    public static void UseLeanLocate(this WebApplication app)
    {
        var provider = app.Services.GetRequiredService<AreaLocatorProvider>();
        var reads = app.Services.GetRequiredService<PublicReadBudget>();
        var json = app.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        app.Use((http, next) =>
        {
            var request = http.Request;
            if (!HttpMethods.IsGet(request.Method) || !request.Path.Equals("/api/locate", StringComparison.Ordinal)
                || request.Headers.Cookie.Count > 0 || !TryReadQuery(request.QueryString.Value, out var a, out var b, out var wgs84)
                || PointInput.ToRd(a, b, wgs84, out var x, out var y) is not null)
                return next(http);
            var pending = provider.GetAsync(http.RequestAborted);
            if (!pending.IsCompletedSuccessfully || pending.Result is not { } snapshot) return next(http);
            if (!reads.TrySpendKey(BudgetKey(http, reads))) return next(http); // the endpoint answers 429
            var r = snapshot.Locator.Locate(x, y);
            KaartTelemetry.RoutedPoints.Add(1, new KeyValuePair<string, object?>("via", "locate"));
            // the request metrics name the route as the endpoint's do (no endpoint was chosen: routing did not run)
            http.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(RouteTag);
            var prefix = PrefixOf(snapshot, r, json);
            x = Math.Round(x, 3);
            y = Math.Round(y, 3);
            Span<byte> numbers = stackalloc byte[64];
            x.TryFormat(numbers, out var xLength, provider: CultureInfo.InvariantCulture);
            y.TryFormat(numbers[32..], out var yLength, provider: CultureInfo.InvariantCulture);
            var length = prefix.Length + xLength + YPart.Length + yLength + 1;
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = length;
            SecuritySetup.AddSecurityHeaders(http);
            var writer = response.BodyWriter;
            var span = writer.GetSpan(length);
            prefix.CopyTo(span);
            var at = prefix.Length;
            numbers[..xLength].CopyTo(span[at..]);
            at += xLength;
            YPart.CopyTo(span[at..]);
            at += YPart.Length;
            numbers.Slice(32, yLength).CopyTo(span[at..]);
            at += yLength;
            span[at] = (byte)'}';
            writer.Advance(length);
            return Task.CompletedTask; // Kestrel sends what was written when the request ends
        });
    }

    /// <summary>The client's budget key made once per connection and client address: behind the proxy one connection carries
    /// many clients (each request's forwarded address is compared), on a direct connection it is made once.</summary>
    private static string BudgetKey(HttpContext http, PublicReadBudget reads)
    {
        var address = http.Connection.RemoteIpAddress;
        if (http.Features.Get<IConnectionItemsFeature>()?.Items is not { } items) return reads.KeyOf(address?.ToString());
        if (items.TryGetValue(typeof(ConnectionKey), out var kept) && kept is ConnectionKey k && Equals(k.Address, address)) return k.Key;
        var key = new ConnectionKey(address, reads.KeyOf(address?.ToString()));
        items[typeof(ConnectionKey)] = key;
        return key.Key;
    }

    private sealed record ConnectionKey(System.Net.IPAddress? Address, string Key);

    /// <summary>
    /// The answer's bytes up to and including <c>"x":</c> — what <see cref="LocateEndpoints"/> serialises, made once per
    /// snapshot and area; a point near the gemeente carries its own distance, so its answer is made each time.
    /// </summary>
    private static byte[] PrefixOf(BoundarySnapshot snapshot, AreaLocation r, JsonSerializerOptions json)
    {
        if (r.Kind == LocationKind.NearGemeente) return Make(snapshot, r, json);
        var prefixes = Cache.GetValue(snapshot, _ => new Prefixes());
        object? key = r.Kind == LocationKind.Inside ? r.Buurt : r.Municipality;
        lock (prefixes.Gate)
        {
            if (key is null) return prefixes.OutsideNowhere ??= Make(snapshot, r, json);
            if (prefixes.ByArea.TryGetValue(key, out var known)) return known;
            return prefixes.ByArea[key] = Make(snapshot, r, json);
        }
    }

    private static byte[] Make(BoundarySnapshot snapshot, AreaLocation r, JsonSerializerOptions json)
    {
        var whole = JsonSerializer.SerializeToUtf8Bytes(LocateEndpoints.ResponseOf(snapshot, r, 0, 0), json);
        // ends in "x":0,"y":0}: keep up to "x":
        var tail = "0,\"y\":0}"u8;
        if (!whole.AsSpan().EndsWith(tail)) throw new InvalidOperationException("The locate answer no longer ends in x and y.");
        return whole[..^tail.Length];
    }

    /// <summary>x and y, or lat and lon, as plain invariant numbers and nothing else; anything else goes the full way.</summary>
    internal static bool TryReadQuery(string? query, out double a, out double b, out bool wgs84)
    {
        a = b = 0;
        wgs84 = false;
        if (string.IsNullOrEmpty(query) || query[0] != '?') return false;
        var rest = query.AsSpan(1);
        double? x = null, y = null, lat = null, lon = null;
        while (rest.Length > 0)
        {
            var amp = rest.IndexOf('&');
            var pair = amp < 0 ? rest : rest[..amp];
            rest = amp < 0 ? [] : rest[(amp + 1)..];
            var eq = pair.IndexOf('=');
            if (eq <= 0) return false;
            var name = pair[..eq];
            var value = pair[(eq + 1)..];
            if (value.ContainsAny('%', '+') || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return false;
            switch (name)
            {
                case "x" when x is null: x = v; break;
                case "y" when y is null: y = v; break;
                case "lat" when lat is null: lat = v; break;
                case "lon" when lon is null: lon = v; break;
                default: return false;
            }
        }
        if (x is { } xv && y is { } yv && lat is null && lon is null) { (a, b) = (xv, yv); return true; }
        if (lat is { } la && lon is { } lo && x is null && y is null) { (a, b, wgs84) = (la, lo, true); return true; }
        return false;
    }
}
