using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Geo.GeoJson;

/// <summary>
/// Reads CBS buurten from GeoJSON as published by CBS/PDOK ("Wijk- en buurtkaart"): the code from
/// <c>statcode</c> or <c>buurtcode</c>, the name from <c>statnaam</c> or <c>buurtnaam</c>; RD or WGS84.
/// </summary>
public static class BuurtFileReader
{
    private static readonly string[] CodeProperties = ["statcode", "buurtcode", "code"];
    private static readonly string[] NameProperties = ["statnaam", "buurtnaam", "naam", "name"];

    public static (IReadOnlyList<BuurtInput> Buurten, RdFeatureCollection Source) Read(Stream stream)
    {
        var collection = GeoJsonFeatureReader.Read(stream);
        var buurten = new List<BuurtInput>();
        var index = 0;
        foreach (var f in collection.Features)
        {
            index++;
            var code = First(f.Attributes, CodeProperties)
                       ?? throw new GeoJsonFormatException($"Feature {index} heeft geen buurtcode (statcode of buurtcode).");
            var name = First(f.Attributes, NameProperties) ?? code;
            if (f.Geometry is null)
                throw new GeoJsonFormatException($"Feature {index} ({code}) heeft geen geometrie.");
            buurten.Add(new BuurtInput(code.Trim(), name, f.Geometry));
        }
        return (buurten, collection);
    }

    /// <summary>The first of the named attributes that has a non-empty string value.</summary>
    public static string? First(IAttributesTable? attributes, IEnumerable<string> names)
    {
        if (attributes is null) return null;
        foreach (var n in names)
            if (attributes.Exists(n) && attributes[n]?.ToString() is { Length: > 0 } v) return v;
        return null;
    }
}
