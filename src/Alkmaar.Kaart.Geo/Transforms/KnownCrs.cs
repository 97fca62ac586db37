namespace Alkmaar.Kaart.Geo.Transforms;

/// <summary>The coordinate reference systems the product reads and writes.</summary>
public enum KnownCrs
{
    /// <summary>RD New, EPSG:28992, x/y in metres. The working CRS.</summary>
    RdNew,
    /// <summary>WGS84 longitude/latitude (CRS84 axis order), as in RFC 7946 GeoJSON.</summary>
    Wgs84,
}

/// <summary>Parses and names CRS identifiers as they appear in APIs, OGC URIs and GeoJSON <c>crs</c> members.</summary>
public static class CrsNames
{
    public const string Crs84Uri = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    public const string RdUri = "http://www.opengis.net/def/crs/EPSG/0/28992";
    public const string RdUrn = "urn:ogc:def:crs:EPSG::28992";
    public const string Crs84Urn = "urn:ogc:def:crs:OGC:1.3:CRS84";

    /// <summary>
    /// Parses a CRS identifier: <c>EPSG:28992</c>, its OGC URI or URN for RD; <c>EPSG:4326</c>, <c>CRS84</c>
    /// and their URIs or URNs for WGS84 (always read as longitude, latitude). Returns null for anything else.
    /// </summary>
    public static KnownCrs? Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var n = name.Trim().ToUpperInvariant();
        return n switch
        {
            "EPSG:28992" or "URN:OGC:DEF:CRS:EPSG::28992" or "URN:OGC:DEF:CRS:EPSG:0:28992"
                or "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/28992" or "HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/28992" => KnownCrs.RdNew,
            "EPSG:4326" or "CRS84" or "OGC:CRS84" or "URN:OGC:DEF:CRS:OGC:1.3:CRS84" or "URN:OGC:DEF:CRS:OGC::CRS84"
                or "URN:OGC:DEF:CRS:EPSG::4326" or "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84"
                or "HTTPS://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84" or "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/4326" => KnownCrs.Wgs84,
            _ => null,
        };
    }

    /// <summary>The short name used in our API: EPSG:28992 or EPSG:4326.</summary>
    public static string ShortName(KnownCrs crs) => crs == KnownCrs.RdNew ? "EPSG:28992" : "EPSG:4326";

    /// <summary>The SRID of a CRS.</summary>
    public static int Srid(KnownCrs crs) => crs == KnownCrs.RdNew ? RdNew.Srid : RdNew.Wgs84Srid;
}
