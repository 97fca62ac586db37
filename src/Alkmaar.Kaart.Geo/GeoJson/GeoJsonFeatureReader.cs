using System.Text.Json;
using Alkmaar.Kaart.Geo.Transforms;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Alkmaar.Kaart.Geo.GeoJson;

/// <summary>A GeoJSON file that could not be read; the message says why in terms a user can act on.</summary>
public sealed class GeoJsonFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Features read from a GeoJSON FeatureCollection, geometries converted to RD New.</summary>
/// <param name="SourceCrs">The CRS the file was in (from its <c>crs</c> member, or detected).</param>
public sealed record RdFeatureCollection(KnownCrs SourceCrs, IReadOnlyList<IFeature> Features);

/// <summary>
/// Reads GeoJSON FeatureCollections in RD New or WGS84 and returns them in RD New.
/// </summary>
/// <remarks>
/// CRS contract: a legacy <c>crs</c> member naming EPSG:28992 or WGS84/CRS84 (any of the names
/// <see cref="CrsNames.Parse"/> accepts) is obeyed; a <c>crs</c> member naming anything else is rejected.
/// Without a <c>crs</c> member the file is RFC 7946 WGS84, unless its coordinates lie outside longitude/latitude
/// range and inside the RD grid, in which case it is read as RD (files written by tools that drop the member).
/// Coordinates that fit neither are rejected.
/// </remarks>
public static class GeoJsonFeatureReader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new GeoJsonConverterFactory(new GeometryFactory(new PrecisionModel(), 0)) },
    };

    public static RdFeatureCollection Read(Stream stream)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new GeoJsonFormatException($"The file is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection")
                throw new GeoJsonFormatException("The file is not a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\" is missing).");

            string? crsName = null;
            if (root.TryGetProperty("crs", out var crs) && crs.ValueKind == JsonValueKind.Object
                && crs.TryGetProperty("properties", out var props) && props.TryGetProperty("name", out var name))
                crsName = name.GetString();
            if (crsName is not null && CrsNames.Parse(crsName) is null)
                throw new GeoJsonFormatException(
                    $"Unknown CRS '{crsName}'. Supported: EPSG:28992 (RD New) and WGS84 (EPSG:4326 / CRS84).");

            FeatureCollection collection;
            try
            {
                collection = root.Deserialize<FeatureCollection>(Options)
                             ?? throw new GeoJsonFormatException("The FeatureCollection is empty.");
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
            {
                throw new GeoJsonFormatException($"The FeatureCollection could not be read: {e.Message}", e);
            }

            var features = collection.ToList();
            var sourceCrs = CrsNames.Parse(crsName) ?? Detect(features);
            CheckRange(features, sourceCrs, crsName is not null);
            foreach (var f in features)
            {
                if (f.Geometry is null) continue;
                f.Geometry = sourceCrs == KnownCrs.RdNew
                    ? RdNew.RdFactory.CreateGeometry(f.Geometry)
                    : RdNew.FromWgs84(f.Geometry);
            }
            return new RdFeatureCollection(sourceCrs, features);
        }
    }

    /// <summary>
    /// The coordinates must lie in the Netherlands in the CRS they are read in: WGS84 longitude 3.2–7.3, latitude 50.7–53.7;
    /// RD New x −7 000–300 000, y 289 000–629 000. Catches WGS84 degrees labelled as RD (every melding would then lie
    /// "buiten de gemeente") and latitude and longitude swapped.
    /// </summary>
    private static void CheckRange(IReadOnlyList<IFeature> features, KnownCrs crs, bool declared)
    {
        var env = new Envelope();
        foreach (var f in features)
            if (f.Geometry is { IsEmpty: false } g) env.ExpandToInclude(g.EnvelopeInternal);
        if (env.IsNull) return;
        var range = crs == KnownCrs.RdNew ? RdNew.ValidRange : RdNew.Wgs84ValidRange;
        if (range.Contains(env)) return;
        var name = crs == KnownCrs.RdNew ? "EPSG:28992 (RD New, metres)" : "WGS84 (longitude, latitude in degrees)";
        var swapped = crs == KnownCrs.Wgs84 && RdNew.Wgs84ValidRange.Contains(new Envelope(env.MinY, env.MaxY, env.MinX, env.MaxX));
        var degreesAsRd = crs == KnownCrs.RdNew && RdNew.Wgs84ValidRange.Contains(env);
        throw new GeoJsonFormatException(
            $"The coordinates ({env.MinX:0.###} {env.MinY:0.###} .. {env.MaxX:0.###} {env.MaxY:0.###}) do not lie in the Netherlands in " +
            $"{name}{(declared ? ", the CRS the file declares" : ", the CRS they were taken for")}." +
            (swapped ? " Latitude and longitude look swapped: GeoJSON puts longitude first." : "") +
            (degreesAsRd ? " They look like WGS84 degrees: declare urn:ogc:def:crs:OGC:1.3:CRS84 or leave out the crs member." : ""));
    }

    private static KnownCrs Detect(IReadOnlyList<IFeature> features)
    {
        var env = new Envelope();
        foreach (var f in features)
            if (f.Geometry is { IsEmpty: false } g) env.ExpandToInclude(g.EnvelopeInternal);
        if (env.IsNull) return KnownCrs.Wgs84;
        if (env.MinX >= -180 && env.MaxX <= 180 && env.MinY >= -90 && env.MaxY <= 90) return KnownCrs.Wgs84;
        if (RdNew.ValidRange.Contains(env)) return KnownCrs.RdNew;
        throw new GeoJsonFormatException(
            $"The file has no 'crs' member and its coordinates ({env.MinX:0.###} {env.MinY:0.###} .. {env.MaxX:0.###} {env.MaxY:0.###}) " +
            "are neither WGS84 longitude/latitude nor RD New metres.");
    }
}
