using Alkmaar.Kaart.Geo.Areas;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>
/// An area level (gebieden, wijken, buurten, dorpen) from <c>area</c>: one feature per code, the version in force now, or
/// with <c>datetime</c> the latest version in force during it. Id: the CBS (or gebied) code.
/// </summary>
public sealed class AreaCollection(string id, string title, string description, AreaLevel level, IReadOnlyList<string> parameters)
    : SqlCollection(id, title, description, OgcKind.Areas, "MultiPolygon", parameters, "validFrom", AreaQueryables)
{
    private static readonly OgcQueryable[] AreaQueryables =
    [
        new("code", "string", "CBS-code (of gebiedscode)"), new("name", "string", "Naam"), new("level", "string", "Niveau"),
        new("parentCode", "string", "Code van het bovenliggende gebied"), new("validFrom", "string", "Geldig vanaf", "date"),
        new("validTo", "string", "Geldig tot", "date"), new("areaKm2", "number", "Oppervlakte in km²"),
    ];

    public AreaLevel Level { get; } = level;
    public override bool ChangesWithBoundariesOnly => true;

    protected override string Selection(ItemsQuery q, NpgsqlCommand cmd)
    {
        cmd.Parameters.Add(new NpgsqlParameter("level", NpgsqlDbType.Text) { Value = Level.Name() });
        if (!q.HasTime)
            return "SELECT code, name, parent_code, valid_from, valid_to, geom FROM area_in_force WHERE level = @level";
        cmd.Parameters.Add(new NpgsqlParameter("t0", NpgsqlDbType.Date) { Value = q.From is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("t1", NpgsqlDbType.Date) { Value = q.To is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : DBNull.Value });
        return """
               SELECT DISTINCT ON (code) code, name, parent_code, valid_from, valid_to, geom FROM area
               WHERE level = @level AND valid_from <= coalesce(@t1, 'infinity'::date) AND (valid_to IS NULL OR valid_to > coalesce(@t0, '-infinity'::date))
               ORDER BY code, valid_from DESC
               """;
    }

    protected override string Columns => "code, name, parent_code, valid_from, valid_to, ST_Area(geom), geom";
    protected override string IdColumn => "code";
    protected override string OrderBy => "code";

    protected override IReadOnlyDictionary<string, string> FilterColumns { get; } =
        new Dictionary<string, string> { ["code"] = "code", ["name"] = "name", ["parentCode"] = "parent_code" };

    // an area "inside" another shares interior with it (a neighbour that only touches is not inside)
    protected override string WithinCondition => "ST_Relate(geom, @within, 'T********')";

    protected override OgcFeature Read(NpgsqlDataReader r) => new(r.GetString(0), (NetTopologySuite.Geometries.Geometry)r.GetValue(6),
    [
        ("code", r.GetString(0)), ("name", r.GetString(1)), ("level", Level.Name()),
        ("parentCode", r.IsDBNull(2) ? null : r.GetString(2)),
        ("validFrom", r.GetFieldValue<DateOnly>(3).ToString("yyyy-MM-dd")),
        ("validTo", r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4).ToString("yyyy-MM-dd")),
        ("areaKm2", Math.Round(r.GetDouble(5) / 1e6, 4)),
    ]);

    protected override string ExtentSql =>
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), (SELECT min(valid_from)::timestamptz FROM area WHERE level = @level), NULL::timestamptz " +
        "FROM (SELECT ST_Extent(geom) e FROM area_in_force WHERE level = @level) s";

    protected override void AddExtentParameters(NpgsqlCommand cmd) => cmd.Parameters.Add(new NpgsqlParameter("level", NpgsqlDbType.Text) { Value = Level.Name() });
}
