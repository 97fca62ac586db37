using System.Net;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Draagvlak (issue 33, part 3) against PostgreSQL: a resident's application stays private (list, single GET, support)
/// until its team checks it; one support per code per initiative however many arrive at once; an unknown code is refused
/// in Dutch; counts are direct sums; a comment is public only after the team let it through, a refused one never.
/// </summary>
public class DraagvlakTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private T S<T>() where T : notnull => fx.Factory.Services.GetRequiredService<T>();

    [Fact]
    public async Task One_support_per_code_per_initiative_and_comments_only_after_the_teams_check()
    {
        await using var db = fx.Database.CreateDataSource();
        string wijk, gebied;
        double x, y;
        await using (var cmd = db.CreateCommand(
            "SELECT code, parent_code, ST_X(p), ST_Y(p) FROM (SELECT code, parent_code, ST_PointOnSurface(geom) p FROM area_in_force WHERE level = 'wijk' ORDER BY code OFFSET 2 LIMIT 1) w"))
        {
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            (wijk, gebied, x, y) = (r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetDouble(3));
        }
        var team = TestAccounts.TeamPrincipal(gebied);
        var (application, _) = await S<InitiatiefStore>().ApplyAsync(
            new InitiatiefInput { Title = "Bankje bij de speeltuin", Description = "Een bank voor de ouders.", Theme = "ontmoeten", X = x, Y = y, Requested = 750, Year = 2026 }, null);
        var draagvlak = S<DraagvlakService>();
        var codes = await draagvlak.StoreCodesAsync(wijk, 2026, [("1811AA", 1, ""), ("1811AA", 2, ""), ("1811AA", 3, "")], "test");
        var anonymous = fx.Factory.CreateClient();

        // unchecked: private everywhere
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/initiatieven/{application.Id}")).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<DraagvlakException>(() => draagvlak.SupportWithCodeAsync(application.Id, codes[0].Code, new(false, null, null)))).Status);
        Assert.Contains(application.Id, (await draagvlak.ToCheckAsync(team)).Applications.Select(a => a.Id));
        Assert.Equal(403, (await Assert.ThrowsAsync<DraagvlakException>(() => draagvlak.CheckApplicationAsync(TestAccounts.TeamPrincipal(gebied == "GB0361-noord" ? "GB0361-zuid" : "GB0361-noord"), application.Id))).Status);
        await draagvlak.CheckApplicationAsync(team, application.Id);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/initiatieven/{application.Id}")).StatusCode);
        Assert.DoesNotContain(application.Id, (await draagvlak.ToCheckAsync(team)).Applications.Select(a => a.Id));

        // ten supports with one code at once: one counts
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            try { await draagvlak.SupportWithCodeAsync(application.Id, codes[0].Code.ToLowerInvariant().Replace("-", " "), new(true, null, "Goed idee, ik help zaterdag.")); return 200; }
            catch (DraagvlakException e) { return e.Status; }
        })));
        Assert.Equal((1, 9), (results.Count(r => r == 200), results.Count(r => r == 409)));
        var unknown = await Assert.ThrowsAsync<DraagvlakException>(() => draagvlak.SupportWithCodeAsync(application.Id, "AAAA-BBBB-CCCC", new(false, null, null)));
        Assert.Contains("kennen we niet", unknown.Message);
        var stand = await draagvlak.SupportWithCodeAsync(application.Id, codes[1].Code, new(false, 25m, "Heel slecht plan, die buren ook"));
        Assert.Equal((2, 2, 1, 25m), (stand.Steun, stand.UitGebied, stand.HelptMee, stand.Bijdragen));
        Assert.Empty(stand.Reacties); // not one comment public before the team looked

        // the team lets one through and refuses the other
        var pending = (await draagvlak.ToCheckAsync(team)).Comments.Where(c => c.Reactie.InitiatiefId == application.Id).Select(c => c.Reactie).ToList();
        Assert.Equal(2, pending.Count);
        await draagvlak.ReviewCommentAsync(team, pending.Single(c => c.Tekst.StartsWith("Goed")).Id, show: true);
        await draagvlak.ReviewCommentAsync(team, pending.Single(c => c.Tekst.StartsWith("Heel")).Id, show: false);
        stand = (await draagvlak.StandAsync([application.Id]))[application.Id];
        Assert.Equal(["Goed idee, ik help zaterdag."], stand.Reacties.Select(c => c.Tekst));
        await using (var cmd = db.CreateCommand("SELECT count(*), count(*) FILTER (WHERE helpt_mee) FROM steun WHERE initiatief_id = $1"))
        {
            cmd.Parameters.AddWithValue(application.Id);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            Assert.Equal((2L, 1L), (r.GetInt64(0), r.GetInt64(1)));
        }
        // the public map layer carries the count
        var geojson = await anonymous.GetStringAsync($"/api/initiatieven?year=2026");
        Assert.Contains("\"steun\":2", geojson.Replace(" ", ""));
    }
}
