using System.Runtime.CompilerServices;
using System.Text;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Meldingen;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>What kind of features a collection holds (for the pages and exports that offer kind-specific filters).</summary>
public enum OgcKind { Areas, Cells, Initiatieven, Monitor, Hotspots, Organisaties }

/// <summary>A feature as a collection gives it: id, geometry in RD New, properties in order.</summary>
public sealed record OgcFeature(string Id, Geometry Geometry, IReadOnlyList<(string Name, object? Value)> Properties);

/// <summary>A queryable property: its name, JSON type (string, integer, number, boolean), a title, and a format (date).</summary>
public sealed record OgcQueryable(string Name, string Type, string Title, string? Format = null);

/// <summary>What an items request asks: bbox as an RD polygon, a time interval (open ends null), equality filters, a page.</summary>
public sealed record ItemsQuery(Geometry? Bbox, bool HasTime, DateTimeOffset? From, DateTimeOffset? To,
    IReadOnlyDictionary<string, string> Filters, int Limit, int Offset)
{
    /// <summary>Only features inside this area (RD): areas whose interior meets it, cells whose centre it covers.</summary>
    public Geometry? Within { get; init; }

    /// <summary>Meldingen only: count only meldingen with this status.</summary>
    public string? Status { get; init; }

    /// <summary>A CQL2 filter (Part 3), evaluated on the features the rest of the query selects.</summary>
    public Alkmaar.Kaart.Geo.Cql2.Cql2Expression? Filter { get; init; }

    public static ItemsQuery All => new(null, false, null, null, new Dictionary<string, string>(), int.MaxValue, 0);
}

/// <summary>The RD extent and time span of a collection (null members when empty or unknown).</summary>
public sealed record OgcExtent(Envelope? Rd, DateTimeOffset? Start, DateTimeOffset? End)
{
    public static readonly OgcExtent Empty = new(null, null, null);
}

/// <summary>Where collections read from.</summary>
public sealed record OgcSources(NpgsqlDataSource Db, MeldingCells Cells, HotspotService Hotspots);

/// <summary>
/// A collection served under /ogc and as an export layer: its description, its parameters and queryables, and how its
/// features are read. One subclass per kind of collection (<see cref="OgcCollections"/> lists them); the endpoints, the
/// OpenAPI document, the queryables, CQL2 filtering and the exports take everything from here.
/// </summary>
public abstract class OgcCollection(string id, string title, string description, OgcKind kind, string geometryType,
    IReadOnlyList<string> parameters, string timeProperty, IReadOnlyList<OgcQueryable> queryables)
{
    public string Id { get; } = id;
    public string Title { get; } = title;
    public string Description { get; } = description;
    public OgcKind Kind { get; } = kind;
    public string GeometryType { get; } = geometryType;

    /// <summary>Equality filters taken as query parameters (e.g. <c>?status=toegekend</c>).</summary>
    public IReadOnlyList<string> Parameters { get; } = parameters;

    /// <summary>What <c>datetime</c> selects on.</summary>
    public string TimeProperty { get; } = timeProperty;

    /// <summary>The properties a CQL2 filter may use (Part 3), published at <c>/collections/{id}/queryables</c>.</summary>
    public IReadOnlyList<OgcQueryable> Queryables { get; } = queryables;

    /// <summary>True when the answers change only with the boundaries (cached per boundary state).</summary>
    public virtual bool ChangesWithBoundariesOnly => false;

    // What the export page and the export parameters offer for this collection (issue 28: one place, not a switch on the
    // kind in each of them).
    /// <summary>Numbers about meldingen: the release rule applies (whole days up to yesterday, at least the minimum period).</summary>
    public virtual bool UnderReleaseRule => false;

    /// <summary>A meldingen category narrows it.</summary>
    public virtual bool FiltersByCategory => false;

    /// <summary>The statuses it can be narrowed to (none: no status filter).</summary>
    public virtual IReadOnlyList<string> Statuses => [];

    /// <summary>The query narrowed to <paramref name="status"/> (one of <see cref="Statuses"/>).</summary>
    public virtual ItemsQuery WithStatus(ItemsQuery q, string status) => q;

    /// <summary>How the export page names the begin and end of its period.</summary>
    public virtual (string From, string To) PeriodLabels => ("Geldig vanaf", "Geldig tot en met");

    /// <summary>How many features match (not one page); null where counting would cost a scan (OGC makes it optional).</summary>
    public abstract Task<long?> CountAsync(OgcSources s, ItemsQuery q, CancellationToken ct);

    /// <summary>One page of features in a stable order, streamed.</summary>
    public abstract IAsyncEnumerable<OgcFeature> ItemsAsync(OgcSources s, ItemsQuery q, CancellationToken ct);

    /// <summary>One feature by id, or null.</summary>
    public abstract Task<OgcFeature?> GetAsync(OgcSources s, string id, CancellationToken ct);

    public abstract Task<OgcExtent> ExtentAsync(OgcSources s, CancellationToken ct);
}

