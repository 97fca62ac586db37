using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// "Is dit al gemeld?" and merging duplicates (issue 29): the suggestion shows published cells only — never one under the
/// minimum, never today's meldingen — and only for openbare-ruimte categories; a resident follows a shown cell and hears
/// of each step; a team merges a duplicate and its melder follows the other melding.
/// </summary>
public class MeldingDuplicatesTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _anonymous = fx.Factory.CreateClient();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    private async Task<long> ScalarAsync(string sql, params object[] args)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    /// <summary>n meldingen of a category at one RD point, received <paramref name="daysAgo"/> days ago (like the form's).</summary>
    private async Task AddAsync(double x, double y, string category, int n, int daysAgo, long template)
    {
        await using var cmd = Db.CreateCommand(
            """
            INSERT INTO melding (category, geom, location_source, buurt_code, wijk_code, gebied_code, routing_kind, routing_reason,
                                 boundary_version_id, source, created_at, melder_email)
            SELECT $2, ST_SetSRID(ST_MakePoint($3, $4), 28992), 'rd', t.buurt_code, t.wijk_code, t.gebied_code, t.routing_kind, t.routing_reason,
                   t.boundary_version_id, 'formulier', now() - make_interval(days => $5), NULL
            FROM generate_series(1, $6) g, (SELECT * FROM melding WHERE id = $1) t
            """);
        foreach (var v in new object[] { template, category, x, y, daysAgo, n }) cmd.Parameters.AddWithValue(v);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<JsonElement> NearbyAsync(double lat, double lon, string category) =>
        await (await _anonymous.GetAsync(FormattableString.Invariant($"/api/meldingen/al-gemeld?category={category}&lat={lat}&lon={lon}"))).JsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task The_suggestion_never_shows_a_cell_under_the_minimum_and_a_follower_hears_each_step()
    {
        var minimum = fx.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Alkmaar.Kaart.Server.Features.Meldingen.MeldingOptions>>().Value.PublicMinimumCount;
        var (x, y) = await TestData.InsideAsync(Db, "GB0361-west");
        // the middle of a 50 m cell
        (x, y) = (Math.Floor(x / 50) * 50 + 25, Math.Floor(y / 50) * 50 + 25);
        var (lon, lat) = Alkmaar.Kaart.Geo.Transforms.RdNew.ToWgs84(x, y);
        var template = (await _anonymous.SubmitMeldingAsync(new { category = "groen", description = "sjabloon", x, y })).GetProperty("id").GetInt64();

        // one under the minimum, and more today (today's are not counted: the period is whole days up to yesterday)
        await AddAsync(x, y, "afval", minimum - 1, 3, template);
        await AddAsync(x, y, "afval", 3, 0, template);
        var answer = await NearbyAsync(lat, lon, "afval");
        Assert.True(answer.GetProperty("openbareRuimte").GetBoolean());
        Assert.Empty(answer.GetProperty("cellen").EnumerateArray());
        // a cell under the minimum cannot be followed either (nothing learnt about the few)
        var cel = $"cel-{(long)Math.Floor(x / 50)}-{(long)Math.Floor(y / 50)}";
        Assert.Equal(HttpStatusCode.Conflict, (await _anonymous.PostAsJsonAsync("/api/meldingen/al-gemeld/volgen", new { cel, category = "afval", email = "buur@example.nl" })).StatusCode);

        // the minimum reached: the cell is shown with its count, at its centre, never finer
        await AddAsync(x, y, "afval", 1, 2, template);
        answer = await NearbyAsync(lat, lon, "afval");
        var shown = answer.GetProperty("cellen").EnumerateArray().Single();
        Assert.Equal(minimum, shown.GetProperty("aantal").GetInt32());
        Assert.Equal(cel, shown.GetProperty("cel").GetString());
        Assert.All(answer.GetProperty("cellen").EnumerateArray(), c => Assert.True(c.GetProperty("aantal").GetInt32() >= minimum));
        // not for a category that is not about the openbare ruimte
        var overlast = await NearbyAsync(lat, lon, "overlast");
        Assert.False(overlast.GetProperty("openbareRuimte").GetBoolean());
        Assert.Empty(overlast.GetProperty("cellen").EnumerateArray());

        // following: the open afval meldingen of that cell get the follower; a step of one of them is mailed
        Assert.Equal(HttpStatusCode.NoContent, (await _anonymous.PostAsJsonAsync("/api/meldingen/al-gemeld/volgen", new { cel, category = "afval", email = "buur@example.nl" })).StatusCode);
        Assert.Equal(minimum - 1 + 3 + 1, await ScalarAsync("SELECT count(*) FROM melding_volger WHERE email = 'buur@example.nl'"));
        // audited, without the address
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM audit_log WHERE action = 'meldingen gevolgd' AND subject_id = $1 AND detail::text NOT LIKE '%buur@%'", cel));
        Assert.Equal(HttpStatusCode.BadRequest, (await _anonymous.PostAsJsonAsync("/api/meldingen/al-gemeld/volgen", new { cel, category = "afval", email = "geen-adres" })).StatusCode);
        var followed = await ScalarAsync("SELECT min(melding_id) FROM melding_volger WHERE email = 'buur@example.nl'");
        var team = await fx.Factory.SignedInAsync("beheerder");
        var version = (await (await team.GetAsync($"/api/meldingen/{followed}")).JsonAsync(HttpStatusCode.OK)).GetProperty("melding").GetProperty("version").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await team.PostAsJsonAsync($"/api/meldingen/{followed}/status", new { status = "in_behandeling", version })).StatusCode);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM mail_outbox WHERE kind = 'melding volger' AND ref_id = $1", followed.ToString()));
    }

    [Fact]
    public async Task A_team_merges_a_duplicate_whose_melder_then_follows_the_other_melding()
    {
        var (x, y) = await TestData.InsideAsync(Db, "GB0361-noord");
        var first = (await _anonymous.SubmitMeldingAsync(new { category = "verlichting", description = "Lamp kapot bij de school", x, y })).GetProperty("id").GetInt64();
        var duplicate = (await _anonymous.SubmitMeldingAsync(new { category = "verlichting", description = "Lantaarn bij school doet het niet", x, y, email = "tweede@example.nl" })).GetProperty("id").GetInt64();
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        Assert.Equal(HttpStatusCode.NotFound, (await zuid.PostAsJsonAsync($"/api/meldingen/{duplicate}/samenvoegen", new { met = first })).StatusCode);
        var noord = await fx.Factory.SignedInAsync("team-noord");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await noord.PostAsJsonAsync($"/api/meldingen/{duplicate}/samenvoegen", new { met = duplicate })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await noord.PostAsJsonAsync($"/api/meldingen/{duplicate}/samenvoegen", new { met = first })).StatusCode);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM melding WHERE id = $1 AND status = 'afgehandeld'", duplicate));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM melding_volger WHERE melding_id = $1 AND email = 'tweede@example.nl' AND via = 'samengevoegd'", first));
        // merging into a closed one is refused
        Assert.Equal(HttpStatusCode.Conflict, (await noord.PostAsJsonAsync($"/api/meldingen/{first}/samenvoegen", new { met = duplicate })).StatusCode);
        // the first melding's next step reaches the duplicate's melder
        var version = (await (await noord.GetAsync($"/api/meldingen/{first}")).JsonAsync(HttpStatusCode.OK)).GetProperty("melding").GetProperty("version").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await noord.PostAsJsonAsync($"/api/meldingen/{first}/status", new { status = "afgehandeld", version })).StatusCode);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM mail_outbox WHERE kind = 'melding volger' AND ref_id = $1", first.ToString()));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM audit_log WHERE action = 'melding samengevoegd' AND subject_id = $1", duplicate.ToString()));
    }
}

