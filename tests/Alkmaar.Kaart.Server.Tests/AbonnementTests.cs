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
}
