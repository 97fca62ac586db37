using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>
/// Monitor scores on their area's geometry (in force now): one feature per monitor, indicator, area and year. Id:
/// <c>monitor.indicator.area.year</c> in lower case with dashes.
/// </summary>
public sealed class MonitorScoresCollection() : SqlCollection("monitorscores", "Monitorscores",
    "Scores van de monitors (Veiligheidsmonitor, Leefbaarheid) per gebied en jaar, op de geometrie van het gebied: één feature per monitor, indicator, gebied en jaar. demo = true voor gegenereerde DEMO-scores (geen enquêteresultaten).",
    OgcKind.Monitor, "MultiPolygon", ["monitor", "indicator", "areaCode", "year"], "year",
    [
        new("monitor", "string", "Monitor"), new("indicator", "string", "Indicator"), new("areaCode", "string", "Gebiedscode"), new("areaName", "string", "Gebied"),
        new("level", "string", "Niveau"), new("year", "integer", "Jaar"), new("value", "number", "Score"), new("unit", "string", "Eenheid"),
        new("respondents", "integer", "Respondenten"), new("higherIsBetter", "boolean", "Hoger is beter"), new("demo", "boolean", "DEMO-score"),
    ])
{
    public override (string From, string To) PeriodLabels => ("Vanaf (jaar)", "Tot en met (jaar)");

    protected override string Selection(ItemsQuery q, NpgsqlCommand cmd) =>
        """
        SELECT lower(regexp_replace(m.monitor || '.' || m.indicator, '[^A-Za-z0-9.]+', '-', 'g')) || '.' || m.area_code || '.' || m.year AS fid,
               m.monitor, m.indicator, m.area_code, a.name AS area_name, a.level AS area_level, m.year, m.value, m.unit, m.respondents,
               m.higher_is_better, m.demo, a.geom
        FROM monitor_score m
        JOIN LATERAL (SELECT name, level, geom FROM area_in_force WHERE code = m.area_code ORDER BY level = 'dorp' LIMIT 1) a ON true
        """;

    protected override string Columns => "fid, monitor, indicator, area_code, area_name, area_level, year, value, unit, respondents, higher_is_better, demo, geom";
    protected override string IdColumn => "fid";
    protected override string OrderBy => "fid";

    protected override IReadOnlyDictionary<string, string> FilterColumns { get; } = new Dictionary<string, string>
    {
        ["monitor"] = "monitor", ["indicator"] = "indicator", ["areaCode"] = "area_code", ["year"] = "year",
    };

    protected override string? TimeCondition(ItemsQuery q, NpgsqlCommand cmd) => YearCondition(q, cmd);

    // a score is inside an area when its area's point on surface is
    protected override string WithinCondition => "ST_Covers(@within, ST_PointOnSurface(geom))";

    protected override OgcFeature Read(NpgsqlDataReader r) => new(r.GetString(0), (NetTopologySuite.Geometries.Geometry)r.GetValue(12),
    [
        ("monitor", r.GetString(1)), ("indicator", r.GetString(2)), ("areaCode", r.GetString(3)), ("areaName", r.GetString(4)),
        ("level", r.GetString(5)), ("year", r.GetInt32(6)), ("value", r.GetDouble(7)), ("unit", r.GetString(8)),
        ("respondents", r.IsDBNull(9) ? null : r.GetInt32(9)), ("higherIsBetter", r.GetBoolean(10)), ("demo", r.GetBoolean(11)),
    ]);

    protected override string ExtentSql =>
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), make_timestamptz(y0, 1, 1, 0, 0, 0, 'UTC'), make_timestamptz(y1, 12, 31, 23, 59, 59, 'UTC') " +
        "FROM (SELECT ST_Extent(a.geom) e, min(m.year) y0, max(m.year) y1 FROM monitor_score m JOIN area_in_force a ON a.code = m.area_code) s";
}