/// <summary>
/// A collection read with one SQL selection: the subclass gives the selection (a query with named columns), the columns to
/// read and how to read a row, the id and order columns, and its filters by name (each bound as a named parameter).
/// </summary>
public abstract class SqlCollection(string id, string title, string description, OgcKind kind, string geometryType,
    IReadOnlyList<string> parameters, string timeProperty, IReadOnlyList<OgcQueryable> queryables)
    : OgcCollection(id, title, description, kind, geometryType, parameters, timeProperty, queryables)
{
    /// <summary>The selection, as SQL with named parameters it adds to <paramref name="cmd"/> (it may use the query's time).</summary>
    protected abstract string Selection(ItemsQuery q, NpgsqlCommand cmd);

    protected abstract string Columns { get; }
    protected abstract string IdColumn { get; }
    protected abstract string OrderBy { get; }

    /// <summary>Parameter name → SQL expression compared (as text) with the parameter's value.</summary>
    protected abstract IReadOnlyDictionary<string, string> FilterColumns { get; }

    /// <summary>The condition of <c>datetime</c> for selections that do not use it themselves, or null.</summary>
    protected virtual string? TimeCondition(ItemsQuery q, NpgsqlCommand cmd) => null;

    /// <summary>The condition for a feature inside <c>@within</c>.</summary>
    protected virtual string WithinCondition => "ST_Intersects(geom, @within)";

    /// <summary>A feature id as this collection spells it, or null when it cannot be one.</summary>
    protected virtual string? ParseId(string id) => id;

    protected abstract OgcFeature Read(NpgsqlDataReader r);

    private NpgsqlCommand Command(OgcSources s, ItemsQuery q, string columns, string? id)
    {
        var cmd = s.Db.CreateCommand();
        var sql = new StringBuilder($"SELECT {columns} FROM ({Selection(q, cmd)}) s WHERE true");
        void Add(string name, NpgsqlDbType type, object value) => cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        if (q.Bbox is { } bbox) { Add("bbox", NpgsqlDbType.Geometry, bbox); sql.Append(" AND ST_Intersects(geom, @bbox)"); }
        if (q.Within is { } within) { Add("within", NpgsqlDbType.Geometry, within); sql.Append($" AND {WithinCondition}"); }
        if (TimeCondition(q, cmd) is { } time) sql.Append($" AND {time}");
        foreach (var (name, value) in q.Filters)
        {
            if (!FilterColumns.TryGetValue(name, out var column)) continue;
            Add("f_" + name, NpgsqlDbType.Text, value);
            sql.Append($" AND ({column})::text = @f_{name}");
        }
        if (id is not null) { Add("id", NpgsqlDbType.Text, id); sql.Append($" AND ({IdColumn})::text = @id"); }
        cmd.CommandText = sql.ToString();
        return cmd;
    }

    public override async Task<long?> CountAsync(OgcSources s, ItemsQuery q, CancellationToken ct)
    {
        await using var cmd = Command(s, q, "count(*)", null);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public override async IAsyncEnumerable<OgcFeature> ItemsAsync(OgcSources s, ItemsQuery q, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = Command(s, q, Columns, null);
        cmd.CommandText += $" ORDER BY {OrderBy} LIMIT {(q.Limit == int.MaxValue ? "ALL" : q.Limit.ToString())} OFFSET {q.Offset}";
        cmd.CommandTimeout = 600; // exports read whole collections
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) yield return Read(r);
    }

    public override async Task<OgcFeature?> GetAsync(OgcSources s, string id, CancellationToken ct)
    {
        if (ParseId(id) is not { } parsed) return null;
        await using var cmd = Command(s, ItemsQuery.All, Columns, parsed);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>SQL giving xmin, ymin, xmax, ymax, start, end (timestamptz) of the collection.</summary>
    protected abstract string ExtentSql { get; }

    protected virtual void AddExtentParameters(NpgsqlCommand cmd) { }

    public override async Task<OgcExtent> ExtentAsync(OgcSources s, CancellationToken ct)
    {
        await using var cmd = s.Db.CreateCommand(ExtentSql);
        AddExtentParameters(cmd);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.IsDBNull(0)) return OgcExtent.Empty;
        return new OgcExtent(new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3)),
            r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5));
    }

    /// <summary>A year interval of the query (for collections whose time is a year): from's year and to's year.</summary>
    protected static string? YearCondition(ItemsQuery q, NpgsqlCommand cmd)
    {
        var parts = new List<string>();
        if (q.From is { } f) { cmd.Parameters.Add(new NpgsqlParameter("y0", NpgsqlDbType.Integer) { Value = f.Year }); parts.Add("year >= @y0"); }
        if (q.To is { } t) { cmd.Parameters.Add(new NpgsqlParameter("y1", NpgsqlDbType.Integer) { Value = t.Year }); parts.Add("year <= @y1"); }
        return parts.Count == 0 ? null : string.Join(" AND ", parts);
    }
}
