using BenchmarkDotNet.Attributes;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// The OGC API items and the exports, end to end against the real server on loopback (KAART_BENCH_URL, started by
/// <c>./kaart bench ogc</c>), against the raw SQL query of the same data (the baseline, KAART_BENCH_PG): every benchmark
/// reads all 66 buurten with their geometry and reports time per feature, so Ratio is the overhead of the API or export
/// over PostGIS handing out the rows.
/// </summary>
[Config(typeof(ShortRatioConfig))]
public class OgcBenchmarks
{
    private const int Features = 66;
    private const string RdUri = "http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F28992";
    private HttpClient _http = null!;
    private NpgsqlDataSource _db = null!;

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient
        {
            BaseAddress = new Uri(Environment.GetEnvironmentVariable("KAART_BENCH_URL") ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run ./kaart bench ogc.")),
        };
        var b = new NpgsqlDataSourceBuilder(Environment.GetEnvironmentVariable("KAART_BENCH_PG") ?? throw new InvalidOperationException("KAART_BENCH_PG is not set."));
        b.UseNetTopologySuite();
        _db = b.Build();
        if (RawSql() != Features || Items("") != Features) throw new InvalidOperationException("The benchmark database must hold the 66 buurten.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _db.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Features, Description = "Raw SQL: the buurten rows with geometry (Npgsql)")]
    public int RawSql()
    {
        using var cmd = _db.CreateCommand(
            "SELECT code, name, parent_code, valid_from, valid_to, ST_Area(geom), geom FROM area WHERE level = 'buurt' AND valid_to IS NULL ORDER BY code");
        using var r = cmd.ExecuteReader();
        var n = 0;
        while (r.Read())
        {
            _ = (Geometry)r.GetValue(6);
            n++;
        }
        return n;
    }

    private int Items(string query) => Count(_http.GetStringAsync("/ogc/collections/buurten/items?limit=1000" + query).GetAwaiter().GetResult(), "\"type\":\"Feature\"");

    [Benchmark(OperationsPerInvoke = Features, Description = "OGC items page, CRS84")]
    public int ItemsCrs84() => Items("");

    [Benchmark(OperationsPerInvoke = Features, Description = "OGC items page, RD New")]
    public int ItemsRd() => Items("&crs=" + RdUri);

    private int Export(string query) => BenchHttp.ReadAll(_http, "/api/export/buurten?" + query) > 0 ? Features : 0;

    [Benchmark(OperationsPerInvoke = Features, Description = "Export GeoJSON, WGS84")]
    public int ExportGeoJson() => Export("format=geojson");

    [Benchmark(OperationsPerInvoke = Features, Description = "Export CSV with WKT, RD New")]
    public int ExportCsv() => Export("format=csv&crs=EPSG:28992");

    [Benchmark(OperationsPerInvoke = Features, Description = "Export GeoPackage, RD New")]
    public int ExportGeoPackage() => Export("format=gpkg&crs=EPSG:28992");

    private static int Count(string s, string what)
    {
        int n = 0, i = 0;
        while ((i = s.IndexOf(what, i, StringComparison.Ordinal)) >= 0) { n++; i += what.Length; }
        return n;
    }
}
