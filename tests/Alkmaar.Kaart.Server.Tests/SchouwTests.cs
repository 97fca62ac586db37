using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Schouwen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The wijkschouw (issue 34, part 3) against PostgreSQL: a round keeps the target levels of its buurt's gebied; a finding
/// sent twice (a phone back online) is kept once; a place outside the gemeente is refused; the report scores each item
/// against the target; a finding becomes a melding once — routed to the team whose gebied PostGIS says covers the place,
/// forwarded to Stadswerk072 for the openbare ruimte, the photo without its metadata — even when two people tap at once;
/// another gebied's team sees none of it. Over HTTP: multipart from the phone, problem+json for bad input, 404 for a
/// round outside the caller's gebieden.
/// </summary>
public class SchouwTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private T S<T>() where T : notnull => fx.Factory.Services.GetRequiredService<T>();

    /// <summary>A buurt of the gebied, and <paramref name="n"/> points inside it (WGS84) with the gebied PostGIS finds for each.</summary>
    private async Task<(string Buurt, List<(double Lat, double Lon)> Points)> BuurtAsync(NpgsqlDataSource db, string gebied, int n)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT b.code, ST_Y(p), ST_X(p) FROM area_in_force b JOIN area_in_force w ON w.level = 'wijk' AND w.code = b.parent_code,
              LATERAL (SELECT ST_Transform((ST_Dump(ST_GeneratePoints(ST_Buffer(b.geom, -20), $2, 42))).geom, 4326) AS p) q
            WHERE b.level = 'buurt' AND w.parent_code = $1
              AND b.code = (SELECT b2.code FROM area_in_force b2 JOIN area_in_force w2 ON w2.code = b2.parent_code AND w2.level = 'wijk'
                            WHERE b2.level = 'buurt' AND w2.parent_code = $1 ORDER BY ST_Area(b2.geom) DESC LIMIT 1)
            """);
        cmd.Parameters.AddWithValue(gebied);
        cmd.Parameters.AddWithValue(n);
        var points = new List<(double, double)>();
        string buurt = "";
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) { buurt = r.GetString(0); points.Add((r.GetDouble(1), r.GetDouble(2))); }
        Assert.Equal(n, points.Count);
        return (buurt, points);
    }

    private static async Task<string?> GebiedByPostGisAsync(NpgsqlDataSource db, double lat, double lon)
    {
        await using var cmd = db.CreateCommand(
            "SELECT code FROM area_in_force WHERE level = 'gebied' AND ST_Covers(geom, ST_Transform(ST_SetSRID(ST_MakePoint($2, $1), 4326), 28992))");
        cmd.Parameters.AddWithValue(lat);
        cmd.Parameters.AddWithValue(lon);
        return await cmd.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task A_finding_sent_twice_is_kept_once_the_report_scores_against_the_target_and_a_finding_becomes_one_routed_melding()
    {
        await using var db = fx.Database.CreateDataSource();
        const string gebied = "GB0361-centrum";
        var (buurt, points) = await BuurtAsync(db, gebied, 3);
        var schouwen = S<SchouwService>();
        var team = TestAccounts.TeamPrincipal(gebied);
        var other = TestAccounts.TeamPrincipal("GB0361-noord");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        // another gebied's team can neither plan here nor see the round
        await Assert.ThrowsAsync<SchouwException>(() => schouwen.PlanAsync(other, buurt, today, null, null, [], 0));
        var id = await schouwen.PlanAsync(team, buurt, today, null, "Start bij de Waag", ["Gebiedsteam", "Stadswerk072", "iets anders"], 4);
        Assert.Null(await schouwen.GetAsync(other, id));
        Assert.DoesNotContain(await schouwen.ListAsync(other), x => x.Id == id);
        Assert.Contains(await schouwen.ListAsync(team), x => x.Id == id);
        var s = (await schouwen.GetAsync(team, id))!;
        // the Centrum's beeldkwaliteit: schoon and heel at A, groen at B (data/boundaries/beeldkwaliteit.json)
        Assert.Equal(("A", "A", "B"), (s.Doel["schoon"], s.Doel["heel"], s.Doel["groen"]));
        Assert.Equal(["Gebiedsteam", "Stadswerk072"], s.Deelnemers);
        Assert.Equal(s.Items.Count, schouwen.Beeldkwaliteit.Items.Count);

        // one finding, sent twice (the phone lost the answer): kept once
        var first = new BevindingInput(Guid.NewGuid(), "zwerfafval", "C", "Zakken naast de container", points[0].Lat, points[0].Lon, 8, DateTimeOffset.UtcNow.AddMinutes(-30));
        var (f1, nieuw1) = await schouwen.AddBevindingAsync(team, id, first, null);
        var (f1again, nieuw2) = await schouwen.AddBevindingAsync(team, id, first, null);
        Assert.True(nieuw1);
        Assert.False(nieuw2);
        Assert.Equal(f1, f1again);
        var photo = MeldingWorkspaceTests.PhoneJpeg(64, 48, "geheim-schouw-toestel");
        var (f2, _) = await schouwen.AddBevindingAsync(team, id,
            new BevindingInput(Guid.NewGuid(), "verlichting", "D", null, points[1].Lat, points[1].Lon, 5, DateTimeOffset.UtcNow), photo);
        var (f3, _) = await schouwen.AddBevindingAsync(team, id,
            new BevindingInput(Guid.NewGuid(), "bomen", "A", "Mooi onderhouden", points[2].Lat, points[2].Lon, null, DateTimeOffset.UtcNow), null);

        // bad input is refused with the field at fault, and nothing is kept
        Assert.Equal("score", (await Assert.ThrowsAsync<SchouwException>(() => schouwen.AddBevindingAsync(team, id,
            first with { ClientId = Guid.NewGuid(), Score = "E" }, null))).Parameter);
        Assert.Equal("item", (await Assert.ThrowsAsync<SchouwException>(() => schouwen.AddBevindingAsync(team, id,
            first with { ClientId = Guid.NewGuid(), Item = "vuurwerk" }, null))).Parameter);
        Assert.Contains("buiten de gemeente", (await Assert.ThrowsAsync<SchouwException>(() => schouwen.AddBevindingAsync(team, id,
            first with { ClientId = Guid.NewGuid(), Lat = 52.3731, Lon = 4.8922 }, null))).Message); // Amsterdam, de Dam
        var kept = await schouwen.BevindingenAsync(id);
        Assert.Equal(3, kept.Count);
        // the photo's metadata is gone
        var stored = (await schouwen.PhotoAsync(team, id, f2))!;
        Assert.DoesNotContain("geheim-schouw-toestel", Encoding.ASCII.GetString(stored.Bytes));

        // the report: zwerfafval C against A and verlichting D against A are below the target; bomen A against B meets it
        var rapport = SchouwService.Rapport(s, kept).ToDictionary(r => r.Item.Code);
        Assert.Equal((1, 1, "C", false), (rapport["zwerfafval"].Bevindingen, rapport["zwerfafval"].OnderDoel, rapport["zwerfafval"].Slechtste, rapport["zwerfafval"].Voldoet));
        Assert.Equal((1, "D", false), (rapport["verlichting"].OnderDoel, rapport["verlichting"].Slechtste, rapport["verlichting"].Voldoet));
        Assert.Equal((1, 0, true), (rapport["bomen"].Bevindingen, rapport["bomen"].OnderDoel, rapport["bomen"].Voldoet));
        Assert.Equal(0, rapport["graffiti"].Bevindingen);

        // a finding becomes a melding: routed as PostGIS says, forwarded (afval is openbare ruimte), once — even when two tap at once
        var taps = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => schouwen.MaakMeldingAsync(team, id, f1)));
        Assert.Single(taps.Select(t => t.MeldingId).Distinct());
        Assert.Single(taps, t => t.Nieuw);
        var (m2, _) = await schouwen.MaakMeldingAsync(team, id, f2);
        foreach (var (mid, p) in new[] { (taps[0].MeldingId, points[0]), (m2, points[1]) })
        {
            await using var cmd = db.CreateCommand("SELECT gebied_code, source, channel, forwarded_to, category, description FROM melding WHERE id = $1");
            cmd.Parameters.AddWithValue(mid);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal(await GebiedByPostGisAsync(db, p.Lat, p.Lon), r.GetString(0));
            Assert.Equal(("schouw", "schouw", "stadswerk072"), (r.GetString(1), r.GetString(2), r.GetString(3)));
            Assert.Contains("Wijkschouw", r.GetString(5));
        }
        await using (var cmd = db.CreateCommand("SELECT count(*) FROM melding_photo WHERE melding_id = $1"))
        {
            cmd.Parameters.AddWithValue(m2);
            Assert.Equal(1L, await cmd.ExecuteScalarAsync());
        }
        kept = await schouwen.BevindingenAsync(id);
        Assert.Equal(taps[0].MeldingId, kept.Single(b => b.Id == f1).MeldingId);
        Assert.Equal("nieuw", kept.Single(b => b.Id == f1).MeldingStatus);
        Assert.Null(kept.Single(b => b.Id == f3).MeldingId);
        Assert.Equal(2, (await schouwen.GetAsync(team, id))!.Meldingen);
        await Assert.ThrowsAsync<SchouwException>(() => schouwen.MaakMeldingAsync(other, id, f3));
    }

    [Fact]
    public async Task The_phone_sends_findings_and_route_over_http_and_another_gebied_gets_404()
    {
        await using var db = fx.Database.CreateDataSource();
        var (buurt, points) = await BuurtAsync(db, "GB0361-noord", 2);
        var client = await fx.Factory.SignedInAsync("team-noord");
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        var id = await S<SchouwService>().PlanAsync(TestAccounts.TeamPrincipal("GB0361-noord"), buurt, DateOnly.FromDateTime(DateTime.UtcNow), null, null, [], 0);

        MultipartFormDataContent Form(Guid clientId, string score, (double Lat, double Lon) p, byte[]? photo = null)
        {
            var form = new MultipartFormDataContent
            {
                { new StringContent(clientId.ToString()), "clientId" }, { new StringContent("verharding"), "item" }, { new StringContent(score), "score" },
                { new StringContent(p.Lat.ToString(System.Globalization.CultureInfo.InvariantCulture)), "lat" },
                { new StringContent(p.Lon.ToString(System.Globalization.CultureInfo.InvariantCulture)), "lon" },
                { new StringContent(DateTimeOffset.UtcNow.ToString("O")), "vastgelegdAt" },
            };
            if (photo is not null)
            {
                var file = new ByteArrayContent(photo);
                file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                form.Add(file, "foto", "foto.jpg");
            }
            return form;
        }

        var clientId = Guid.NewGuid();
        var created = await client.PostAsync($"/api/schouwen/{id}/bevindingen", Form(clientId, "C", points[0], MeldingWorkspaceTests.PhoneJpeg(40, 30, "x")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var again = await client.PostAsync($"/api/schouwen/{id}/bevindingen", Form(clientId, "C", points[0]));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("nieuw").GetBoolean());

        var bad = await client.PostAsync($"/api/schouwen/{id}/bevindingen", Form(Guid.NewGuid(), "Z", points[1]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Equal("score", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        var notForm = await client.PostAsync($"/api/schouwen/{id}/bevindingen", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notForm.StatusCode);

        // the walked route; a position sent twice is kept once
        var now = DateTimeOffset.UtcNow;
        var spoor = JsonSerializer.Serialize(new { punten = points.Select((p, i) => new { at = now.AddSeconds(i * 30), lat = p.Lat, lon = p.Lon }) });
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/schouwen/{id}/spoor", new StringContent(spoor, Encoding.UTF8, "application/json"))).StatusCode);
        var kaart = JsonDocument.Parse(await client.GetStringAsync($"/api/schouwen/{id}/kaart")).RootElement.GetProperty("features");
        Assert.Equal(["LineString", "Point"], kaart.EnumerateArray().Select(f => f.GetProperty("geometry").GetProperty("type").GetString()).Order());
        Assert.Equal(2, kaart.EnumerateArray().Single(f => f.GetProperty("geometry").GetProperty("type").GetString() == "LineString")
            .GetProperty("geometry").GetProperty("coordinates").GetArrayLength());

        // another gebied: nothing to see, nothing to add
        Assert.Equal(HttpStatusCode.NotFound, (await zuid.GetAsync($"/api/schouwen/{id}/kaart")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await zuid.PostAsync($"/api/schouwen/{id}/bevindingen", Form(Guid.NewGuid(), "B", points[1]))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await zuid.GetAsync($"/schouwen/{id}")).StatusCode);
        // the report for its own team, with the finding
        var report = await client.GetStringAsync($"/schouwen/{id}");
        Assert.Contains("Bestrating en verharding: C", report);
        Assert.Contains("onder het doel", report);
    }
}
