using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Overleg;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Afspraken of an overleg circle (issue 31): kept by the circle's team, open ones first until done, audited.</summary>
public class AfspraakTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private AfspraakStore Store => fx.Factory.Services.GetRequiredService<AfspraakStore>();

    private static ClaimsPrincipal Team(string gebied) => TestAccounts.TeamPrincipal(gebied);

    [Fact]
    public async Task Open_afspraken_come_back_until_done_and_only_the_circles_team_keeps_them()
    {
        var kring = AfspraakStore.GrensKring("GB0361-west", "GM0399");
        var west = Team("GB0361-west");
        var first = await Store.AddAsync(west, kring, "GB0361-west", "Samen schouwen langs de Kennemerstraatweg", "Gebiedsregisseur West", new DateOnly(2027, 3, 1));
        var second = await Store.AddAsync(west, kring, "GB0361-west", "Meldingen over de grens doorsturen naar Heiloo", "Wijkagent", new DateOnly(2027, 2, 1));
        // another team neither adds nor closes; bad input is refused in Dutch and nothing stored
        Assert.Equal(403, (await Assert.ThrowsAsync<AfspraakException>(() => Store.AddAsync(Team("GB0361-noord"), kring, "GB0361-west", "Niet van ons", null, null))).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<AfspraakException>(() => Store.CloseAsync(Team("GB0361-noord"), first, "gedaan"))).Status);
        await Assert.ThrowsAsync<AfspraakException>(() => Store.AddAsync(west, kring, "GB0361-west", "x", null, null));
        await Assert.ThrowsAsync<AfspraakException>(() => Store.AddAsync(west, "vergadering:iets", "GB0361-west", "Onbekende kring", null, null));

        // open ones first (earliest date first), both come back
        var list = await Store.OfKringAsync(kring);
        Assert.Equal([second, first], list.Select(a => a.Id));
        await Store.CloseAsync(west, second, "gedaan");
        Assert.Equal(409, (await Assert.ThrowsAsync<AfspraakException>(() => Store.CloseAsync(west, second, "gedaan"))).Status);
        list = await Store.OfKringAsync(kring);
        Assert.Equal([(first, "open"), (second, "gedaan")], list.Select(a => (a.Id, a.Status)));
        // another circle does not see them
        Assert.Empty(await Store.OfKringAsync(AfspraakStore.GrensKring("GB0361-west", "GM0383")));
        await using var db = fx.Database.CreateDataSource();
        Assert.Equal(3L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE subject_type = 'afspraak' AND subject_id IN ($1, $2)", first.ToString(), second.ToString()));
    }
}
