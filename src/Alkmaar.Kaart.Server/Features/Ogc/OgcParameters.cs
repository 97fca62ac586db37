using System.Globalization;
using Alkmaar.Kaart.Geo.Cql2;
using Alkmaar.Kaart.Geo.Transforms;
using Microsoft.Extensions.Primitives;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>
/// The one place where the query parameters of OGC API items turn into a typed request (pg_featureserv's <c>param.go</c>
/// is the model): <c>bbox</c>, <c>bbox-crs</c>, <c>crs</c>, <c>limit</c>, <c>offset</c>, <c>datetime</c>, the collection's
/// own property filters and CQL2 <c>filter</c> with <c>filter-lang</c>/<c>filter-crs</c>. A refused parameter throws a
/// <see cref="RejectedException"/> naming it (answered as a 400 problem). The exports (<c>Features/Export</c>) parse their
/// own, smaller set with the same rules for CRS and days.
/// </summary>
public static class OgcParameters
{
    /// <summary>The parameters every items request may carry (besides the collection's own).</summary>
    public static readonly string[] Items = ["bbox", "bbox-crs", "crs", "limit", "offset", "datetime", "f", "filter", "filter-lang", "filter-crs"];

    /// <summary>The name of the geometry in CQL2 filters.</summary>
    public const string GeometryQueryable = "geometry";

    private static RejectedException Bad(string title, string detail, string parameter) => new(title, detail, parameter);

