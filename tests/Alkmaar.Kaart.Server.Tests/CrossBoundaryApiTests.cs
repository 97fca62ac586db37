using System.Net;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.CrossBoundary;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Cross-boundary views (issue 19) on the real boundaries and the CBS neighbouring municipalities, PostGIS as the oracle:
/// neighbours and shared lengths (ST_Relate/ST_Intersection), municipalities along the border, band membership
/// (ST_DWithin), a hotspot across the Centrum/Zuid border listed for both teams, no hotspot at the gemeente's edge from
/// uniform noise, a planted displacement found and a null case not, and the Heiloo sliver among the discrepancies.
/// </summary>
public class CrossBoundaryApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly KaartAppFixture _fx = new();
    private NpgsqlDataSource _ds = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        await _fx.InitializeAsync();
        (_ds, _app) = (_fx.DataSource, _fx.Factory);
    }

    public Task DisposeAsync() => _fx.DisposeAsync();

    private Task Exec(string sql, params object[] args) => _ds.ExecAsync(sql, args);

    private async Task<List<(string A, string B, double Length)>> Rows(string sql, params object[] args)
    {
        await using var cmd = _ds.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        var list = new List<(string, string, double)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetString(0), r.GetString(1), r.GetDouble(2)));
        return list;
    }

    /// <summary>Generated meldingen (marked demo): <paramref name="n"/> points spread over a geometry expression, routed to
    /// the gebied they lie in, at a time.</summary>
    private Task PlantAsync(string geometrySql, int n, DateTimeOffset at, int seed) => Exec(
        $"""
        INSERT INTO melding (created_at, category, geom, location_source, gebied_code, routing_kind, routing_reason, boundary_version_id, source)
        SELECT $1, 'overlast', p.geom, 'rd', coalesce((SELECT g.code FROM area_in_force g WHERE g.level = 'gebied' AND ST_Covers(g.geom, p.geom) LIMIT 1), 'GB0361-centrum'),
               'inside', 'test', (SELECT min(version_id) FROM area_in_force), 'demo'
        FROM ST_Dump(ST_GeneratePoints(({geometrySql}), {n}, {seed})) p
        """, at);

    [Fact]
    public async Task Neighbours_and_shared_lengths_equal_PostGIS_for_every_gebied_wijk_and_buurt()
    {
        var http = _app.CreateClient();
        foreach (var level in new[] { "gebied", "wijk", "buurt" })
        {
            var oracle = await Rows(
                """
                SELECT a.code, b.code, ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)))
                FROM area_in_force a JOIN area_in_force b ON b.level = a.level AND a.code <> b.code AND a.geom && b.geom AND ST_Touches(a.geom, b.geom)
                WHERE a.level = $1
                """, level);
            oracle = oracle.Where(o => o.Length > 0).ToList();
            var codes = oracle.Select(o => o.A).Distinct().ToList();
            Assert.NotEmpty(codes);
            foreach (var code in codes)
            {
                var answer = await (await http.GetAsync($"/api/areas/{code}/buren?level={level}")).JsonAsync();
                var got = answer.GetProperty("neighbours").EnumerateArray().ToDictionary(n => n.GetProperty("code").GetString()!, n => n.GetProperty("sharedLengthM").GetDouble());
                var expected = oracle.Where(o => o.A == code).ToDictionary(o => o.B, o => o.Length);
                Assert.Equal(expected.Keys.Order(), got.Keys.Order());
                foreach (var (b, length) in expected) Assert.True(Math.Abs(got[b] - length) < 0.1, $"{code}/{b}: {got[b]} vs PostGIS {length}");
            }
        }
        // Centrum lies inside the gemeente: no municipality along it; Oost borders several, Heiloo lies along West or Zuid
        var centrum = await (await http.GetAsync("/api/areas/GB0361-centrum/buren")).JsonAsync();
        Assert.Empty(centrum.GetProperty("municipalities").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/areas/GB0361-nergens/buren")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/areas/GB0361-oost/buren?level=provincie")).StatusCode);
    }

    [Fact]
    public async Task The_municipalities_along_a_border_and_their_lengths_equal_PostGIS_and_carry_their_contact()
    {
        var http = _app.CreateClient();
        var tolerance = _app.Services.GetRequiredService<CrossBoundaryService>().Options.MunicipalityToleranceM;
        foreach (var gebied in new[] { "GB0361-oost", "GB0361-west", "GB0361-noord", "GB0361-zuid" })
        {
            var oracle = await Rows(
                """
                SELECT g.code, m.code, ST_Length(ST_Intersection(ST_Boundary(g.geom), ST_Buffer(m.geom, $2)))
                FROM area_in_force g JOIN municipality m ON m.code <> 'GM0361' AND ST_DWithin(g.geom, m.geom, $2)
                WHERE g.level = 'gebied' AND g.code = $1
                """, gebied, tolerance);
            var answer = await (await http.GetAsync($"/api/areas/{gebied}/buren")).JsonAsync();
            var got = answer.GetProperty("municipalities").EnumerateArray().ToDictionary(n => n.GetProperty("code").GetString()!, n => n);
            Assert.Equal(oracle.Where(o => o.Length > 0).Select(o => o.B).Order(), got.Keys.Order());
            foreach (var o in oracle.Where(o => o.Length > 0))
                Assert.True(Math.Abs(got[o.B].GetProperty("sharedLengthM").GetDouble() - o.Length) < Math.Max(1, o.Length * 0.005), $"{gebied}/{o.B}");
            foreach (var m in got.Values)
                Assert.StartsWith("https://www.", m.GetProperty("contact").GetProperty("website").GetString());
        }
    }

    [Fact]
    public async Task Band_membership_equals_ST_DWithin_and_small_counts_are_left_out_of_the_public_answer()
    {
        // meldingen spread over the gemeente this year
        // in last month: inside "afgelopen 12 maanden" (the 12 whole months before the current one) whatever today is
        var lastMonth = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 12, 0, 0, TimeSpan.Zero).AddMonths(-1).AddDays(10);
        await PlantAsync("SELECT geom FROM area_in_force WHERE level = 'gemeente'", 6000, lastMonth, 7);
        var http = _app.CreateClient();
        foreach (var (code, met) in new[] { ("GB0361-centrum", (string?)null), ("GB0361-centrum", "GB0361-zuid"), ("GB0361-west", "GM0399") })
        {
            var band = await (await http.GetAsync($"/api/grensband/{code}?afstand=250{(met is null ? "" : "&met=" + met)}")).JsonAsync();
            var sides = band.GetProperty("sides").EnumerateArray().ToList();
            // PostGIS: within 250 m of the border (the whole boundary, or the part shared with the other side)
            var borderSql = met is null ? "SELECT ST_Boundary(geom) AS st_boundary FROM area_in_force WHERE level = 'gebied' AND code = $1"
                : met.StartsWith("GM") ? "SELECT ST_Intersection(ST_Boundary(g.geom), ST_Buffer(m.geom, 50)) AS st_boundary FROM area_in_force g, municipality m WHERE g.level = 'gebied' AND g.code = $1 AND m.code = $2"
                : "SELECT ST_Intersection(ST_Boundary(g.geom), ST_Boundary(o.geom)) AS st_boundary FROM area_in_force g, area_in_force o WHERE g.level = 'gebied' AND g.code = $1 AND o.level = 'gebied' AND o.code = $2";
            var expected = await Rows(
                $"""
                WITH b AS ({borderSql})
                SELECT m.gebied_code, '', count(*)::float8 FROM melding m, b WHERE ST_DWithin(m.geom, b.st_boundary, 250)
                  -- the release rule: the 12 whole months before the current one
                  AND m.created_at < (date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') AT TIME ZONE 'Europe/Amsterdam')
                  AND m.created_at >= ((date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - interval '12 months') AT TIME ZONE 'Europe/Amsterdam')
                GROUP BY 1
                """, met is null ? [code] : [code, met]);
            Assert.NotEmpty(expected);
            var min = _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Features.Meldingen.MeldingOptions>>().Value.PublicMinimumCount;
            foreach (var (gebied, _, count) in expected)
            {
                var side = sides.Single(s => s.GetProperty("code").GetString() == gebied);
                if (count >= min) Assert.Equal((long)count, side.GetProperty("meldingen").GetInt64());
                else Assert.Equal(JsonValueKind.Null, side.GetProperty("meldingen").ValueKind);
                // per month: every count shown is ≥ the minimum, and the shown ones never exceed the total
                Assert.All(side.GetProperty("perMonth").EnumerateArray(), c => Assert.True(c.ValueKind == JsonValueKind.Null || c.GetInt64() == 0 || c.GetInt64() >= min));
            }
            output.WriteLine($"{code}/{met}: " + string.Join(", ", expected.Select(e => $"{e.A} {e.Length}")));
        }
        // a pair without a common border, a bad distance
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/grensband/GB0361-centrum?met=GM0441")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/grensband/GB0361-centrum?afstand=5")).StatusCode);
        // the export to send to the neighbour: CSV per side and month, GeoJSON with band and border
        var csv = await http.GetStringAsync("/api/grensband/GB0361-west/export?met=GM0399&formaat=csv");
        Assert.StartsWith("kant,naam,soort,team,meldingen_12_maanden,", csv);
        Assert.Contains("\nGB0361-west,West,team,", csv);
        using var geo = JsonDocument.Parse(await http.GetStringAsync("/api/grensband/GB0361-west/export?met=GM0399&formaat=geojson"));
        Assert.Equal(["grensband", "grens"], geo.RootElement.GetProperty("features").EnumerateArray().Take(2).Select(f => f.GetProperty("properties").GetProperty("soort").GetString()));

        // the meldingen in full: for the teams at this border only
        var zuid = await _app.SignedInAsync("team-zuid");
        var rows = await (await zuid.GetAsync("/api/grensband/GB0361-centrum/meldingen?met=GB0361-zuid")).JsonAsync();
        Assert.NotEmpty(rows.EnumerateArray());
        Assert.All(rows.EnumerateArray(), m => Assert.False(m.TryGetProperty("melderNaam", out _)));
        var noord = await _app.SignedInAsync("team-noord");
        Assert.Equal(HttpStatusCode.Forbidden, (await noord.GetAsync("/api/grensband/GB0361-centrum/meldingen?met=GB0361-zuid")).StatusCode);
    }

    [Fact]
    public async Task A_cluster_across_the_Centrum_Zuid_border_is_one_hotspot_listed_for_both_teams_and_uniform_noise_makes_none_at_the_edge()
    {
        var now = DateTimeOffset.UtcNow.AddDays(-10);
        // uniform noise over the gemeente: Gi* counts only cells inside it (outside is no data, not zeros)
        await PlantAsync("SELECT geom FROM area_in_force WHERE level = 'gemeente'", 20000, now, 11);
        var hotspots = _app.Services.GetRequiredService<HotspotService>();
        // the last month only: what other tests in this class plant earlier in the year stays out
        var query = new HotspotQuery(DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-30)), null, null, 100);
        var noise = (await hotspots.AnalyseAsync(query))!;
        await using (var cmd = _ds.CreateCommand("SELECT ST_Boundary(geom) FROM area_in_force WHERE level = 'gemeente'"))
        {
            var boundary = (NetTopologySuite.Geometries.Geometry)(await cmd.ExecuteScalarAsync())!;
            Assert.DoesNotContain(noise.Hotspots, h => h.Hotspot.Polygon.Distance(boundary) < 150);
        }
        output.WriteLine($"uniform noise: {noise.Hotspots.Count} hotspot(s), {noise.Meldingen} meldingen");

        // a dense cluster centred on the Centrum/Zuid border
        await Exec(
            """
            INSERT INTO melding (created_at, category, geom, location_source, gebied_code, routing_kind, routing_reason, boundary_version_id, source)
            SELECT $1, 'overlast', p.geom, 'rd', coalesce((SELECT g.code FROM area_in_force g WHERE g.level = 'gebied' AND ST_Covers(g.geom, p.geom) LIMIT 1), 'GB0361-centrum'),
                   'inside', 'test', (SELECT min(version_id) FROM area_in_force), 'demo'
            FROM (SELECT ST_LineInterpolatePoint(ST_LineMerge(ST_Intersection(ST_Boundary(c.geom), ST_Boundary(z.geom))), 0.5) AS centre
                  FROM area_in_force c, area_in_force z WHERE c.level = 'gebied' AND c.code = 'GB0361-centrum' AND z.level = 'gebied' AND z.code = 'GB0361-zuid') s,
                 ST_Dump(ST_GeneratePoints(ST_Buffer(s.centre, 120), 400, 5)) p
            """, now);
        var analysis = (await hotspots.AnalyseAsync(query with { To = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)) }))!; // another key than the cached noise run
        var shared = Assert.Single(analysis.Hotspots, h => h.Involves("GB0361-centrum") && h.Involves("GB0361-zuid"));
        Assert.True(shared.Shared);
        Assert.Equal(["GB0361-centrum", "GB0361-zuid"], shared.Shares.Select(s => s.Gebied).Order());
        Assert.All(shared.Shares, s => Assert.InRange(s.Share, 0.1, 0.9));
        Assert.Equal(1.0, shared.Shares.Sum(s => s.Share), 2);
        // on the public answer and on the hotspot page of both teams
        using var geo = JsonDocument.Parse(await _app.CreateClient().GetStringAsync("/api/hotspots"));
        var feature = geo.RootElement.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("id").GetString() == shared.Id);
        Assert.True(feature.GetProperty("properties").GetProperty("shared").GetBoolean());
        output.WriteLine($"shared hotspot {shared.Rank}: " + string.Join(", ", shared.Shares.Select(s => $"{s.Name} {s.Count} ({s.Share:P0})")));
    }

    [Fact]
    public async Task A_planted_displacement_is_detected_and_a_null_case_is_not()
    {
        var service = _app.Services.GetRequiredService<CrossBoundaryService>();
        var date = new DateOnly(2026, 6, 1);
        var before = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var after = new DateTimeOffset(2026, 6, 20, 12, 0, 0, TimeSpan.Zero);
        const string inside = "SELECT geom FROM area_in_force WHERE level = 'wijk' AND code = 'WK036108'";
        const string ring = "SELECT ST_Difference(ST_Buffer(geom, 240), geom) FROM area_in_force WHERE level = 'wijk' AND code = 'WK036108'";
        // null: the same intensity inside and around before and after
        await PlantAsync(inside, 300, before, 1);
        await PlantAsync(ring, 300, before, 2);
        await PlantAsync(inside, 300, after, 3);
        await PlantAsync(ring, 300, after, 4);
        var nothing = (await service.DisplacementAsync("WK036108", Geo.Areas.AreaLevel.Wijk, date, 8, 250))!;
        Assert.False(nothing.Band.Significant, $"p = {nothing.Band.P}");
        Assert.Equal(300, nothing.Band.InsideBefore);
        Assert.Equal(300, nothing.Band.AroundAfter);

        // displacement: after the date, 150 fewer inside and 200 more in the band around
        await Exec("DELETE FROM melding WHERE id IN (SELECT m.id FROM melding m, area_in_force w WHERE w.level = 'wijk' AND w.code = 'WK036108' AND ST_Covers(w.geom, m.geom) AND m.created_at = $1 LIMIT 150)", after);
        await PlantAsync(ring, 200, after, 5);
        var pushed = (await service.DisplacementAsync("WK036108", Geo.Areas.AreaLevel.Wijk, date, 8, 250))!;
        Assert.True(pushed.Band.Displaced, $"OR {pushed.Band.OddsRatio}, p = {pushed.Band.P}");
        Assert.Equal(150, pushed.Band.InsideAfter);
        Assert.Equal(500, pushed.Band.AroundAfter);
        Assert.Contains("verplaatsing", pushed.Band.Verdict);

        // through the API, for staff only
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient().GetAsync("/api/areas/WK036108/verplaatsing?datum=2026-06-01")).StatusCode);
        var team = await _app.SignedInAsync("team-zuid");
        var answer = await (await team.GetAsync("/api/areas/WK036108/verplaatsing?datum=2026-06-01&weken=8")).JsonAsync();
        Assert.True(answer.GetProperty("band").GetProperty("displaced").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await team.GetAsync("/api/areas/WK036108/verplaatsing?datum=1-6-2026")).StatusCode);
    }

    [Fact]
    public async Task Border_discrepancies_list_the_Heiloo_sliver_of_the_CBS_layers_with_PostGIS_area()
    {
        var list = await (await _app.CreateClient().GetAsync("/api/grenzen/afwijkingen")).JsonAsync();
        var rows = list.EnumerateArray().ToList();
        var heiloo = Assert.Single(rows, r => r.GetProperty("layer").GetString() == "cbs" && r.GetProperty("municipality").GetString() == "GM0399" && r.GetProperty("kind").GetString() == "overlap");
        var oracle = await Rows("SELECT 'GM0399', '', ST_Area(ST_Intersection(a.geom, b.geom)) FROM municipality a, municipality b WHERE a.code = 'GM0361' AND b.code = 'GM0399'");
        Assert.Equal(oracle[0].Length, heiloo.GetProperty("areaM2").GetDouble(), 0);
        Assert.InRange(heiloo.GetProperty("areaM2").GetDouble(), 13000, 14000);
        // every overlap of the gemeente in force with a neighbour is PostGIS's intersection
        foreach (var r in rows.Where(r => r.GetProperty("layer").GetString() == "gemeente" && r.GetProperty("kind").GetString() == "overlap"))
            Assert.True(r.GetProperty("areaM2").GetDouble() >= 1);
        var total = await Rows("SELECT m.code, '', ST_Area(ST_Intersection(g.geom, m.geom)) FROM area_in_force g, municipality m WHERE g.level = 'gemeente' AND m.code <> 'GM0361' AND ST_Intersects(g.geom, m.geom)");
        foreach (var (code, _, area) in total.Where(t => t.Length >= 1))
            Assert.Equal(area, rows.Where(r => r.GetProperty("layer").GetString() == "gemeente" && r.GetProperty("kind").GetString() == "overlap" && r.GetProperty("municipality").GetString() == code)
                .Sum(r => r.GetProperty("areaM2").GetDouble()), 0);
        using var geo = JsonDocument.Parse(await _app.CreateClient().GetStringAsync("/api/grenzen/afwijkingen?formaat=geojson"));
        Assert.Equal(rows.Count, geo.RootElement.GetProperty("features").GetArrayLength());
    }

    [Fact]
    public async Task A_batch_routing_row_for_a_point_in_Heiloo_names_Heiloo()
    {
        var response = await _app.CreateClient().PostAsync("/api/route", new StringContent("id,lat,lon\nheiloo,52.6005,4.7010\n", Encoding.UTF8, "text/csv"));
        var rows = await response.JsonAsync();
        var row = rows.EnumerateArray().Single();
        Assert.Equal("outside", row.GetProperty("kind").GetString());
        Assert.Equal("GM0399", row.GetProperty("gemeente").GetString());
        Assert.Equal("Heiloo", row.GetProperty("gemeente_naam").GetString());
    }
}
