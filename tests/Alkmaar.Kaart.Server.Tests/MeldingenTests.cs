using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

public class MeldingenTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _anonymous = fx.Factory.CreateClient();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    private Task<(double X, double Y)> InsideAsync(string code) => TestData.InsideAsync(Db, code);

    private Task<JsonElement> SubmitAsync(object body, HttpStatusCode expected = HttpStatusCode.Created) => _anonymous.SubmitMeldingAsync(body, expected);

    private static Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) => response.JsonAsync(expected);

    [Fact]
    public async Task A_melding_is_routed_stamped_forwarded_and_overridden_with_history()
    {
        var (x, y) = await InsideAsync("GB0361-noord");
        var created = await SubmitAsync(new { category = "Verlichting", description = "Lantaarnpaal brandt niet", x, y, naam = "Jan Melder", email = "jan@example.nl" });
        var id = created.GetProperty("id").GetInt64();
        var routing = created.GetProperty("routing");
        Assert.Equal("GB0361-noord", routing.GetProperty("gebied").GetString());
        Assert.Equal("inside", routing.GetProperty("kind").GetString());
        Assert.Equal("Gebiedsteam Noord", routing.GetProperty("gebiedsteam").GetString());
        Assert.True(routing.GetProperty("boundaryVersion").GetInt32() > 0);
        Assert.Equal("stadswerk072", created.GetProperty("forwardedTo").GetString()); // verlichting is openbare ruimte
        Assert.DoesNotContain("Jan Melder", created.GetRawText());                      // the answer echoes no personal data

        // The stamp agrees with PostGIS.
        await using (var cmd = Db.CreateCommand("SELECT a.code FROM melding m JOIN area a ON a.level = 'buurt' AND a.valid_to IS NULL AND ST_Covers(a.geom, m.geom) WHERE m.id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            Assert.Equal(routing.GetProperty("buurt").GetString(), (string?)await cmd.ExecuteScalarAsync());
        }

        // Not an openbare-ruimte category: not forwarded.
        var overlast = await SubmitAsync(new { category = "overlast", description = "Geluidsoverlast", x, y });
        Assert.Equal(JsonValueKind.Null, overlast.GetProperty("forwardedTo").ValueKind);

        // Team Noord overrides to Zuid with a reason; history keeps both steps; Noord then no longer sees it.
        var noord = await fx.Factory.SignedInAsync("team-noord");
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        await Json(await zuid.PostAsJsonAsync($"/api/meldingen/{id}/routering", new { gebied = "GB0361-west", reason = "probeer" }), HttpStatusCode.NotFound);
        await Json(await noord.PostAsJsonAsync($"/api/meldingen/{id}/routering", new { gebied = "GB0361-zuid" }), HttpStatusCode.BadRequest);
        var overridden = await Json(await noord.PostAsJsonAsync($"/api/meldingen/{id}/routering", new { gebied = "GB0361-zuid", reason = "Lamp staat aan de Zuid-kant van de weg" }));
        Assert.Equal("GB0361-zuid", overridden.GetProperty("gebied").GetString());
        Assert.Equal("Gebiedsteam Zuid", overridden.GetProperty("gebiedsteam").GetString());
        Assert.False(overridden.GetProperty("stillVisible").GetBoolean());
        Assert.DoesNotContain("Jan Melder", overridden.GetRawText());

        var detail = await Json(await zuid.GetAsync($"/api/meldingen/{id}"));
        Assert.Equal("override", detail.GetProperty("melding").GetProperty("routing").GetProperty("kind").GetString());
        var history = detail.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        Assert.Equal("inside", history[0].GetProperty("kind").GetString());
        Assert.Equal("override", history[1].GetProperty("kind").GetString());
        Assert.Equal("GB0361-noord", history[1].GetProperty("fromGebied").GetString());
        Assert.Equal("GB0361-zuid", history[1].GetProperty("toGebied").GetString());
        Assert.Equal("team-noord", history[1].GetProperty("actor").GetString());
        Assert.Contains("Zuid-kant", history[1].GetProperty("detail").GetString());
        await Json(await noord.GetAsync($"/api/meldingen/{id}"), HttpStatusCode.NotFound);

        // Status: closing sets closed_at; an unknown status is a 400.
        await Json(await zuid.PostAsJsonAsync($"/api/meldingen/{id}/status", new { status = "afgehandeld" }), HttpStatusCode.NoContent);
        await Json(await zuid.PostAsJsonAsync($"/api/meldingen/{id}/status", new { status = "weg" }), HttpStatusCode.BadRequest);
        var closed = await Json(await zuid.GetAsync($"/api/meldingen/{id}"));
        Assert.Equal("afgehandeld", closed.GetProperty("melding").GetProperty("status").GetString());

        var audit = await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "melding", subjectId: id.ToString());
        Assert.Contains(audit, e => e.Action == "routering gewijzigd" && e.Actor == "team-noord");
        Assert.Contains(audit, e => e.Action == "persoonsgegevens bekeken" && e.Actor == "team-zuid");
    }

    [Fact]
    public async Task Each_role_sees_only_its_share_and_personal_fields_only_when_routed_to_its_team()
    {
        var (nx, ny) = await InsideAsync("GB0361-noord");
        var (zx, zy) = await InsideAsync("GB0361-zuid");
        var inNoord = (await SubmitAsync(new { category = "groen", description = "Boom omgewaaid bij Noord-privé-tekst", x = nx, y = ny, naam = "Noord Melder", telefoon = "06-12345678" })).GetProperty("id").GetInt64();
        var inZuid = (await SubmitAsync(new { category = "overlast", description = "Zuid-privé-tekst", x = zx, y = zy, email = "zuid@example.nl" })).GetProperty("id").GetInt64();

        var noord = await fx.Factory.SignedInAsync("team-noord");
        var list = (await Json(await noord.GetAsync("/api/meldingen?limit=1000"))).EnumerateArray().ToList();
        Assert.Contains(list, m => m.GetProperty("id").GetInt64() == inNoord);
        Assert.DoesNotContain(list, m => m.GetProperty("id").GetInt64() == inZuid);
        Assert.All(list, m => Assert.Equal("GB0361-noord", m.GetProperty("routing").GetProperty("gebied").GetString()));
        var own = list.Single(m => m.GetProperty("id").GetInt64() == inNoord);
        Assert.Equal("Noord Melder", own.GetProperty("personal").GetProperty("naam").GetString());
        await Json(await noord.GetAsync($"/api/meldingen/{inZuid}"), HttpStatusCode.NotFound); // Noord cannot read Zuid's melding

        // Stadswerk072: only forwarded meldingen, never personal fields.
        var stadswerk = await fx.Factory.SignedInAsync("stadswerk");
        var forwarded = await stadswerk.GetStringAsync("/api/meldingen?limit=1000");
        Assert.Contains($"\"id\":{inNoord},", forwarded);
        Assert.DoesNotContain($"\"id\":{inZuid},", forwarded);
        Assert.DoesNotContain("privé-tekst", forwarded);
        Assert.DoesNotContain("Noord Melder", forwarded);

        // A planner has no business with meldingen; anonymous gets 401.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await fx.Factory.SignedInAsync("planner")).GetAsync("/api/meldingen")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Factory.CreateNoRedirectClient().GetAsync("/api/meldingen")).StatusCode);

        // Beheerder sees both with personal data.
        var all = await (await fx.Factory.SignedInAsync("beheerder")).GetStringAsync("/api/meldingen?limit=1000");
        Assert.Contains("Zuid-privé-tekst", all);
        Assert.Contains("Noord Melder", all);

        // Filters: area, category, status.
        var byArea = (await Json(await noord.GetAsync($"/api/meldingen?area=GB0361-noord&category=groen&status=nieuw"))).EnumerateArray().ToList();
        Assert.Contains(byArea, m => m.GetProperty("id").GetInt64() == inNoord);
        Assert.All(byArea, m => Assert.Equal("groen", m.GetProperty("category").GetString()));
        await Json(await noord.GetAsync("/api/meldingen?from=gisteren"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_public_map_has_counts_per_50_m_cell_without_personal_data_or_exact_locations()
    {
        var (x, y) = await InsideAsync("WK036102");
        // five in one cell: enough to be published (disclosure control: no count below 5)
        for (var i = 0; i < 5; i++)
            await SubmitAsync(new { category = "afval", description = "Publiek-geheim: zak naast container", x, y, naam = "Geheime Naam", email = "geheim@example.nl" });
        // issue 27, item 6: today is never released — polling the public cells shows nothing of the five new meldingen
        static bool InCell(JsonElement f, double x, double y)
        {
            var c = f.GetProperty("geometry").GetProperty("coordinates");
            var (rx, ry) = Alkmaar.Kaart.Geo.Transforms.RdNew.FromWgs84(c[0].GetDouble(), c[1].GetDouble());
            return Math.Floor(rx / 50) == Math.Floor(x / 50) && Math.Floor(ry / 50) == Math.Floor(y / 50);
        }
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        foreach (var url in new[] { "/api/meldingen/openbaar", $"/api/meldingen/openbaar?to={today}", "/ogc/collections/meldingen/items?limit=1000" })
            Assert.DoesNotContain(JsonDocument.Parse(await _anonymous.GetStringAsync(url)).RootElement.GetProperty("features").EnumerateArray(), f => InCell(f, x, y));
        await Db.AgeRecentMeldingenAsync(); // the next day: they are released
        var text = await _anonymous.GetStringAsync("/api/meldingen/openbaar");
        Assert.DoesNotContain("Publiek-geheim", text);
        Assert.DoesNotContain("Geheime Naam", text);
        Assert.DoesNotContain("geheim@example.nl", text);
        var features = JsonDocument.Parse(text).RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.NotEmpty(features);
        foreach (var f in features)
        {
            Assert.Equal(["count", "topCategory"], f.GetProperty("properties").EnumerateObject().Select(p => p.Name).Where(n => !n.StartsWith("categorie_")));
            var c = f.GetProperty("geometry").GetProperty("coordinates");
            var (rx, ry) = Alkmaar.Kaart.Geo.Transforms.RdNew.FromWgs84(c[0].GetDouble(), c[1].GetDouble());
            // Every point is the centre of a 50 m cell (to the precision of the WGS84 output).
            Assert.InRange(Math.Abs(rx - 25 - Math.Floor(rx / 50) * 50), 0, 0.05);
            Assert.InRange(Math.Abs(ry - 25 - Math.Floor(ry / 50) * 50), 0, 0.05);
        }
        var cell = features.Single(f =>
        {
            var c = f.GetProperty("geometry").GetProperty("coordinates");
            var (rx, ry) = Alkmaar.Kaart.Geo.Transforms.RdNew.FromWgs84(c[0].GetDouble(), c[1].GetDouble());
            return Math.Floor(rx / 50) == Math.Floor(x / 50) && Math.Floor(ry / 50) == Math.Floor(y / 50);
        });
        Assert.True(cell.GetProperty("properties").GetProperty("categorie_afval").GetInt32() >= 5);
        // no published cell, and no category in one, counts fewer than 5
        foreach (var f in features)
        foreach (var p in f.GetProperty("properties").EnumerateObject().Where(p => p.Name is "count" || p.Name.StartsWith("categorie_")))
            Assert.True(p.Value.GetInt32() >= 5, $"{p.Name} = {p.Value}");

        // coarser cells for the map's clusters: centres of 400 m cells, the same total; a bbox keeps only its cells;
        // a cell finer than the generalisation grid is served at 50 m
        var total = features.Sum(f => f.GetProperty("properties").GetProperty("count").GetInt32());
        var coarse = JsonDocument.Parse(await _anonymous.GetStringAsync("/api/meldingen/openbaar?cell=400")).RootElement;
        Assert.Equal(400, coarse.GetProperty("cell_m").GetDouble());
        // coarser cells hide fewer small counts: at least as many meldingen are published
        Assert.True(coarse.GetProperty("total").GetInt32() >= total);
        foreach (var f in coarse.GetProperty("features").EnumerateArray())
        {
            var c = f.GetProperty("geometry").GetProperty("coordinates");
            var (rx, ry) = Alkmaar.Kaart.Geo.Transforms.RdNew.FromWgs84(c[0].GetDouble(), c[1].GetDouble());
            Assert.InRange(Math.Abs(rx - 200 - Math.Floor(rx / 400) * 400), 0, 0.05);
        }
        var box = $"{Math.Floor(x / 50) * 50:F0},{Math.Floor(y / 50) * 50:F0},{Math.Floor(x / 50) * 50 + 50:F0},{Math.Floor(y / 50) * 50 + 50:F0}";
        var inBox = JsonDocument.Parse(await _anonymous.GetStringAsync($"/api/meldingen/openbaar?cell=10&bbox={box}")).RootElement;
        Assert.Equal(50, inBox.GetProperty("cell_m").GetDouble());
        Assert.Equal(cell.GetProperty("properties").GetProperty("count").GetInt32(), inBox.GetProperty("total").GetInt32());
        await Json(await _anonymous.GetAsync("/api/meldingen/openbaar?bbox=1,2,3"), HttpStatusCode.BadRequest);
        await Json(await _anonymous.GetAsync("/api/meldingen/openbaar?bbox=120000,520000,110000,510000"), HttpStatusCode.BadRequest);
        await Json(await _anonymous.GetAsync("/api/meldingen/openbaar?cell=veel"), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"category":"verlichting","description":"x","x":111000,"y":515000,"lat":52.6,"lon":4.7}""", 400, "location")]
    [InlineData("""{"category":"verlichting","description":"x"}""", 400, "location")]
    [InlineData("""{"category":"verlichting","description":"x","x":1e9,"y":515000}""", 400, "location")]
    [InlineData("""{"category":"verlichting","description":"x","lat":48.85,"lon":2.35}""", 400, "location")]
    [InlineData("""{"category":"raketten","description":"x","lat":52.63,"lon":4.74}""", 400, "category")]
    [InlineData("""{"description":"x","lat":52.63,"lon":4.74}""", 400, "category")]
    [InlineData("""{"category":"afval","description":"   ","lat":52.63,"lon":4.74}""", 400, "description")]
    [InlineData("""{"category":"afval","description":"x","lat":52.63,"lon":4.74,"email":"geen-adres"}""", 400, "email")]
    [InlineData("""{"category":"afval","description":"x","postcode":"1811 ZZ","huisnummer":99999}""", 422, "postcode")]
    [InlineData("""{"category":"afval","description":"x","postcode":"0000AA","huisnummer":1}""", 400, "postcode")]
    [InlineData("""{"category":"afval","description":"x","lat":52.5976,"lon":4.7043}""", 422, "location")]
    public async Task Bad_meldingen_get_a_clear_problem_and_nothing_is_stored(string json, int status, string field)
    {
        var before = await CountAsync();
        var response = await _anonymous.PostAsync("/api/meldingen", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await Json(response, (HttpStatusCode)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_melding_in_a_neighbouring_municipality_names_it()
    {
        var response = await _anonymous.PostAsync("/api/meldingen", new StringContent(
            """{"category":"afval","description":"x","lat":52.5976,"lon":4.7043}""", Encoding.UTF8, "application/json"));
        var problem = await Json(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Deze plek ligt in de gemeente Heiloo", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("{", "application/json", 400)]
    [InlineData("[]", "application/json", 400)]
    [InlineData("""{"category":"afval","onbekend":1}""", "application/json", 400)]
    [InlineData("""{"category":"afval","x":"111000"}""", "application/json", 400)]
    [InlineData("category=afval", "application/x-www-form-urlencoded", 415)]
    public async Task Unreadable_bodies_are_a_400_or_415_problem(string body, string contentType, int status)
    {
        var response = await _anonymous.PostAsync("/api/meldingen", new StringContent(body, Encoding.UTF8, contentType));
        await Json(response, (HttpStatusCode)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Csv_import_routes_good_rows_and_reports_each_bad_row_with_its_reason()
    {
        var (x, y) = await InsideAsync("GB0361-centrum");
        var csv = $"""
            category,description,x,y,lat,lon,naam
            afval,Goed RD,{x.ToString(System.Globalization.CultureInfo.InvariantCulture)},{y.ToString(System.Globalization.CultureInfo.InvariantCulture)},,,Piet
            overlast,Goed WGS84,,,52.6366,4.7393,
            raketten,Onbekende categorie,,,52.6366,4.7393,
            afval,Buiten bereik,,,48.85,2.35,
            afval,Geen getal,abc,515000,,,
            afval,Heiloo,,,52.5976,4.7043,
            groen,Ook goed,,,52.6366,4.7393,
            """;
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var before = await CountAsync();
        var report = await Json(await beheerder.PostAsync("/api/meldingen/import", new StringContent(csv, Encoding.UTF8, "text/csv")));
        Assert.Equal(3, report.GetProperty("imported").GetInt32());
        Assert.Equal(4, report.GetProperty("rejected").GetInt32());
        var rows = report.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], rows.Select(r => r.GetProperty("row").GetInt32()));
        Assert.Equal("GB0361-centrum", rows[0].GetProperty("gebied").GetString());
        Assert.Contains("Onbekende categorie", rows[2].GetProperty("error").GetString());
        Assert.Contains("buiten bereik", rows[3].GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ongeldig getal", rows[4].GetProperty("error").GetString());
        Assert.Contains("Heiloo", rows[5].GetProperty("error").GetString());
        Assert.Equal(before + 3, await CountAsync());

        // A wrong header is refused as a whole; a gebiedsteam member may not import.
        await Json(await beheerder.PostAsync("/api/meldingen/import", new StringContent("wat,dan\n1,2\n", Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest);
        var noord = await fx.Factory.SignedInAsync("team-noord");
        Assert.Equal(HttpStatusCode.Forbidden, (await noord.PostAsync("/api/meldingen/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).StatusCode);
    }

    [Fact]
    public async Task Retention_removes_personal_data_of_meldingen_closed_long_ago_and_audits_it()
    {
        var (x, y) = await InsideAsync("GB0361-oost");
        var old = (await SubmitAsync(new { category = "afval", description = "Oud en gesloten", x, y, naam = "Oude Melder" })).GetProperty("id").GetInt64();
        var recent = (await SubmitAsync(new { category = "afval", description = "Net gesloten", x, y, naam = "Nieuwe Melder" })).GetProperty("id").GetInt64();
        var open = (await SubmitAsync(new { category = "afval", description = "Nog open", x, y, naam = "Open Melder" })).GetProperty("id").GetInt64();
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET status = 'afgehandeld', closed_at = now() - CASE WHEN id = $1 THEN interval '400 days' ELSE interval '10 days' END " +
            "WHERE id IN ($1, $2)"))
        {
            cmd.Parameters.AddWithValue(old);
            cmd.Parameters.AddWithValue(recent);
            await cmd.ExecuteNonQueryAsync();
        }
        var removed = await fx.Factory.Services.GetRequiredService<MeldingService>().PurgePersonalDataAsync();
        Assert.True(removed >= 1);

        await using var check = Db.CreateCommand("SELECT id, melder_naam, description, personal_removed_at IS NOT NULL FROM melding WHERE id = ANY($1) ORDER BY id");
        check.Parameters.AddWithValue(new[] { old, recent, open });
        await using var r = await check.ExecuteReaderAsync();
        var rows = new List<(long Id, string? Naam, string? Description, bool Removed)>();
        while (await r.ReadAsync()) rows.Add((r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetBoolean(3)));
        Assert.Equal((old, null, null, true), rows[0]);
        Assert.Equal("Nieuwe Melder", rows[1].Naam);
        Assert.Equal("Open Melder", rows[2].Naam);
        // one audit entry for the run, with the count and the meldingen, not one entry per melding
        var audit = await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "retentie");
        var entry = Assert.Single(audit, e => e.Actor == AuditLog.System && e.Action.StartsWith("persoonsgegevens verwijderd") && e.Detail!.Contains($"\"{old}\""));
        Assert.Contains($"\"count\": {removed}", entry.Detail);
        Assert.Empty(await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "melding", subjectId: old.ToString()));
        // a second run finds nothing more to remove and writes nothing
        Assert.Equal(0, await fx.Factory.Services.GetRequiredService<MeldingService>().PurgePersonalDataAsync());
        Assert.Single(await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "retentie"));
    }

    private async Task<long> CountAsync()
    {
        await using var cmd = Db.CreateCommand("SELECT count(*) FROM melding");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
