using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Transforms;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Alkmaar.Kaart.Geo.GeoJson;

/// <summary>A value that is already JSON (from a trusted source, e.g. PostgreSQL's jsonb), written as it is.</summary>
public interface IRawJson
{
    string Json { get; }
}

/// <summary>
/// Streams a GeoJSON FeatureCollection feature by feature, so large collections are never held in memory.
/// Geometries are given in RD New and written in the target CRS: WGS84 as RFC 7946 (longitude, latitude,
/// exterior rings counter-clockwise, no <c>crs</c> member); RD New with the legacy <c>crs</c> member naming
/// <c>urn:ogc:def:crs:EPSG::28992</c>, which GDAL and QGIS read.
/// </summary>
public sealed class GeoJsonFeatureCollectionWriter : IAsyncDisposable
{
    /// <summary>The attribute that becomes a feature's top-level <c>id</c>.</summary>
    public const string IdAttribute = "__id";

    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new GeoJsonConverterFactory(false, IdAttribute, RingOrientationOption.EnforceRfc9746) },
    };

    // JSON goes to a pipe over the stream: serialising never blocks on the network, flushing is asynchronous.
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _writer;
    private readonly KnownCrs _crs;
    private int _sinceFlush;

    public int Count { get; private set; }

    public GeoJsonFeatureCollectionWriter(Stream stream, KnownCrs crs)
    {
        _crs = crs;
        _pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _writer = new Utf8JsonWriter(_pipe, new JsonWriterOptions { Encoder = Options.Encoder });
    }

    /// <summary>Writes the opening of the collection; <paramref name="members"/> are written as extra top-level members.</summary>
    public void WriteStart(IEnumerable<KeyValuePair<string, object?>>? members = null)
    {
        _writer.WriteStartObject();
        _writer.WriteString("type", "FeatureCollection");
        if (_crs == KnownCrs.RdNew)
        {
            _writer.WriteStartObject("crs");
            _writer.WriteString("type", "name");
            _writer.WriteStartObject("properties");
            _writer.WriteString("name", CrsNames.RdUrn);
            _writer.WriteEndObject();
            _writer.WriteEndObject();
        }
        foreach (var (name, value) in members ?? [])
        {
            _writer.WritePropertyName(name);
            JsonSerializer.Serialize(_writer, value, Options);
        }
        _writer.WriteStartArray("features");
    }

    /// <summary>Writes one feature whose geometry is in RD New.</summary>
    public async ValueTask WriteFeatureAsync(IFeature feature, CancellationToken ct = default)
    {
        if (feature.Geometry is not null && _crs == KnownCrs.Wgs84)
            feature = new Feature(RdNew.ToWgs84(feature.Geometry), feature.Attributes);
        JsonSerializer.Serialize(_writer, feature, Options);
        Count++;
        if (++_sinceFlush >= 50 || (_pipe.CanGetUnflushedBytes && _pipe.UnflushedBytes > 64 * 1024))
        {
            _sinceFlush = 0;
            await FlushAsync(ct);
        }
    }

    /// <summary>
    /// Writes one point feature (RD New) with its properties in order, straight to JSON: the same output as
    /// <see cref="WriteFeatureAsync"/> for a point, without building a feature (pages of thousands of cells).
    /// </summary>
    public async ValueTask WritePointAsync(string id, double x, double y, IReadOnlyList<(string Name, object? Value)> properties, CancellationToken ct = default)
    {
        if (_crs == KnownCrs.Wgs84)
        {
            var (lon, lat) = RdNew.ToWgs84(x, y);
            (x, y) = (Math.Round(lon, 7), Math.Round(lat, 7)); // as RdNew.ToWgs84(Geometry) rounds
        }
        var w = _writer;
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        w.WriteString("id", id);
        w.WriteStartObject("geometry");
        w.WriteString("type", "Point");
        w.WriteStartArray("coordinates");
        w.WriteNumberValue(x);
        w.WriteNumberValue(y);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("properties");
        foreach (var (name, value) in properties)
        {
            switch (value)
            {
                case null: w.WriteNull(name); break;
                case string t: w.WriteString(name, t); break;
                case int i: w.WriteNumber(name, i); break;
                case long l: w.WriteNumber(name, l); break;
                case double d: w.WriteNumber(name, d); break;
                case bool b: w.WriteBoolean(name, b); break;
                case IRawJson raw:
                    w.WritePropertyName(name);
                    w.WriteRawValue(raw.Json, skipInputValidation: true);
                    break;
                case IEnumerable<KeyValuePair<string, int>> counts:
                    w.WriteStartObject(name);
                    foreach (var (k, v) in counts) w.WriteNumber(k, v);
                    w.WriteEndObject();
                    break;
                default:
                    w.WritePropertyName(name);
                    JsonSerializer.Serialize(w, value, Options);
                    break;
            }
        }
        w.WriteEndObject();
        w.WriteEndObject();
        Count++;
        if (++_sinceFlush >= 50 || (_pipe.CanGetUnflushedBytes && _pipe.UnflushedBytes > 64 * 1024))
        {
            _sinceFlush = 0;
            await FlushAsync(ct);
        }
    }

    /// <summary>An RD point in <paramref name="crs"/> as [x, y], rounded like the geometries.</summary>
    public static double[] Position(Point rd, KnownCrs crs)
    {
        if (crs == KnownCrs.RdNew) return [Math.Round(rd.X, 3), Math.Round(rd.Y, 3)];
        var (lon, lat) = RdNew.ToWgs84(rd.X, rd.Y);
        return [Math.Round(lon, 7), Math.Round(lat, 7)];
    }

    public async ValueTask WriteEndAsync(IEnumerable<KeyValuePair<string, object?>>? members = null, CancellationToken ct = default)
    {
        _writer.WriteEndArray();
        foreach (var (name, value) in members ?? [])
        {
            _writer.WritePropertyName(name);
            JsonSerializer.Serialize(_writer, value, Options);
        }
        _writer.WriteEndObject();
        await FlushAsync(ct);
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        _writer.Flush(); // into the pipe's memory, never to the network
        await _pipe.FlushAsync(ct);
    }

    /// <summary>Writes a single Feature (geometry in RD New) in <paramref name="crs"/>; RD carries a <c>crs</c> member;
    /// <paramref name="members"/> are added as top-level members (e.g. OGC links).</summary>
    public static async Task WriteSingleAsync(Stream stream, IFeature feature, KnownCrs crs, CancellationToken ct = default,
        IEnumerable<KeyValuePair<string, object?>>? members = null)
    {
        if (feature.Geometry is not null && crs == KnownCrs.Wgs84)
            feature = new Feature(RdNew.ToWgs84(feature.Geometry), feature.Attributes);
        var node = JsonSerializer.SerializeToNode(feature, Options)!.AsObject();
        if (crs == KnownCrs.RdNew)
            node["crs"] = new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "name",
                ["properties"] = new System.Text.Json.Nodes.JsonObject { ["name"] = CrsNames.RdUrn },
            };
        foreach (var (name, value) in members ?? []) node[name] = JsonSerializer.SerializeToNode(value, Options);
        var pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        await using (var writer = new Utf8JsonWriter(pipe, new JsonWriterOptions { Encoder = Options.Encoder }))
            node.WriteTo(writer, Options);
        await pipe.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _pipe.CompleteAsync();
    }

    /// <summary>An attributes table with the given id and properties, in order.</summary>
    public static AttributesTable Attributes(string id, params (string Name, object? Value)[] properties)
    {
        var table = new AttributesTable { { IdAttribute, id } };
        foreach (var (n, v) in properties) table.Add(n, v);
        return table;
    }
}
