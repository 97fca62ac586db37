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
