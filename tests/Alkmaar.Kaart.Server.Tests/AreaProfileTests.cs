using System.Net;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Server.Features.Population;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The population table (PC4 inwoners apportioned to buurten, or kerncijfers) and the area profile behind the area pages.</summary>
public class AreaProfileTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private static readonly string Pc4File = Path.Combine(TestPaths.SharedData, "cbs-pc4-2021", "pc4_alkmaar_18xx_2021.geojson");
    private readonly HttpClient _http = fx.Factory.CreateClient();
    private PopulationStore Population => fx.Factory.Services.GetRequiredService<PopulationStore>();

    public async Task InitializeAsync()
    {
        await Population.ImportPc4Async(Pc4File);
        await fx.Factory.Services.GetRequiredService<MonitorStore>().GenerateDemoAsync();
        var demo = fx.Factory.Services.GetRequiredService<DemoMeldingen>();
        if (await demo.CountAsync() == 0) await demo.GenerateAsync(2025, 10_000);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Pc4_inwoners_are_apportioned_to_the_buurten_as_PostGIS_computes_the_area_overlap()
    {
        await Population.ImportPc4Async(Pc4File);
        await using var db = fx.Database.CreateDataSource();
        await using var conn = await db.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE pc4src (code text, inwoners float8, geom geometry)", conn)) await create.ExecuteNonQueryAsync();
        await using (var stream = File.OpenRead(Pc4File))
            foreach (var f in GeoJsonFeatureReader.Read(stream).Features)
            {
                if (f.Attributes["inwoners"] is null) continue;
                await using var ins = new NpgsqlCommand("INSERT INTO pc4src VALUES ($1, $2, ST_MakeValid($3))", conn);
                ins.Parameters.AddWithValue((string)f.Attributes["postcode"]);
                ins.Parameters.AddWithValue(Convert.ToDouble(f.Attributes["inwoners"]));
                ins.Parameters.AddWithValue(f.Geometry);
                await ins.ExecuteNonQueryAsync();
            }
        // the oracle: Σ inwoners · area(pc4 ∩ buurt) / area(pc4), per buurt, next to what was imported
        await using var cmd = new NpgsqlCommand(
            """
            SELECT b.code, coalesce(sum(s.inwoners * ST_Area(ST_Intersection(s.geom, b.geom)) / ST_Area(s.geom)), 0), p.inwoners, p.method, p.year
            FROM area b LEFT JOIN pc4src s ON ST_Intersects(s.geom, b.geom) JOIN population p ON p.buurt_code = b.code
            WHERE b.level = 'buurt' AND b.valid_to IS NULL GROUP BY b.code, p.inwoners, p.method, p.year
            """, conn);
        var n = 0;
        var total = 0.0;
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                n++;
                Assert.True(Math.Abs(r.GetDouble(1) - r.GetDouble(2)) < 0.01 + 1e-6 * r.GetDouble(1), $"{r.GetString(0)}: PostGIS {r.GetDouble(1)}, imported {r.GetDouble(2)}");
                Assert.Equal("pc4-oppervlakte", r.GetString(3));
                Assert.Equal(2021, r.GetInt32(4)); // from the file name
                total += r.GetDouble(2);
            }
        Assert.Equal(66, n); // every buurt has a row
        // the PC4s assigned to Alkmaar hold 109,890 inwoners; slivers of neighbouring PC4s add a little, the parts of
        // Alkmaar PC4s outside the buurten take a little
        Assert.InRange(total, 107_000, 112_000);
    }

    [Fact]
    public async Task Kerncijfers_per_buurt_replace_the_apportioned_numbers_bad_rows_are_reported_and_areas_sum_their_buurten()
    {
        try
        {
            await using var db = fx.Database.CreateDataSource();
            var buurten = new List<string>();
            await using (var cmd = db.CreateCommand("SELECT code FROM area WHERE level = 'buurt' AND valid_to IS NULL AND parent_code = 'WK036101' ORDER BY code"))
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) buurten.Add(r.GetString(0));
            var csv = new StringBuilder("buurtcode,inwoners,jaar\n");
            for (var i = 0; i < buurten.Count; i++) csv.Append($"{buurten[i]},{1000 + i},2024\n");
            csv.Append("BU99999999,50,2024\n").Append($"{buurten[0]},-3,2024\n").Append($"{buurten[1]},12,2024\n");
            var report = await Population.ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())));
            Assert.Equal(buurten.Count, report.Buurten);
            Assert.Equal("kerncijfers", report.Method);
            var rows = report.Rejected.Where(r => r.Row > 0).ToList();
            Assert.Equal([buurten.Count + 2, buurten.Count + 3, buurten.Count + 4], rows.Select(r => r.Row));
            Assert.Contains("geen buurtcode", rows[0].Error);
            Assert.Contains("≥ 0", rows[1].Error);
            Assert.Contains("twee keer", rows[2].Error);
            Assert.Contains(report.Rejected, r => r.Row == 0 && r.Error.Contains("geen regel voor deze buurt")); // the other buurten are named

            var wijk = await Population.OfAreaAsync("WK036101", Geo.Areas.AreaLevel.Wijk);
            Assert.NotNull(wijk);
            Assert.Equal(Enumerable.Range(0, buurten.Count).Sum(i => 1000.0 + i), wijk.Inwoners);
            Assert.Equal(2024, wijk.Year);
            Assert.Equal("kerncijfers", wijk.Method);
            var profile = await Json(await _http.GetAsync("/api/areas/WK036101/profiel"));
            Assert.Equal(wijk.Inwoners, profile.GetProperty("inwoners").GetProperty("count").GetDouble());
            Assert.Contains("kerncijfers", profile.GetProperty("inwoners").GetProperty("source").GetString());
        }
        finally
        {
            await Population.ImportPc4Async(Pc4File);
        }
    }

    [Fact]
    public async Task Areas_with_fewer_than_250_inwoners_get_no_rates_per_1000_and_say_why()
    {
        try
        {
            await using (var s = File.OpenRead(TestPaths.FullRes("cbs_kerncijfers_2022_buurten.csv")))
                await Population.ImportCsvAsync(s, default, 2022);
            // Ursem: 70 inwoners (CBS 2022); Kooimeer: 2,130
            var small = await Json(await _http.GetAsync("/api/areas/BU03610901/profiel?level=buurt"));
            Assert.Equal(70, small.GetProperty("inwoners").GetProperty("count").GetDouble());
            Assert.False(small.GetProperty("inwoners").GetProperty("ratesShown").GetBoolean());
            Assert.Contains("minder dan 250 inwoners", small.GetProperty("inwoners").GetProperty("ratesNote").GetString());
            Assert.Equal(JsonValueKind.Null, small.GetProperty("meldingen").GetProperty("per1000").ValueKind);
            Assert.All(small.GetProperty("meldingen").GetProperty("topCategories").EnumerateArray(), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("per1000").ValueKind));
            Assert.Equal(JsonValueKind.Null, small.GetProperty("initiatieven").GetProperty("per1000").ValueKind);

            var large = await Json(await _http.GetAsync("/api/areas/BU03610100/profiel?level=buurt"));
            Assert.True(large.GetProperty("inwoners").GetProperty("ratesShown").GetBoolean());
            Assert.Equal(JsonValueKind.Number, large.GetProperty("meldingen").GetProperty("per1000").ValueKind);
        }
        finally
        {
            await Population.ImportPc4Async(Pc4File);
        }
    }

    [Fact]
    public async Task A_wijk_profile_counts_the_meldingen_inside_it_per_month_and_category_as_PostGIS_does_and_per_1000_inwoners()
    {
        var p = await Json(await _http.GetAsync("/api/areas/WK036101/profiel?jaar=2025"));
        Assert.Equal("Zuid", p.GetProperty("name").GetString());
        Assert.Equal("Gebiedsteam Zuid", p.GetProperty("gebiedsteam").GetProperty("name").GetString());
        var m = p.GetProperty("meldingen");
        Assert.Equal(2025, m.GetProperty("year").GetInt32());
        Assert.True(m.GetProperty("demo").GetBoolean());

        await using var db = fx.Database.CreateDataSource();
        async Task<List<(string Category, long Count)>> Oracle(string code, string level)
        {
            await using var cmd = db.CreateCommand(
                """
                SELECT m.category, count(*) FROM melding m JOIN area a ON a.code = $1 AND a.level = $2 AND a.valid_to IS NULL AND ST_Covers(a.geom, m.geom)
                WHERE date_part('year', m.created_at AT TIME ZONE 'Europe/Amsterdam') = 2025 GROUP BY 1 ORDER BY 2 DESC, 1
                """);
            cmd.Parameters.AddWithValue(code);
            cmd.Parameters.AddWithValue(level);
            var list = new List<(string, long)>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) list.Add((r.GetString(0), r.GetInt64(1)));
            return list;
        }
        var oracle = await Oracle("WK036101", "wijk");
        var count = oracle.Sum(o => o.Count);
        Assert.True(count > 100);
        Assert.Equal(count, m.GetProperty("count").GetInt32());
        Assert.Equal(count, m.GetProperty("perMonth").EnumerateArray().Sum(x => x.GetInt32()));
        Assert.Equal(12, m.GetProperty("perMonth").GetArrayLength());
        var top = m.GetProperty("topCategories").EnumerateArray().ToList();
        Assert.Equal(oracle.Take(5).Select(o => (o.Category, o.Count)), top.Select(t => (t.GetProperty("category").GetString()!, (long)t.GetProperty("count").GetInt32())));

        var inwoners = (await Population.OfAreaAsync("WK036101", Geo.Areas.AreaLevel.Wijk))!.Inwoners;
        Assert.Equal(Math.Round(count * 1000 / inwoners, 2), m.GetProperty("per1000").GetDouble(), 2);
        Assert.Equal(Math.Round(top[0].GetProperty("count").GetInt32() * 1000 / inwoners, 2), top[0].GetProperty("per1000").GetDouble(), 2);
        var gemeente = (await Oracle("GM0361", "gemeente")).Sum(o => o.Count);
        Assert.Equal(gemeente, m.GetProperty("gemeente").GetProperty("count").GetInt32());

        // the wijk's own monitor scores against the gemeente, latest year
        var scores = p.GetProperty("monitor").GetProperty("scores").EnumerateArray().ToList();
        Assert.True(scores.Count >= 8);
        Assert.All(scores, s => Assert.Equal(2024, s.GetProperty("year").GetInt32()));
        Assert.Equal(["WK036101"], p.GetProperty("monitor").GetProperty("areaCodes").EnumerateArray().Select(c => c.GetString()));
        // public data only: no melding ids, texts or persons
        var raw = p.GetRawText();
        foreach (var word in new[] { "melder", "email", "telefoon", "description", "address" }) Assert.DoesNotContain(word, raw, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_gebied_compares_the_respondent_weighted_mean_of_its_wijken_and_a_dorp_uses_its_wijk()
    {
        var p = await Json(await _http.GetAsync("/api/areas/GB0361-noord/profiel"));
        var monitor = p.GetProperty("monitor");
        var codes = monitor.GetProperty("areaCodes").EnumerateArray().Select(c => c.GetString()!).Order().ToList();
        Assert.Equal(["WK036106", "WK036107"], codes);
        Assert.Contains("gewogen naar respondenten", monitor.GetProperty("basis").GetString());
        var schoon = monitor.GetProperty("scores").EnumerateArray().Single(s => s.GetProperty("indicator").GetString() == "Schoon");
        await using var db = fx.Database.CreateDataSource();
        await using (var cmd = db.CreateCommand(
            """
            SELECT sum(value * respondents) / sum(respondents), (SELECT value FROM monitor_score WHERE indicator = 'Schoon' AND year = 2024 AND area_code = 'GM0361')
            FROM monitor_score WHERE indicator = 'Schoon' AND year = 2024 AND area_code IN ('WK036106', 'WK036107')
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            Assert.Equal(Math.Round(r.GetDouble(0), 2), schoon.GetProperty("value").GetDouble(), 2);
            Assert.Equal(r.GetDouble(1), schoon.GetProperty("gemeente").GetDouble(), 6);
            // a rapportcijfer of two wijken has no margin (margins of two areas do not add up): not tested, never "opvallend"
            Assert.Equal(JsonValueKind.Null, schoon.GetProperty("comparedToGemeente").ValueKind);
            Assert.Equal(JsonValueKind.Null, schoon.GetProperty("againstGemeente").ValueKind);
        }
        // a share of two wijken: the Wilson interval of the pooled respondents decides, against the gemeente's share
        var overlast = monitor.GetProperty("scores").EnumerateArray().Single(s => s.GetProperty("indicator").GetString() == "Ervaart veel overlast in de buurt");
        await using (var cmd = db.CreateCommand(
            """
            SELECT sum(value * respondents) / sum(respondents), sum(respondents)::int,
                   (SELECT value FROM monitor_score WHERE indicator = 'Ervaart veel overlast in de buurt' AND year = 2024 AND area_code = 'GM0361')
            FROM monitor_score WHERE indicator = 'Ervaart veel overlast in de buurt' AND year = 2024 AND area_code IN ('WK036106', 'WK036107')
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            var interval = Alkmaar.Kaart.Geo.Statistics.ScoreComparison.Wilson(r.GetDouble(0), r.GetInt32(1));
            Assert.Equal(Math.Round(interval.Low, 2), overlast.GetProperty("interval").GetProperty("low").GetDouble(), 2);
            var gemeente = r.GetDouble(2);
            var expected = interval.Contains(gemeente) ? "geenVerschil" : r.GetDouble(0) > gemeente ? "hoger" : "lager";
            Assert.Equal(expected, overlast.GetProperty("againstGemeente").GetString());
            // lower is better for overlast: "hoger" is worse
            Assert.Equal(expected switch { "geenVerschil" => 0, "hoger" => -1, _ => 1 }, overlast.GetProperty("comparedToGemeente").GetInt32());
        }
        // the gebied's inwoners are the sum of its buurten
        await using (var cmd = db.CreateCommand(
            """
            SELECT sum(p.inwoners) FROM population p JOIN area b ON b.code = p.buurt_code AND b.level = 'buurt' AND b.valid_to IS NULL
            JOIN area w ON w.code = b.parent_code AND w.level = 'wijk' AND w.valid_to IS NULL WHERE w.parent_code = 'GB0361-noord'
            """))
            Assert.Equal(Math.Round((double)(await cmd.ExecuteScalarAsync())!), p.GetProperty("inwoners").GetProperty("count").GetDouble());

        var dorp = await Json(await _http.GetAsync("/api/areas/BU03610900/profiel?level=dorp"));
        Assert.Equal("dorp", dorp.GetProperty("level").GetString());
        Assert.Equal(["WK036109"], dorp.GetProperty("monitor").GetProperty("areaCodes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("Gebiedsteam Oost", dorp.GetProperty("gebiedsteam").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Initiatives_and_hotspots_inside_the_area_are_listed()
    {
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var created = await Json(await beheerder.PostAsync("/api/initiatieven", new StringContent(
            """{"title":"Moestuin Mare","theme":"groen","year":2025,"status":"aangevraagd","lat":52.6639,"lon":4.7601}""", Encoding.UTF8, "application/json")),
            HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        var noord = await Json(await _http.GetAsync("/api/areas/GB0361-noord/profiel"));
        Assert.Contains(noord.GetProperty("initiatieven").GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
        var zuid = await Json(await _http.GetAsync("/api/areas/GB0361-zuid/profiel"));
        Assert.DoesNotContain(zuid.GetProperty("initiatieven").GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);

        // every hotspot of the gemeente appears on the page of the gebied it is assigned to
        var all = await Json(await _http.GetAsync("/api/hotspots?from=2025-01-01&to=2025-12-31"));
        foreach (var h in all.GetProperty("features").EnumerateArray())
        {
            var gebied = h.GetProperty("properties").GetProperty("gebiedCode").GetString();
            if (gebied is null) continue;
            var page = await Json(await _http.GetAsync($"/api/areas/{gebied}/profiel?jaar=2025"));
            Assert.Contains(page.GetProperty("hotspots").EnumerateArray(), x => x.GetProperty("id").GetString() == h.GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Bad_requests_get_problem_details()
    {
        var missing = await _http.GetAsync("/api/areas/WK999999/profiel");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var year = await _http.GetAsync("/api/areas/WK036101/profiel?jaar=twintig");
        Assert.Equal(HttpStatusCode.BadRequest, year.StatusCode);
        Assert.Equal("jaar", (await Json(year, HttpStatusCode.BadRequest)).GetProperty("parameter").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/areas/WK036101/profiel?level=provincie")).StatusCode);
    }

    [Fact]
    public async Task The_meldingen_kept_per_buurt_and_month_equal_a_recount_by_location_after_inserts_updates_and_deletes()
    {
        await using var db = fx.Database.CreateDataSource();
        async Task<List<string>> Diff()
        {
            await using var cmd = db.CreateCommand(
                """
                WITH recount AS (
                    SELECT date_trunc('month', m.created_at AT TIME ZONE 'Europe/Amsterdam')::date AS maand, b.code AS buurt_code, m.category,
                           count(*)::int AS n, count(*) FILTER (WHERE m.source = 'demo')::int AS demo
                    FROM melding m JOIN LATERAL (SELECT code FROM area_in_force b WHERE b.level = 'buurt' AND ST_Covers(b.geom, m.geom) ORDER BY code LIMIT 1) b ON true
                    GROUP BY 1, 2, 3),
                kept AS (SELECT maand, buurt_code, category, n, demo FROM melding_buurt_maand WHERE n <> 0 OR demo <> 0)
                SELECT coalesce(r.buurt_code, k.buurt_code) || ' ' || coalesce(r.maand, k.maand) || ' ' || coalesce(r.category, k.category) || ': '
                       || coalesce(r.n, 0) || ' against ' || coalesce(k.n, 0)
                FROM recount r FULL JOIN kept k USING (maand, buurt_code, category)
                WHERE (r.n, r.demo) IS DISTINCT FROM (k.n, k.demo)
                """);
            var list = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) list.Add(r.GetString(0));
            return list;
        }
        Assert.Empty(await Diff()); // after the demo year (one statement of 10,000)
        var (x, y) = await TestData.InsideAsync(db, "BU03610100");
        var made = await fx.Factory.Services.GetRequiredService<MeldingService>().CreateAsync(
            new NewMelding { Category = "afval", Description = "telling per buurt", X = x, Y = y }, "api", "test");
        Assert.Empty(await Diff());
        await db.ExecAsync("UPDATE melding SET category = 'verlichting' WHERE id = $1", made.Id);       // another category
        Assert.Empty(await Diff());
        await db.ExecAsync("UPDATE melding SET status = 'in_behandeling' WHERE id = $1", made.Id);      // changes nothing here
        Assert.Empty(await Diff());
        await db.ExecAsync("UPDATE melding SET created_at = created_at - interval '40 days' WHERE id = $1", made.Id); // another month
        Assert.Empty(await Diff());
        await db.ExecAsync("DELETE FROM melding WHERE id = $1", made.Id);
        Assert.Empty(await Diff());
    }
}
