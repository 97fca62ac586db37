using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Server.Features.Routing;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>
/// Imports CBS municipality polygons (<c>statcode</c> GMxxxx, <c>statnaam</c>; RD or WGS84) into <c>municipality</c>,
/// replacing what was there, in one transaction. A file with an invalid or non-polygonal feature writes nothing.
/// </summary>
public sealed class MunicipalityImporter(NpgsqlDataSource db, IEnumerable<IBoundaryListener> listeners, ILogger<MunicipalityImporter> logger)
{
    public async Task<int> ImportAsync(string path, CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new BoundaryImportException($"Municipality file not found: {path}");
        RdFeatureCollection file;
        await using (var s = File.OpenRead(path)) file = GeoJsonFeatureReader.Read(s);

        var rows = new List<(string Code, string Name, NetTopologySuite.Geometries.MultiPolygon Geom)>();
        var problems = new List<BoundaryProblem>();
        foreach (var f in file.Features)
        {
            var code = BuurtFileReader.First(f.Attributes, ["statcode", "gemeentecode", "code"]);
            var name = BuurtFileReader.First(f.Attributes, ["statnaam", "gemeentenaam", "naam", "name"]);
            if (code is null || !CbsCode.IsGemeente(code)) { problems.Add(new(code ?? "?", "not a CBS gemeente code (GMgggg)")); continue; }
            if (f.Geometry is not (NetTopologySuite.Geometries.Polygon or NetTopologySuite.Geometries.MultiPolygon) || !f.Geometry.IsValid)
            {
                problems.Add(new(code, "geometry must be a valid Polygon or MultiPolygon"));
                continue;
            }
            rows.Add((code, name ?? code, AreaHierarchyBuilder.AsMulti(f.Geometry)));
        }
        if (problems.Count > 0) throw new BoundaryValidationException(problems);

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM municipality", conn, tx)) await del.ExecuteNonQueryAsync(ct);
        await using (var copy = await conn.BeginBinaryImportAsync("COPY municipality (code, name, geom, source) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (code, name, geom) in rows)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(code, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(name, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(geom, NpgsqlDbType.Geometry, ct);
                await copy.WriteAsync(Path.GetFileName(path), NpgsqlDbType.Text, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await Routing.BoundaryChangeListener.NotifyAsync(conn, tx, "municipalities", ct); // every server follows
        await tx.CommitAsync(ct);
        foreach (var l in listeners) await l.BoundariesChangedAsync(ct);
        logger.LogInformation("Imported {Count} municipalities from {Source}", rows.Count, Path.GetFileName(path));
        return rows.Count;
    }

    public async Task<bool> IsEmptyAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM municipality)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
