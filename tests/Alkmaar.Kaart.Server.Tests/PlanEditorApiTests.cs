using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Import;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Plans;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using Npgsql;
using Xunit.Abstractions;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The planners' plan editor through its API (issue 18), on the real full-resolution buurten with DEMO addresses, meldingen
/// and initiatives: preview counts kept per edit equal a PostGIS recount of the published version; invalid plans cannot be
/// published; the equivalency CSV round trips; two planners publishing from one base; undo back to exactly the start;
/// routing follows the published plan from its date.
/// </summary>
public class PlanEditorApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;
    private NpgsqlDataSource _ds = null!;
    private WebApplicationFactory<Program> _app = null!;
    private HttpClient _planner = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _ds = _db.CreateDataSource();
        _app = new KaartAppFactory(_db).WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(new TestClock(Now))));
        await _app.Services.GetRequiredService<BoundaryImporter>().ImportAsync(TestPaths.RealBuurten);
        await TestData.EnsureDemoAddressesAsync(_app.Services);
        await _app.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(2026, 4000);
        // running and finished initiatives, at the interior point of some buurten (only running ones count)
        await Exec("""
            INSERT INTO initiatief (title, theme, status, year, geom, gebied_code, updated_by)
            SELECT 'DEMO initiatief ' || code, 'groen', CASE WHEN row_number() OVER (ORDER BY code) % 3 = 0 THEN 'uitgevoerd' ELSE 'toegekend' END,
                   2026, ST_PointOnSurface(geom), 'x', 'test'
            FROM area WHERE level = 'buurt' AND valid_to IS NULL
            """);
        _planner = await _app.SignedInAsync("planner");
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _ds.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task Exec(string sql, params object[] args) => _ds.ExecAsync(sql, args);

    private Task<T> Scalar<T>(string sql, params object[] args) => _ds.ScalarAsync<T>(sql, args);

    private async Task<int> NewPlanAsync(string name, HttpClient? client = null) =>
        (await (await (client ?? _planner).PostAsJsonAsync("/api/plannen", new { name })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();

    private async Task<JsonElement> PlanAsync(int id) => await (await _planner.GetAsync($"/api/plannen/{id}")).JsonAsync();

    private async Task<int> VersionAsync(int id) => (await PlanAsync(id)).GetProperty("version").GetInt32();

    private async Task<JsonElement> EditAsync(int id, object edit, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/bewerkingen", edit)).JsonAsync(expected);

    [Fact]
    public async Task A_draft_plan_is_deleted_at_the_version_seen_and_a_published_plan_is_kept()
    {
        // Issue 27, low: drafts could not be deleted or archived
        var id = await NewPlanAsync("Weggooiplan");
        var version = await VersionAsync(id);
        // a colleague's newer edit is not deleted unseen
        Assert.Equal(HttpStatusCode.Conflict, (await _planner.DeleteAsync($"/api/plannen/{id}?version={version + 1}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _planner.GetAsync($"/api/plannen/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _planner.DeleteAsync($"/api/plannen/{id}?version={version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _planner.GetAsync($"/api/plannen/{id}")).StatusCode);
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM boundary_plan_buurt WHERE plan_id = $1", id)); // its buurten went with it
        Assert.Equal(1L, await Scalar<long>("SELECT count(*) FROM audit_log WHERE action = 'plan verwijderd' AND subject_id = $1", id.ToString()));
        // a published plan is the source of a boundary version: kept
        var kept = await NewPlanAsync("Gepubliceerd plan");
        await Exec("UPDATE boundary_plan SET published_version_id = (SELECT min(id) FROM boundary_version) WHERE id = $1", kept);
        var refused = await _planner.DeleteAsync($"/api/plannen/{kept}?version={await VersionAsync(kept)}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("gepubliceerd", await refused.Content.ReadAsStringAsync());
    }

    /// <summary>Buurten (by code) with a neighbour across a team border, each with that neighbour's wijk (PostGIS ST_Relate: a shared line).</summary>
    private async Task<List<(string Buurt, string Wijk, string From, string To)>> BorderBuurtenAsync()
    {
        var list = new List<(string, string, string, string)>();
        await using var cmd = _ds.CreateCommand(
            """
            SELECT a.code, b.parent_code, ga.parent_code, gb.parent_code
            FROM area_in_force a JOIN area_in_force b ON b.level = 'buurt' AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, 'F***1****')
            JOIN area_in_force ga ON ga.level = 'wijk' AND ga.code = a.parent_code
            JOIN area_in_force gb ON gb.level = 'wijk' AND gb.code = b.parent_code
            WHERE a.level = 'buurt' AND ga.parent_code <> gb.parent_code ORDER BY a.code, b.code
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
        return list;
    }

    /// <summary>Moves a border buurt to the neighbouring team's wijk such that the plan stays valid (the first that does).</summary>
    private async Task<(string Buurt, string From, string To)> MoveValidBuurtAsync(int id)
    {
        foreach (var (buurt, wijk, from, to) in await BorderBuurtenAsync())
        {
            var v = await VersionAsync(id);
            await EditAsync(id, new { version = v, kind = "buurten", buurten = new[] { buurt }, wijk });
            if ((await (await _planner.GetAsync($"/api/plannen/{id}/controle")).JsonAsync()).GetProperty("valid").GetBoolean()) return (buurt, from, to);
            await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/ongedaan-maken", new { version = v + 1 })).JsonAsync();
        }
        throw new InvalidOperationException("no buurt can move without breaking the plan");
    }

    /// <summary>Two buurten sharing a long border, and the border with its middle vertex moved 10 m into the second, as [lat, lon].</summary>
    private async Task<(string A, string B, double[][] Line, Coordinate Moved)> BorderMoveAsync()
    {
        var shapes = new Dictionary<string, Geometry>();
        await using (var cmd = _ds.CreateCommand("SELECT code, geom FROM area_in_force WHERE level = 'buurt' ORDER BY code"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) shapes[r.GetString(0)] = (Geometry)r.GetValue(1);
        foreach (var (a, ga) in shapes)
            foreach (var (b, gb) in shapes.Where(kv => string.CompareOrdinal(a, kv.Key) < 0))
            {
                if (BorderReshape.SharedEdge(ga, gb) is not { Length: > 300, NumPoints: >= 5 } edge) continue;
                var c = edge.Coordinates.Select(x => x.Copy()).ToArray();
                var i = c.Length / 2;
                var (dx, dy) = (c[i + 1].Y - c[i - 1].Y, -(c[i + 1].X - c[i - 1].X));
                var len = Math.Sqrt(dx * dx + dy * dy);
                var into = new Coordinate(c[i].X + 10 * dx / len, c[i].Y + 10 * dy / len);
                if (!gb.Contains(ga.Factory.CreatePoint(into))) into = new Coordinate(c[i].X - 10 * dx / len, c[i].Y - 10 * dy / len);
                c[i] = into;
                return (a, b, c.Select(p => { var (lon, lat) = RdNew.ToWgs84(p.X, p.Y); return new[] { lat, lon }; }).ToArray(), into);
            }
        throw new InvalidOperationException("no long border");
    }

    private static Dictionary<string, long[]> Teams(JsonElement plan) =>
        plan.GetProperty("teams").EnumerateArray().ToDictionary(t => t.GetProperty("gebied").GetString()!,
            t => PlanMeasures.Keys.Select(k => t.GetProperty("counts").GetProperty(k).GetInt64()).ToArray());

    [Fact]
    public async Task Preview_counts_kept_per_edit_equal_a_PostGIS_recount_of_the_published_plan_and_routing_follows_it_from_its_date()
    {
        var id = await NewPlanAsync("Balans Noord/West");
        var start = Teams(await PlanAsync(id));
        output.WriteLine("start: " + string.Join("; ", start.Select(kv => $"{kv.Key} {string.Join("/", kv.Value)}")));
        Assert.True(start.Values.Sum(t => t[PlanMeasures.Adressen]) > 1_000);
        Assert.True(start.Values.Sum(t => t[PlanMeasures.OpenMeldingen]) > 100);
        Assert.True(start.Values.Sum(t => t[PlanMeasures.Initiatieven]) > 20);

        var (buurt, from, to) = await MoveValidBuurtAsync(id);
        var (a, b, line, moved) = await BorderMoveAsync();
        var border = await EditAsync(id, new { version = await VersionAsync(id), kind = "grens", a, b, line, snapM = 0.5 });
        Assert.Contains(a, border.GetProperty("changedBuurten").EnumerateArray().Select(e => e.GetString()));
        var plan = await PlanAsync(id);
        var preview = Teams(plan);
        Assert.True(preview[from][PlanMeasures.Adressen] < start[from][PlanMeasures.Adressen]);
        Assert.True(preview[to][PlanMeasures.Adressen] > start[to][PlanMeasures.Adressen]);
        Assert.Equal(preview[to][PlanMeasures.Adressen] - start[to][PlanMeasures.Adressen],
            plan.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("gebied").GetString() == to).GetProperty("change").GetProperty("adressen").GetInt64());

        // the preview equals PostGIS's full recount over the plan's own buurten …
        var recount = await _app.Services.GetRequiredService<PlanStore>().RecountPerGebiedAsync(id);
        foreach (var (g, t) in recount)
            Assert.Equal(t, new[] { preview[g][PlanMeasures.Adressen], preview[g][PlanMeasures.OpenMeldingen], preview[g][PlanMeasures.MeldingenJaar], preview[g][PlanMeasures.Initiatieven] });

        // … and, once published from a future date, a recount over the gebieden of the version PostGIS stores
        var published = await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/publiceren",
            new { version = await VersionAsync(id), validFrom = "2027-03-01", reason = "Werklast Noord en West in balans" })).JsonAsync();
        var version = published.GetProperty("version").GetInt32();
        await using (var cmd = _ds.CreateCommand(
            $"""
            SELECT g.code, {PlanStore.CountColumns("g.geom")} FROM area g WHERE g.version_id = $1 AND g.level = 'gebied'
            """))
        {
            cmd.Parameters.AddWithValue(version);
            await using var r = await cmd.ExecuteReaderAsync();
            var n = 0;
            while (await r.ReadAsync())
            {
                var g = r.GetString(0);
                Assert.Equal(new[] { preview[g][0], preview[g][2], preview[g][3], preview[g][4] }, new[] { r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4) });
                n++;
            }
            Assert.Equal(5, n);
        }
        // the moved buurt's wijk is stored with the version; the old version stays in force until the date
        var planWijk = (await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv")).Split('\n').Single(l => l.StartsWith(buurt + ",")).Split(',')[1];
        Assert.Equal(planWijk, await Scalar<string>("SELECT parent_code FROM area WHERE version_id = $1 AND level = 'buurt' AND code = $2", version, buurt));
        Assert.Equal("2027-03-01", (await Scalar<DateOnly>("SELECT valid_to FROM area WHERE version_id = 1 AND level = 'gemeente'")).ToString("yyyy-MM-dd"));
        Assert.Equal("Werklast Noord en West in balans", await Scalar<string>("SELECT reason FROM boundary_version WHERE id = $1", version));

        // routing of a point in the moved buurt: the old team before the date, the new one from it
        var (x, y) = await TestData.InsideAsync(_ds, buurt);
        var anon = _app.CreateClient();
        async Task<string> GebiedOn(string date) =>
            (await (await anon.GetAsync(FormattableString.Invariant($"/api/locate?x={x}&y={y}&date={date}"))).JsonAsync()).GetProperty("gebied").GetProperty("code").GetString()!;
        Assert.Equal(from, await GebiedOn("2027-02-28"));
        Assert.Equal(to, await GebiedOn("2027-03-01"));
        Assert.Equal(from, (await (await anon.GetAsync(FormattableString.Invariant($"/api/locate?x={x}&y={y}"))).JsonAsync()).GetProperty("gebied").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await anon.GetAsync(FormattableString.Invariant($"/api/locate?x={x}&y={y}&date=1-3-2027"))).StatusCode);

        // a published plan takes no more edits; everything was audited
        await EditAsync(id, new { version = await VersionAsync(id), kind = "buurten", buurten = new[] { buurt }, wijk = "WK036108" }, HttpStatusCode.UnprocessableEntity);
        var audit = await _app.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "plan", subjectId: id.ToString());
        Assert.Contains(audit, e => e.Action == "plan gemaakt");
        Assert.Contains(audit, e => e.Action == "plan gewijzigd" && e.Detail!.Contains("\"grens\""));
        Assert.Contains(await _app.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "grenzen"),
            e => e.Action == "grenzen geïmporteerd" && e.SubjectId == version.ToString() && e.Detail!.Contains("Werklast"));
        output.WriteLine($"moved {buurt} {from} → {to}; border {a}/{b} at ({moved.X:0.0} {moved.Y:0.0}); published version {version}");

        // rolling back is publishing a plan made from the earlier version: it replaces the latest, its changes are the way back
        var back = (await (await _planner.PostAsJsonAsync("/api/plannen", new { name = "Terug naar versie 1", version = 1 })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var backPlan = await PlanAsync(back);
        Assert.Equal(version, backPlan.GetProperty("replacesVersion").GetInt32());
        Assert.Equal(1, backPlan.GetProperty("baseVersion").GetInt32());
        Assert.Equal([buurt], backPlan.GetProperty("changedBuurten").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(start[from][PlanMeasures.Adressen], Teams(backPlan)[from][PlanMeasures.Adressen]);
        Assert.Equal(start[from][PlanMeasures.Adressen] - preview[from][PlanMeasures.Adressen],
            backPlan.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("gebied").GetString() == from).GetProperty("change").GetProperty("adressen").GetInt64());
        var undone = (await (await _planner.PostAsJsonAsync($"/api/plannen/{back}/publiceren",
            new { version = await VersionAsync(back), validFrom = "2027-06-01", reason = "Terugdraaien" })).JsonAsync()).GetProperty("version").GetInt32();
        Assert.Equal(to, await GebiedOn("2027-05-31"));
        Assert.Equal(from, await GebiedOn("2027-06-01"));
        Assert.Equal(3L, await Scalar<long>("SELECT count(DISTINCT version_id) FROM area"));
        Assert.True(undone > version);
    }

    [Fact]
    public async Task Undo_and_redo_continue_on_another_server_with_the_same_counts_and_shapes()
    {
        var id = await NewPlanAsync("Op twee servers");
        var startCsv = await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv");
        var startTeams = Teams(await PlanAsync(id));
        var (buurt, _, _) = await MoveValidBuurtAsync(id);
        var (a, b, line, _) = await BorderMoveAsync();
        await EditAsync(id, new { version = await VersionAsync(id), kind = "grens", a, b, line, snapM = 0.5 });
        const string shapeDiff = """
            SELECT ST_Area(ST_SymDifference(p.geom, v.geom)) FROM boundary_plan_buurt p JOIN area_in_force v ON v.level = 'buurt' AND v.code = p.code
            WHERE p.plan_id = $1 AND p.code = $2
            """;
        Assert.True(await Scalar<double>(shapeDiff, id, a) > 1, "the border move changed the shape");

        // another server on the same database (or this one after a restart) takes the plan's history over
        using var second = new KaartAppFactory(_db).WithWebHostBuilder(x => x.ConfigureServices(s => s.AddSingleton<TimeProvider>(new TestClock(Now))));
        var planner2 = await second.SignedInAsync("planner");
        async Task<int> Version2() => (await (await planner2.GetAsync($"/api/plannen/{id}")).JsonAsync()).GetProperty("version").GetInt32();
        for (var i = 0; i < 2; i++)
            await (await planner2.PostAsJsonAsync($"/api/plannen/{id}/ongedaan-maken", new { version = await Version2() })).JsonAsync();
        Assert.Equal(startCsv, await planner2.GetStringAsync($"/api/plannen/{id}/indeling.csv"));
        Assert.True(await Scalar<double>(shapeDiff, id, a) < 0.01, "undoing the border move gave the shape back");
        var undoneTeams = Teams(await (await planner2.GetAsync($"/api/plannen/{id}")).JsonAsync());
        Assert.All(startTeams, kv => Assert.Equal(kv.Value, undoneTeams[kv.Key]));
        // nothing more to undo there; the first server redoes the first edit (its open copy is stale and reloads)
        await (await planner2.PostAsJsonAsync($"/api/plannen/{id}/ongedaan-maken", new { version = await Version2() })).JsonAsync(HttpStatusCode.Conflict);
        await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/opnieuw-doen", new { version = await VersionAsync(id) })).JsonAsync();
        var redone = await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv");
        Assert.NotEqual(startCsv, redone);
        Assert.DoesNotContain(redone.Split('\n').Single(l => l.StartsWith(buurt + ",")), startCsv.Split('\n'));
        Assert.True(await Scalar<double>(shapeDiff, id, a) < 0.01, "the border move is still undone");
        // the counts kept edit by edit equal PostGIS's recount of the plan as it now stands
        var recount = await _app.Services.GetRequiredService<PlanStore>().RecountPerGebiedAsync(id);
        var teams = Teams(await PlanAsync(id));
        foreach (var (g, t) in recount)
            Assert.Equal(t, new[] { teams[g][PlanMeasures.Adressen], teams[g][PlanMeasures.OpenMeldingen], teams[g][PlanMeasures.MeldingenJaar], teams[g][PlanMeasures.Initiatieven] });
        // a new edit drops what was left to redo (the border move)
        await (await planner2.PostAsJsonAsync($"/api/plannen/{id}/bewerkingen", new { version = await Version2(), kind = "nieuwe-wijk", naam = "Tussenwijk", gebied = "GB0361-noord" })).JsonAsync();
        await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/opnieuw-doen", new { version = await VersionAsync(id) })).JsonAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_new_wijk_takes_the_next_free_code_its_buurten_and_its_name_into_the_published_version()
    {
        var id = await NewPlanAsync("Een wijk gesplitst");
        var wijken = new List<string>();
        await using (var cmd = _ds.CreateCommand("SELECT code FROM area_in_force WHERE level = 'wijk'"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) wijken.Add(r.GetString(0));
        var code = Enumerable.Range(1, 99).Select(n => $"WK0361{n:00}").First(c => !wijken.Contains(c));

        // a buurt of a wijk with several buurten becomes a wijk of its own, in the same gebied; the first one that keeps the plan valid
        var candidates = new List<(string Buurt, string Wijk, string Gebied)>();
        await using (var cmd = _ds.CreateCommand(
            """
            SELECT b.code, b.parent_code, w.parent_code FROM area_in_force b JOIN area_in_force w ON w.level = 'wijk' AND w.code = b.parent_code
            WHERE b.level = 'buurt' AND (SELECT count(*) FROM area_in_force o WHERE o.level = 'buurt' AND o.parent_code = b.parent_code) >= 3
            ORDER BY b.code
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) candidates.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        string? buurt = null, oldWijk = null, gebied = null;
        foreach (var (b, w, g) in candidates)
        {
            var v = await VersionAsync(id);
            await EditAsync(id, new { version = v, kind = "nieuwe-wijk", naam = "Nieuwe Wijk", gebied = g });
            await EditAsync(id, new { version = v + 1, kind = "buurten", buurten = new[] { b }, wijk = code });
            if ((await (await _planner.GetAsync($"/api/plannen/{id}/controle")).JsonAsync()).GetProperty("valid").GetBoolean()) { (buurt, oldWijk, gebied) = (b, w, g); break; }
            for (var i = 0; i < 2; i++) await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/ongedaan-maken", new { version = await VersionAsync(id) })).JsonAsync();
        }
        Assert.NotNull(buurt);
        Assert.Contains($"{buurt},{code},{gebied}", await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv"));
        // a second wijk of the same name, an unknown gebied: refused in Dutch, nothing changed
        var v0 = await VersionAsync(id);
        Assert.Contains("al een wijk", (await EditAsync(id, new { version = v0, kind = "nieuwe-wijk", naam = "nieuwe wijk", gebied }, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString());
        await EditAsync(id, new { version = v0, kind = "nieuwe-wijk", naam = "Elders", gebied = "GB0361-nergens" }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(v0, await VersionAsync(id));

        var version = (await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/publiceren",
            new { version = v0, validFrom = "2027-03-01", reason = "Nieuwe wijk" })).JsonAsync()).GetProperty("version").GetInt32();
        // PostGIS as the oracle: the new wijk is its buurt's ground, named, in its gebied; the old wijk is the union of the rest
        Assert.Equal("Nieuwe Wijk", await Scalar<string>("SELECT name FROM area WHERE version_id = $1 AND level = 'wijk' AND code = $2", version, code));
        Assert.Equal(gebied, await Scalar<string>("SELECT parent_code FROM area WHERE version_id = $1 AND level = 'wijk' AND code = $2", version, code));
        Assert.Equal(code, await Scalar<string>("SELECT parent_code FROM area WHERE version_id = $1 AND level = 'buurt' AND code = $2", version, buurt!));
        Assert.True(await Scalar<double>(
            """
            SELECT ST_Area(ST_SymDifference(w.geom, b.geom)) FROM area w, area b
            WHERE w.version_id = $1 AND w.level = 'wijk' AND w.code = $2 AND b.version_id = $1 AND b.level = 'buurt' AND b.code = $3
            """, version, code, buurt!) < 1);
        Assert.True(await Scalar<double>(
            """
            SELECT ST_Area(ST_SymDifference(w.geom, (SELECT ST_Union(b.geom) FROM area b WHERE b.version_id = $1 AND b.level = 'buurt' AND b.parent_code = $2)))
            FROM area w WHERE w.version_id = $1 AND w.level = 'wijk' AND w.code = $2
            """, version, oldWijk!) < 1);
        // routing from the date names the new wijk
        var (x, y) = await TestData.InsideAsync(_ds, buurt!);
        var anon = _app.CreateClient();
        async Task<string> WijkOn(string date) =>
            (await (await anon.GetAsync(FormattableString.Invariant($"/api/locate?x={x}&y={y}&date={date}"))).JsonAsync()).GetProperty("wijk").GetProperty("code").GetString()!;
        Assert.Equal(oldWijk, await WijkOn("2027-02-28"));
        Assert.Equal(code, await WijkOn("2027-03-01"));
        output.WriteLine($"{buurt} from {oldWijk} into new wijk {code} ({gebied}), version {version}");
    }

    [Fact]
    public async Task A_plan_with_a_gap_or_a_non_contiguous_area_cannot_be_published_and_an_allowance_lifts_the_second()
    {
        // a gap: a buurtenfile (e.g. a new CBS year) with one buurt 3 m smaller on every side
        var geojson = await Scalar<string>(
            """
            SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object('type', 'Feature',
                'properties', json_build_object('buurtcode', code, 'buurtnaam', name),
                'geometry', ST_AsGeoJSON(CASE WHEN code = 'BU03610800' THEN ST_Buffer(geom, -3) ELSE geom END)::json)))::text
            FROM area_in_force WHERE level = 'buurt'
            """);
        var created = await (await _planner.PostAsync("/api/plannen/bestand?naam=Met%20gat", new StringContent(
            geojson.Replace("\"type\":\"FeatureCollection\"", "\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}}"),
            Encoding.UTF8, "application/geo+json"))).JsonAsync(HttpStatusCode.Created);
        var gap = created.GetProperty("id").GetInt32();
        var check = await (await _planner.GetAsync($"/api/plannen/{gap}/controle")).JsonAsync();
        Assert.False(check.GetProperty("valid").GetBoolean());
        // the gap is listed where it is: around the shrunken buurt
        var (gx, gy) = await TestData.InsideAsync(_ds, "BU03610800");
        Assert.Contains(check.GetProperty("problems").EnumerateArray(), p => p.GetProperty("kind").GetString() == "dekking" && p.GetProperty("message").GetString()!.Contains("gat")
            && Math.Abs(p.GetProperty("x").GetDouble() - gx) < 2000 && Math.Abs(p.GetProperty("y").GetDouble() - gy) < 2000);
        var refused = await (await _planner.PostAsJsonAsync($"/api/plannen/{gap}/publiceren",
            new { version = await VersionAsync(gap), validFrom = "2027-01-01", reason = "nieuw CBS-jaar" })).JsonAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(refused.GetProperty("problems").EnumerateArray());

        // a buurt of West put in wijk Centrum, far from it: both fall apart
        var id = await NewPlanAsync("Los stuk");
        var far = await Scalar<string>(
            """
            SELECT b.code FROM area_in_force b JOIN area_in_force w ON w.level = 'wijk' AND w.code = b.parent_code AND w.parent_code = 'GB0361-west'
            WHERE b.level = 'buurt' AND NOT EXISTS (SELECT 1 FROM area_in_force c WHERE c.level = 'wijk' AND c.code = 'WK036108' AND ST_Intersects(c.geom, b.geom))
            ORDER BY b.code LIMIT 1
            """);
        await EditAsync(id, new { version = await VersionAsync(id), kind = "buurten", buurten = new[] { far }, wijk = "WK036108" });
        check = await (await _planner.GetAsync($"/api/plannen/{id}/controle")).JsonAsync();
        var pieces = check.GetProperty("problems").EnumerateArray().Where(p => p.GetProperty("kind").GetString() == "samenhang").Select(p => p.GetProperty("code").GetString()).ToList();
        Assert.Contains("WK036108", pieces);
        Assert.Contains("GB0361-centrum", pieces);
        Assert.All(check.GetProperty("problems").EnumerateArray(), p => Assert.True(p.TryGetProperty("x", out var x) && x.ValueKind == JsonValueKind.Number));
        await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/publiceren",
            new { version = await VersionAsync(id), validFrom = "2027-01-01", reason = "los stuk" })).JsonAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1L, await Scalar<long>("SELECT count(*) FROM boundary_version"));

        await (await _planner.PutAsJsonAsync($"/api/plannen/{id}/regels",
            new { version = await VersionAsync(id), locked = Array.Empty<string>(), allowNonContiguous = new[] { "WK036108", "GB0361-centrum" } })).JsonAsync();
        check = await (await _planner.GetAsync($"/api/plannen/{id}/controle")).JsonAsync();
        Assert.DoesNotContain(check.GetProperty("problems").EnumerateArray(), p => p.GetProperty("kind").GetString() == "samenhang");
    }

    [Fact]
    public async Task The_equivalency_csv_round_trips_through_a_plan_and_a_broken_one_lists_its_lines()
    {
        var csv = await _planner.GetStringAsync("/api/boundaries/1/indeling.csv");
        Assert.StartsWith("buurtcode,wijkcode,gebiedcode\n", csv);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(67, lines.Length);
        // move one buurt in the file, read it as a plan, write it back: the same bytes
        var edited = csv.Replace(lines[1], $"{lines[1].Split(',')[0]},WK036108,GB0361-centrum");
        var id = (await (await _planner.PostAsync("/api/plannen/csv?naam=Uit%20CSV", new StringContent(edited, Encoding.UTF8, "text/csv")))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        Assert.Equal(edited, await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv"));
        Assert.Equal([lines[1].Split(',')[0]], (await PlanAsync(id)).GetProperty("changedBuurten").EnumerateArray().Select(e => e.GetString()));

        var broken = await (await _planner.PostAsync("/api/plannen/csv", new StringContent(
            csv.Replace(lines[2], "BU99999999,WK036101,GB0361-zuid"), Encoding.UTF8, "text/csv"))).JsonAsync(HttpStatusCode.UnprocessableEntity);
        var problems = broken.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.StartsWith("regel 3:") && p.Contains("BU99999999"));
        Assert.Contains(problems, p => p.Contains($"{lines[2].Split(',')[0]} ontbreekt"));
    }

    [Fact]
    public async Task Two_planners_publishing_from_the_same_base_one_wins_and_the_other_is_told_and_rebases()
    {
        var second = await PlannerTwoAsync();
        var p1 = await NewPlanAsync("Plan van planner 1");
        var p2 = await NewPlanAsync("Plan van planner 2", second);
        var (buurt, _, to) = await MoveValidBuurtAsync(p1);
        // planner 2 moves the border of two buurten
        var (a, b, line, _) = await BorderMoveAsync();
        await (await second.PostAsJsonAsync($"/api/plannen/{p2}/bewerkingen",
            new { version = await VersionAsync(p2), kind = "grens", a, b, line, snapM = 0.5 })).JsonAsync();

        var v1 = await VersionAsync(p1);
        var v2 = await VersionAsync(p2);
        var answers = await Task.WhenAll(
            _planner.PostAsJsonAsync($"/api/plannen/{p1}/publiceren", new { version = v1, validFrom = "2027-01-01", reason = "planner 1" }),
            second.PostAsJsonAsync($"/api/plannen/{p2}/publiceren", new { version = v2, validFrom = "2027-02-01", reason = "planner 2" }));
        Assert.Single(answers, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(answers, r => r.StatusCode == HttpStatusCode.Conflict);
        var problem = await loser.JsonAsync(HttpStatusCode.Conflict);
        Assert.Contains("opnieuw baseren", problem.GetProperty("detail").GetString());
        Assert.Equal(2L, await Scalar<long>("SELECT count(*) FROM boundary_version"));

        // the loser rebases: the winner's change is in, its own change stays, and it publishes after the winner's date
        var (loserId, client) = answers[0].StatusCode == HttpStatusCode.Conflict ? (p1, _planner) : (p2, second);
        var rebased = await (await client.PostAsJsonAsync($"/api/plannen/{loserId}/opnieuw-baseren", new { version = await VersionAsync(loserId) })).JsonAsync();
        Assert.Empty(rebased.GetProperty("conflicts").EnumerateArray());
        var csv = await _planner.GetStringAsync($"/api/plannen/{loserId}/indeling.csv");
        Assert.Contains(csv.Split('\n'), l => l.StartsWith(buurt + ",") && l.EndsWith("," + to));
        Assert.Equal(1, await Scalar<int>("SELECT count(*)::int FROM boundary_plan_buurt p JOIN area v ON v.code = p.code AND v.level = 'buurt' AND v.version_id = 1 WHERE p.plan_id = $1 AND p.code = $2 AND NOT ST_Equals(p.geom, v.geom)", loserId, a));
        var later = "2027-03-01";
        await (await client.PostAsJsonAsync($"/api/plannen/{loserId}/publiceren", new { version = await VersionAsync(loserId), validFrom = later, reason = "na opnieuw baseren" })).JsonAsync();
        Assert.Equal(3L, await Scalar<long>("SELECT count(*) FROM boundary_version"));
    }

    private async Task<HttpClient> PlannerTwoAsync()
    {
        await _app.EnsureUserAsync("planner2", ["planner"], []);
        var client = _app.CreateNoRedirectClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync("planner2", TestAccounts.Password)).StatusCode);
        return client;
    }

    [Fact]
    public async Task Undo_returns_exactly_to_the_earlier_plan_and_redo_and_stale_versions_and_locks_are_handled()
    {
        var id = await NewPlanAsync("Heen en terug");
        var startCsv = await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv");
        var startTeams = Teams(await PlanAsync(id));
        var (buurt, from, _) = await MoveValidBuurtAsync(id);
        var (a, b, line, _) = await BorderMoveAsync();
        await EditAsync(id, new { version = await VersionAsync(id), kind = "grens", a, b, line, snapM = 0.5 });
        await EditAsync(id, new { version = await VersionAsync(id), kind = "wijken", wijken = new[] { "WK036111" }, gebied = "GB0361-zuid" });
        var afterCsv = await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv");
        var afterTeams = Teams(await PlanAsync(id));

        // a stale version is refused with the current one named
        var stale = await EditAsync(id, new { version = 1, kind = "wijken", wijken = new[] { "WK036111" }, gebied = "GB0361-west" }, HttpStatusCode.Conflict);
        Assert.Equal(await VersionAsync(id), stale.GetProperty("version").GetInt32());

        for (var i = 0; i < 3; i++) await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/ongedaan-maken", new { version = await VersionAsync(id) })).JsonAsync();
        await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/ongedaan-maken", new { version = await VersionAsync(id) })).JsonAsync(HttpStatusCode.Conflict);
        Assert.Equal(startCsv, await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv"));
        Assert.Equal(startTeams, Teams(await PlanAsync(id)));
        // every shape back to the vertex (PostGIS: byte-equal to the version's)
        Assert.Equal(0L, await Scalar<long>(
            "SELECT count(*) FROM boundary_plan_buurt p JOIN area v ON v.code = p.code AND v.level = 'buurt' AND v.version_id = 1 WHERE p.plan_id = $1 AND ST_AsBinary(p.geom) <> ST_AsBinary(v.geom)", id));
        Assert.Empty((await PlanAsync(id)).GetProperty("changedBuurten").EnumerateArray());

        for (var i = 0; i < 3; i++) await (await _planner.PostAsJsonAsync($"/api/plannen/{id}/opnieuw-doen", new { version = await VersionAsync(id) })).JsonAsync();
        Assert.Equal(afterCsv, await _planner.GetStringAsync($"/api/plannen/{id}/indeling.csv"));
        Assert.Equal(afterTeams, Teams(await PlanAsync(id)));

        // a locked gebied keeps its buurten
        await (await _planner.PutAsJsonAsync($"/api/plannen/{id}/regels", new { version = await VersionAsync(id), locked = new[] { from } })).JsonAsync();
        var other = await Scalar<string>("SELECT b.code FROM area_in_force b JOIN area_in_force w ON w.code = b.parent_code AND w.level = 'wijk' WHERE b.level = 'buurt' AND w.parent_code = $1 AND b.code <> $2 ORDER BY b.code LIMIT 1", from, buurt);
        var locked = await EditAsync(id, new { version = await VersionAsync(id), kind = "buurten", buurten = new[] { other }, wijk = "WK036108" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("vergrendeld", locked.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_comparison_lists_what_moves_where_with_its_counts_as_json_geojson_and_csv()
    {
        var id = await NewPlanAsync("Vergelijken");
        var (buurt, from, to) = await MoveValidBuurtAsync(id);
        var (a, b, line, _) = await BorderMoveAsync();
        await EditAsync(id, new { version = await VersionAsync(id), kind = "grens", a, b, line, snapM = 0.5 });
        var diff = await (await _planner.GetAsync($"/api/plannen/{id}/vergelijking")).JsonAsync();
        var rows = diff.GetProperty("rows").EnumerateArray().ToList();
        var moved = Assert.Single(rows, r => r.GetProperty("kind").GetString() == "buurt");
        Assert.Equal(buurt, moved.GetProperty("buurt").GetString());
        Assert.Equal(from, moved.GetProperty("fromGebied").GetString());
        Assert.Equal(to, moved.GetProperty("toGebied").GetString());
        // the address count of the moved buurt is PostGIS's
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM address a JOIN area_in_force b ON b.level = 'buurt' AND b.code = $1 AND ST_Intersects(b.geom, a.geom)", buurt),
            moved.GetProperty("counts").GetProperty("adressen").GetInt64());
        var ground = Assert.Single(rows, r => r.GetProperty("kind").GetString() == "grond");
        Assert.Contains(ground.GetProperty("buurt").GetString(), new[] { a, b });
        Assert.InRange(ground.GetProperty("areaM2").GetDouble(), 100, 100_000);

        var geojson = await (await _planner.GetAsync($"/api/plannen/{id}/vergelijking?formaat=geojson")).Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(geojson);
        Assert.Equal(2, doc.RootElement.GetProperty("features").GetArrayLength());
        var csv = await _planner.GetStringAsync($"/api/plannen/{id}/vergelijking?formaat=csv");
        Assert.StartsWith("soort,buurtcode,naam,van_buurt,van_wijk,naar_wijk,van_gebied,naar_gebied,oppervlakte_m2,adressen,inwoners,openMeldingen,meldingenJaar,initiatieven\n", csv);
        Assert.Equal(3, csv.TrimEnd('\n').Split('\n').Length);
        Assert.Equal(HttpStatusCode.BadRequest, (await _planner.GetAsync($"/api/plannen/{id}/vergelijking?formaat=pdf")).StatusCode);
        // the other team's planner account cannot read plans at all
        var team = await _app.SignedInAsync("team-noord");
        Assert.Equal(HttpStatusCode.Forbidden, (await team.GetAsync($"/api/plannen/{id}")).StatusCode);
    }
}
