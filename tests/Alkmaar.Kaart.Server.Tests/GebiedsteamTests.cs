using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Import;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Gebiedsteams: seeded without people, edited by a beheerder only, and personal contacts never public.</summary>
public class GebiedsteamTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    private const string Edit = """
        {
          "name": "Gebiedsteam Zuid",
          "mailbox": "team-zuid@example.org",
          "phone": null,
          "note": "Spreekuur elke dinsdag in het wijkcentrum.",
          "members": [
            { "role": "wijkagent", "name": "Agent Publiek", "email": "agent@example.org", "phone": "06-11111111", "namePublic": true },
            { "role": "gebiedsregisseur", "name": "Regisseur Intern", "email": "regie@example.org", "phone": null, "namePublic": false }
          ],
          "partners": [
            { "organisation": "Woningstichting Voorbeeld", "kind": "Woningcorporatie", "contactName": "Contact Intern", "contactEmail": "wsv@example.org", "contactPhone": "072-0000000" }
          ]
        }
        """;

    private static readonly string[] Personal = ["Regisseur Intern", "agent@example.org", "06-11111111", "regie@example.org", "Contact Intern", "wsv@example.org", "072-0000000"];

    private static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    /// <summary>A team edit as the beheer page does it: with If-Match from the team's current ETag.</summary>
    private async Task<HttpResponseMessage> Put(HttpClient beheerder, string gebied, HttpContent content)
    {
        var current = await beheerder.GetAsync($"/api/gebiedsteams/{gebied}/contacten");
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/gebiedsteams/{gebied}") { Content = content };
        if (current.Headers.ETag is { } etag) request.Headers.TryAddWithoutValidation("If-Match", etag.ToString());
        return await beheerder.SendAsync(request);
    }

    [Fact]
    public async Task Every_gebied_has_a_team_with_the_four_roles_and_the_generic_contact_and_no_invented_people()
    {
        var teams = JsonDocument.Parse(await fx.Factory.CreateClient().GetStringAsync("/api/gebiedsteams")).RootElement;
        Assert.Equal(["GB0361-centrum", "GB0361-noord", "GB0361-oost", "GB0361-west", "GB0361-zuid"],
            teams.EnumerateArray().Select(t => t.GetProperty("gebiedCode").GetString()!).Order());
        var noord = teams.EnumerateArray().Single(t => t.GetProperty("gebiedCode").GetString() == "GB0361-noord");
        Assert.Equal("Gebiedsteam Noord", noord.GetProperty("name").GetString());
        Assert.Equal("14 072", noord.GetProperty("contact").GetProperty("phone").GetString());
        Assert.Equal(JsonValueKind.Null, noord.GetProperty("contact").GetProperty("mailbox").ValueKind);
        var roles = noord.GetProperty("roles").EnumerateArray().ToList();
        Assert.Equal(["gebiedsregisseur", "oov", "handhaver", "wijkagent"], roles.Select(r => r.GetProperty("key").GetString()));
        Assert.All(roles, r => Assert.Equal(0, r.GetProperty("names").GetArrayLength()));
        Assert.Equal("Politie", roles[3].GetProperty("contact").GetProperty("organisation").GetString());
        Assert.Equal("Gemeente Alkmaar", roles[0].GetProperty("contact").GetProperty("organisation").GetString());

        // (the other tests of this class edit Zuid, West and Oost; Noord and Centrum stay as seeded)
        await using var cmd = Db.CreateCommand("SELECT (SELECT count(*) FROM gebiedsteam_member WHERE gebied_code IN ('GB0361-noord', 'GB0361-centrum')) + " +
                                               "(SELECT count(*) FROM gebiedsteam_partner WHERE gebied_code IN ('GB0361-noord', 'GB0361-centrum'))");
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_beheerder_edits_a_team_residents_see_only_what_is_public_and_staff_see_the_contacts()
    {
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var put = await Put(beheerder, "GB0361-zuid", Json(Edit));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var publicJson = await fx.Factory.CreateClient().GetStringAsync("/api/gebiedsteams/GB0361-zuid");
        foreach (var secret in Personal) Assert.DoesNotContain(secret, publicJson);
        var pub = JsonDocument.Parse(publicJson).RootElement;
        Assert.Equal("team-zuid@example.org", pub.GetProperty("contact").GetProperty("mailbox").GetString());
        Assert.Equal(["Agent Publiek"], pub.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "wijkagent")
            .GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal("Woningstichting Voorbeeld", pub.GetProperty("partners")[0].GetProperty("organisation").GetString());

        // staff coordinating across areas see the contacts (team Noord looks at Zuid); residents may not
        var teamNoord = await fx.Factory.SignedInAsync("team-noord");
        var full = await teamNoord.GetStringAsync("/api/gebiedsteams/GB0361-zuid/contacten");
        Assert.Contains("regie@example.org", full);
        Assert.Contains("wsv@example.org", full);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Factory.CreateNoRedirectClient().GetAsync("/api/gebiedsteams/GB0361-zuid/contacten")).StatusCode);

        // audited, without the personal data itself
        await using var cmd = Db.CreateCommand("SELECT actor, detail::text FROM audit_log WHERE action = 'gebiedsteam gewijzigd' AND subject_id = 'GB0361-zuid' ORDER BY id DESC LIMIT 1");
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal("beheerder", r.GetString(0));
        var detail = r.GetString(1);
        Assert.Contains("rollen", detail);
        Assert.Contains("mailbox", detail);
        foreach (var secret in Personal.Append("team-zuid@example.org")) Assert.DoesNotContain(secret, detail);
    }

    [Fact]
    public async Task Only_a_beheerder_may_change_a_team_and_refused_input_changes_nothing()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Factory.CreateNoRedirectClient().PutAsync("/api/gebiedsteams/GB0361-west", Json(Edit))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await fx.Factory.SignedInAsync("team-noord")).PutAsync("/api/gebiedsteams/GB0361-west", Json(Edit))).StatusCode);

        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var before = await fx.Factory.CreateClient().GetStringAsync("/api/gebiedsteams/GB0361-west");
        (string Body, string Field)[] bad =
        [
            (Edit.Replace("team-zuid@example.org", "geen-mailadres"), "mailbox"),
            (Edit.Replace("\"wijkagent\"", "\"burgemeester\""), "members[0].role"),
            (Edit.Replace("\"Agent Publiek\"", "\"  \""), "members[0].name"),
            (Edit.Replace("06-11111111", "bel me maar"), "members[0].phone"),
            (Edit.Replace("\"Woningstichting Voorbeeld\"", "\"\""), "partners[0].organisation"),
            (Edit.Replace("\"Gebiedsteam Zuid\"", "\"\""), "name"),
        ];
        foreach (var (body, field) in bad)
        {
            var response = await Put(beheerder, "GB0361-west", Json(body));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await beheerder.PutAsync("/api/gebiedsteams/GB0361-west", Json("""{"name": 5}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await beheerder.PutAsync("/api/gebiedsteams/GB0361-west", Json("""{"name": "x", "onbekend": 1}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await beheerder.PutAsync("/api/gebiedsteams/GB0361-west", new StringContent(Edit, Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await beheerder.PutAsync("/api/gebiedsteams/GB0361-mars", Json(Edit))).StatusCode);
        Assert.Equal(before, await fx.Factory.CreateClient().GetStringAsync("/api/gebiedsteams/GB0361-west"));
    }

    [Fact]
    public async Task A_renamed_team_is_what_routing_answers_and_a_boundary_reimport_keeps_the_beheerders_name()
    {
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var renamed = Edit.Replace("\"Gebiedsteam Zuid\"", "\"Gebiedsteam Oost (tijdelijk)\"");
        Assert.Equal(HttpStatusCode.OK, (await Put(beheerder, "GB0361-oost", Json(renamed))).StatusCode);
        // a point in De Rijp (gebied Oost)
        var located = await fx.Factory.CreateClient().GetFromJsonAsync<JsonElement>("/api/locate?lat=52.5555&lon=4.8455");
        Assert.Equal("GB0361-oost", located.GetProperty("gebied").GetProperty("code").GetString());
        Assert.Equal("Gebiedsteam Oost (tijdelijk)", located.GetProperty("gebiedsteam").GetString());
        // one source of team names: a planner's plan names the team as the beheerder did, not as the configuration file
        var planner = await fx.Factory.SignedInAsync("planner");
        var created = await (await planner.PostAsJsonAsync("/api/plannen", new { name = "Namen" })).Content.ReadFromJsonAsync<JsonElement>();
        var plan = await planner.GetFromJsonAsync<JsonElement>($"/api/plannen/{created.GetProperty("id").GetInt32()}");
        Assert.Equal("Gebiedsteam Oost (tijdelijk)", plan.GetProperty("teams").EnumerateArray().Single(x => x.GetProperty("gebied").GetString() == "GB0361-oost").GetProperty("team").GetString());

        await fx.Factory.Services.GetRequiredService<BoundaryImporter>().ImportAsync(TestPaths.Cbs("alkmaar_buurten_2024.geojson"));
        var team = await fx.Factory.CreateClient().GetFromJsonAsync<JsonElement>("/api/gebiedsteams/GB0361-oost");
        Assert.Equal("Gebiedsteam Oost (tijdelijk)", team.GetProperty("name").GetString());
        var full = await beheerder.GetFromJsonAsync<JsonElement>("/api/gebiedsteams/GB0361-oost/contacten");
        Assert.Equal(2, full.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Two_beheerders_editing_the_same_version_one_wins_the_other_gets_412_and_without_a_version_428()
    {
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var etag = (await beheerder.GetAsync("/api/gebiedsteams/GB0361-centrum/contacten")).Headers.ETag!.ToString();
        async Task<HttpStatusCode> Save(string name)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/api/gebiedsteams/GB0361-centrum")
                { Content = Json(Edit.Replace("\"Gebiedsteam Zuid\"", $"\"{name}\"")) };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            return (await beheerder.SendAsync(request)).StatusCode;
        }
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Save($"Gebiedsteam Centrum {i}")));
        Assert.Equal(1, results.Count(r => r == HttpStatusCode.OK));
        Assert.Equal(9, results.Count(r => r == HttpStatusCode.PreconditionFailed));
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await beheerder.PutAsync("/api/gebiedsteams/GB0361-centrum", Json(Edit))).StatusCode);
    }
}
