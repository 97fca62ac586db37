using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Import;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>A clock the test moves.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// One boundary truth: the full-resolution buurten repaired on import (PostGIS as the oracle), versions in force by date,
/// and every server process following an import made by another.
/// </summary>
public class BoundaryTruthTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _ds = null!;
    private readonly List<IDisposable> _apps = [];

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _ds = _db.CreateDataSource();
    }

    public async Task DisposeAsync()
    {
        foreach (var a in _apps) a.Dispose();
        await _ds.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> App(TestClock? clock = null)
    {
        var app = new KaartAppFactory(_db).WithWebHostBuilder(b =>
        {
            if (clock is not null) b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock));
        });
        _apps.Add(app);
        return app;
    }

    private async Task<T> Scalar<T>(string sql, params object[] args)
    {
        await using var cmd = _ds.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_full_resolution_import_repairs_the_real_defects_into_an_exact_coverage_as_PostGIS_sees_it()
    {
        var app = App();
        var result = await app.Services.GetRequiredService<BoundaryImporter>().ImportAsync(TestPaths.RealBuurten);
        Assert.Equal(8, result.Repairs.Count(r => r.Kind == Geo.Coverage.CoverageDefectKind.Overlap));
        Assert.Equal(9, result.Repairs.Count(r => r.Kind == Geo.Coverage.CoverageDefectKind.Gap));

        // stored per version and audited
        Assert.Equal(8L, await Scalar<long>("SELECT count(*) FROM boundary_repair WHERE kind = 'overlap' AND version_id = $1", result.VersionId));
        Assert.Equal(9L, await Scalar<long>("SELECT count(*) FROM boundary_repair WHERE kind = 'gap'"));
        Assert.InRange(await Scalar<double>("SELECT sum(area_m2) FROM boundary_repair WHERE kind = 'overlap'"), 97.85, 97.95);
        var audit = await app.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "grenzen");
        Assert.Contains(audit, e => e.Action == "grenzen geïmporteerd" && e.Detail!.Contains("\"gap\"") && e.Detail.Contains("BU03611005"));

        // PostGIS oracle: no two buurten in force overlap, and the gemeente equals ST_Union of the buurten within 1 m²
        Assert.Equal(0.0, await Scalar<double>(
            """
            SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0) FROM area_in_force a JOIN area_in_force b
              ON a.level = 'buurt' AND b.level = 'buurt' AND a.code < b.code AND ST_Intersects(a.geom, b.geom)
            """), 3);
        var diff = await Scalar<double>(
            """
            SELECT ST_Area(ST_SymDifference((SELECT ST_Union(geom) FROM area_in_force WHERE level = 'buurt'),
                                            (SELECT geom FROM area_in_force WHERE level = 'gemeente')))
            """);
        Assert.True(diff < 1.0, $"gemeente differs from ST_Union of the buurten by {diff} m²");
        Assert.Equal(0, await Scalar<int>("SELECT ST_NumInteriorRings(ST_GeometryN(geom, 1)) FROM area_in_force WHERE level = 'gemeente'"));
        Assert.InRange(await Scalar<double>("SELECT ST_Area(geom) / 1e6 FROM area_in_force WHERE level = 'gemeente'"), 117.355, 117.37);
        Assert.Equal("ST_MultiPolygon", await Scalar<string>("SELECT ST_GeometryType(geom) FROM area_in_force WHERE code = 'BU03611000' AND level = 'buurt'"));
        Assert.Equal(2, await Scalar<int>("SELECT ST_NumGeometries(geom) FROM area_in_force WHERE code = 'BU03611000' AND level = 'buurt'"));
    }

    [Fact]
    public async Task A_defect_above_tolerance_is_refused_with_its_location_and_nothing_is_written()
    {
        var app = App();
        // move one buurt 5 m east: overlaps and gaps far above tolerance
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(TestPaths.RealBuurten))!;
        var ring = json["features"]![0]!["geometry"]!["coordinates"]![0]!.AsArray();
        foreach (var c in ring) c![0] = c[0]!.GetValue<double>() + 5;
        var e = await Assert.ThrowsAsync<Geo.Areas.BoundaryValidationException>(() =>
            app.Services.GetRequiredService<BoundaryImporter>().ImportAsync(Encoding.UTF8.GetBytes(json.ToJsonString()), "verschoven"));
        Assert.Contains(e.Problems, p => p.Message.Contains("groter dan de hersteltolerantie") && p.Message.Contains("bij ("));
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM area"));
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM boundary_version"));
    }

    [Fact]
    public async Task A_melding_is_routed_on_the_version_in_force_at_its_own_time_and_areas_answer_for_a_date()
    {
        var clock = new TestClock(new DateTimeOffset(2029, 6, 1, 10, 0, 0, TimeSpan.Zero));
        var app = App(clock);
        var importer = app.Services.GetRequiredService<BoundaryImporter>();
        var old = await importer.ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));           // from 2024-01-01
        var next = await importer.ImportAsync(TestPaths.RealBuurten, default, new DateOnly(2030, 1, 1)); // from 2030-01-01
        Assert.NotEqual(old.VersionId, next.VersionId);

        // a point whose gebied differs between the generalised and the real boundaries
        await using var cmd = _ds.CreateCommand(
            """
            SELECT ST_X(p), ST_Y(p), n.parent_code, o.parent_code FROM (
              SELECT ST_PointOnSurface(ST_GeometryN(d, generate_series(1, ST_NumGeometries(d)))) p FROM (
                SELECT ST_Difference(n.geom, o.geom) d FROM area n JOIN area o ON o.code = n.code AND o.level = 'gebied'
                 AND o.version_id = $1 WHERE n.level = 'gebied' AND n.version_id = $2) x) q
            JOIN area n ON n.version_id = $2 AND n.level = 'wijk' AND ST_Covers(n.geom, q.p)
            JOIN area o ON o.version_id = $1 AND o.level = 'wijk' AND ST_Covers(o.geom, q.p)
            WHERE n.parent_code <> o.parent_code AND NOT ST_Covers(ST_Boundary(n.geom), q.p)
            ORDER BY ST_Area(ST_Buffer(q.p, 1)) LIMIT 1
            """);
        cmd.Parameters.AddWithValue(old.VersionId);
        cmd.Parameters.AddWithValue(next.VersionId);
        double x, y; string newGebied, oldGebied;
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync(), "no point changes gebied between the two versions");
            (x, y, newGebied, oldGebied) = (r.GetDouble(0), r.GetDouble(1), r.GetString(2), r.GetString(3));
        }
        output.WriteLine($"point ({x:0.##} {y:0.##}): {oldGebied} before 2030, {newGebied} after");

        var client = app.CreateClient();
        async Task<JsonElement> Melding()
        {
            var res = await client.PostAsJsonAsync("/api/meldingen", new { category = "afval", description = "test", x, y });
            Assert.Equal(HttpStatusCode.Created, res.StatusCode);
            return JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement;
        }
        string Gebied(JsonElement m) => m.GetProperty("routing").GetProperty("gebied").GetString()!;
        int Version(JsonElement m) => m.GetProperty("routing").GetProperty("boundaryVersion").GetInt32();

        var before = await Melding();
        Assert.Equal(oldGebied, Gebied(before));
        Assert.Equal(old.VersionId, Version(before));

        clock.Now = new DateTimeOffset(2030, 1, 2, 10, 0, 0, TimeSpan.Zero);
        var after = await Melding();
        Assert.Equal(newGebied, Gebied(after));
        Assert.Equal(next.VersionId, Version(after));
        // the team name comes with the version's gebied
        Assert.Contains(newGebied.Split('-')[1], after.GetProperty("routing").GetProperty("gebiedsteam").GetString()!, StringComparison.OrdinalIgnoreCase);

        // the database definition of in force: the area API answers for a date
        var area2029 = JsonDocument.Parse(await client.GetStringAsync($"/api/areas/{oldGebied}?at=2029-12-31&crs=EPSG:28992")).RootElement;
        var area2030 = JsonDocument.Parse(await client.GetStringAsync($"/api/areas/{oldGebied}?datetime=2030-01-01T00:00:00Z&crs=EPSG:28992")).RootElement;
        Assert.NotEqual(area2029.GetProperty("properties").GetProperty("areaKm2").GetDouble(), area2030.GetProperty("properties").GetProperty("areaKm2").GetDouble());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/areas?at=gisteren")).StatusCode);
    }

    [Fact]
    public async Task An_import_by_another_process_reaches_a_running_server_by_notify()
    {
        var first = App();
        await first.Services.GetRequiredService<BoundaryImporter>().ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        var second = App();   // another server process on the same database
        var client = second.CreateClient();
        // Oudorp-Centrum is 12 ha in the generalised file and 46 ha in the real one: a point in the difference
        var (x, y) = await PointInRealButNotGeneralisedAsync("BU03610200");
        async Task<string?> BuurtAt() => JsonDocument.Parse(await client.GetStringAsync(FormattableString.Invariant($"/api/locate?x={x}&y={y}")))
            .RootElement.GetProperty("buurt").GetProperty("code").GetString();
        Assert.NotEqual("BU03610200", await BuurtAt());
        // area responses are cached per boundary state (ETag, 304): fill both servers' caches with the old boundaries
        async Task<(double Km2, string ETag, HttpStatusCode Status)> Oudorp(HttpClient c, string? ifNoneMatch = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/buurten/items?code=BU03610200");
            if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            var response = await c.SendAsync(request);
            var etag = response.Headers.ETag!.ToString();
            if (response.StatusCode == HttpStatusCode.NotModified) return (double.NaN, etag, response.StatusCode);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return (json.GetProperty("features")[0].GetProperty("properties").GetProperty("areaKm2").GetDouble(), etag, response.StatusCode);
        }
        var firstClient = first.CreateClient();
        var before = await Oudorp(client);
        Assert.Equal(before.ETag, (await Oudorp(firstClient)).ETag); // the same bytes on both servers: the same ETag
        Assert.Equal(HttpStatusCode.NotModified, (await Oudorp(client, before.ETag)).Status);

        // the real boundaries, imported by the first process (the second one is told only through PostgreSQL)
        var watch = Stopwatch.StartNew();
        await first.Services.GetRequiredService<BoundaryImporter>().ImportAsync(TestPaths.RealBuurten);
        var committed = watch.Elapsed;
        string? now = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && (now = await BuurtAt()) != "BU03610200") await Task.Delay(20);
        var latency = watch.Elapsed - committed;
        output.WriteLine($"second server answered the new boundaries {latency.TotalMilliseconds:0} ms after the commit");
        Assert.Equal("BU03610200", now);
        // no stale cached response: the importing server at once, the other one once told (it already routes on them)
        var importing = await Oudorp(firstClient, before.ETag);
        Assert.Equal(HttpStatusCode.OK, importing.Status);
        Assert.NotEqual(before.Km2, importing.Km2);
        Assert.NotEqual(before.ETag, importing.ETag);
        var told = await Oudorp(client, before.ETag);
        Assert.Equal((HttpStatusCode.OK, importing.Km2, importing.ETag), (told.Status, told.Km2, told.ETag));
    }

    private async Task<(double X, double Y)> PointInRealButNotGeneralisedAsync(string code)
    {
        var real = (NetTopologySuite.Geometries.Geometry)Geo.GeoJson.BuurtFileReader.Read(File.OpenRead(TestPaths.RealBuurten)).Buurten
            .Single(b => b.Code == code).Geometry;
        await using var cmd = _ds.CreateCommand("SELECT geom FROM area_in_force WHERE level = 'buurt' AND code = $1");
        cmd.Parameters.AddWithValue(code);
        var generalised = (NetTopologySuite.Geometries.Geometry)(await cmd.ExecuteScalarAsync())!;
        var diff = real.Difference(generalised.Buffer(5));
        var largest = Enumerable.Range(0, diff.NumGeometries).Select(diff.GetGeometryN).MaxBy(g => g.Area)!;
        var p = largest.InteriorPoint;
        return (p.X, p.Y);
    }

    [Fact]
    public async Task The_gebiedsindeling_belongs_to_the_versions_the_file_seeds_only_the_first()
    {
        var app = App();
        var importer = app.Services.GetRequiredService<BoundaryImporter>();
        var first = await importer.ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        Assert.Equal("GB0361-zuid", await Scalar<string>("SELECT parent_code FROM area WHERE level = 'wijk' AND code = 'WK036101' AND version_id = $1", first.VersionId));
        // a decision taken after the first version (as a planner's published plan will): wijk Zuid moves to gebied Centrum
        await using (var cmd = _ds.CreateCommand(
            """
            UPDATE boundary_version SET indeling = jsonb_set(jsonb_set(indeling,
              '{gebieden,2,wijken}', '["WK036103"]'), '{gebieden,4,wijken}', '["WK036108", "WK036101"]') WHERE id = $1
            """))
        {
            cmd.Parameters.AddWithValue(first.VersionId);
            await cmd.ExecuteNonQueryAsync();
        }
        Assert.Equal("GB0361-zuid", await Scalar<string>("SELECT indeling #>> '{gebieden,2,code}' FROM boundary_version WHERE id = $1", first.VersionId));
        // the next version continues the stored gebiedsindeling, not the file's
        var next = await importer.ImportAsync(TestPaths.RealBuurten, default, new DateOnly(2031, 1, 1));
        Assert.Equal("GB0361-centrum", await Scalar<string>("SELECT parent_code FROM area WHERE level = 'wijk' AND code = 'WK036101' AND version_id = $1", next.VersionId));
        Assert.Contains("WK036101", await Scalar<string>("SELECT indeling #>> '{gebieden,4,wijken}' FROM boundary_version WHERE id = $1", next.VersionId));
    }
}
