using System.Net;
using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The yearly gebiedsagenda (issue 31, part 1) against PostgreSQL: only its own team keeps it; a concept is not public;
/// agreeing needs speerpunten, a date and by whom; publishing needs agreeing; a stale version is refused and nothing is
/// lost; progress is counted from the actions; every step is audited.
/// </summary>
public class JaaragendaTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private JaaragendaService Agendas => fx.Factory.Services.GetRequiredService<JaaragendaService>();

    private static ClaimsPrincipal Team(string gebied) => TestAccounts.TeamPrincipal(gebied);

    [Fact]
    public async Task A_team_drafts_agrees_and_publishes_its_agenda_and_only_the_published_one_is_public()
    {
        var noord = Team("GB0361-noord");
        var agenda = await Agendas.CreateAsync(noord, "GB0361-noord", 2027);
        Assert.Equal(Jaaragenda.Concept, agenda.Status);
        // another team keeps neither this agenda nor adds to it
        var zuid = Team("GB0361-zuid");
        Assert.Equal(403, (await Assert.ThrowsAsync<WijkAanZetException>(() => Agendas.AddSpeerpuntAsync(zuid, agenda, "Niet van ons", "analyse", null, null, null))).Status);
        await Assert.ThrowsAsync<WijkAanZetException>(() => Agendas.CreateAsync(noord, "GB0361-noord", 2027)); // one per year

        // a speerpunt from the team's own analysis, aimed at a monitor indicator with baseline and target; an action owned by a partner
        await Assert.ThrowsAsync<WijkAanZetException>(() => Agendas.AgreeAsync(noord, agenda, agenda.Version, new DateOnly(2027, 1, 12), "Overleg")); // no speerpunten yet
        var sp = await Agendas.AddSpeerpuntAsync(noord, agenda, "Minder overlast op straat", "analyse", "monitor:Veiligheidsmonitor|Ervaart veel overlast in de buurt", 13.9, 11.0);
        agenda = (await Agendas.GetAsync("GB0361-noord", 2027))!;
        var actie = await Agendas.AddActieAsync(noord, agenda, sp, "Jongerenwerk op straat op vrijdagavond", "Jongerenwerk Noord", "partner", new DateOnly(2027, 6, 30));
        var second = await Agendas.AddActieAsync(noord, agenda, sp, "Extra controles", "Gebiedshandhaver", "lid", null);
        await Agendas.SetActieStatusAsync(noord, agenda, actie, Jaaragenda.Klaar);
        await Agendas.AddUpdateAsync(noord, agenda, actie, "Drie avonden per maand aanwezig sinds maart.");
        await Assert.ThrowsAsync<WijkAanZetException>(() => Agendas.SetActieStatusAsync(noord, agenda, second, "half"));
        agenda = (await Agendas.GetAsync("GB0361-noord", 2027))!;
        var s = Assert.Single(agenda.Speerpunten);
        Assert.Equal(("monitor:Veiligheidsmonitor|Ervaart veel overlast in de buurt", 13.9, 11.0), (s.Indicator, s.Nulmeting!.Value, s.Streefwaarde!.Value));
        Assert.Equal(0.5, s.Progress);
        Assert.Equal("partner", s.Acties.Single(a => a.Id == actie).OwnerKind);
        Assert.Single(s.Acties.Single(a => a.Id == actie).Updates);

        // not public as a concept; publishing needs agreeing first, and agreeing a date and by whom
        var http = fx.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/agenda/GB0361-noord/2027")).StatusCode);
        await Assert.ThrowsAsync<WijkAanZetException>(() => Agendas.PublishAsync(noord, agenda, agenda.Version));
        await Assert.ThrowsAsync<WijkAanZetException>(() => Agendas.AgreeAsync(noord, agenda, agenda.Version, null, "Overleg"));
        // a second editor with an old version is refused, and nothing is overwritten
        await Agendas.SaveDoelenAsync(noord, agenda, agenda.Version, "Veiliger en schoner Noord");
        Assert.Equal(409, (await Assert.ThrowsAsync<WijkAanZetException>(() => Agendas.SaveDoelenAsync(noord, agenda, agenda.Version, "Iets anders"))).Status);
        agenda = (await Agendas.GetAsync("GB0361-noord", 2027))!;
        Assert.Equal("Veiliger en schoner Noord", agenda.Doelen);
        await Agendas.AgreeAsync(noord, agenda, agenda.Version, new DateOnly(2027, 1, 12), "Overleg Gebiedsteam+ Noord");
        agenda = (await Agendas.GetAsync("GB0361-noord", 2027))!;
        await Agendas.PublishAsync(noord, agenda, agenda.Version);

        var published = await (await http.GetAsync("/api/agenda/GB0361-noord/2027")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("gepubliceerd", published.GetProperty("status").GetString());
        Assert.Equal("Minder overlast op straat", published.GetProperty("speerpunten")[0].GetProperty("title").GetString());
        // every step audited
        await using var db = fx.Database.CreateDataSource();
        var steps = await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE subject_type = 'gebiedsagenda' AND subject_id = $1", agenda.Id.ToString());
        Assert.True(steps >= 9, $"{steps} audit entries");
    }

    [Fact]
    public async Task A_dorp_has_its_own_agenda_kept_by_the_team_of_its_gebied()
    {
        Assert.Equal("dorp", await Agendas.AgendaLevelAsync("BU03610900"));
        Assert.True(await Agendas.MayKeepAsync(Team("GB0361-oost"), "BU03610900"));
        Assert.False(await Agendas.MayKeepAsync(Team("GB0361-noord"), "BU03610900"));
        Assert.Null(await Agendas.AgendaLevelAsync("WK036101")); // a wijk has no agenda of its own
    }
}
