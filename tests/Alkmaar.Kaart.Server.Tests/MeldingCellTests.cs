using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Hotspots;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The public meldingen cells are counts kept by PostgreSQL (migration 0012) in the same transaction as the meldingen.
/// Oracle: a direct count of the meldingen table. After every kind of change (added, status changed, re-routed, category
/// or place corrected, removed; many at once and concurrently) the kept counts equal the direct count, and the public
/// answers built on them (OGC pages, periods, categories, the dashboard's coarser cells, hotspots) equal the same answers
/// computed from the meldingen one by one.
/// </summary>
public class MeldingCellTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    // every kept row that the direct count does not give, and every direct count that is not kept
    private const string Differences =
        """
        WITH direct_day AS (
            SELECT (created_at AT TIME ZONE 'Europe/Amsterdam')::date AS day, floor(ST_X(geom) / 50)::int cx, floor(ST_Y(geom) / 50)::int cy,
                   category, status, count(*)::int n, (count(*) FILTER (WHERE source = 'demo'))::int demo
            FROM melding GROUP BY 1, 2, 3, 4, 5),
        direct_cell AS (
            SELECT cx, cy, sum(n)::int total, jsonb_object_agg(category, n) cats, sum(demo)::int demo
            FROM (SELECT cx, cy, category, sum(n)::int n, sum(demo)::int demo FROM direct_day GROUP BY 1, 2, 3) c GROUP BY 1, 2)
        SELECT (SELECT count(*) FROM ((SELECT * FROM direct_day EXCEPT SELECT day, cx, cy, category, status, n, demo FROM melding_cell_day)
                                      UNION ALL (SELECT day, cx, cy, category, status, n, demo FROM melding_cell_day EXCEPT SELECT * FROM direct_day)) d)
             + (SELECT count(*) FROM ((SELECT * FROM direct_cell EXCEPT SELECT cx, cy, total, cats, demo FROM melding_cell)
                                      UNION ALL (SELECT cx, cy, total, cats, demo FROM melding_cell EXCEPT SELECT * FROM direct_cell)) d)
        """;

    private async Task AssertKeptCountsEqualADirectCount(string after)
    {
        await using var cmd = Db.CreateCommand(Differences);
        Assert.True((long)(await cmd.ExecuteScalarAsync())! == 0, $"after {after}: the kept cell counts differ from a direct count of the meldingen");
        await using var n = Db.CreateCommand("SELECT (SELECT count(*) FROM melding), (SELECT coalesce(sum(total), 0) FROM melding_cell), (SELECT coalesce(sum(n), 0) FROM melding_cell_day)");
        await using var r = await n.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(r.GetInt64(0), r.GetInt64(1));
        Assert.Equal(r.GetInt64(0), r.GetInt64(2));
    }

    /// <summary>The published cells computed from the meldingen one by one (the rules of DisclosureControl in C#).</summary>
    private async Task<Dictionary<string, (int Count, string Categories)>> DirectAsync(double size, string where = "true", params object[] args)
    {
        var disclosure = fx.Factory.Services.GetRequiredService<DisclosureControl>();
        await using var cmd = Db.CreateCommand(
            // the release rule: public answers count the days up to yesterday (Europe/Amsterdam), never today
            $"SELECT floor(ST_X(geom) / {size})::bigint, floor(ST_Y(geom) / {size})::bigint, category, count(*)::int FROM melding " +
            $"WHERE ({where}) AND (created_at AT TIME ZONE 'Europe/Amsterdam')::date < (now() AT TIME ZONE 'Europe/Amsterdam')::date GROUP BY 1, 2, 3");
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        var cells = new Dictionary<string, Dictionary<string, int>>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var id = $"cel-{r.GetInt64(0)}-{r.GetInt64(1)}";
            if (!cells.TryGetValue(id, out var cats)) cells[id] = cats = [];
            cats[r.GetString(2)] = r.GetInt32(3);
        }
        return cells.Where(c => disclosure.Publishable(c.Value.Values.Sum()))
            .ToDictionary(c => c.Key, c => (c.Value.Values.Sum(), Describe(disclosure.Categories(c.Value))));
    }

    private static string Describe(IEnumerable<KeyValuePair<string, int>>? cats) =>
        cats is null ? "-" : string.Join(",", cats.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    /// <summary>Every page of an OGC meldingen query, following next links: id → (count, categories).</summary>
    private async Task<Dictionary<string, (int Count, string Categories)>> OgcAsync(string query)
    {
        var client = fx.Factory.CreateClient();
        var result = new Dictionary<string, (int, string)>();
        var url = $"/ogc/collections/meldingen/items?limit=200&crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F28992{query}";
        while (true)
        {
            var page = JsonDocument.Parse(await client.GetStringAsync(url)).RootElement;
            foreach (var f in page.GetProperty("features").EnumerateArray())
            {
                var p = f.GetProperty("properties");
                var cats = p.GetProperty("categories");
                result.Add(f.GetProperty("id").GetString()!, (p.GetProperty("count").GetInt32(),
                    cats.ValueKind == JsonValueKind.Null ? "-" : Describe(cats.EnumerateObject().Select(c => KeyValuePair.Create(c.Name, c.Value.GetInt32())))));
            }
            var next = page.GetProperty("links").EnumerateArray().FirstOrDefault(l => l.GetProperty("rel").GetString() == "next");
            if (next.ValueKind == JsonValueKind.Undefined)
            {
                Assert.Equal(result.Count, page.GetProperty("numberMatched").GetInt32()); // given on the last page
                return result;
            }
            Assert.False(page.TryGetProperty("numberMatched", out _)); // not counted (a scan) before the last page
            url = new Uri(next.GetProperty("href").GetString()!).PathAndQuery;
        }
    }

    private async Task AssertPublicAnswersEqualDirectCounts(string after)
    {
        await AssertKeptCountsEqualADirectCount(after);
        var all = await DirectAsync(50);
        Assert.True(all.Count > 20, $"after {after}: only {all.Count} published cells; the comparison would prove little");
        Assert.Equal(all, await OgcAsync(""));
        Assert.Equal(await DirectAsync(50, "category = 'afval'"), await OgcAsync("&category=afval"));
        var from = DateTimeOffset.UtcNow.AddDays(-60);
        var fromDay = DisclosureControl.LocalDay(from);
        Assert.Equal(await DirectAsync(50, "(created_at AT TIME ZONE 'Europe/Amsterdam')::date >= $1", fromDay),
            await OgcAsync($"&datetime={from:yyyy-MM-ddTHH:mm:ssZ}/.."));
        // the dashboard's coarser cells (150 m) from the kept counts, all time and over a period
        var service = fx.Factory.Services.GetRequiredService<MeldingStatistics>();
        Dictionary<string, (int, string)> Cells(IEnumerable<PublicCell> cells, double size) =>
            cells.ToDictionary(c => $"cel-{(long)Math.Floor(c.X / size)}-{(long)Math.Floor(c.Y / size)}", c => (c.Count, Describe(c.Categories)));
        Assert.Equal(await DirectAsync(150), Cells(await service.PublicCellsAsync(null, null, null, cellSize: 150), 150));
        Assert.Equal(await DirectAsync(150, "(created_at AT TIME ZONE 'Europe/Amsterdam')::date >= $1 AND status = 'nieuw'", fromDay),
            (await ReadStatusAsync(from, "nieuw", 150)).ToDictionary(c => c.Id, c => (c.Count, Describe(c.Categories))));
    }

    private async Task<List<PublishedCell>> ReadStatusAsync(DateTimeOffset from, string status, double size)
    {
        var list = new List<PublishedCell>();
        await foreach (var c in fx.Factory.Services.GetRequiredService<MeldingCells>().ReadAsync(new CellFilter { From = from, Status = status, CellSize = size }))
            list.Add(c);
        return list;
    }

    [Fact]
    public async Task Cell_counts_equal_a_direct_count_after_meldingen_are_added_changed_rerouted_and_removed()
    {
        // many at once: 4,000 DEMO meldingen over a year (planted clusters, so cells well above the minimum count)
        await fx.Factory.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(DateTime.UtcNow.Year - 1, 4000);
        await AssertPublicAnswersEqualDirectCounts("a bulk load");

        // one by one through the API, into one cell: 6 afval + 2 groen
        var client = fx.Factory.CreateClient();
        await using (var cmd = Db.CreateCommand("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Buffer(geom, -60)) p FROM area_in_force WHERE level = 'buurt' AND code = 'BU03610801') s"))
        {
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            var (x, y) = (Math.Floor(r.GetDouble(0) / 50) * 50 + 10, Math.Floor(r.GetDouble(1) / 50) * 50 + 10);
            foreach (var category in new[] { "afval", "afval", "afval", "afval", "afval", "afval", "groen", "groen" })
                Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/meldingen", new { category, description = "d", x, y })).StatusCode);
        }
        await AssertPublicAnswersEqualDirectCounts("meldingen are added (today: not released)");
        await Db.AgeRecentMeldingenAsync();
        await AssertPublicAnswersEqualDirectCounts("meldingen are added (a day later)");

        // status changed and re-routed by a team, through the API
        long[] ids;
        await using (var cmd = Db.CreateCommand("SELECT id FROM melding WHERE gebied_code = 'GB0361-noord' ORDER BY id DESC LIMIT 3"))
        {
            var list = new List<long>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) list.Add(r.GetInt64(0));
            ids = [.. list];
        }
        Assert.Equal(3, ids.Length);
        var noord = await fx.Factory.SignedInAsync("team-noord");
        Assert.Equal(HttpStatusCode.NoContent, (await noord.PostAsJsonAsync($"/api/meldingen/{ids[0]}/status", new { status = "in_behandeling" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await noord.PostAsJsonAsync($"/api/meldingen/{ids[1]}/status", new { status = "afgehandeld" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await noord.PostAsJsonAsync($"/api/meldingen/{ids[2]}/routering", new { gebied = "GB0361-zuid", reason = "Ligt aan de Zuid-kant" })).StatusCode);
        await AssertPublicAnswersEqualDirectCounts("a status change and a re-routing");

        // corrected in the data: category and place of many at once, a date moved back, then removed
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET category = 'groen' WHERE id % 5 = 0; UPDATE melding SET geom = ST_Translate(geom, 75, -30) WHERE id % 7 = 0; " +
            "UPDATE melding SET created_at = created_at - interval '40 days' WHERE id % 11 = 0"))
            await cmd.ExecuteNonQueryAsync();
        await AssertPublicAnswersEqualDirectCounts("categories, places and dates are corrected");
        await using (var cmd = Db.CreateCommand("DELETE FROM melding WHERE id % 3 = 0 OR id = $1"))
        {
            cmd.Parameters.AddWithValue(ids[2]);
            await cmd.ExecuteNonQueryAsync();
        }
        await AssertPublicAnswersEqualDirectCounts("meldingen are removed");
    }

    [Fact]
    public async Task Concurrent_meldingen_in_one_cell_are_each_counted_once()
    {
        var service = fx.Factory.Services.GetRequiredService<MeldingService>();
        await using var cmd = Db.CreateCommand("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Buffer(geom, -60)) p FROM area_in_force WHERE level = 'buurt' AND code = 'BU03610100') s");
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        var (x, y) = (Math.Floor(r.GetDouble(0) / 50) * 50 + 5, Math.Floor(r.GetDouble(1) / 50) * 50 + 5);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            service.CreateAsync(new NewMelding { Category = i % 2 == 0 ? "afval" : "verlichting", Description = "d", X = x + i % 30, Y = y + i / 30 }, "api", "test"))));
        await AssertKeptCountsEqualADirectCount("40 concurrent meldingen");
    }

    [Fact]
    public async Task Hotspots_from_the_kept_counts_equal_the_analysis_of_the_meldingen_one_by_one()
    {
        var (_, planted) = await fx.Factory.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(DateTime.UtcNow.Year - 1, 6000);
        Assert.NotEmpty(planted);
        var hotspots = fx.Factory.Services.GetRequiredService<HotspotService>();
        Geometry gemeente;
        await using (var g = Db.CreateCommand("SELECT geom FROM area_in_force WHERE level = 'gemeente'"))
            gemeente = (Geometry)(await g.ExecuteScalarAsync())!;
        foreach (var (category, size) in new[] { ((string?)null, 100.0), ("afval", 100.0), (null, 250.0) })
        {
            var (xs, ys, cs, names) = (new List<double>(), new List<double>(), new List<int>(), new List<string>());
            await using (var cmd = Db.CreateCommand("SELECT ST_X(geom), ST_Y(geom), category FROM melding WHERE $1::text IS NULL OR category = $1"))
            {
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)category ?? DBNull.Value });
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    xs.Add(r.GetDouble(0));
                    ys.Add(r.GetDouble(1));
                    var name = r.GetString(2);
                    if (!names.Contains(name)) names.Add(name);
                    cs.Add(names.IndexOf(name));
                }
            }
            var direct = GiStar.Compute(xs.ToArray(), ys.ToArray(), cs.ToArray(), names, gemeente, new Alkmaar.Kaart.Geo.Hotspots.HotspotOptions(size));
            var kept = (await hotspots.AnalyseAsync(new HotspotQuery(null, null, category, size)))!;
            Assert.Equal(xs.Count, kept.Meldingen);
            Assert.NotEmpty(direct.Hotspots);
            Assert.Equal(direct.Hotspots.Count, kept.Hotspots.Count);
            for (var i = 0; i < direct.Hotspots.Count; i++)
            {
                var (a, b) = (direct.Hotspots[i], kept.Hotspots[i].Hotspot);
                Assert.Equal(a.Count, b.Count);
                Assert.Equal(a.Cells, b.Cells);
                Assert.Equal(a.MaxZ, b.MaxZ, 9);
                Assert.True(a.Polygon.EqualsTopologically(b.Polygon));
                Assert.Equal(a.TopCategories, b.TopCategories);
            }
        }
    }
}
