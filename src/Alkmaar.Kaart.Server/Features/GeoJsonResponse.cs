using System.Reflection;
using Alkmaar.Kaart.Geo.Transforms;

namespace Alkmaar.Kaart.Server.Features;

/// <summary>
/// The <c>crs</c> query parameter of the API (<c>EPSG:4326</c>, <c>EPSG:28992</c> and their URIs; absent: WGS84), bound by
/// minimal APIs. A value that is not one of them is a <see cref="RejectedException"/>: a 400 problem naming the parameter.
/// (OGC API Features takes its CRS URIs in its own endpoints, as Part 2 prescribes.)
/// </summary>
public readonly record struct CrsParameter(KnownCrs Value)
{
    public static ValueTask<CrsParameter> BindAsync(HttpContext http, ParameterInfo parameter)
    {
        var name = parameter.Name ?? "crs";
        var raw = http.Request.Query[name].ToString();
        if (raw.Length == 0) return ValueTask.FromResult(new CrsParameter(KnownCrs.Wgs84));
        return CrsNames.Parse(raw) is { } crs
            ? ValueTask.FromResult(new CrsParameter(crs))
            : throw new RejectedException("Onbekend coördinatenstelsel",
                $"{name} '{raw}' wordt niet ondersteund. Kies EPSG:4326 (WGS84, standaard) of EPSG:28992 (RD New).", name);
    }
}

/// <summary>Starting a GeoJSON answer: its content type and the <c>Content-Crs</c> header, in one place.</summary>
public static class GeoJsonResponse
{
    public const string ContentType = "application/geo+json";

    /// <summary>The <c>Content-Crs</c> value of <paramref name="crs"/>: its OGC URI in angle brackets.</summary>
    public static string ContentCrs(KnownCrs crs) => $"<{(crs == KnownCrs.RdNew ? CrsNames.RdUri : CrsNames.Crs84Uri)}>";

    public static void Start(HttpResponse response, KnownCrs crs)
    {
        response.ContentType = ContentType;
        response.Headers["Content-Crs"] = ContentCrs(crs);
    }
}
