using System.Security.Claims;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Server.Features.Overleg;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The cycle around the agenda (issue 31, parts 2–5) against PostgreSQL: the agenda assembled for an overleg is what was
/// open at the start of its day; a partner reads and updates only what its own organisation carries; the toetsing judges a
/// figure by the interval rule and carries what is not achieved into next year's draft; the council report equals direct
/// counts.
/// </summary>
public class OverlegTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private T S<T>() where T : notnull => fx.Factory.Services.GetRequiredService<T>();

    private static ClaimsPrincipal Partner(string partij) => new(new ClaimsIdentity(
    [
        new(ClaimTypes.Name, "partner-" + partij), new(ClaimTypes.Role, KaartRoles.Partner), new(KaartClaims.Partij, partij),
    ], "test"));

    private async Task ExecAsync(string sql, params object[] args)
    {
        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        await cmd.ExecuteNonQueryAsync();
    }

    private static DateTimeOffset At(DateOnly d, int hour) => Features.DutchTime.StartOf(d).AddHours(hour).ToUniversalTime();

    [Fact]
    public async Task The_agenda_assembled_for_an_overleg_is_what_was_open_at_the_start_of_its_day()
    {
        const string gebied = "GB0361-oost";
        var team = TestAccounts.TeamPrincipal(gebied);
        var store = S<AfspraakStore>();
        var kring = Kringen.Of(Kringen.GebiedsteamPlus, gebied);
        var day = new DateOnly(2026, 11, 10);
        // five afspraken with known lives around the meeting's day
        async Task<long> Afspraak(string wat, DateTimeOffset made, DateTimeOffset? closed)
        {
            var id = await store.AddAsync(team, kring, gebied, wat, "Gebiedsregisseur", day.AddDays(7));
            await ExecAsync("UPDATE afspraak SET created_at = $2, status = CASE WHEN $3::timestamptz IS NULL THEN 'open' ELSE 'gedaan' END, closed_at = $3 WHERE id = $1",
                id, made, (object?)closed ?? DBNull.Value);
            return id;
        }
        var open = await Afspraak("Open sinds vorige maand", At(day.AddDays(-10), 10), null);
        var closedBefore = await Afspraak("Gedaan vóór het overleg", At(day.AddDays(-10), 10), At(day.AddDays(-5), 12));
        var closedThatDay = await Afspraak("Gedaan op de dag zelf", At(day.AddDays(-10), 10), At(day, 14));
        var madeThatDay = await Afspraak("Gemaakt in het overleg", At(day, 15), null);
        var closedAfter = await Afspraak("Gedaan na het overleg", At(day.AddDays(-3), 9), At(day.AddDays(1), 9));
        // another circle's open afspraak is not this circle's, but a grensoverleg's is a border matter
        var grens = await store.AddAsync(team, AfspraakStore.GrensKring(gebied, "GB0361-centrum"), gebied, "Samen de grensstraat schouwen", null, null);
        await ExecAsync("UPDATE afspraak SET created_at = $2 WHERE id = $1", grens, At(day.AddDays(-20), 10));

        // actions of the 2026 agenda: open, klaar before, klaar after, made after
        var agendas = S<JaaragendaService>();
        var agenda = await agendas.CreateAsync(team, gebied, 2026);
        var sp = await agendas.AddSpeerpuntAsync(team, agenda, "Schone straten in Oost", "analyse", null, null, null);
        agenda = (await agendas.GetAsync(gebied, 2026))!;
        async Task<long> Actie(string title, DateTimeOffset made, string status, DateTimeOffset? closed)
        {
            var id = await agendas.AddActieAsync(team, agenda, sp, title, "Stadswerk072", "partner", day.AddDays(-1));
            if (status != Jaaragenda.Gepland) await agendas.SetActieStatusAsync(team, agenda, id, status);
            await ExecAsync("UPDATE speerpunt_actie SET created_at = $2, afgesloten_op = coalesce($3, afgesloten_op) WHERE id = $1", id, made, (object?)closed ?? DBNull.Value);
            return id;
        }
        var actieOpen = await Actie("Veegroute aanpassen", At(day.AddDays(-30), 10), Jaaragenda.Bezig, null);
        await Actie("Afvalbakken bijplaatsen", At(day.AddDays(-30), 10), Jaaragenda.Klaar, At(day.AddDays(-2), 10));
        var actieKlaarAfter = await Actie("Bewoners informeren", At(day.AddDays(-30), 10), Jaaragenda.Klaar, At(day.AddDays(2), 10));
        await Actie("Na het overleg bedacht", At(day.AddDays(1), 10), Jaaragenda.Gepland, null);

        var assembled = await S<OverlegAgendaBuilder>().AssembleAsync(team, kring, gebied, day);
        Assert.Equal(new[] { open, closedThatDay, closedAfter }.Order(), assembled.OpenAfspraken.Select(a => a.Id).Order());
        Assert.DoesNotContain(closedBefore, assembled.OpenAfspraken.Select(a => a.Id));
        Assert.DoesNotContain(madeThatDay, assembled.OpenAfspraken.Select(a => a.Id));
        Assert.Equal([grens], assembled.GrensAfspraken.Select(a => a.Id));
        Assert.Equal(new[] { actieOpen, actieKlaarAfter }.Order(), assembled.OpenActies.Select(a => a.Id).Order());
        Assert.All(assembled.OpenActies, a => Assert.True(a.Late(day))); // due the day before
        // the week is the last full week before the meeting's week
        Assert.Equal(new DateOnly(2026, 11, 2), assembled.WeekVan);
        var text = assembled.ToText();
        Assert.Contains("Open afspraken (3)", text);
        Assert.Contains("Open sinds vorige maand (Gebiedsregisseur, uiterlijk 17-11-2026)", text);
        Assert.Contains("Samen de grensstraat schouwen", text);
        Assert.Contains("Veegroute aanpassen", text);
        Assert.DoesNotContain("Gedaan vóór het overleg", text);

        // a meeting stores it, saves with the version it read, refuses a stale one and keeps nothing of the loser
        var overleggen = S<OverlegStore>();
        var id = await overleggen.CreateAsync(team, kring, gebied, day, new TimeOnly(19, 30), "Buurthuis", ["Stadswerk072"], text);
        var row = (await overleggen.GetAsync(id))!;
        Assert.Equal(text, row.Agenda);
        var v2 = await overleggen.SaveAsync(team, row, new OverlegEdit(row.Version, day, row.Aanvang, row.Plaats, ["Gebiedsregisseur"], ["Stadswerk072"], row.Agenda, "Aantekening"));
        var stale = await Assert.ThrowsAsync<AfspraakException>(() =>
            overleggen.SaveAsync(team, row, new OverlegEdit(row.Version, day, null, null, [], [], "Overschreven", null)));
        Assert.Equal(409, stale.Status);
        row = (await overleggen.GetAsync(id))!;
        Assert.Equal((v2, "Aantekening", text), (row.Version, row.Notities, row.Agenda));
        Assert.Equal(403, (await Assert.ThrowsAsync<AfspraakException>(() =>
            overleggen.CreateAsync(TestAccounts.TeamPrincipal("GB0361-zuid"), kring, gebied, day, null, null, [], ""))).Status);
        Assert.Equal([id], (await overleggen.OfPartijAsync("Stadswerk072")).Select(o => o.Id));
    }

    [Fact]
    public async Task A_partner_reads_and_updates_only_what_its_own_organisation_carries()
    {
        const string gebied = "GB0361-west", mine = "Woningcorporatie Toets (test)", theirs = "Jongerenwerk Toets (test)";
        var team = TestAccounts.TeamPrincipal(gebied);
        var agendas = S<JaaragendaService>();
        var agenda = await agendas.CreateAsync(team, gebied, 2027);
        var sp = await agendas.AddSpeerpuntAsync(team, agenda, "Heel en veilig wonen", "analyse", null, null, null);
        agenda = (await agendas.GetAsync(gebied, 2027))!;
        var ours = await agendas.AddActieAsync(team, agenda, sp, "Portiekverlichting vervangen", mine, "partner", new DateOnly(2027, 5, 1));
        var other = await agendas.AddActieAsync(team, agenda, sp, "Straathoekwerk", theirs, "partner", null);
        var kring = Kringen.Of(Kringen.GebiedsteamPlus, gebied);
        var afspraken = S<AfspraakStore>();
        var ourAfspraak = await afspraken.AddAsync(team, kring, gebied, "Bewonersavond over de portieken", null, new DateOnly(2027, 3, 1), partij: mine);
        var otherAfspraak = await afspraken.AddAsync(team, kring, gebied, "Jongeren uitnodigen", null, null, partij: theirs);

        var partner = Partner(mine);
        Assert.Equal([ours], (await agendas.ActiesOfPartijAsync(mine)).Select(a => a.Id));
        Assert.Equal([ourAfspraak], (await afspraken.OfPartijAsync(mine)).Select(a => a.Id));
        Assert.Equal(mine, (await afspraken.OfPartijAsync(mine))[0].Wie); // who: the organisation

        await agendas.PartnerProgressAsync(partner, ours, Jaaragenda.Bezig, "Offerte is aangevraagd.");
        Assert.Equal(404, (await Assert.ThrowsAsync<WijkAanZetException>(() => agendas.PartnerProgressAsync(partner, other, Jaaragenda.Klaar, "Niet van ons"))).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<WijkAanZetException>(() => agendas.PartnerProgressAsync(team, ours, Jaaragenda.Klaar, null))).Status);
        await afspraken.PartnerDoneAsync(partner, ourAfspraak, "Gehouden op 20-02-2027, 40 bewoners.");
        Assert.Equal(404, (await Assert.ThrowsAsync<AfspraakException>(() => afspraken.PartnerDoneAsync(partner, otherAfspraak, null))).Status);
        Assert.Equal(409, (await Assert.ThrowsAsync<AfspraakException>(() => afspraken.PartnerDoneAsync(partner, ourAfspraak, null))).Status);

        var read = (await agendas.GetAsync(gebied, 2027))!.Speerpunten.Single().Acties.ToDictionary(a => a.Id);
        Assert.Equal(Jaaragenda.Bezig, read[ours].Status);
        Assert.Equal($"partner-{mine} ({mine})", read[ours].Updates.Single().Actor);
        Assert.Equal(Jaaragenda.Gepland, read[other].Status);
        Assert.Empty(read[other].Updates);
        var closed = (await afspraken.OfKringAsync(kring)).ToDictionary(a => a.Id);
        Assert.Equal(("gedaan", "Gehouden op 20-02-2027, 40 bewoners."), (closed[ourAfspraak].Status, closed[ourAfspraak].Toelichting));
        Assert.Equal("open", closed[otherAfspraak].Status);
    }

    [Fact]
    public async Task The_toetsing_judges_the_figure_by_its_interval_and_carries_what_is_not_achieved_into_next_years_draft()
    {
        const string gebied = "GB0361-zuid";
        var team = TestAccounts.TeamPrincipal(gebied);
        // a monitor indicator with published margins: 2024 before, 2025 after (a change beyond the combined margin)
        var csv = "monitor,indicator,area_code,year,value,unit,respondents,higher_is_better,margin\n" +
                  $"Toetsmonitor,Voelt zich veilig,{gebied},2024,70.0,%,400,true,3.0\n" +
                  $"Toetsmonitor,Voelt zich veilig,{gebied},2025,78.0,%,400,true,3.0\n" +
                  $"Toetsmonitor,Tevreden over groen,{gebied},2024,60.0,%,,true,\n" +
                  $"Toetsmonitor,Tevreden over groen,{gebied},2025,61.0,%,,true,\n";
        Assert.Empty((await S<MonitorStore>().ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)))).Rejected);
        var agendas = S<JaaragendaService>();
        var agenda = await agendas.CreateAsync(team, gebied, 2025);
        var veilig = await agendas.AddSpeerpuntAsync(team, agenda, "Veiliger voelen in Zuid", "analyse", "monitor:Toetsmonitor|Voelt zich veilig", 70, 75);
        var groen = await agendas.AddSpeerpuntAsync(team, agenda, "Meer en beter groen", "analyse", "monitor:Toetsmonitor|Tevreden over groen", 60, 65);
        agenda = (await agendas.GetAsync(gebied, 2025))!;
        var done = await agendas.AddActieAsync(team, agenda, veilig, "Verlichting in het park", "Gebiedsregisseur", "lid", new DateOnly(2025, 3, 1));
        await agendas.AddActieAsync(team, agenda, groen, "Geveltuinen met bewoners", "Groenbeheer", "partner", new DateOnly(2025, 6, 1));
        await agendas.SetActieStatusAsync(team, agenda, done, Jaaragenda.Klaar);
        await ExecAsync("UPDATE speerpunt_actie SET afgesloten_op = $2 WHERE id = $1", done, At(new DateOnly(2025, 4, 15), 10)); // klaar, but late
        await Assert.ThrowsAsync<WijkAanZetException>(() => agendas.JudgeAsync(team, agenda, groen, "niet behaald", null)); // why is required
        await agendas.JudgeAsync(team, agenda, veilig, "behaald", null);
        await agendas.JudgeAsync(team, agenda, groen, "niet behaald", "Te weinig bewoners gevonden; volgend jaar via de wijkraad.");

        var report = (await S<ToetsingService>().ReportAsync(gebied, 2025, "Zuid"))!;
        var v = report.Speerpunten.Single(s => s.Speerpunt.Id == veilig);
        Assert.Equal((70.0, 2024, 78.0, 2025), (v.Indicator!.Voor, v.Indicator.VoorJaar, v.Indicator.Na, v.Indicator.NaJaar));
        Assert.Equal("opvallend beter", v.Indicator.Oordeel); // 8 points against √(3² + 3²) ≈ 4.2
        Assert.Equal((1, 1, 1, 0), (v.Acties, v.Klaar, v.KlaarTeLaat, v.NietKlaar));
        var g = report.Speerpunten.Single(s => s.Speerpunt.Id == groen);
        Assert.Equal("niet te toetsen", g.Indicator!.Oordeel); // neither respondents nor margins
        Assert.Equal((1, 0, 1), (g.Acties, g.Klaar, g.NietKlaar));

        var (next, carried) = await agendas.CarryOverAsync(team, agenda);
        Assert.Equal((2026, Jaaragenda.Concept, 1), (next.Year, next.Status, carried));
        var over = next.Speerpunten.Single();
        Assert.Equal(("Meer en beter groen", groen, "monitor:Toetsmonitor|Tevreden over groen"), (over.Title, over.OvergenomenUit!.Value, over.Indicator));
        Assert.Equal(["Geveltuinen met bewoners"], over.Acties.Select(a => a.Title));
        // carrying again adds nothing
        Assert.Equal(0, (await agendas.CarryOverAsync(team, agenda)).Carried);
        Assert.Single((await agendas.GetAsync(gebied, 2026))!.Speerpunten);
    }

    [Fact]
    public async Task The_council_report_equals_direct_counts()
    {
        const string gebied = "GB0361-centrum";
        var team = TestAccounts.TeamPrincipal(gebied);
        var agendas = S<JaaragendaService>();
        var agenda = await agendas.CreateAsync(team, gebied, 2026);
        var a = await agendas.AddSpeerpuntAsync(team, agenda, "Levendig centrum", "analyse", null, null, null);
        var b = await agendas.AddSpeerpuntAsync(team, agenda, "Minder fietsoverlast", "analyse", null, null, null);
        agenda = (await agendas.GetAsync(gebied, 2026))!;
        var x = await agendas.AddActieAsync(team, agenda, a, "Pleinprogramma", null, null, new DateOnly(2026, 3, 1));
        await agendas.AddActieAsync(team, agenda, a, "Markt verplaatsen", null, null, new DateOnly(2026, 4, 1));
        var z = await agendas.AddActieAsync(team, agenda, b, "Fietsnietjes", null, null, null);
        await agendas.SetActieStatusAsync(team, agenda, x, Jaaragenda.Klaar);
        await agendas.SetActieStatusAsync(team, agenda, z, Jaaragenda.Vervallen);
        await agendas.JudgeAsync(team, agenda, a, "behaald", null);
        var kring = Kringen.Of(Kringen.Gebiedsteam, gebied);
        var store = S<AfspraakStore>();
        var f1 = await store.AddAsync(team, kring, gebied, "Horeca uitnodigen", null, null);
        await store.AddAsync(team, kring, gebied, "Fietsenstalling bespreken", null, null);
        await store.CloseAsync(team, f1, "gedaan");

        var report = await S<RaadsrapportageService>().BuildAsync(2026);
        var row = report.Rijen.Single(r => r.Code == gebied);
        await using var db = fx.Database.CreateDataSource();
        async Task<int> Count(string sql) => (int)await db.ScalarAsync<long>(sql, gebied);
        Assert.Equal(await Count("SELECT count(*) FROM speerpunt s JOIN gebiedsagenda g ON g.id = s.agenda_id WHERE g.area_code = $1 AND g.year = 2026"), row.Speerpunten);
        Assert.Equal(await Count("SELECT count(*) FROM speerpunt s JOIN gebiedsagenda g ON g.id = s.agenda_id WHERE g.area_code = $1 AND g.year = 2026 AND s.oordeel = 'behaald'"), row.Behaald);
        Assert.Equal(await Count("SELECT count(*) FROM speerpunt_actie a JOIN speerpunt s ON s.id = a.speerpunt_id JOIN gebiedsagenda g ON g.id = s.agenda_id WHERE g.area_code = $1 AND g.year = 2026 AND a.status <> 'vervallen'"), row.Acties);
        Assert.Equal(await Count("SELECT count(*) FROM speerpunt_actie a JOIN speerpunt s ON s.id = a.speerpunt_id JOIN gebiedsagenda g ON g.id = s.agenda_id WHERE g.area_code = $1 AND g.year = 2026 AND a.status = 'klaar'"), row.ActiesKlaar);
        Assert.Equal(await Count("SELECT count(*) FROM afspraak WHERE gebied_code = $1 AND extract(year FROM created_at AT TIME ZONE 'Europe/Amsterdam') = 2026"), row.Afspraken);
        Assert.Equal(await Count("SELECT count(*) FROM afspraak WHERE gebied_code = $1 AND status = 'gedaan' AND extract(year FROM created_at AT TIME ZONE 'Europe/Amsterdam') = 2026"), row.AfsprakenGedaan);
        Assert.Equal((2, 1, 2, 1, 2, 1), (row.Speerpunten, row.Behaald, row.Acties, row.ActiesKlaar, row.Afspraken, row.AfsprakenGedaan));
        Assert.Equal(2, row.ActiesTeLaat); // the square's programme klaar after its date, the market's date passed while it is open
        Assert.Contains(report.Rijen, r => r.Niveau == "dorp");
        Assert.Equal(5, report.Rijen.Count(r => r.Niveau == "gebied"));
        var csv = RaadsrapportageService.CsvRows(report).Single(r => r[1] == gebied);
        Assert.Equal(RaadsrapportageService.CsvHeader.Length, csv.Length);
        Assert.Equal(["2026", gebied, "gebied"], csv[..3]);
    }
}
