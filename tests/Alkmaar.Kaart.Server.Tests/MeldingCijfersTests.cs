using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Deadlines;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Handling figures (issue 29): the maintained table answers what a direct count over the meldingen answers — for 20
/// filters, after inserts, updates (closing, reopening, a new category) and deletes — with the working days counted by the
/// application's own calendar (PublicHoliday) as the oracle; a marked rise in a wijk is signalled; staff only.
/// </summary>
public class MeldingCijfersTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private static DateOnly Local(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Amsterdam));

    private sealed record Row(DateOnly Created, DateOnly? Closed, string Status, string Gebied, string Category, string Channel,
        DateOnly? Due, DateOnly? ClockFrom, int PausedDays, bool? Satisfied, int Reopened);

    private async Task SeedAsync()
    {
        var template = (await new HttpClient(fx.Factory.Server.CreateHandler()) { BaseAddress = fx.Factory.Server.BaseAddress }
            .SubmitMeldingAsync(new { category = "afval", description = "sjabloon", lat = 52.6366, lon = 4.7393 })).GetProperty("id").GetInt64();
        await using var conn = await Db.OpenConnectionAsync();
        async Task Exec(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue(template);
            await cmd.ExecuteNonQueryAsync();
        }
        // 3,000 meldingen spread over two years, five gebieden, four categories, three channels; most closed, some paused,
        // reopened, answered; deterministic
        await Exec(
            """
            INSERT INTO melding (category, geom, location_source, buurt_code, wijk_code, dorp_code, gebied_code, routing_kind, routing_reason,
                                 boundary_version_id, source, channel, created_at, status, closed_at, handling_days, due_on, paused_days, clock_from,
                                 satisfied, reopened_count)
            SELECT (ARRAY['afval', 'verlichting', 'overlast', 'groen'])[1 + (g % 4)], t.geom, t.location_source, t.buurt_code,
                   (ARRAY['WK036106', 'WK036102', 'WK036103', 'WK036104', 'WK036108'])[1 + (g % 5)], NULL,
                   (ARRAY['GB0361-noord', 'GB0361-oost', 'GB0361-zuid', 'GB0361-west', 'GB0361-centrum'])[1 + (g % 5)],
                   t.routing_kind, t.routing_reason, t.boundary_version_id, 'api', (ARRAY['formulier', 'telefoon', 'api'])[1 + (g % 3)],
                   c.at, CASE WHEN c.closed IS NULL THEN (ARRAY['nieuw', 'in_behandeling', 'reactie_gevraagd'])[1 + (g % 3)] ELSE 'afgehandeld' END,
                   c.closed, 5, (c.at AT TIME ZONE 'Europe/Amsterdam')::date + (3 + g % 9), (g % 7) * (g % 2), 
                   CASE WHEN g % 23 = 0 THEN (c.at AT TIME ZONE 'Europe/Amsterdam')::date + 2 END,
                   CASE WHEN c.closed IS NOT NULL AND g % 4 = 0 THEN g % 3 <> 0 END, (g % 23 = 0)::int
            FROM generate_series(1, 3000) g
            CROSS JOIN LATERAL (SELECT now() - make_interval(days => (g * 7919) % 720, hours => g % 24) AS at) a
            CROSS JOIN LATERAL (SELECT a.at, CASE WHEN g % 6 <> 0 AND a.at + make_interval(days => (g * 13) % 80) < now()
                                                  THEN a.at + make_interval(days => (g * 13) % 80) END AS closed) c,
                 (SELECT * FROM melding WHERE id = $1) t;
            """);
        // changes after the fact: the triggers must follow updates and deletes
        await Exec("UPDATE melding SET status = 'afgehandeld', closed_at = now() - interval '2 days', satisfied = false WHERE id % 17 = 0 AND status <> 'afgehandeld' AND id <> $1");
        await Exec("UPDATE melding SET status = 'nieuw', closed_at = NULL, reopened_count = reopened_count + 1 WHERE id % 19 = 0 AND status = 'afgehandeld' AND id <> $1");
        await Exec("UPDATE melding SET category = 'groen', channel = 'balie' WHERE id % 13 = 0 AND id <> $1");
        await Exec("DELETE FROM melding WHERE id % 29 = 0 AND id <> $1");
    }

    private async Task<List<Row>> RowsAsync()
    {
        var rows = new List<Row>();
        await using var cmd = Db.CreateCommand(
            "SELECT created_at, closed_at, status, gebied_code, category, channel, due_on, clock_from, paused_days, satisfied, reopened_count FROM melding");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            rows.Add(new Row(Local(r.GetDateTime(0)), r.IsDBNull(1) ? null : Local(r.GetDateTime(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetFieldValue<DateOnly>(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateOnly>(7), r.GetInt16(8),
                r.IsDBNull(9) ? null : r.GetBoolean(9), r.GetInt16(10)));
        return rows;
    }

    private static int? Percentile(List<int> values, double share)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return values[(int)Math.Ceiling(share * values.Count) - 1];
    }

    [Fact]
    public async Task The_figures_equal_a_direct_count_over_the_meldingen_for_twenty_filters()
    {
        await SeedAsync();
        var rows = await RowsAsync();
        var staff = await fx.Factory.SignedInAsync("team-noord");
        var today = Local(DateTime.UtcNow);
        var month = new DateOnly(today.Year, today.Month, 1);
        var filters = new List<(string Groep, DateOnly Van, DateOnly Tot, string? Gebied)>();
        foreach (var groep in new[] { "team", "categorie", "kanaal", "maand" })
        {
            filters.Add((groep, month.AddMonths(-11), month, null));
            filters.Add((groep, month.AddMonths(-2), month, null));
            filters.Add((groep, month.AddMonths(-18), month.AddMonths(-18), null));
            filters.Add((groep, month.AddMonths(-23), month, "GB0361-zuid"));
            filters.Add((groep, month.AddMonths(-14), month.AddMonths(-3), "GB0361-noord"));
        }
        Assert.Equal(20, filters.Count);
        foreach (var (groep, van, tot, gebied) in filters)
        {
            var query = $"/api/meldingen/cijfers?groep={groep}&van={van:yyyy-MM}&tot={tot:yyyy-MM}" + (gebied is null ? "" : $"&gebied={gebied}");
            var answer = await (await staff.GetAsync(query)).JsonAsync(HttpStatusCode.OK);
            var got = answer.GetProperty("groepen").EnumerateArray().ToDictionary(g => g.GetProperty("groep").GetString()!);
            var end = tot.AddMonths(1);
            bool In(DateOnly d) => d >= van && d < end;
            string Key(Row r, DateOnly d) => groep switch
            {
                "team" => r.Gebied, "categorie" => r.Category, "kanaal" => r.Channel, _ => d.ToString("yyyy-MM"),
            };
            var scoped = rows.Where(r => gebied is null || r.Gebied == gebied).ToList();
            var keys = scoped.Where(r => In(r.Created)).Select(r => Key(r, new DateOnly(r.Created.Year, r.Created.Month, 1)))
                .Concat(scoped.Where(r => r.Status == "afgehandeld" && r.Closed is { } c && In(c)).Select(r => Key(r, new DateOnly(r.Closed!.Value.Year, r.Closed.Value.Month, 1))))
                .Distinct().Append("totaal");
            foreach (var key in keys)
            {
                bool Mine(Row r, DateOnly d) => key == "totaal" || Key(r, new DateOnly(d.Year, d.Month, 1)) == key;
                var received = scoped.Where(r => In(r.Created) && Mine(r, r.Created)).ToList();
                var closed = scoped.Where(r => r.Status == "afgehandeld" && r.Closed is { } c && In(c) && Mine(r, c)).ToList();
                var days = closed.Select(r => Math.Clamp(WorkingDays.Between(r.ClockFrom ?? r.Created, r.Closed!.Value) - r.PausedDays, 0, 60)).ToList();
                Assert.True(got.TryGetValue(key, out var g), $"{query}: no group {key}");
                var context = $"{query} [{key}]";
                Assert.True(received.Count == g.GetProperty("ontvangen").GetInt32(), $"{context} ontvangen");
                Assert.True(received.Count(r => r.Status != "afgehandeld") == g.GetProperty("open").GetInt32(), $"{context} open");
                Assert.True(received.Count(r => r.Reopened > 0) == g.GetProperty("heropend").GetInt32(), $"{context} heropend");
                Assert.True(closed.Count == g.GetProperty("afgehandeld").GetInt32(), $"{context} afgehandeld");
                Assert.True(Percentile(days, 0.5) == Int(g, "mediaanWerkdagen"), $"{context} mediaan {Percentile(days, 0.5)} vs {g.GetProperty("mediaanWerkdagen")}");
                Assert.True(Percentile(days, 0.9) == Int(g, "p90Werkdagen"), $"{context} p90");
                double? onTime = closed.Count == 0 ? null : Math.Round(100.0 * closed.Count(r => r.Due is { } d && r.Closed <= d) / closed.Count, 1);
                Assert.True(onTime == Dbl(g, "opTijdPct"), $"{context} opTijdPct {onTime} vs {g.GetProperty("opTijdPct")}");
                var answered = closed.Where(r => r.Satisfied is not null).ToList();
                double? happy = answered.Count == 0 ? null : Math.Round(100.0 * answered.Count(r => r.Satisfied == true) / answered.Count, 1);
                Assert.True(happy == Dbl(g, "tevredenPct"), $"{context} tevredenPct");
            }
        }
        // the CSV says the same as the JSON; other roles and the public get nothing
        var csv = await staff.GetStringAsync($"/api/meldingen/cijfers?groep=team&format=csv");
        Assert.StartsWith("groep,naam,van,tot,ontvangen,afgehandeld,open", csv);
        Assert.Contains("Gebiedsteam Noord", csv);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Factory.CreateClient().GetAsync("/api/meldingen/cijfers")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await staff.GetAsync("/api/meldingen/cijfers?groep=buurt")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await staff.GetAsync("/api/meldingen/cijfers?van=2026-05&tot=2026-01")).StatusCode);
    }

    [Fact]
    public async Task A_category_that_rises_markedly_in_a_wijk_is_signalled_against_its_own_last_year()
    {
        var template = (await fx.Factory.CreateClient().SubmitMeldingAsync(new { category = "afval", description = "sjabloon", lat = 52.6366, lon = 4.7393 })).GetProperty("id").GetInt64();
        // ongedierte in wijk WK036110: 2 in the same three months last year, 15 in the last three complete months
        await using (var cmd = Db.CreateCommand(
            """
            INSERT INTO melding (category, geom, location_source, buurt_code, wijk_code, gebied_code, routing_kind, routing_reason, boundary_version_id, created_at)
            SELECT 'ongedierte', t.geom, t.location_source, t.buurt_code, 'WK036110', 'GB0361-oost', t.routing_kind, t.routing_reason, t.boundary_version_id,
                   date_trunc('month', now()) - make_interval(months => 1 + g % 3, years => CASE WHEN g <= 2 THEN 1 ELSE 0 END) + interval '3 days'
            FROM generate_series(1, 17) g, (SELECT * FROM melding WHERE id = $1) t
            """))
        {
            cmd.Parameters.AddWithValue(template);
            await cmd.ExecuteNonQueryAsync();
        }
        var staff = await fx.Factory.SignedInAsync("team-zuid");
        var signals = await (await staff.GetAsync("/api/meldingen/cijfers/signalen")).JsonAsync(HttpStatusCode.OK);
        var s = signals.EnumerateArray().Single(x => x.GetProperty("wijk").GetString() == "WK036110" && x.GetProperty("category").GetString() == "ongedierte");
        Assert.Equal(15, s.GetProperty("aantal").GetInt32());
        Assert.Equal(2, s.GetProperty("vorigJaar").GetInt32());
        Assert.True(s.GetProperty("p").GetDouble() < 0.01);
    }

    private static int? Int(JsonElement g, string name) => g.GetProperty(name).ValueKind == JsonValueKind.Null ? null : g.GetProperty(name).GetInt32();
    private static double? Dbl(JsonElement g, string name) => g.GetProperty(name).ValueKind == JsonValueKind.Null ? null : g.GetProperty(name).GetDouble();
}