/// <summary>Bulk actions (issue 29): one action with one reason on a selection; each melding checked as a single change.</summary>
public class MeldingBulkTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task A_bulk_status_changes_the_teams_own_meldingen_reports_the_others_and_keeps_the_reason_with_each()
    {
        var db = fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();
        var anonymous = fx.Factory.CreateClient();
        var (nx, ny) = await TestData.InsideAsync(db, "GB0361-noord");
        var (zx, zy) = await TestData.InsideAsync(db, "GB0361-zuid");
        var own = new List<long>();
        for (var i = 0; i < 3; i++) own.Add((await anonymous.SubmitMeldingAsync(new { category = "groen", description = $"Bulk {i}", x = nx, y = ny })).GetProperty("id").GetInt64());
        var other = (await anonymous.SubmitMeldingAsync(new { category = "groen", description = "Van Zuid", x = zx, y = zy })).GetProperty("id").GetInt64();
        var noord = await fx.Factory.SignedInAsync("team-noord");
        // a reason is required; nothing changes without one
        Assert.Equal(HttpStatusCode.BadRequest, (await noord.PostAsJsonAsync("/api/meldingen/bulk", new { ids = own, actie = "status", waarde = "in_behandeling" })).StatusCode);
        var answer = await (await noord.PostAsJsonAsync("/api/meldingen/bulk", new { ids = own.Append(other), actie = "status", waarde = "in_behandeling", reden = "Snoeironde deze week" }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, answer.GetProperty("gelukt").GetInt32());
        Assert.Equal(other, answer.GetProperty("mislukt").EnumerateArray().Single().GetProperty("id").GetInt64());
        await using (var cmd = db.CreateCommand("SELECT count(*) FILTER (WHERE status = 'in_behandeling' AND id = ANY ($1)), count(*) FILTER (WHERE status = 'nieuw' AND id = $2) FROM melding"))
        {
            cmd.Parameters.AddWithValue(own.ToArray());
            cmd.Parameters.AddWithValue(other);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal((3L, 1L), (r.GetInt64(0), r.GetInt64(1)));
        }
        await using (var cmd = db.CreateCommand("SELECT count(*) FROM melding_note WHERE melding_id = ANY ($1) AND kind = 'intern' AND text LIKE '%Snoeironde deze week%'"))
        {
            cmd.Parameters.AddWithValue(own.ToArray());
            Assert.Equal(3L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        await using (var cmd = db.CreateCommand("SELECT count(*) FROM audit_log WHERE action = 'gezamenlijke actie' AND actor = 'team-noord'"))
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        // too many at once is refused as a whole
        Assert.Equal(HttpStatusCode.BadRequest, (await noord.PostAsJsonAsync("/api/meldingen/bulk",
            new { ids = Enumerable.Range(1, 201).Select(i => (long)i), actie = "status", waarde = "afgehandeld", reden = "te veel" })).StatusCode);
    }
}
