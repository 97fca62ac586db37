using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Testing;
using BenchmarkDotNet.Attributes;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// AreaLocator lookups against PostGIS on the same real (full-resolution) buurten, with the neighbouring municipalities
/// loaded as ./kaart run does, and the same random points in the gemeente's bounding box (about half of them outside the
/// gemeente), in one run. Every benchmark reports time per point (OperationsPerInvoke), so the Ratio column is the
/// speed-up over PostGIS answering one query per point (the baseline). "exact path" is the locator without its answer
/// grid (every point by indexed point-in-polygon, as before the grid).
/// </summary>
[Config(typeof(LongRatioConfig))]
public class RoutingBenchmarks
{
    private const int Points = 1_000_000;
    private const int PerPointQueries = 2_000;
    private const int SetBasedPoints = 100_000;

    private AreaLocator _locator = null!;
    private double[] _x = null!, _y = null!;
    private NpgsqlDataSource _db = null!;

    [GlobalSetup]
    public void Setup()
    {
        var areas = BenchData.RealAreas();
        _locator = new AreaLocator(areas, BenchData.Municipalities());
        (_x, _y) = BenchData.RandomPoints(areas.Single(a => a.Level == AreaLevel.Gemeente).Geometry.EnvelopeInternal, Points, seed: 42);
        _locator.Locate(_x[0], _y[0]); // builds the answer grid (once per boundary version in the server)

        var cs = Environment.GetEnvironmentVariable("KAART_BENCH_PG")
                 ?? throw new InvalidOperationException("KAART_BENCH_PG is not set; run through ./kaart bench routing.");
        var b = new NpgsqlDataSourceBuilder(cs);
        b.UseNetTopologySuite();
        _db = b.Build();
        using var conn = _db.OpenConnection();
        Exec(conn, "CREATE EXTENSION IF NOT EXISTS postgis");
        conn.ReloadTypes(); // a new database: the geometry type exists only now
        Exec(conn, "DROP TABLE IF EXISTS bench_buurt; CREATE TABLE bench_buurt (code text PRIMARY KEY, geom geometry(MultiPolygon, 28992))");
        using (var copy = conn.BeginBinaryImport("COPY bench_buurt (code, geom) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var a in areas.Where(a => a.Level == AreaLevel.Buurt))
            {
                copy.StartRow();
                copy.Write(a.Code, NpgsqlDbType.Text);
                copy.Write(a.Geometry, NpgsqlDbType.Geometry);
            }
            copy.Complete();
        }
        Exec(conn, "CREATE INDEX ON bench_buurt USING gist (geom); ANALYZE bench_buurt");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using (var conn = _db.OpenConnection()) Exec(conn, "DROP TABLE IF EXISTS bench_buurt");
        _db.Dispose();
    }

    private static void Exec(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PerPointQueries, Description = "PostGIS, one query per point")]
    public int PostGisPerPoint()
    {
        using var conn = _db.OpenConnection();
        using var cmd = new NpgsqlCommand(
            "SELECT code FROM bench_buurt WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 28992)) ORDER BY code LIMIT 1", conn);
        var px = new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double };
        var py = new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double };
        cmd.Parameters.Add(px);
        cmd.Parameters.Add(py);
        cmd.Prepare();
        var found = 0;
        for (var i = 0; i < PerPointQueries; i++)
        {
            px.TypedValue = _x[i];
            py.TypedValue = _y[i];
            if (cmd.ExecuteScalar() is string) found++;
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = SetBasedPoints, Description = "PostGIS, set-based ST_Covers join (COPY in + query)")]
    public int PostGisSetBased()
    {
        using var conn = _db.OpenConnection();
        Exec(conn, "CREATE TEMP TABLE IF NOT EXISTS bench_pts (id int, geom geometry(Point, 28992)); TRUNCATE bench_pts");
        using (var copy = conn.BeginBinaryImport("COPY bench_pts (id, geom) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < SetBasedPoints; i++)
            {
                copy.StartRow();
                copy.Write(i, NpgsqlDbType.Integer);
                copy.Write(new Point(_x[i], _y[i]) { SRID = 28992 }, NpgsqlDbType.Geometry);
            }
            copy.Complete();
        }
        using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM (SELECT DISTINCT ON (p.id) p.id, b.code FROM bench_pts p JOIN bench_buurt b ON ST_Covers(b.geom, p.geom) ORDER BY p.id, b.code) t", conn)
            { CommandTimeout = 600 };
        return (int)(long)cmd.ExecuteScalar()!;
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "AreaLocator exact path (no grid), one thread")]
    public int LocatorExactOneThread()
    {
        var found = 0;
        for (var i = 0; i < Points; i++)
            if (_locator.LocateExact(_x[i], _y[i]).Buurt is not null) found++;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "AreaLocator, one thread")]
    public int LocatorOneThread()
    {
        var found = 0;
        for (var i = 0; i < Points; i++)
            if (_locator.Locate(_x[i], _y[i]).Buurt is not null) found++;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "AreaLocator, all cores")]
    public int LocatorAllCores()
    {
        var found = 0;
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, Points, 20_000), range =>
        {
            var local = 0;
            for (var i = range.Item1; i < range.Item2; i++)
                if (_locator.Locate(_x[i], _y[i]).Buurt is not null) local++;
            Interlocked.Add(ref found, local);
        });
        return found;
    }
}
