using System.Net;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Testing;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Bewonersinitiatieven: the lifecycle with its history, routing checked by PostGIS, who may change what, bad input.</summary>
public class InitiatiefTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A staff edit as the page or a client does it: with If-Match from the initiative's current ETag.</summary>
    private async Task<HttpResponseMessage> Edit(HttpClient client, HttpMethod method, long id, string? json = null)
    {
        var etag = (await fx.Factory.CreateClient().GetAsync($"/api/initiatieven/{id}")).Headers.ETag!.ToString();
        var request = new HttpRequestMessage(method, $"/api/initiatieven/{id}") { Content = json is null ? null : Body(json) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task An_initiative_goes_from_aangevraagd_to_toegekend_to_uitgevoerd_with_its_history_and_no_way_back()
    {
        var team = await fx.Factory.SignedInAsync("team-noord");
        // a point in Noord (lat/lon), routed to buurt, wijk and gebied
        var created = await Json(await team.PostAsync("/api/initiatieven", Body(
            """{"title":"Buurtmoestuin Daalmeer","description":"Moestuin op het grasveld","theme":"groen","subsidy":1250.5,"year":2025,"lat":52.6639,"lon":4.7601}""")),
            HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("aangevraagd", created.GetProperty("status").GetString());
        Assert.Equal("GB0361-noord", created.GetProperty("gebiedCode").GetString());
        await using (var db = fx.Database.CreateDataSource())
        await using (var check = db.CreateCommand(
            "SELECT count(*) FROM initiatief i JOIN area b ON b.level = 'buurt' AND b.valid_to IS NULL AND b.code = i.buurt_code AND ST_Covers(b.geom, i.geom) " +
            "JOIN area w ON w.level = 'wijk' AND w.valid_to IS NULL AND w.code = i.wijk_code AND ST_Covers(w.geom, i.geom) WHERE i.id = $1"))
        {
            check.Parameters.AddWithValue(id);
            Assert.Equal(1L, await check.ExecuteScalarAsync()); // the buurt and wijk stored are the ones PostGIS says cover the point
        }

        await Json(await Edit(team, HttpMethod.Put, id, """{"status":"toegekend","subsidy":1000}"""), HttpStatusCode.OK);
        var done = await Json(await Edit(team, HttpMethod.Put, id, """{"status":"uitgevoerd"}"""), HttpStatusCode.OK);
        Assert.Equal(1000m, done.GetProperty("subsidy").GetDecimal());
        Assert.Equal("Buurtmoestuin Daalmeer", done.GetProperty("title").GetString()); // fields left out keep their value
        var back = await Json(await Edit(team, HttpMethod.Put, id, """{"status":"aangevraagd"}"""), HttpStatusCode.Conflict);
        Assert.Contains("definitief", back.GetProperty("detail").GetString());

        // staff see the history with who; a resident sees the initiative without it
        var staffView = await Json(await team.GetAsync($"/api/initiatieven/{id}"), HttpStatusCode.OK);
        var history = staffView.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("to").GetString()).ToList();
        Assert.Equal(["aangevraagd", "toegekend", "uitgevoerd"], history);
        var publicBody = await (await fx.Factory.CreateClient().GetAsync($"/api/initiatieven/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("history", publicBody);
        Assert.DoesNotContain("team-noord", publicBody);
        Assert.Contains("Buurtmoestuin", publicBody);

        // filters of the public list
        var anon = fx.Factory.CreateClient();
        async Task<int> Count(string q) => (await Json(await anon.GetAsync("/api/initiatieven?" + q), HttpStatusCode.OK)).GetProperty("features").GetArrayLength();
        Assert.True(await Count("status=uitgevoerd&theme=groen&year=2025&gebied=GB0361-noord") >= 1);
        Assert.Equal(0, await Count($"status=afgewezen&year=2025&gebied={created.GetProperty("buurtCode").GetString()}"));

        // rejected from the start is final too; deleting works for the team that owns it
        var other = await Json(await team.PostAsync("/api/initiatieven", Body("""{"title":"Bankje","theme":"ontmoeten","year":2025,"lat":52.6639,"lon":4.7601}""")), HttpStatusCode.Created);
        var otherId = other.GetProperty("id").GetInt64();
        await Json(await Edit(team, HttpMethod.Put, otherId, """{"status":"afgewezen"}"""), HttpStatusCode.OK);
        await Json(await Edit(team, HttpMethod.Put, otherId, """{"status":"toegekend"}"""), HttpStatusCode.Conflict);
        await Json(await Edit(team, HttpMethod.Delete, otherId), HttpStatusCode.NoContent);
        await Json(await anon.GetAsync($"/api/initiatieven/{otherId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_team_changes_only_initiatives_in_its_own_gebieden_and_an_area_initiative_is_routed_by_its_polygon()
    {
        var noord = await fx.Factory.SignedInAsync("team-noord");
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var polygon = """{"type":"Polygon","coordinates":[[[4.7590,52.6634],[4.7610,52.6634],[4.7610,52.6644],[4.7590,52.6644],[4.7590,52.6634]]]}""";
        var created = await Json(await beheerder.PostAsync("/api/initiatieven", Body(
            $$"""{"title":"Speelplek opknappen","theme":"spelen","year":2024,"status":"aangevraagd","geometry":{{polygon}}}""")), HttpStatusCode.Created);
        Assert.Equal("Polygon", created.GetProperty("geometryType").GetString());
        Assert.Equal("GB0361-noord", created.GetProperty("gebiedCode").GetString());
        var id = created.GetProperty("id").GetInt64();
        await Json(await Edit(zuid, HttpMethod.Put, id, """{"status":"toegekend"}"""), HttpStatusCode.Forbidden);
        await Json(await Edit(zuid, HttpMethod.Delete, id), HttpStatusCode.Forbidden);
        await Json(await zuid.PostAsync("/api/initiatieven", Body("""{"title":"Elders","theme":"groen","year":2025,"lat":52.6639,"lon":4.7601}""")), HttpStatusCode.Forbidden);
        await Json(await Edit(noord, HttpMethod.Put, id, """{"status":"toegekend"}"""), HttpStatusCode.OK);
        // a resident cannot create one
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Factory.CreateClient().PostAsync("/api/initiatieven",
            Body("""{"title":"Anoniem","theme":"groen","year":2025,"lat":52.6639,"lon":4.7601}"""))).StatusCode);
    }

    [Theory]
    [InlineData("""{"title":"x","theme":"groen","year":2025,"lat":52.6639,"lon":4.7601}""", 422, "title")]
    [InlineData("""{"title":"Tuin","theme":"tuinieren","year":2025,"lat":52.6639,"lon":4.7601}""", 422, "theme")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":1900,"lat":52.6639,"lon":4.7601}""", 422, "year")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"subsidy":-5,"lat":52.6639,"lon":4.7601}""", 422, "subsidy")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025}""", 422, "location")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"lat":52.656}""", 422, "location")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"lat":48.85,"lon":2.35}""", 422, "location")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"lat":52.60,"lon":4.70,"x":110000,"y":515000}""", 422, "location")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"x":104000,"y":510000}""", 422, "location")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"status":"uitgevoerd2","lat":52.6639,"lon":4.7601}""", 422, "status")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"geometry":{"type":"Polygon","coordinates":[[[4.73,52.65],[4.74,52.66],[4.74,52.65],[4.73,52.66],[4.73,52.65]]]}}""", 422, "geometry")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"geometry":{"type":"LineString","coordinates":[[4.73,52.65],[4.74,52.66]]}}""", 422, "geometry")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"geometry":{"type":"Polygon","coordinates":[[[4.6,52.5],[4.9,52.5],[4.9,52.7],[4.6,52.7],[4.6,52.5]]]}}""", 422, "geometry")]
    [InlineData("""{"title":"Tuin","theme":"groen","year":2025,"aanvrager":"Jan","lat":52.6639,"lon":4.7601}""", 400, null)]
    public async Task Bad_input_is_refused_with_the_field_and_stores_nothing(string json, int status, string? field)
    {
        await using var db = fx.Database.CreateDataSource();
        async Task<long> Count() { await using var c = db.CreateCommand("SELECT count(*) FROM initiatief"); return (long)(await c.ExecuteScalarAsync())!; }
        var before = await Count();
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var response = await beheerder.PostAsync("/api/initiatieven", Body(json));
        var problem = await Json(response, (HttpStatusCode)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(before, await Count());
    }

    [Fact]
    public async Task Fifty_concurrent_edits_of_one_version_one_wins_and_the_rest_get_412_and_a_final_status_stays_final()
    {
        var team = await fx.Factory.SignedInAsync("team-noord");
        var created = await Json(await team.PostAsync("/api/initiatieven", Body("""{"title":"Gelijktijdig","theme":"groen","year":2025,"lat":52.6639,"lon":4.7601}""")), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        var etag = (await fx.Factory.CreateClient().GetAsync($"/api/initiatieven/{id}")).Headers.ETag!.ToString();
        Assert.Equal("\"v1\"", etag);
        // 50 editors who all loaded version 1: half move the status on, half change the title
        var clients = new[] { team, await fx.Factory.SignedInAsync("beheerder") };
        var tasks = Enumerable.Range(0, 50).Select(async i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, $"/api/initiatieven/{id}")
                { Content = Body(i % 2 == 0 ? """{"status":"toegekend"}""" : $$"""{"title":"Titel {{i}}"}""") };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            return (await clients[i % 2].SendAsync(request)).StatusCode;
        }).ToList();
        var statuses = await Task.WhenAll(tasks);
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(49, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
        var after = await fx.Factory.CreateClient().GetAsync($"/api/initiatieven/{id}");
        Assert.Equal("\"v2\"", after.Headers.ETag!.ToString());

        // a final status, raced: exactly one of two transitions from toegekend wins; the other gets 412 (stale) or 409
        await Json(await Edit(team, HttpMethod.Put, id, """{"status":"toegekend"}"""), HttpStatusCode.OK) ;
        var v = (await fx.Factory.CreateClient().GetAsync($"/api/initiatieven/{id}")).Headers.ETag!.ToString();
        var race = await Task.WhenAll(new[] { """{"status":"uitgevoerd"}""", """{"status":"afgewezen"}""" }.Select(async b =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, $"/api/initiatieven/{id}") { Content = Body(b) };
            request.Headers.TryAddWithoutValidation("If-Match", v);
            return (await team.SendAsync(request)).StatusCode;
        }));
        Assert.Equal(1, race.Count(s => s == HttpStatusCode.OK));
        Assert.All(race.Where(s => s != HttpStatusCode.OK), s => Assert.Contains(s, new[] { HttpStatusCode.PreconditionFailed, HttpStatusCode.Conflict }));
        // history: one transition to a final status, never two
        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("SELECT count(*) FROM initiatief_history WHERE initiatief_id = $1 AND status_to IN ('uitgevoerd', 'afgewezen')");
        cmd.Parameters.AddWithValue(id);
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);

        // without If-Match: 428, nothing changed
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await team.PutAsync($"/api/initiatieven/{id}", Body("""{"title":"Zonder versie"}"""))).StatusCode);
    }
}