    /// <summary>The items request of collection <paramref name="c"/>, and the CRS of the answer.</summary>
    public static (ItemsQuery Query, KnownCrs Crs) ParseItems(IQueryCollection q, OgcCollection c, OgcOptions o, Meldingen.DisclosureControl release)
    {
        if (q.Keys.FirstOrDefault(k => !Items.Contains(k) && !c.Parameters.Contains(k)) is { } unknown)
            throw Bad("Onbekende parameter", $"Onbekende parameter '{unknown}'. Toegestaan: {string.Join(", ", Items.Concat(c.Parameters))}.", unknown);
        if (q.Keys.FirstOrDefault(k => q[k].Count > 1) is { } repeated)
            throw Bad("Parameter dubbel", $"De parameter '{repeated}' is meer dan één keer gegeven.", repeated);

        var crs = Crs(q["crs"], "crs");
        var bboxCrs = Crs(q["bbox-crs"], "bbox-crs");
        var limit = o.DefaultLimit;
        if (q.ContainsKey("limit") && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > o.MaxLimit))
            throw Bad("Ongeldige limit", $"limit is een geheel getal van 1 tot {o.MaxLimit} (het ingestelde maximum; standaard {o.DefaultLimit}).", "limit");
        var offset = 0;
        if (q.ContainsKey("offset") && (!int.TryParse(q["offset"], NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
            throw Bad("Ongeldige offset", "offset is een geheel getal van 0 of meer.", "offset");
        Geometry? bbox = null;
        if (q.ContainsKey("bbox") && !TryBbox(q["bbox"]!, bboxCrs, out bbox, out var bboxError))
            throw Bad("Ongeldige bbox", bboxError!, "bbox");
        if (q.ContainsKey("bbox-crs") && !q.ContainsKey("bbox"))
            throw Bad("bbox-crs zonder bbox", "bbox-crs geldt alleen samen met bbox.", "bbox-crs");
        DateTimeOffset? from = null, to = null;
        if (q.ContainsKey("datetime") && !TryDatetime(q["datetime"]!, out from, out to))
            throw Bad("Ongeldige datetime",
                "datetime is een RFC 3339-tijdstip (2024-06-01T00:00:00Z), of een periode begin/eind waarvan één kant '..' mag zijn.", "datetime");
        var filters = c.Parameters.Where(q.ContainsKey).ToDictionary(k => k, k => q[k].ToString());
        Cql2Expression? cql = null;
        if (q.ContainsKey("filter-lang") && q["filter-lang"] != "cql2-text")
            throw Bad("Onbekende filtertaal", "filter-lang: alleen cql2-text wordt ondersteund.", "filter-lang");
        var filterCrs = Crs(q["filter-crs"], "filter-crs");
        if ((q.ContainsKey("filter-lang") || q.ContainsKey("filter-crs")) && !q.ContainsKey("filter"))
            throw Bad("Geen filter", "filter-lang en filter-crs gelden alleen samen met filter.", "filter");
        if (q.ContainsKey("filter"))
        {
            try { cql = ParseFilter(c, q["filter"]!, filterCrs); }
            catch (Cql2Exception e) { throw Bad("Ongeldig filter", e.Message, "filter"); }
        }
        // meldingen and hotspots: the release rule's whole days (or a 400)
        if (c.UnderReleaseRule && q.ContainsKey("datetime")) (from, to) = release.Period(from, to, "datetime");
        return (new ItemsQuery(bbox, q.ContainsKey("datetime"), from, to, filters, limit, offset) { Filter = cql }, crs);
    }

    /// <summary>Part 2: exactly the URIs of CRS84 and RD New (also as a [EPSG:28992]-style safe CURIE); absent = CRS84.</summary>
    public static KnownCrs Crs(StringValues value, string parameter)
    {
        var s = value.Count == 0 ? CrsNames.Crs84Uri : value.ToString().Trim();
        return s switch
        {
            CrsNames.Crs84Uri or "[OGC:CRS84]" => KnownCrs.Wgs84,
            CrsNames.RdUri or "[EPSG:28992]" => KnownCrs.RdNew,
            _ => throw Bad("Onbekend coördinatenstelsel",
                $"{parameter} '{value}' wordt niet ondersteund. Gebruik {CrsNames.Crs84Uri} (standaard) of {CrsNames.RdUri}.", parameter),
        };
    }

    private static Cql2Expression ParseFilter(OgcCollection c, string text, KnownCrs crs) =>
        Cql2Text.Parse(text, c.Queryables.Select(q => q.Name).Append(GeometryQueryable).ToHashSet(), GeometryQueryable,
            g => crs == KnownCrs.RdNew ? RdNew.RdFactory.CreateGeometry(g) : RdNew.FromWgs84(g));

    /// <summary>A feature as a CQL2 filter sees it.</summary>
    public sealed class Cql2View(OgcFeature f) : ICql2Feature
    {
        public object? Property(string name)
        {
            foreach (var (n, v) in f.Properties) if (n == name) return v;
            return null;
        }

        public Geometry? Geometry => f.Geometry;
    }

    /// <summary>bbox as minx,miny,maxx,maxy (or with heights, 6 numbers) in <paramref name="crs"/>, as an RD polygon.</summary>
    private static bool TryBbox(string s, KnownCrs crs, out Geometry? bbox, out string? error)
    {
        bbox = null;
        error = null;
        var parts = s.Split(',');
        var n = new double[parts.Length];
        if (parts.Length is not (4 or 6) || parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out n[i]) && double.IsFinite(n[i])).Any(ok => !ok))
        {
            error = "bbox is vier getallen minx,miny,maxx,maxy (of zes met hoogtes), gescheiden door komma's.";
            return false;
        }
        var (minX, minY, maxX, maxY) = parts.Length == 4 ? (n[0], n[1], n[2], n[3]) : (n[0], n[1], n[3], n[4]);
        if (minX > maxX || minY > maxY)
        {
            error = "bbox: de onderhoek komt eerst (minx <= maxx, miny <= maxy); een vak over de datumgrens kan niet.";
            return false;
        }
        if (crs == KnownCrs.Wgs84)
        {
            if (minX < -180 || maxX > 180 || minY < -90 || maxY > 90)
            {
                error = "bbox in CRS84 is lengtegraad -180..180, breedtegraad -90..90.";
                return false;
            }
            // clip to where RD New is defined, then transform a densified ring so curved edges are followed
            var v = RdNew.Wgs84ValidRange;
            (minX, minY, maxX, maxY) = (Math.Max(minX, v.MinX), Math.Max(minY, v.MinY), Math.Min(maxX, v.MaxX), Math.Min(maxY, v.MaxY));
            if (minX > maxX || minY > maxY)
            {
                bbox = RdNew.RdFactory.CreatePoint(new Coordinate(-1e9, -1e9)); // nowhere near the Netherlands: matches nothing
                return true;
            }
            var ring = new List<Coordinate>();
            const int steps = 8;
            for (var i = 0; i < steps; i++) ring.Add(Rd(minX + (maxX - minX) * i / steps, minY));
            for (var i = 0; i < steps; i++) ring.Add(Rd(maxX, minY + (maxY - minY) * i / steps));
            for (var i = 0; i < steps; i++) ring.Add(Rd(maxX - (maxX - minX) * i / steps, maxY));
            for (var i = 0; i < steps; i++) ring.Add(Rd(minX, maxY - (maxY - minY) * i / steps));
            ring.Add(ring[0]);
            bbox = RdNew.RdFactory.CreatePolygon(ring.ToArray());
            return true;
        }
        bbox = RdNew.RdFactory.ToGeometry(new Envelope(minX, maxX, minY, maxY));
        return true;
    }

    private static Coordinate Rd(double lon, double lat)
    {
        var (x, y) = RdNew.FromWgs84(lon, lat);
        return new Coordinate(x, y);
    }

    /// <summary>RFC 3339 instant (or a date) or interval "a/b" with ".." or empty for an open end.</summary>
    private static bool TryDatetime(string s, out DateTimeOffset? from, out DateTimeOffset? to)
    {
        from = to = null;
        var parts = s.Split('/');
        if (parts.Length > 2) return false;
        if (parts.Length == 1)
        {
            if (!TryInstant(parts[0], out var t) || t is null) return false;
            from = to = t;
            return true;
        }
        if (!TryInstant(parts[0], out from) || !TryInstant(parts[1], out to)) return false;
        return from is null || to is null || from <= to;
    }

    private static bool TryInstant(string s, out DateTimeOffset? value)
    {
        value = null;
        if (s is ".." or "") return true;
        if (DateTimeOffset.TryParseExact(s, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            || DateTimeOffset.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out t))
        {
            value = t;
            return true;
        }
        return false;
    }
}
