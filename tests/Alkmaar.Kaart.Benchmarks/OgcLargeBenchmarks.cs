using BenchmarkDotNet.Attributes;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Benchmarks;

/// <summary>
/// The public meldingen layer of 100,000 DEMO meldingen (<c>./kaart bench ogc</c> loads them), as counts per 50 m cell:
/// the shared connection and the raw SQL of that layer (what OgcData runs, read with Npgsql) for the baselines.
/// </summary>
public abstract class MeldingenCellsBench
{
    // the raw aggregation of the meldingen into 50 m cells with counts per category (the server reads the cells PostgreSQL
    // keeps instead, MeldingCells): the baseline of what the layer costs when computed from the meldingen
    protected const string CellsSql =
        """
        WITH c AS (SELECT floor(ST_X(geom) / 50)::bigint cx, floor(ST_Y(geom) / 50)::bigint cy, category, count(*)::int n, bool_or(source = 'demo') d
                   FROM melding GROUP BY 1, 2, 3)
        SELECT cx, cy, sum(n)::int, jsonb_object_agg(category, n)::text, bool_or(d), ST_SetSRID(ST_MakePoint((cx + 0.5) * 50, (cy + 0.5) * 50), 28992)
        FROM c GROUP BY cx, cy ORDER BY cx, cy
        """;

    protected HttpClient Http = null!;
    protected NpgsqlDataSource Db = null!;

    protected void Open()
    {
        Http = new HttpClient
        {
            BaseAddress = new Uri(Environment.GetEnvironmentVariable("KAART_BENCH_URL") ?? throw new InvalidOperationException("KAART_BENCH_URL is not set; run ./kaart bench ogc.")),
            Timeout = TimeSpan.FromMinutes(5),
        };
        var b = new NpgsqlDataSourceBuilder(Environment.GetEnvironmentVariable("KAART_BENCH_PG") ?? throw new InvalidOperationException("KAART_BENCH_PG is not set."));
        b.UseNetTopologySuite();
        Db = b.Build();
        using var cmd = Db.CreateCommand("SELECT count(*) FROM melding");
        var meldingen = (long)cmd.ExecuteScalar()!;
        if (meldingen < 100_000) throw new InvalidOperationException($"The benchmark database holds {meldingen} meldingen; ./kaart bench ogc loads 100,000.");
    }

    protected int Raw(string limit = "")
    {
        using var cmd = Db.CreateCommand(CellsSql + limit);
        using var r = cmd.ExecuteReader();
        var n = 0;
        while (r.Read())
        {
            _ = r.GetString(3);
            _ = (Geometry)r.GetValue(5);
            n++;
        }
        return n;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Http.Dispose();
        Db.Dispose();
    }
}

/// <summary>
/// OGC items pages of 1,000 features (meldingen cells of 100,000 meldingen) from the real server on loopback, per feature,
/// against the raw SQL of the same 1,000 rows (baseline): the overhead of the API.
/// </summary>
[Config(typeof(ShortRatioConfig))]
public class OgcPageBenchmarks : MeldingenCellsBench
{
    private const int Page = 1000;
    private const string RdUri = "http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F28992";

    [GlobalSetup]
    public void Setup()
    {
        Open();
        if (RawSql() != Page || ItemsCrs84() != Page) throw new InvalidOperationException("A page must hold 1,000 cells.");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Page, Description = "Raw SQL: 1,000 meldingen cells with geometry (Npgsql)")]
    public int RawSql() => Raw($" LIMIT {Page}");

    private int Items(string query)
    {
        var body = Http.GetStringAsync($"/ogc/collections/meldingen/items?limit={Page}" + query).GetAwaiter().GetResult();
        int n = 0, i = 0;
        while ((i = body.IndexOf("\"type\":\"Feature\"", i, StringComparison.Ordinal)) >= 0) { n++; i += 16; }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Page, Description = "OGC items page of 1,000, CRS84")]
    public int ItemsCrs84() => Items("");

    [Benchmark(OperationsPerInvoke = Page, Description = "OGC items page of 1,000, RD New")]
    public int ItemsRd() => Items("&crs=" + RdUri);
}

/// <summary>
/// Exports of the whole meldingen layer (every cell of 100,000 meldingen; the count is printed at the start) from the real
/// server on loopback, against the raw SQL of the same rows (baseline): time per export, so Ratio is the overhead, and
/// features/s is the printed count divided by the mean.
/// </summary>
[Config(typeof(LongRatioConfig))]
public class OgcExportBenchmarks : MeldingenCellsBench
{
    [GlobalSetup]
    public void Setup()
    {
        Open();
        Console.WriteLine($"// meldingen layer: {RawSql()} cells of 100,000 meldingen");
    }

    [Benchmark(Baseline = true, Description = "Raw SQL: every meldingen cell with geometry (Npgsql)")]
    public int RawSql() => Raw();

    private long Export(string query) => BenchHttp.ReadAll(Http, "/api/export/meldingen?" + query);

    [Benchmark(Description = "Export GeoJSON, WGS84")]
    public long ExportGeoJson() => Export("format=geojson");

    [Benchmark(Description = "Export CSV with WKT, RD New")]
    public long ExportCsv() => Export("format=csv&crs=EPSG:28992");

    [Benchmark(Description = "Export GeoPackage, RD New")]
    public long ExportGeoPackage() => Export("format=gpkg&crs=EPSG:28992");
}
