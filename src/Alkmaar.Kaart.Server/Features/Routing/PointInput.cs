using Alkmaar.Kaart.Geo.Transforms;

namespace Alkmaar.Kaart.Server.Features.Routing;

/// <summary>Checks a point given as RD New x/y or WGS84 lat/lon and brings it to RD New; shared by every routing input.</summary>
public static class PointInput
{
    /// <summary>
    /// RD x/y must lie in the RD grid, lat/lon in the Netherlands' box (<see cref="RdNew.ValidRange"/>,
    /// <see cref="RdNew.Wgs84ValidRange"/>), both finite. Returns null and the RD point, or a short Dutch reason
    /// (<see cref="Ranges"/> says the accepted ranges).
    /// </summary>
    public static string? ToRd(double a, double b, bool wgs84, out double x, out double y)
    {
        x = y = 0;
        if (wgs84)
        {
            var (lat, lon) = (a, b);
            if (!double.IsFinite(lat) || !double.IsFinite(lon) || !RdNew.Wgs84ValidRange.Contains(lon, lat))
                return "lat/lon ligt buiten Nederland";
            (x, y) = RdNew.FromWgs84(lon, lat);
            return null;
        }
        if (!double.IsFinite(a) || !double.IsFinite(b) || !RdNew.ValidRange.Contains(a, b))
            return "x/y ligt buiten het RD New-bereik";
        (x, y) = (a, b);
        return null;
    }

    /// <summary>The accepted ranges, for error details.</summary>
    public static string Ranges(bool wgs84) => wgs84
        ? $"lat ligt tussen {RdNew.Wgs84ValidRange.MinY} en {RdNew.Wgs84ValidRange.MaxY}, lon tussen {RdNew.Wgs84ValidRange.MinX} en {RdNew.Wgs84ValidRange.MaxX}."
        : $"RD x ligt tussen {RdNew.ValidRange.MinX} en {RdNew.ValidRange.MaxX}, y tussen {RdNew.ValidRange.MinY} en {RdNew.ValidRange.MaxY}.";
}
