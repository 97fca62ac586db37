using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Issue 27: the one release rule for public numbers about meldingen, attacked as the red team did — differences of
/// border-band counts over distances, hotspots from two meldingen, a profile count of one, and what two answers reveal
/// together (a month from a year's total).
/// </summary>
public class ReleaseRuleTests : IAsyncLifetime
{
    private readonly KaartAppFixture _fx = new();
    private NpgsqlDataSource Db => _fx.DataSource;

    public Task InitializeAsync() => _fx.InitializeAsync();
    public Task DisposeAsync() => _fx.DisposeAsync();

    /// <summary><paramref name="count"/> meldingen routed to <paramref name="gebied"/> at <paramref name="at"/>, from (x, y) on a
    /// grid of <paramref name="step"/> metres (7 in a row; step 0: all at one point).</summary>
    private Task PlantAsync(DateTimeOffset at, double x, double y, string gebied, int count = 1, string category = "afval", double step = 0) => Db.ExecAsync(
        """
        INSERT INTO melding (created_at, category, geom, location_source, gebied_code, routing_kind, routing_reason, boundary_version_id, source)
        SELECT $1, $6, ST_SetSRID(ST_MakePoint($2 + ((i - 1) % 7) * $5, $3 + ((i - 1) / 7) * $5), 28992), 'rd', $7, 'inside', 'test',
               (SELECT min(version_id) FROM area_in_force), 'api'
        FROM generate_series(1, $4) i
        """, at, x, y, count, step, category, gebied);

