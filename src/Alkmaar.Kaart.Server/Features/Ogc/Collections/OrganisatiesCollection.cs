using System.Globalization;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>Bewonersorganisaties (issue 33): organisations with their own public contact, never persons. Id: the register's number.</summary>
public sealed class OrganisatiesCollection() : SqlCollection("bewonersorganisaties", "Bewonersorganisaties",
    "Wijkraden, dorpsraden, buurthuizen, bewonersondernemingen en wijkposten: soort, naam, adres, openingstijden, het eigen contact van de organisatie, en de buurt, wijk en het gebied waarin ze zitten; een punt. Geen persoonsgegevens.",
    OgcKind.Organisaties, "Point", ["soort", "gebiedCode"], "geen: het register kent geen tijd",
    [
        new("soort", "string", "Soort"), new("naam", "string", "Naam"), new("adres", "string", "Adres"), new("openingstijden", "string", "Openingstijden"),
        new("telefoon", "string", "Telefoon"), new("email", "string", "E-mailadres van de organisatie"), new("website", "string", "Website"),
        new("buurtCode", "string", "Buurt"), new("wijkCode", "string", "Wijk"), new("gebiedCode", "string", "Gebied"),
    ])
{
    private const string Cols = "id, soort, naam, adres, openingstijden, telefoon, email, website, buurt_code, wijk_code, gebied_code, geom";

    protected override string Selection(ItemsQuery q, NpgsqlCommand cmd) => $"SELECT {Cols} FROM bewonersorganisatie WHERE true";
    protected override string Columns => Cols;
    protected override string IdColumn => "id";
    protected override string OrderBy => "id";

    protected override IReadOnlyDictionary<string, string> FilterColumns { get; } = new Dictionary<string, string>
    {
        ["soort"] = "soort", ["gebiedCode"] = "gebied_code",
    };

    protected override string? ParseId(string id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? id : null;

    protected override OgcFeature Read(NpgsqlDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new OgcFeature(r.GetInt64(0).ToString(CultureInfo.InvariantCulture), (NetTopologySuite.Geometries.Geometry)r.GetValue(11),
        [
            ("soort", r.GetString(1)), ("naam", r.GetString(2)), ("adres", S(3)), ("openingstijden", S(4)), ("telefoon", S(5)), ("email", S(6)),
            ("website", S(7)), ("buurtCode", S(8)), ("wijkCode", S(9)), ("gebiedCode", r.GetString(10)),
        ]);
    }

    protected override string ExtentSql => "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), NULL::timestamptz, NULL::timestamptz FROM (SELECT ST_Extent(geom) e FROM bewonersorganisatie) s";
}
