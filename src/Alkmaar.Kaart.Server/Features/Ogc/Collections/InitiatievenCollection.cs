using System.Globalization;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>Bewonersinitiatieven without who changed them: a point or an area each. Id: the initiative's number.</summary>
public sealed class InitiatievenCollection() : SqlCollection("initiatieven", "Bewonersinitiatieven",
    "Bewonersinitiatieven: titel, beschrijving, thema, status (aangevraagd, toegekend, uitgevoerd, afgewezen), subsidie in euro, jaar, en de buurt, wijk en het gebied waarin ze liggen; een punt of een vlak. Geen persoonsgegevens; aanvragen van bewoners pas nadat het gebiedsteam ze heeft beoordeeld.",
    OgcKind.Initiatieven, "Geometry", ["status", "theme", "year", "gebiedCode"], "year",
    [
        new("title", "string", "Titel"), new("description", "string", "Beschrijving"), new("theme", "string", "Thema"), new("status", "string", "Status"),
        new("subsidy", "number", "Subsidie in euro"), new("year", "integer", "Jaar"), new("buurtCode", "string", "Buurt"), new("wijkCode", "string", "Wijk"),
        new("gebiedCode", "string", "Gebied"),
    ])
{
    public override IReadOnlyList<string> Statuses => Initiatieven.InitiatiefStore.Statuses;
    public override ItemsQuery WithStatus(ItemsQuery q, string status) => q with { Filters = new Dictionary<string, string>(q.Filters) { ["status"] = status } };
    public override (string From, string To) PeriodLabels => ("Vanaf (jaar)", "Tot en met (jaar)");

    protected override string Selection(ItemsQuery q, NpgsqlCommand cmd) =>
        "SELECT id, title, description, theme, status, subsidy_eur, year, buurt_code, wijk_code, gebied_code, geom FROM initiatief WHERE " +
        Initiatieven.InitiatiefStore.PublicCondition; // a resident's application only once the team accepted it

    protected override string Columns => "id, title, description, theme, status, subsidy_eur, year, buurt_code, wijk_code, gebied_code, geom";
    protected override string IdColumn => "id";
    protected override string OrderBy => "id";

    protected override IReadOnlyDictionary<string, string> FilterColumns { get; } = new Dictionary<string, string>
    {
        ["status"] = "status", ["theme"] = "theme", ["year"] = "year", ["gebiedCode"] = "gebied_code",
    };

    protected override string? TimeCondition(ItemsQuery q, NpgsqlCommand cmd) => YearCondition(q, cmd);

    protected override string? ParseId(string id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? id : null;

    protected override OgcFeature Read(NpgsqlDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new OgcFeature(r.GetInt64(0).ToString(CultureInfo.InvariantCulture), (NetTopologySuite.Geometries.Geometry)r.GetValue(10),
        [
            ("title", r.GetString(1)), ("description", r.GetString(2)), ("theme", r.GetString(3)), ("status", r.GetString(4)),
            ("subsidy", r.IsDBNull(5) ? null : (double)r.GetDecimal(5)), ("year", r.GetInt32(6)),
            ("buurtCode", S(7)), ("wijkCode", S(8)), ("gebiedCode", r.GetString(9)),
        ]);
    }

    protected override string ExtentSql =>
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), make_timestamptz(y0, 1, 1, 0, 0, 0, 'UTC'), make_timestamptz(y1, 12, 31, 23, 59, 59, 'UTC') " +
        "FROM (SELECT ST_Extent(geom) e, min(year) y0, max(year) y1 FROM initiatief) s";
}