    [Fact]
    public async Task The_border_band_takes_fixed_widths_only_so_counts_over_distances_reveal_no_single_melding()
    {
        var http = _fx.Factory.CreateClient();
        // the attack: any distance from 25 to 2000 m was accepted, and 1142.40 vs 1142.41 differed by one melding
        foreach (var afstand in new[] { "1142.40", "1142.41", "25", "2000", "99", "NaN" })
        {
            var r = await http.GetAsync($"/api/grensband/GB0361-zuid?met=GB0361-centrum&afstand={afstand}");
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var problem = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains("100, 250 of 500 meter", problem.GetProperty("detail").GetString());
        }
        foreach (var w in DisclosureControl.BandWidths)
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/grensband/GB0361-zuid?met=GB0361-centrum&afstand={w}")).StatusCode);

        // the attack script over the bands that remain: a melding placed 180 m from the border is located no finer than
        // "between 100 and 250 m" by any difference of answers
        var (x, y) = await Db.ScalarAsync<string>(
            """
            SELECT ST_X(p) || ' ' || ST_Y(p) FROM (
              SELECT ST_ClosestPoint(ST_Buffer(b, 180), ST_Centroid(z.geom)) p FROM area_in_force z,
                (SELECT ST_Intersection(ST_Boundary(a.geom), ST_Boundary(c.geom)) b FROM area_in_force a, area_in_force c
                 WHERE a.code = 'GB0361-zuid' AND c.code = 'GB0361-centrum') s WHERE z.code = 'GB0361-zuid') q
            """).ContinueWith(t => { var p = t.Result.Split(' '); return (double.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)); });
        var lastMonth = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 12, 0, 0, TimeSpan.Zero).AddMonths(-1).AddDays(3);
        async Task<long?[]> Totals()
        {
            var list = new List<long?>();
            foreach (var w in DisclosureControl.BandWidths)
            {
                var band = await (await http.GetAsync($"/api/grensband/GB0361-zuid?met=GB0361-centrum&afstand={w}")).JsonAsync();
                var side = band.GetProperty("sides").EnumerateArray().Single(s => s.GetProperty("code").GetString() == "GB0361-zuid");
                list.Add(side.GetProperty("meldingen").ValueKind == JsonValueKind.Null ? null : side.GetProperty("meldingen").GetInt64());
            }
            return [.. list];
        }
        // background: enough meldingen in the band to be published
        await PlantAsync(lastMonth, x - 57, y - 57, "GB0361-zuid", count: 12, step: 3);
        var before = await Totals();
        await PlantAsync(lastMonth, x, y, "GB0361-zuid");
        var after = await Totals();
        var grew = DisclosureControl.BandWidths.Where((w, i) => after[i] != before[i]).ToList();
        // the new melding shows (if at all) only as a change of a whole band: the finest place it gives away is a band
        Assert.All(grew, w => Assert.True(w >= 250, $"the {w} m band changed"));
    }

    [Fact]
    public async Task Two_or_three_meldingen_close_together_make_no_hotspot_in_any_answer()
    {
        var lastWeek = DateTimeOffset.UtcNow.AddDays(-4);
        var (x, y) = await TestData.InsideAsync(Db, "WK036102");
        for (var n = 1; n <= 3; n++) await PlantAsync(lastWeek, x + n * 4, y + n * 3, "GB0361-centrum");
        var http = _fx.Factory.CreateClient();
        var from = DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd");
        foreach (var url in new[] { $"/api/hotspots?from={from}&category=afval", $"/api/hotspots?from={from}", "/api/hotspots",
                     $"/ogc/collections/hotspots/items?datetime={from}T00:00:00Z/..", "/api/export/hotspots" })
        {
            var json = JsonDocument.Parse(await http.GetStringAsync(url)).RootElement;
            Assert.Empty(json.GetProperty("features").EnumerateArray());
        }
    }

    [Fact]
    public async Task An_area_profile_publishes_no_count_below_the_minimum_and_no_month_that_follows_from_the_total()
    {
        // a small buurt: 1 melding in one month, 6 in another, 6 in a third (all over): the 1 is left out, and since it
        // would follow from the total minus the others, the smallest other month is left out too
        var year = DateTime.UtcNow.Year - 1; // a year that is over
        int[] months = [3, 5, 7];
        var (x, y) = await TestData.InsideAsync(Db, "BU03610709");
        Task Plant(int month, int n) => PlantAsync(new DateTimeOffset(year, month, 10, 12, 0, 0, TimeSpan.Zero), x, y, "GB0361-oost", count: n);
        await Plant(months[0], 1);
        await Plant(months[1], 6);
        await Plant(months[2], 7);
        var profile = await (await _fx.Factory.CreateClient().GetAsync($"/api/areas/BU03610709/profiel?jaar={year}")).JsonAsync();
        var m = profile.GetProperty("meldingen");
        Assert.Equal(14, m.GetProperty("count").GetInt32());
        var perMonth = m.GetProperty("perMonth").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (int?)null : v.GetInt32()).ToList();
        Assert.Null(perMonth[months[0] - 1]); // 1: below the minimum
        Assert.Null(perMonth[months[1] - 1]); // 6: would give the 1 away (14 − 7 − 6)
        Assert.Equal(7, perMonth[months[2] - 1]);
        Assert.All(perMonth, v => Assert.True(v is null or 0 or >= 5));
    }

    [Fact]
    public async Task A_CQL2_LIKE_that_made_the_server_spin_answers_and_an_oversized_pattern_is_refused_in_Dutch()
    {
        var http = _fx.Factory.CreateClient();
        await Db.ExecAsync(
            """
            INSERT INTO initiatief (title, description, theme, status, year, geom, buurt_code, wijk_code, gebied_code, updated_by)
            VALUES ('Lang', repeat('ab', 1990), 'groen', 'toegekend', 2026, ST_SetSRID(ST_MakePoint(112000, 516000), 28992), 'BU03610100', 'WK036101', 'GB0361-zuid', 'test')
            """);
        var ok = await http.GetAsync("/ogc/collections/initiatieven/items?filter=" + Uri.EscapeDataString("description LIKE '%a%b%a%b%a%b%a%b%a%c'"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var refused = await http.GetAsync("/ogc/collections/initiatieven/items?filter=" + Uri.EscapeDataString($"description LIKE '{string.Concat(Enumerable.Repeat("%a", 30))}'"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("LIKE-patroon", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_cells_export_says_how_many_meldingen_it_leaves_out()
    {
        // issue 27, item 15: the export held 4,704 of 25,002 meldingen without saying so
        var (x, y) = await TestData.InsideAsync(Db, "WK036102");
        var (cx, cy, at) = (Math.Floor(x / 50) * 50 + 5, Math.Floor(y / 50) * 50 + 5, DateTimeOffset.UtcNow.AddDays(-3));
        await PlantAsync(at, cx, cy, "GB0361-centrum", count: 12); // one published cell
        await PlantAsync(at, cx + 400 * 13, cy, "GB0361-centrum", category: "groen"); // two lonely ones, left out
        await PlantAsync(at, cx + 400 * 14, cy, "GB0361-centrum", category: "groen");
        var json = JsonDocument.Parse(await _fx.Factory.CreateClient().GetStringAsync("/api/export/meldingen")).RootElement;
        Assert.Equal(12, json.GetProperty("meldingenInCells").GetInt64());
        Assert.Equal(14, json.GetProperty("meldingenInPeriod").GetInt64());
        Assert.Contains("12 van de 14 meldingen", json.GetProperty("note").GetString());
    }
}
