using System.Security.Claims;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Regiegroepen (issue 33, part 2) against PostgreSQL: members of a wijk judge an application of their wijk (another
/// wijk's member is told it does not exist); a member who declared an interest cannot record the conclusion; the advice is
/// recorded with the count and reason, the applicant is told, nobody judges after it; the team then grants € 750 of a
/// € 2.000 budget (left: € 1.250). Where the regiegroep decides, its grant is checked against the budget like the team's
/// (refused beyond what is left, nothing recorded) and changes the initiative's status with the regiegroep as actor.
/// </summary>
public class RegiegroepTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private T S<T>() where T : notnull => fx.Factory.Services.GetRequiredService<T>();

    private static ClaimsPrincipal Member(string name, string area) => new(new ClaimsIdentity(
    [
        new(ClaimTypes.Name, name), new(ClaimTypes.Role, KaartRoles.Regiegroep), new(KaartClaims.Gebied, area),
    ], "test"));

    private static async Task<(string Wijk, double X, double Y, string Gebied)> WijkAsync(NpgsqlDataSource db, string gebied, int skip)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) p FROM area_in_force WHERE level = 'wijk' AND parent_code = $1 ORDER BY code DESC OFFSET $2 LIMIT 1) w
            WHERE NOT EXISTS (SELECT 1 FROM area_in_force d WHERE d.level = 'dorp' AND ST_Intersects(d.geom, w.p))
            """);
        cmd.Parameters.AddWithValue(gebied);
        cmd.Parameters.AddWithValue(skip);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), $"no wijk without a dorp at its point in {gebied}");
        return (r.GetString(0), r.GetDouble(1), r.GetDouble(2), gebied);
    }

    [Fact]
    public async Task Members_judge_one_with_an_interest_stays_out_the_advice_reaches_the_applicant_and_the_team_grants_within_the_budget()
    {
        await using var db = fx.Database.CreateDataSource();
        var (wijk, x, y, gebied) = await WijkAsync(db, "GB0361-west", 0);
        var (otherWijk, _, _, _) = await WijkAsync(db, "GB0361-noord", 0);
        const int year = 2027;
        var team = TestAccounts.TeamPrincipal(gebied);
        await S<WijkbudgetStore>().SetAsync(team, wijk, year, 2000, "team");
        var (application, _) = await S<InitiatiefStore>().ApplyAsync(
            new InitiatiefInput { Title = "Moestuin aan de singel", Description = "Een gedeelde moestuin.", Theme = "groen", X = x, Y = y, Requested = 750, Year = year },
            "aanvrager-rg@example.org");
        var rg = S<RegiegroepService>();
        var a = Member("rg-a", wijk);
        var (b, c, stranger) = (Member("rg-b", wijk), Member("rg-c", wijk), Member("rg-x", otherWijk));

        // the application is on the wijk's list, with the budget, and not on another wijk's
        var listed = Assert.Single((await rg.ApplicationsAsync(wijk)).Where(i => i.Id == application.Id));
        Assert.Equal((750m, 2000m, "team"), (listed.Requested, listed.Budget!.Left, listed.BeslistDoor));
        Assert.DoesNotContain(await rg.ApplicationsAsync(otherWijk), i => i.Id == application.Id);
        Assert.Equal(404, (await Assert.ThrowsAsync<RegiegroepException>(() => rg.JudgeAsync(stranger, application.Id, "voor", null))).Status);

        // no conclusion before anyone judged; then two judge and one declares an interest
        Assert.Equal(409, (await Assert.ThrowsAsync<RegiegroepException>(() => rg.ConcludeAsync(a, application.Id, "toekennen", null, "Goed plan"))).Status);
        await rg.JudgeAsync(a, application.Id, "tegen", null);
        await rg.JudgeAsync(a, application.Id, "voor", "Veel buren doen mee"); // a member changes their judgement
        await rg.JudgeAsync(b, application.Id, "tegen", "Te duur voor één straat");
        await rg.JudgeAsync(c, application.Id, "belang", null);
        Assert.Equal(422, (await Assert.ThrowsAsync<RegiegroepException>(() => rg.JudgeAsync(b, application.Id, "misschien", null))).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<RegiegroepException>(() => rg.ConcludeAsync(c, application.Id, "toekennen", null, "Ik ken ze"))).Status);
        Assert.Equal(422, (await Assert.ThrowsAsync<RegiegroepException>(() => rg.ConcludeAsync(a, application.Id, "toekennen", null, " "))).Status);

        var advice = await rg.ConcludeAsync(a, application.Id, "toekennen", null, "Breed gedragen in de buurt; past in het budget.");
        Assert.Equal(("advies", "toekennen", 750m, 1, 1, 0, 1), (advice.Soort, advice.Uitkomst, advice.Bedrag, advice.Voor, advice.Tegen, advice.Onthouding, advice.Belang));
        Assert.Equal(409, (await Assert.ThrowsAsync<RegiegroepException>(() => rg.JudgeAsync(b, application.Id, "voor", null))).Status);
        Assert.Equal(409, (await Assert.ThrowsAsync<RegiegroepException>(() => rg.ConcludeAsync(b, application.Id, "afwijzen", null, "Toch niet"))).Status);
        // advice decides nothing: the application still waits for the team
        Assert.Equal("aangevraagd", (await S<InitiatiefStore>().GetAsync(application.Id))!.Status);
        Assert.Equal(advice.Summary, (await rg.ConclusionsAsync([application.Id]))[application.Id].Summary);
        await using (var cmd = db.CreateCommand("SELECT body FROM mail_outbox WHERE to_address = 'aanvrager-rg@example.org' AND kind = 'initiatief advies'"))
        {
            var body = (string)(await cmd.ExecuteScalarAsync())!;
            Assert.Contains("adviseert het gebiedsteam", body);
            Assert.Contains("Breed gedragen in de buurt", body);
        }

        // the team grants what was asked: € 1.250 left
        await S<InitiatiefStore>().UpdateAsync(application.Id, new InitiatiefInput { Status = "toegekend" }, team);
        var stand = (await S<WijkbudgetStore>().StandAsync(year, wijk)).Single();
        Assert.Equal((750m, 1250m), (stand.Granted, stand.Left));
    }

    [Fact]
    public async Task Where_the_regiegroep_decides_its_grant_is_held_to_the_budget_and_changes_the_status()
    {
        await using var db = fx.Database.CreateDataSource();
        var (wijk, x, y, gebied) = await WijkAsync(db, "GB0361-west", 1);
        const int year = 2027;
        await S<WijkbudgetStore>().SetAsync(TestAccounts.TeamPrincipal(gebied), wijk, year, 500, "regiegroep");
        var (application, _) = await S<InitiatiefStore>().ApplyAsync(
            new InitiatiefInput { Title = "Speeltoestel", Description = "Een wip.", Theme = "spelen", X = x, Y = y, Requested = 750, Year = year }, null);
        var rg = S<RegiegroepService>();
        var a = Member("rg-d", wijk);
        await rg.JudgeAsync(a, application.Id, "voor", null);

        // € 750 does not fit in € 500: refused as the team's grant would be, and nothing recorded
        var refused = await Assert.ThrowsAsync<InitiatiefRejectedException>(() => rg.ConcludeAsync(a, application.Id, "toekennen", null, "Mooi plan"));
        Assert.Equal(409, refused.Status);
        Assert.Empty(await rg.ConclusionsAsync([application.Id]));

        var besluit = await rg.ConcludeAsync(a, application.Id, "toekennen", 400m, "Mooi plan; wij dragen € 400 bij.");
        Assert.Equal(("besluit", 400m), (besluit.Soort, besluit.Bedrag));
        var now = (await S<InitiatiefStore>().GetAsync(application.Id))!;
        Assert.Equal(("toegekend", 400m), (now.Status, now.Subsidy));
        var history = await S<InitiatiefStore>().HistoryAsync(application.Id);
        Assert.Contains(history, h => h.To == "toegekend" && h.Actor.Contains("(regiegroep", StringComparison.Ordinal));
        Assert.Equal(100m, (await S<WijkbudgetStore>().StandAsync(year, wijk)).Single().Left);
    }

    [Fact]
    public async Task A_regiegroep_account_has_that_one_role_and_one_known_area()
    {
        var indeling = S<Gebiedsindeling>();
        var areas = await UserAdministration.RegiegroepAreasAsync(S<NpgsqlDataSource>());
        string? Error(string[] roles, string[] gebieden) => UserAdministration.ValidationError(roles, gebieden, indeling, null, [], areas);
        Assert.Null(Error([KaartRoles.Regiegroep], ["WK036108"]));
        Assert.Null(Error([KaartRoles.Regiegroep], ["GB0361-zuid"]));
        Assert.Contains("alleen de rol Regiegroep", Error([KaartRoles.Regiegroep, KaartRoles.Gebiedsteam], ["WK036108"]));
        Assert.Contains("precies één", Error([KaartRoles.Regiegroep], ["WK036108", "WK036101"]));
        Assert.Contains("Onbekende wijk", Error([KaartRoles.Regiegroep], ["WK999999"]));
    }
}
