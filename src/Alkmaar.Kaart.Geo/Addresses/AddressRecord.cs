using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Addresses;

/// <summary>An address (BAG-style): nummeraanduiding id, postcode, huisnummer, toevoeging (huisletter + toevoeging), street, place, RD point.</summary>
public sealed record AddressRecord(string BagId, string Postcode, int Huisnummer, string Toevoeging, string Straat, string Woonplaats,
    double X, double Y, bool Demo);

/// <summary>A PC4 postcode area.</summary>
public sealed record Pc4Area(string Postcode, Geometry Geometry);
