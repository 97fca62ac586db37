using System.Text.RegularExpressions;
using Alkmaar.Kaart.Server.Features;
using Alkmaar.Kaart.Server.Features.Wijkpanels;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Wijkpanels (issue 33, part 5) against PostgreSQL: joining finds the wijk by the address and keeps only the e-mail
/// address and the wijk; an unconfirmed member receives nothing; a member answers once; the results stay hidden under
/// the minimum and equal direct counts from it; leaving erases the member, and their link is dead; only the wijk's own
/// team sends a round.
/// </summary>
public partial class WijkpanelTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private T S<T>() where T : notnull => fx.Factory.Services.GetRequiredService<T>();

    private async Task<string> LinkMailedToAsync(NpgsqlDataSource db, string email)
    {
        await using var cmd = db.CreateCommand("SELECT body FROM mail_outbox WHERE to_address = $1 AND kind = 'wijkpanel bevestigen' ORDER BY id DESC LIMIT 1");
        cmd.Parameters.AddWithValue(email);
        var body = (string)(await cmd.ExecuteScalarAsync())!;
        return MemberLink().Match(body).Groups[1].Value;
    }

    [Fact]
    public async Task Only_confirmed_members_get_a_round_each_answers_once_results_wait_for_the_minimum_and_leaving_erases_the_member()
    {
        await TestData.EnsureDemoAddressesAsync(fx.Factory.Services);
        await using var db = fx.Database.CreateDataSource();
        // eleven addresses of one wijk (and its gebied)
        string wijk, gebied;
        var addresses = new List<(string Postcode, int Nr)>();
        await using (var cmd = db.CreateCommand(
            """
            SELECT w.code, w.parent_code, a.postcode, a.huisnummer FROM area_in_force w JOIN address a ON ST_Covers(w.geom, a.geom)
            WHERE w.level = 'wijk' AND a.toevoeging = '' AND w.code = (SELECT code FROM area_in_force WHERE level = 'wijk' ORDER BY code LIMIT 1)
            ORDER BY a.postcode, a.huisnummer LIMIT 11
            """))
        {
            await using var r = await cmd.ExecuteReaderAsync();
            (wijk, gebied) = ("", "");
            while (await r.ReadAsync()) { (wijk, gebied) = (r.GetString(0), r.GetString(1)); addresses.Add((r.GetString(2), r.GetInt32(3))); }
        }
        Assert.Equal(11, addresses.Count);
        var panels = S<WijkpanelService>();
        var team = TestAccounts.TeamPrincipal(gebied);
        var closes = DutchTime.Day(DateTimeOffset.UtcNow).AddDays(7);

        // an address outside the gemeente is refused; the first resident joins but does not confirm yet
        Assert.Contains("geen adres in de gemeente", (await Assert.ThrowsAsync<WijkpanelException>(() => panels.JoinAsync("x@example.org", "9999ZZ", "1", null))).Message);
        await panels.JoinAsync("lid0@example.org", addresses[0].Postcode, addresses[0].Nr.ToString(), null);
        await using (var cmd = db.CreateCommand("SELECT wijk_code, confirmed_at IS NULL FROM wijkpanel_lid WHERE email = 'lid0@example.org'"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            Assert.Equal((wijk, true), (r.GetString(0), r.GetBoolean(1)));
        }
        var (_, sent) = await panels.SendRoundAsync(team, wijk, "Bijeenkomst speeltuin", "Dinsdag 20 uur in het buurthuis", closes, []);
        Assert.Equal(0, sent); // unconfirmed: nothing
        Assert.Equal(403, (await Assert.ThrowsAsync<WijkpanelException>(() => panels.SendRoundAsync(
            TestAccounts.TeamPrincipal(gebied == "GB0361-noord" ? "GB0361-zuid" : "GB0361-noord"), wijk, "Niet van ons", null, closes, [("Vraag?", "keuze", "ja, nee")]))).Status);

        // all eleven join and confirm by opening their link
        var links = new List<string>();
        for (var i = 0; i < addresses.Count; i++)
        {
            if (i > 0) await panels.JoinAsync($"lid{i}@example.org", addresses[i].Postcode, addresses[i].Nr.ToString(), null);
            var link = await LinkMailedToAsync(db, $"lid{i}@example.org");
            Assert.True((await panels.MemberAsync(link))!.Bevestigd);
            links.Add(link);
        }
        Assert.Equal(11, await panels.MembersAsync(wijk));
        var (ronde, mailed) = await panels.SendRoundAsync(team, wijk, "De speeltuin", null, closes,
            [("Wat vindt u van de speeltuin?", "keuze", "goed, matig, slecht"), ("Hoe veilig voelt u zich er?", "schaal", null)]);
        Assert.Equal(11, mailed);
        var round = (await panels.RoundsAsync(wijk)).Single(r => r.Id == ronde);
        var (q1, q2) = (round.Vragen[0], round.Vragen[1]);
        Assert.Equal(["1", "2", "3", "4", "5"], q2.Opties);

        // the first answers; again: refused; one answer is not a result
        await panels.AnswerAsync(links[0], ronde, new Dictionary<long, string?> { [q1.Id] = "goed", [q2.Id] = "4" });
        Assert.Equal(409, (await Assert.ThrowsAsync<WijkpanelException>(() => panels.AnswerAsync(links[0], ronde, new Dictionary<long, string?> { [q1.Id] = "slecht" }))).Status);
        Assert.Equal(422, (await Assert.ThrowsAsync<WijkpanelException>(() => panels.AnswerAsync(links[1], ronde, new Dictionary<long, string?> { [q1.Id] = "geweldig" }))).Status);
        var results = await panels.ResultsAsync(round);
        Assert.Equal((1, true), (results[0].Antwoorden, results[0].PerOptie is null));
        Assert.Contains(q1.Id, (await panels.MemberAsync(links[0]))!.Beantwoord);

        // nine more: ten answers, the result shows and equals the direct count
        for (var i = 1; i < 10; i++)
            await panels.AnswerAsync(links[i], ronde, new Dictionary<long, string?> { [q1.Id] = i % 3 == 0 ? "slecht" : "goed" });
        results = await panels.ResultsAsync(round);
        Assert.Equal(10, results[0].Antwoorden);
        Assert.Equal(new Dictionary<string, int> { ["goed"] = 7, ["matig"] = 0, ["slecht"] = 3 }, results[0].PerOptie);
        Assert.Null(results[1].PerOptie); // the scale question: one answer only

        // the first leaves: erased, the link dead, the answers still counted but tied to nobody
        Assert.True(await panels.LeaveAsync(links[0]));
        Assert.Null(await panels.MemberAsync(links[0]));
        Assert.False(await panels.LeaveAsync(links[0]));
        Assert.False(await panels.LeaveAsync("niet-een-link"));
        await using (var cmd = db.CreateCommand("SELECT count(*) FROM wijkpanel_lid WHERE email = 'lid0@example.org'"))
            Assert.Equal(0L, await cmd.ExecuteScalarAsync());
        Assert.Equal(10, (await panels.ResultsAsync(round))[0].Antwoorden);
        Assert.Equal(10, await panels.MembersAsync(wijk));
    }

    [GeneratedRegex(@"/wijkpanel/lid/([A-Za-z0-9_-]+)")] private static partial Regex MemberLink();
}
