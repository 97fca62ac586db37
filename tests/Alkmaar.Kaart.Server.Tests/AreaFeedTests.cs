using System.Net;
using System.ServiceModel.Syndication;
using System.Xml;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The Atom feed of an area (issue 33, part 6): the published agenda's speerpunten and dated progress reach the
/// gebied's feed and its wijken's; a concept agenda does not; an unknown area is a 404 problem.</summary>
public class AreaFeedTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task The_feed_of_a_gebied_and_of_its_wijk_carry_the_published_speerpunt_and_its_progress_and_nothing_of_a_concept()
    {
        var agendas = fx.Factory.Services.GetRequiredService<JaaragendaService>();
        var team = TestAccounts.TeamPrincipal("GB0361-west");
        var agenda = await agendas.CreateAsync(team, "GB0361-west", 2026);
        var sp = await agendas.AddSpeerpuntAsync(team, agenda, "Veilige schoolroutes in West", "analyse", null, null, null);
        agenda = (await agendas.GetAsync("GB0361-west", 2026))!;
        var actie = await agendas.AddActieAsync(team, agenda, sp, "Oversteekplaats Kennemerstraatweg", null, null, null);
        await agendas.AddUpdateAsync(team, agenda, actie, "Verkeersbesluit genomen; aanleg in maart.");
        var client = fx.Factory.CreateClient();

        async Task<SyndicationFeed> FeedAsync(string code)
        {
            var answer = await client.GetAsync($"/gebied/{code}/atom");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("application/atom+xml", answer.Content.Headers.ContentType!.MediaType);
            using var reader = XmlReader.Create(await answer.Content.ReadAsStreamAsync());
            return SyndicationFeed.Load(reader);
        }
        // a concept is not public: not in the feed
        Assert.DoesNotContain((await FeedAsync("GB0361-west")).Items, i => i.Title.Text.Contains("Veilige schoolroutes"));

        agenda = (await agendas.GetAsync("GB0361-west", 2026))!;
        await agendas.AgreeAsync(team, agenda, agenda.Version, new DateOnly(2026, 1, 20), "Gebiedsteam+ West");
        agenda = (await agendas.GetAsync("GB0361-west", 2026))!;
        await agendas.PublishAsync(team, agenda, agenda.Version);
        var feed = await FeedAsync("GB0361-west");
        Assert.Contains(feed.Items, i => i.Title.Text == "Speerpunt 2026: Veilige schoolroutes in West");
        Assert.Contains(feed.Items, i => i.Title.Text == "Voortgang: Oversteekplaats Kennemerstraatweg" && ((TextSyndicationContent)i.Content).Text.StartsWith("Verkeersbesluit genomen"));
        Assert.Equal("Alkmaar Kaart — West", feed.Title.Text);
        // a wijk of West reads its gebied's agenda too
        string wijk;
        await using (var db = fx.Database.CreateDataSource())
            wijk = await db.ScalarAsync<string>("SELECT code FROM area_in_force WHERE level = 'wijk' AND parent_code = 'GB0361-west' ORDER BY code LIMIT 1");
        Assert.Contains((await FeedAsync(wijk)).Items, i => i.Title.Text == "Speerpunt 2026: Veilige schoolroutes in West");

        var missing = await client.GetAsync("/gebied/WK999999/atom");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
    }
}
