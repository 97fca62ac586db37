using System.Text.RegularExpressions;
using Alkmaar.Kaart.Server.Features.AreaProfiles;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Following an area by e-mail (issue 33, part 6) against PostgreSQL: double opt-in (an unconfirmed subscription
/// receives nothing but the confirmation), a digest naming the new speerpunt, one-click leave that erases the address.</summary>
public class AbonnementTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private async Task<List<(string Kind, string Body)>> MailsToAsync(string to)
    {
        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("SELECT kind, body FROM mail_outbox WHERE to_address = $1 ORDER BY id");
        cmd.Parameters.AddWithValue(to);
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    [Fact]
    public async Task A_confirmed_subscriber_gets_a_digest_naming_the_new_speerpunt_an_unconfirmed_one_nothing_and_leaving_erases_the_address()
    {
        var service = fx.Factory.Services.GetRequiredService<AbonnementService>();
        const string confirmed = "volger@example.org", unconfirmed = "niet-bevestigd@example.org";
        await service.SubscribeAsync(confirmed, "GB0361-noord", null);
        await service.SubscribeAsync(unconfirmed, "GB0361-noord", null);
        await Assert.ThrowsAsync<Features.RejectedException>(() => service.SubscribeAsync("geen-adres", "GB0361-noord", null));
        var confirmation = Assert.Single(await MailsToAsync(confirmed));
        Assert.Equal("abonnement bevestigen", confirmation.Kind);
        var token = Regex.Match(confirmation.Body, @"/volgen/([A-Za-z0-9_-]{40,})").Groups[1].Value;
        Assert.Equal(("GB0361-noord", "gebied"), await service.ConfirmAsync(token));
        Assert.Null(await service.ConfirmAsync("onbekend-token-onbekend-token-onbekend-token"));

        // news after the confirmation: a speerpunt on the published agenda
        var agendas = fx.Factory.Services.GetRequiredService<JaaragendaService>();
        var team = TestAccounts.TeamPrincipal("GB0361-noord");
        var agenda = await agendas.CreateAsync(team, "GB0361-noord", 2026);
        await agendas.AddSpeerpuntAsync(team, agenda, "Meer groen in Noord", "analyse", null, null, null);
        agenda = (await agendas.GetAsync("GB0361-noord", 2026))!;
        await agendas.AgreeAsync(team, agenda, agenda.Version, new DateOnly(2026, 2, 1), "Gebiedsteam+ Noord");
        agenda = (await agendas.GetAsync("GB0361-noord", 2026))!;
        await agendas.PublishAsync(team, agenda, agenda.Version);

        Assert.Equal(1, await service.SendDigestsAsync(TimeSpan.Zero));
        var mails = await MailsToAsync(confirmed);
        var digest = mails.Single(m => m.Kind == "abonnement overzicht");
        Assert.Contains("Speerpunt 2026: Meer groen in Noord", digest.Body);
        Assert.Single(await MailsToAsync(unconfirmed)); // only its confirmation
        // nothing new since: no second digest
        Assert.Equal(0, await service.SendDigestsAsync(TimeSpan.Zero));

        // one click on the digest's leave link erases the address
        var leave = Regex.Match(digest.Body, @"/volgen/afmelden/(\S+)").Groups[1].Value;
        Assert.True(await service.LeaveAsync(leave));
        Assert.False(await service.LeaveAsync(leave));
        Assert.False(await service.LeaveAsync("niet-van-ons"));
        await using var db = fx.Database.CreateDataSource();
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM abonnement WHERE email = $1", confirmed));
    }

    [Fact]
    public async Task A_follower_of_one_initiative_hears_only_when_its_public_state_changes()
    {
        var service = fx.Factory.Services.GetRequiredService<AbonnementService>();
        await using var db = fx.Database.CreateDataSource();
        var (x, y) = await TestData.InsideAsync(db, "WK036105");
        var store = fx.Factory.Services.GetRequiredService<Features.Initiatieven.InitiatiefStore>();
        var (application, _) = await store.ApplyAsync(new Features.Initiatieven.InitiatiefInput
            { Title = "Bloembakken in de straat", Description = "Kleur!", Theme = "groen", X = x, Y = y, Requested = 300, Year = 2026 }, null);
        const string email = "initiatief-volger@example.org";
        // not public yet (unchecked application): nothing to follow
        Assert.Equal(404, (await Assert.ThrowsAsync<Features.RejectedException>(() => service.SubscribeToAsync(email, "initiatief", application.Id))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<Features.RejectedException>(() => service.SubscribeToAsync(email, "verbeterpunt", 987654321))).Status);
        var gebied = application.GebiedCode;
        await fx.Factory.Services.GetRequiredService<Features.Initiatieven.DraagvlakService>().CheckApplicationAsync(TestAccounts.TeamPrincipal(gebied), application.Id);
        await service.SubscribeToAsync(email, "initiatief", application.Id);
        var token = Regex.Match(Assert.Single(await MailsToAsync(email)).Body, @"/volgen/([A-Za-z0-9_-]{40,})").Groups[1].Value;

        // unconfirmed: a change tells nobody
        await store.UpdateAsync(application.Id, new Features.Initiatieven.InitiatiefInput { Status = "toegekend" }, TestAccounts.TeamPrincipal(gebied));
        await service.SendDigestsAsync(TimeSpan.Zero);
        Assert.Single(await MailsToAsync(email));

        // confirmed: nothing while nothing changes, then one mail naming the new state
        Assert.Equal(($"initiatief-{application.Id}", "initiatief"), await service.ConfirmAsync(token));
        await service.SendDigestsAsync(TimeSpan.Zero);
        var first = (await MailsToAsync(email)).Where(m => m.Kind == "abonnement overzicht").ToList();
        // the state remembered at subscription was "aangevraagd": the grant is news
        Assert.Contains("Status: Toegekend", Assert.Single(first).Body);
        Assert.Contains("Subsidie: € 300", first[0].Body);
        await service.SendDigestsAsync(TimeSpan.Zero);
        Assert.Single((await MailsToAsync(email)).Where(m => m.Kind == "abonnement overzicht"));
        await store.UpdateAsync(application.Id, new Features.Initiatieven.InitiatiefInput { Status = "uitgevoerd" }, TestAccounts.TeamPrincipal(gebied));
        await service.SendDigestsAsync(TimeSpan.Zero);
        var digests = (await MailsToAsync(email)).Where(m => m.Kind == "abonnement overzicht").ToList();
        Assert.Equal(2, digests.Count);
        Assert.Contains("Status: Uitgevoerd", digests[1].Body);
    }

    [Fact]
    public async Task A_verbeterpunt_is_followed_through_its_page_and_its_check_by_the_team_is_news()
    {
        var campagnes = fx.Factory.Services.GetRequiredService<WijkAanZetService>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var campagne = await campagnes.CreateCampagneAsync("WK036105", "wijk", "Volgen", today.AddDays(-1), today.AddDays(10), today.AddDays(20), today.AddDays(30), today.AddDays(60), "test");
        var (point, _) = await campagnes.SubmitAsync(campagne, "Meer bankjes in het park", "Om even te zitten.", "groen", null, null);
        const string email = "punt-volger@example.org";

        // the page shows the point and its form; the form's post (with its antiforgery token) asks for the confirmation
        var client = fx.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });
        var page = await client.GetStringAsync($"/volgen/verbeterpunt/{point}");
        Assert.Contains("Meer bankjes in het park", page);
        var post = await client.PostAsync($"/volgen/verbeterpunt/{point}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestAccounts.HiddenValue(page, "__RequestVerificationToken"),
            ["_handler"] = TestAccounts.HiddenValue(page, "_handler"),
            ["Volg.Email"] = email,
        }));
        Assert.Contains("Kijk in uw e-mail", await post.Content.ReadAsStringAsync());
        var service = fx.Factory.Services.GetRequiredService<AbonnementService>();
        var token = Regex.Match(Assert.Single(await MailsToAsync(email)).Body, @"/volgen/([A-Za-z0-9_-]{40,})").Groups[1].Value;
        Assert.Equal(($"verbeterpunt-{point}", "verbeterpunt"), await service.ConfirmAsync(token));

        // the team's check is news; nothing before it
        await service.SendDigestsAsync(TimeSpan.Zero);
        Assert.Empty((await MailsToAsync(email)).Where(m => m.Kind == "abonnement overzicht"));
        // submitting is over (between indienen and stemmen: the team checks)
        await using (var db = fx.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand($"UPDATE campagne SET indienen_from = current_date - 10, indienen_to = current_date - 1 WHERE id = {campagne}"))
            await cmd.ExecuteNonQueryAsync();
        await campagnes.CheckAsync(campagne, point, feasible: true, affordable: true, "Past in het groenplan.", "test");
        await service.SendDigestsAsync(TimeSpan.Zero);
        var digest = Assert.Single((await MailsToAsync(email)).Where(m => m.Kind == "abonnement overzicht"));
        Assert.Contains("Toets van het gebiedsteam: Past in het groenplan.", digest.Body);
    }
}
