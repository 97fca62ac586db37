using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Parts of a melding handed to the parties that do the work (issue 29): only a party in the gebied's register, only by
/// its team; the party's link shows the work and never the melder; steps follow the task's states; a guessed, expired or
/// withdrawn link gets nothing; a melding handed in parts closes when the last part is done; the resident sees to whom.
/// </summary>
public class MeldingTakenTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _anonymous = fx.Factory.CreateClient();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    private static Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) => response.JsonAsync(expected);

    private async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task RegisterAsync(string gebied, string organisation, string kind, string? email)
    {
        await using var cmd = Db.CreateCommand(
            """
            INSERT INTO gebiedsteam_partner (gebied_code, organisation, kind, contact_email)
            SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM gebiedsteam_partner WHERE gebied_code = $1 AND organisation = $2)
            """);
        foreach (var v in new object?[] { gebied, organisation, kind, email }) cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<(long Id, string StatusToken)> NewMeldingAsync(string gebied)
    {
        var (x, y) = await TestData.InsideAsync(Db, gebied);
        var made = await _anonymous.SubmitMeldingAsync(new
        {
            category = "overlast", description = "Woning van Kees Geheim op nummer 7 is een drugspand", x, y,
            naam = "Kees Geheim", email = "kees.geheim@example.nl", telefoon = "06 98765432",
        });
        return (made.GetProperty("id").GetInt64(), made.GetProperty("statusToken").GetString()!);
    }

    private static string Due(int days) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(days).ToString("yyyy-MM-dd");

    private static async Task<(JsonElement Taak, string Token)> HandOffAsync(HttpClient team, long id, string partij, string vraag)
    {
        var made = await Json(await team.PostAsJsonAsync($"/api/meldingen/{id}/taken", new { partij, vraag, uiterlijk = Due(10) }), HttpStatusCode.Created);
        return (made.GetProperty("taak"), made.GetProperty("link").GetString()!.Split('/').Last());
    }

    private Task<HttpResponseMessage> StepAsync(string token, string stap, string? tekst = null) =>
        _anonymous.PostAsJsonAsync($"/api/taken/{token}/{stap}", new { tekst });

    [Fact]
    public async Task A_team_hands_parts_to_partners_who_act_by_link_without_seeing_the_melder_and_the_melding_closes_when_all_are_done()
    {
        await RegisterAsync("GB0361-noord", "Woningcorporatie Noord (test)", "Woningcorporatie", "wonen@example.nl");
        await RegisterAsync("GB0361-noord", "Politie — wijkagent Noord (test)", "Politie", null);
        var (id, statusToken) = await NewMeldingAsync("GB0361-noord");
        var team = await fx.Factory.SignedInAsync("team-noord");

        // only parties of the gebied's register, only with a question and a date ahead; nothing stored otherwise
        var parties = await Json(await team.GetAsync($"/api/meldingen/{id}/partijen"));
        Assert.Contains("Woningcorporatie Noord (test)", parties.EnumerateArray().Select(p => p.GetProperty("organisatie").GetString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await team.PostAsJsonAsync($"/api/meldingen/{id}/taken", new { partij = "Onbekende BV", vraag = "Graag kijken", uiterlijk = Due(5) })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await team.PostAsJsonAsync($"/api/meldingen/{id}/taken", new { partij = "Woningcorporatie Noord (test)", vraag = "", uiterlijk = Due(5) })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await team.PostAsJsonAsync($"/api/meldingen/{id}/taken", new { partij = "Woningcorporatie Noord (test)", vraag = "Kijken", uiterlijk = Due(-1) })).StatusCode);
        // another team neither sees the register of this melding nor hands it off
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        Assert.Empty((await Json(await zuid.GetAsync($"/api/meldingen/{id}/partijen"))).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await zuid.PostAsJsonAsync($"/api/meldingen/{id}/taken", new { partij = "Woningcorporatie Noord (test)", vraag = "Kijken", uiterlijk = Due(5) })).StatusCode);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM melding_taak WHERE melding_id = $1", id));

        // split over two parties
        var (woning, woningToken) = await HandOffAsync(team, id, "Woningcorporatie Noord (test)", "Wilt u de huurder van de woning aanspreken op de overlast?");
        var (politie, politieToken) = await HandOffAsync(team, id, "Politie — wijkagent Noord (test)", "Graag extra surveillance in de avond.");
        Assert.Equal("uitgezet", woning.GetProperty("status").GetString());
        Assert.NotEqual(woningToken, politieToken);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM mail_outbox WHERE kind = 'taak uitgezet' AND to_address = 'wonen@example.nl'"));

        // the party's view: the work, never the melder — not the name, e-mail, phone or the melder's own words
        var response = await _anonymous.GetAsync($"/api/taken/{woningToken}");
        var body = await response.Content.ReadAsStringAsync();
        var view = await Json(response);
        Assert.Equal("Wilt u de huurder van de woning aanspreken op de overlast?", view.GetProperty("question").GetString());
        Assert.Equal($"M-{id}", view.GetProperty("reference").GetString());
        var page = await _anonymous.GetStringAsync($"/taak/{woningToken}");
        foreach (var secret in new[] { "Kees", "Geheim", "example.nl", "98765432", "drugspand" })
        {
            Assert.DoesNotContain(secret, body);
            Assert.DoesNotContain(secret, page);
        }

        // steps follow the states: done before accepted is refused; returning and finishing need a text
        Assert.Equal(HttpStatusCode.Conflict, (await StepAsync(woningToken, "afronden", "Klaar")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await StepAsync(woningToken, "vernietigen")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await StepAsync(woningToken, "accepteren")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await StepAsync(woningToken, "accepteren")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await StepAsync(woningToken, "antwoord", "Huurder is uitgenodigd voor een gesprek.")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await StepAsync(woningToken, "afronden")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await StepAsync(woningToken, "afronden", "Gesprek gevoerd, afspraken gemaakt.")).StatusCode);
        // one part done, one open: the melding stays open
        Assert.Equal("nieuw", await ScalarAsync<string>("SELECT status FROM melding WHERE id = $1", id));
        // the team sees every step
        var taken = await Json(await team.GetAsync($"/api/meldingen/{id}/taken"));
        var steps = taken.EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == woning.GetProperty("id").GetInt64()).GetProperty("steps");
        Assert.Equal(["uitgezet", "geaccepteerd", "antwoord", "afgerond"], steps.EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
        // the resident sees to whom, not what
        var status = await Json(await _anonymous.GetAsync($"/api/meldingen/status/{statusToken}"));
        Assert.Equal(["Woningcorporatie Noord (test)", "Politie — wijkagent Noord (test)"], status.GetProperty("handedTo").EnumerateArray().Select(h => h.GetProperty("party").GetString()));
        Assert.DoesNotContain("huurder", (await _anonymous.GetStringAsync($"/api/meldingen/status/{statusToken}")).ToLowerInvariant());

        // the last part done: the melding is closed, in its history
        Assert.Equal(HttpStatusCode.NoContent, (await StepAsync(politieToken, "accepteren")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await StepAsync(politieToken, "afronden", "Drie avonden gesurveilleerd.")).StatusCode);
        Assert.Equal("afgehandeld", await ScalarAsync<string>("SELECT status FROM melding WHERE id = $1", id));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM melding_routing WHERE melding_id = $1 AND detail = 'Status: afgehandeld'", id));
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action LIKE 'taak %'", id.ToString()) >= 6);
        // a finished task's link still shows it, read-only
        Assert.Equal("afgerond", (await Json(await _anonymous.GetAsync($"/api/taken/{woningToken}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Where_that_is_the_rule_the_clock_stands_still_while_a_part_is_with_a_party()
    {
        using var app = fx.Factory.WithWebHostBuilder(b => b.ConfigureAppConfiguration((_, c) =>
            c.AddInMemoryCollection(new Dictionary<string, string?> { ["Meldingen:PauseWhileWithPartner"] = "true" })));
        await RegisterAsync("GB0361-noord", "Verkeer (test)", "Vakafdeling gemeente", null);
        var (x, y) = await TestData.InsideAsync(Db, "GB0361-noord");
        var id = (await app.CreateClient().SubmitMeldingAsync(new { category = "overlast", description = "Te hard gereden", x, y })).GetProperty("id").GetInt64();
        var team = await app.SignedInAsync("team-noord");
        var made = await Json(await team.PostAsJsonAsync($"/api/meldingen/{id}/taken", new { partij = "Verkeer (test)", vraag = "Snelheidsmeting?", uiterlijk = Due(10) }), HttpStatusCode.Created);
        var token = made.GetProperty("link").GetString()!.Split('/').Last();
        Assert.True(await ScalarAsync<bool>("SELECT paused_since IS NOT NULL FROM melding WHERE id = $1", id));
        // two weeks with the party
        await using (var cmd = Db.CreateCommand("UPDATE melding SET paused_since = now() - interval '14 days' WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await cmd.ExecuteNonQueryAsync();
        }
        var dueBefore = DateOnly.FromDateTime(await ScalarAsync<DateTime>("SELECT due_on::timestamp FROM melding WHERE id = $1", id));
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync($"/api/taken/{token}/accepteren", new { tekst = (string?)null })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync($"/api/taken/{token}/afronden", new { tekst = "Gemeten: 48 km/u gemiddeld." })).StatusCode);
        // the only part done: closed, the clock ran again first, and the two weeks are not handling time
        Assert.True(await ScalarAsync<bool>("SELECT paused_since IS NULL AND status = 'afgehandeld' FROM melding WHERE id = $1", id));
        var paused = await ScalarAsync<short>("SELECT paused_days FROM melding WHERE id = $1", id);
        Assert.InRange(paused, (short)8, (short)10);
        Assert.Equal(Alkmaar.Kaart.Geo.Deadlines.WorkingDays.Add(dueBefore, paused), DateOnly.FromDateTime(await ScalarAsync<DateTime>("SELECT due_on::timestamp FROM melding WHERE id = $1", id)));
    }

    [Fact]
    public async Task A_guessed_expired_or_withdrawn_link_gets_nothing_and_changes_nothing()
    {
        await RegisterAsync("GB0361-noord", "Jongerenwerk Noord (test)", "Jongerenwerk", "jongeren@example.nl");
        var (id, _) = await NewMeldingAsync("GB0361-noord");
        var team = await fx.Factory.SignedInAsync("team-noord");

        // guessed: a well-formed random token, a malformed one
        foreach (var guess in new[] { StatusLinks.NewToken(), "kort", new string('A', 43) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"/api/taken/{guess}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await StepAsync(guess, "accepteren")).StatusCode);
        }

        // expired
        var (expired, expiredToken) = await HandOffAsync(team, id, "Jongerenwerk Noord (test)", "Wilt u de groep bij het speelveld opzoeken?");
        await using (var cmd = Db.CreateCommand("UPDATE melding_taak SET token_expires_at = now() - interval '1 minute' WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(expired.GetProperty("id").GetInt64());
            await cmd.ExecuteNonQueryAsync();
        }
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"/api/taken/{expiredToken}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await StepAsync(expiredToken, "accepteren")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"/taak/{expiredToken}")).StatusCode);

        // withdrawn by the team: dead at once
        var (revoked, revokedToken) = await HandOffAsync(team, id, "Jongerenwerk Noord (test)", "Tweede poging: de groep opzoeken.");
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync($"/api/taken/{revokedToken}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await team.PostAsJsonAsync($"/api/meldingen/{id}/taken/{revoked.GetProperty("id").GetInt64()}/intrekken", new { reden = "Dubbel" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"/api/taken/{revokedToken}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await StepAsync(revokedToken, "accepteren")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await team.PostAsJsonAsync($"/api/meldingen/{id}/taken/{revoked.GetProperty("id").GetInt64()}/intrekken", new { reden = "Nog eens" })).StatusCode);
        // nothing changed by the dead links: both tasks as the team left them
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM melding_taak WHERE melding_id = $1 AND status = 'uitgezet'", id));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM melding_taak WHERE melding_id = $1 AND status = 'ingetrokken'", id));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM melding_taak_stap s JOIN melding_taak t ON t.id = s.taak_id WHERE t.melding_id = $1 AND s.kind = 'geaccepteerd'", id));
        // the token itself is nowhere in the database
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM melding_taak t WHERE row_to_json(t)::text LIKE '%' || $1 || '%'", revokedToken));
    }

    [Fact]
    public async Task A_partner_account_lists_its_own_partys_tasks_across_gebieden_and_acts_on_them_without_seeing_the_melder()
    {
        const string party = TestAccounts.PartnerParty, other = "Jongerenwerk Noord (test)";
        await RegisterAsync("GB0361-noord", party, "Woningcorporatie", "partner@example.org");
        await RegisterAsync("GB0361-zuid", party, "Woningcorporatie", "partner@example.org");
        await RegisterAsync("GB0361-noord", other, "Jongerenwerk", null);
        var (noordId, _) = await NewMeldingAsync("GB0361-noord");
        var (zuidId, _) = await NewMeldingAsync("GB0361-zuid");
        var noord = await fx.Factory.SignedInAsync("team-noord");
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        var (inNoord, _) = await HandOffAsync(noord, noordId, party, "Wilt u de galerij bij de flat laten schoonmaken?");
        var (inZuid, _) = await HandOffAsync(zuid, zuidId, party, "Graag de kapotte portiekdeur laten repareren.");
        var (forOther, _) = await HandOffAsync(noord, noordId, other, "Kunt u de jongeren bij het speelveld aanspreken?");
        long Id(JsonElement t) => t.GetProperty("id").GetInt64();

        // its own party's tasks, from both gebieden; never another party's, never the melder
        var partner = await fx.Factory.SignedInAsync("partner");
        var response = await partner.GetAsync("/api/partner/taken");
        var body = await response.Content.ReadAsStringAsync();
        var list = (await Json(response)).EnumerateArray().ToList();
        var ids = list.Select(t => t.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(Id(inNoord), ids);
        Assert.Contains(Id(inZuid), ids);
        Assert.DoesNotContain(Id(forOther), ids);
        Assert.All(list, t => Assert.Equal(party, t.GetProperty("taak").GetProperty("partyName").GetString()));
        Assert.Equal(2, list.Select(t => t.GetProperty("taak").GetProperty("team").GetString()).Distinct().Count());
        var page = await partner.GetStringAsync("/taken");
        foreach (var secret in new[] { "Kees", "Geheim", "example.nl", "98765432", "drugspand" })
        {
            Assert.DoesNotContain(secret, body);
            Assert.DoesNotContain(secret, page);
        }
        Assert.Contains("Graag de kapotte portiekdeur laten repareren.", page);
        Assert.DoesNotContain("jongeren bij het speelveld", page);

        // the same steps and rules as by link, audited with the account's name; the melding closes with its only part
        Task<HttpResponseMessage> Step(long taak, string stap, string? tekst = null) =>
            partner.PostAsJsonAsync($"/api/partner/taken/{taak}/{stap}", new { tekst });
        Assert.Equal(HttpStatusCode.Conflict, (await Step(Id(inZuid), "afronden", "Klaar")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Step(Id(inZuid), "accepteren")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Step(Id(inZuid), "afronden")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Step(Id(inZuid), "afronden", "Deur gerepareerd op dinsdag.")).StatusCode);
        Assert.Equal("afgehandeld", await ScalarAsync<string>("SELECT status FROM melding WHERE id = $1", zuidId));
        Assert.Equal(1L, await ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action = 'taak afgerond' AND actor = $2", zuidId.ToString(), $"partner ({party})"));
        var zuidSteps = (await Json(await zuid.GetAsync($"/api/meldingen/{zuidId}/taken"))).EnumerateArray().Single().GetProperty("steps");
        Assert.Equal(["uitgezet", "geaccepteerd", "afgerond"], zuidSteps.EnumerateArray().Select(s => s.GetProperty("kind").GetString()));

        // another party's task is not there for it: 404, and nothing changes
        Assert.Equal(HttpStatusCode.NotFound, (await Step(Id(forOther), "accepteren")).StatusCode);
        Assert.Equal("uitgezet", await ScalarAsync<string>("SELECT status FROM melding_taak WHERE id = $1", Id(forOther)));
        // a withdrawn task is gone: it cannot act, and the team's reason is not shown to it
        Assert.Equal(HttpStatusCode.NoContent, (await noord.PostAsJsonAsync($"/api/meldingen/{noordId}/taken/{Id(inNoord)}/intrekken",
            new { reden = "Intern opgelost door de beheerder van het complex" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Step(Id(inNoord), "accepteren")).StatusCode);
        var after = (await Json(await partner.GetAsync("/api/partner/taken"))).EnumerateArray().ToList();
        var withdrawn = after.Single(t => t.GetProperty("id").GetInt64() == Id(inNoord)).GetProperty("taak");
        Assert.Equal("ingetrokken", withdrawn.GetProperty("status").GetString());
        Assert.DoesNotContain("Intern opgelost", withdrawn.GetRawText());

        // a partner sees none of the staff side, and a staff member has no "Mijn taken"
        Assert.Equal(HttpStatusCode.Forbidden, (await partner.GetAsync("/api/meldingen")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await partner.GetAsync($"/api/meldingen/{noordId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await partner.GetAsync($"/api/meldingen/{noordId}/taken")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await noord.GetAsync("/api/partner/taken")).StatusCode);
    }

    [Fact]
    public async Task A_partner_account_is_only_that_role_bound_to_a_party_of_a_register()
    {
        const string party = "GGD Hollands Noorden (accounttest)";
        await RegisterAsync("GB0361-oost", party, "GGD", null);
        await fx.Factory.EnsureUserAsync("beheerder", [KaartRoles.Beheerder], []);
        await using var scope = fx.Factory.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<KaartUser>>();
        var admin = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<KaartUser>>().CreateAsync((await manager.FindByNameAsync("beheerder"))!);
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();

        // refused, and nothing stored: with a staff role, without a party, with a party in no register, a party without the role
        foreach (var (roles, gebieden, partij) in new (string[], string[], string?)[]
                 {
                     ([KaartRoles.Partner, KaartRoles.Gebiedsteam], ["GB0361-oost"], party), ([KaartRoles.Partner], ["GB0361-mars"], party),
                     ([KaartRoles.Partner], [], null), ([KaartRoles.Partner], [], "Een partij die nergens staat"), ([KaartRoles.Planner], [], party),
                 })
            await Assert.ThrowsAsync<UserAdministrationException>(() => users.CreateAsync(admin, "partner-geweigerd", roles, gebieden, partij));
        Assert.Null(await manager.FindByNameAsync("partner-geweigerd"));
        // the database holds the same rule for anything that bypasses the service
        await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(
            "INSERT INTO app_user (id, user_name, normalized_user_name, security_stamp, concurrency_stamp, roles, partij) VALUES (gen_random_uuid(), 'x', 'X', 's', 'c', '{partner,beheerder}', 'P') RETURNING 1"));

        // accepted: the party's claim goes into the sign-in (with the Gebiedsteam+ circles it takes part in, optional)
        await users.CreateAsync(admin, "partner-ggd", [KaartRoles.Partner], ["GB0361-oost"], party);
        var account = (await manager.FindByNameAsync("partner-ggd"))!;
        Assert.Equal(party, account.Partij);
        var principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<KaartUser>>().CreateAsync(account);
        Assert.Equal(party, principal.Partij());
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'gebruiker aangemaakt' AND subject_id = 'partner-ggd' AND detail->>'partij' = $1", party));
        // made staff again, the party goes: a beheerder cannot leave a party on a staff account
        await Assert.ThrowsAsync<UserAdministrationException>(() => users.UpdateAsync(admin, account.Id, [KaartRoles.Planner], [], party));
        await users.UpdateAsync(admin, account.Id, [KaartRoles.Planner], [], null);
        Assert.Null((await manager.FindByNameAsync("partner-ggd"))!.Partij);
    }
}

/// <summary>Intake for someone else (issue 29): staff record a melding with its channel; routed as any, counted per channel.</summary>
public class MeldingIntakeTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task Staff_record_a_phone_melding_for_a_resident_routed_as_any_and_counted_under_its_channel()
    {
        var db = fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();
        await TestData.EnsureDemoAddressesAsync(fx.Factory.Services);
        var (postcode, nr) = await TestData.AddressInGebiedAsync(db, "GB0361-zuid");
        var team = await fx.Factory.SignedInAsync("team-noord");
        // a channel is required; the public and Stadswerk072 cannot record for someone else
        Assert.Equal(HttpStatusCode.BadRequest, (await team.PostAsJsonAsync("/api/meldingen/intake", new { category = "afval", description = "x", postcode, huisnummer = nr })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Factory.CreateClient().PostAsJsonAsync("/api/meldingen/intake", new { kanaal = "telefoon" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await fx.Factory.SignedInAsync("stadswerk")).PostAsJsonAsync("/api/meldingen/intake", new { kanaal = "telefoon" })).StatusCode);

        // team Noord takes a phone call about a place in Zuid: routed to Zuid, channel telefoon, the resident gets the link by mail
        var made = await (await team.PostAsJsonAsync("/api/meldingen/intake", new
        {
            kanaal = "telefoon", category = "afval", description = "Beller meldt volle container", postcode, huisnummer = nr, email = "beller@example.nl",
        })).JsonAsync(HttpStatusCode.Created);
        var id = made.GetProperty("id").GetInt64();
        Assert.Equal("GB0361-zuid", made.GetProperty("routing").GetProperty("gebied").GetString());
        await using (var cmd = db.CreateCommand("SELECT source, channel, (SELECT actor FROM melding_routing WHERE melding_id = m.id ORDER BY id LIMIT 1) FROM melding m WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal(("medewerker", "telefoon", "team-noord (namens de melder, telefoon (14 072))"), (r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        await using (var cmd = db.CreateCommand("SELECT count(*) FROM mail_outbox WHERE ref_id = $1 AND kind = 'melding ontvangen'"))
        {
            cmd.Parameters.AddWithValue(id.ToString());
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        // counted per channel in the figures
        var figures = await (await team.GetAsync("/api/meldingen/cijfers?groep=kanaal")).JsonAsync(HttpStatusCode.OK);
        Assert.True(figures.GetProperty("groepen").EnumerateArray().Single(g => g.GetProperty("groep").GetString() == "telefoon").GetProperty("ontvangen").GetInt32() >= 1);
    }

}
