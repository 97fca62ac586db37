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
            throw new GeoJsonFormatException($"Het bestand is geen geldige JSON: {e.Message}", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection")
                throw new GeoJsonFormatException("Het bestand is geen GeoJSON FeatureCollection (\"type\": \"FeatureCollection\" ontbreekt).");

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
                             ?? throw new GeoJsonFormatException("De FeatureCollection is leeg.");
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
            {
                throw new GeoJsonFormatException($"De FeatureCollection kon niet gelezen worden: {e.Message}", e);
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
        var name = crs == KnownCrs.RdNew ? "EPSG:28992 (RD New, meters)" : "WGS84 (lengte- en breedtegraad in graden)";
        var swapped = crs == KnownCrs.Wgs84 && RdNew.Wgs84ValidRange.Contains(new Envelope(env.MinY, env.MaxY, env.MinX, env.MaxX));
        var degreesAsRd = crs == KnownCrs.RdNew && RdNew.Wgs84ValidRange.Contains(env);
        throw new GeoJsonFormatException(
            $"De coördinaten ({env.MinX:0.###} {env.MinY:0.###} .. {env.MaxX:0.###} {env.MaxY:0.###}) liggen niet in Nederland in " +
            $"{name}{(declared ? ", het stelsel dat het bestand opgeeft" : ", het stelsel waarvoor ze zijn aangezien")}." +
            (swapped ? " Breedte- en lengtegraad lijken verwisseld: GeoJSON zet de lengtegraad eerst." : "") +
            (degreesAsRd ? " Ze lijken op WGS84-graden: geef urn:ogc:def:crs:OGC:1.3:CRS84 op of laat het crs-lid weg." : ""));
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
            $"Het bestand heeft geen 'crs'-lid en de coördinaten ({env.MinX:0.###} {env.MinY:0.###} .. {env.MaxX:0.###} {env.MaxY:0.###}) " +
            "zijn geen WGS84-lengte/breedte en geen RD New-meters.");
    }
}
