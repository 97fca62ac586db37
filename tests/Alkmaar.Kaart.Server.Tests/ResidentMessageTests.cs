using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Server.Features.Notifications;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using netDumbster.smtp;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Residents are told (issue 20): submitters of verbeterpunten and applicants of initiatives who gave an e-mail address get
/// a message for each step, written in the step's own transaction and delivered by SMTP (MailKit) to a real SMTP server on
/// loopback (netDumbster). Once sent, the address and text are gone from the database; a mail server that is down loses
/// nothing; without a mail server the messages wait.
/// </summary>
public class ResidentMessageTests : IAsyncLifetime
{
    private readonly TestClock _clock = new(new DateTimeOffset(2027, 4, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly int _smtpPort = FreePort();
    private readonly KaartAppFixture _fx = new();
    private NpgsqlDataSource _ds = null!;
    private KaartAppFactory _factory = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        await _fx.InitializeAsync();
        (_ds, _factory) = (_fx.DataSource, _fx.Factory);
        _app = WithMail(_factory, _smtpPort, pollMs: 3_600_000); // the test sends each round itself
    }

    private WebApplicationFactory<Program> WithMail(WebApplicationFactory<Program> f, int? port, int pollMs, int maxAttempts = 8) => f.WithWebHostBuilder(b =>
    {
        if (port is { } p)
        {
            b.UseSetting("Mail:Smtp:Host", "127.0.0.1");
            b.UseSetting("Mail:Smtp:Port", p.ToString());
            b.UseSetting("Mail:Smtp:Security", "None");
            b.UseSetting("Mail:PublicBaseUrl", "https://kaart.alkmaar.nl");
        }
        b.UseSetting("Mail:PollMilliseconds", pollMs.ToString());
        b.UseSetting("Mail:MaxAttempts", maxAttempts.ToString());
        b.ConfigureServices(s => s.AddSingleton<TimeProvider>(_clock));
    });

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _fx.DisposeAsync();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static readonly DateOnly IndienenFrom = new(2027, 4, 1), IndienenTo = new(2027, 4, 30), StemmenFrom = new(2027, 5, 10),
        StemmenTo = new(2027, 5, 24), UitslagOn = new(2027, 7, 1);

    private void On(DateOnly day) => _clock.Now = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    /// <summary>A campaign for <paramref name="wijk"/> in its submitting phase (the clock set to its first day).</summary>
    private Task<int> CampaignAsync(WijkAanZetService s, string wijk, string title)
    {
        On(IndienenFrom);
        return s.CreateCampagneAsync(wijk, "wijk", title, IndienenFrom, IndienenTo, StemmenFrom, StemmenTo, UitslagOn, "test");
    }

    /// <summary>Every message the SMTP server received, parsed by MimeKit: (to, subject, text).</summary>
    private static List<(string To, string Subject, string Text)> Received(SimpleSmtpServer smtp) =>
        smtp.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data))))
            .Select(m => (m.To.Mailboxes.Single().Address, m.Subject ?? "", m.TextBody ?? "")).ToList();

    private async Task SendAllAsync()
    {
        var sender = _app.Services.GetRequiredService<MailSender>();
        while (await sender.SendRoundAsync(CancellationToken.None) > 0) { }
    }

    private Task<long> Scalar(string sql) => _ds.ScalarAsync<long>(sql);

    /// <summary>A beheerder as the services see one (the stores check the role themselves).</summary>
    private static readonly ClaimsPrincipal Beheerder =
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "beheerder"), new Claim(ClaimTypes.Role, "beheerder")], "test"));

    [Fact]
    public async Task Submitters_are_told_of_each_step_by_mail_and_their_address_and_text_are_erased_once_sent()
    {
        using var smtp = SimpleSmtpServer.Start(_smtpPort);
        var s = _app.Services.GetRequiredService<WijkAanZetService>();
        var c = await CampaignAsync(s, "WK036105", "Wij(k) aan zet Huiswaard");
        var (a, tokenA) = await s.SubmitAsync(c, "Meer groen op het plein", "Bomen op het Huiswaardplein", "groen", null, "anna@example.org");
        var (b, _) = await s.SubmitAsync(c, "Het plein groener maken", "Meer bomen op het plein", "groen", null, "bram@example.org");
        var (x, _) = await s.SubmitAsync(c, "Betere verlichting", "Lantaarns bij het fietspad", "veilig", null, null); // no address: no message
        var (d, _) = await s.SubmitAsync(c, "Kapotte stoeptegels", "Losse tegels voor nummer 12", "heel", null, "dirk@example.org");
        await SendAllAsync();
        var first = Received(smtp);
        Assert.Equal(["anna@example.org", "bram@example.org", "dirk@example.org"], first.Select(m => m.To).Order());
        var toAnna = first.Single(m => m.To == "anna@example.org");
        Assert.Equal($"Uw verbeterpunt is ontvangen (nummer {a})", toAnna.Subject);
        // issue 27, item 10: the first message echoes nothing the submitter typed (anyone can type anyone's address)
        Assert.All(first, m => Assert.DoesNotContain("plein", m.Subject + m.Text));
        Assert.All(first, m => Assert.DoesNotContain("stoeptegels", m.Subject + m.Text, StringComparison.OrdinalIgnoreCase));
        // the confirmation carries the private status link on the configured public address (never a request's Host)
        Assert.Contains($"https://kaart.alkmaar.nl/wijkaanzet/status/{tokenA}", toAnna.Text);
        Assert.Contains("10-05-2027", toAnna.Text);

        await s.MergeAsync(c, a, [b], "test");
        await s.ToMeldingAsync(c, d, "bestrating", "test");
        On(StemmenFrom);
        await s.CheckAsync(c, a, feasible: true, affordable: true, "past in het groenplan", "test");
        await s.CheckAsync(c, x, feasible: true, affordable: true, null, "test");
        var codes = await _app.Services.GetRequiredService<StemService>().StoreCodesAsync(c, [("1822AA", 1, ""), ("1822AA", 2, "")], "test");
        await _app.Services.GetRequiredService<StemService>().VoteAsync(c, codes[0].Code, [a, x]);
        await _app.Services.GetRequiredService<StemService>().VoteAsync(c, codes[1].Code, [a]);
        On(UitslagOn);
        await s.ChooseAsync(c, "test");
        await s.ChooseAsync(c, "test"); // announcing twice tells no one twice
        await SendAllAsync();

        var all = Received(smtp);
        // (the SMTP server keeps no order: compared sorted; the order of sending is the outbox's, below)
        var anna = all.Where(m => m.To == "anna@example.org").Select(m => m.Subject).Order().ToList();
        var bram = all.Where(m => m.To == "bram@example.org").Select(m => m.Subject).Order().ToList();
        var dirk = all.Where(m => m.To == "dirk@example.org").Select(m => m.Subject).Order().ToList();
        Assert.Equal(new[] {$"Uw verbeterpunt is ontvangen (nummer {a})", "Vergelijkbare punten samengevoegd met 'Meer groen op het plein'",
            "Uw verbeterpunt is getoetst: Meer groen op het plein", "Uw verbeterpunt is gekozen: Meer groen op het plein"}.Order(), anna);
        // the submitter of the merged point hears of the merge, the check and the result of the point it went into
        Assert.Equal(new[] {$"Uw verbeterpunt is ontvangen (nummer {b})", "Uw verbeterpunt is samengevoegd met 'Meer groen op het plein'",
            "Uw verbeterpunt is getoetst: Meer groen op het plein", "Uw verbeterpunt is gekozen: Meer groen op het plein"}.Order(), bram);
        Assert.Equal(new[] {$"Uw verbeterpunt is ontvangen (nummer {d})", "Uw verbeterpunt is doorgestuurd als melding: Kapotte stoeptegels"}.Order(), dirk);
        Assert.Equal(["verbeterpunt ontvangen", "verbeterpunt samengevoegd", "verbeterpunt doorgestuurd", "verbeterpunt getoetst", "uitslag"],
            (await _ds.ScalarAsync<string[]>("SELECT array_agg(kind ORDER BY min_id) FROM (SELECT kind, min(id) AS min_id FROM mail_outbox GROUP BY kind) k")));
        Assert.Contains("Stadswerk072", all.Single(m => m.Subject.StartsWith("Uw verbeterpunt is doorgestuurd")).Text);
        Assert.Contains("past in het groenplan", all.First(m => m.To == "anna@example.org" && m.Subject.Contains("getoetst")).Text);
        Assert.Contains("2 stemmen", all.First(m => m.To == "anna@example.org" && m.Subject.Contains("gekozen")).Text);
        Assert.Equal(10, all.Count);

        // sent: what stays is the kind of message and when, not who got it or what it said
        Assert.Equal(10, await Scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL"));
        Assert.Equal(0, await Scalar("SELECT count(*) FROM mail_outbox WHERE to_address IS NOT NULL OR body IS NOT NULL"));
        var beheer = await _app.SignedInAsync("beheerder");
        var overview = await beheer.GetStringAsync("/api/beheer/berichten");
        Assert.DoesNotContain("example.org", overview);
        Assert.DoesNotContain(tokenA, overview);
        Assert.Contains("\"sent\":10", overview);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await _app.SignedInAsync("team-noord")).GetAsync("/api/beheer/berichten")).StatusCode);
    }

    [Fact]
    public async Task An_applicant_for_an_initiative_is_told_of_the_application_and_of_each_new_status()
    {
        using var smtp = SimpleSmtpServer.Start(_smtpPort);
        await _ds.ExecAsync("UPDATE gebiedsteam SET mailbox = 'gebiedsteam.centrum@alkmaar.example' WHERE gebied_code = 'GB0361-centrum'");
        var created = await (await _app.CreateClient().PostAsJsonAsync("/api/initiatieven/aanvraag", new
        {
            title = "Geveltuinen in onze straat", description = "Tegels eruit, planten erin", theme = "groen", lat = 52.6366, lon = 4.7393, email = "bewoner@example.org",
        })).JsonAsync(HttpStatusCode.Created);
        var token = created.GetProperty("statusUrl").GetString()!.Split('/').Last();
        var id = created.GetProperty("id").GetInt64();
        var store = _app.Services.GetRequiredService<InitiatiefStore>();
        await store.UpdateAsync(id, new InitiatiefInput { Status = "toegekend", Subsidy = 500 }, Beheerder);
        await store.UpdateAsync(id, new InitiatiefInput { Title = "Geveltuinen in de Laat" }, Beheerder); // no new status: no message
        await SendAllAsync();
        var all = Received(smtp);
        // the gebiedsteam of the place hears of the application at its mailbox, without who applied
        var toTeam = Assert.Single(all, m => m.To == "gebiedsteam.centrum@alkmaar.example");
        Assert.Equal("Nieuwe aanvraag bewonersinitiatief: Geveltuinen in onze straat", toTeam.Subject);
        Assert.Contains("https://kaart.alkmaar.nl/initiatieven", toTeam.Text);
        Assert.DoesNotContain("bewoner@example.org", toTeam.Text);
        var got = all.Where(m => m != toTeam).ToList();
        Assert.Equal([$"Uw aanvraag voor een bewonersinitiatief is ontvangen (nummer {id})", "Uw initiatief 'Geveltuinen in onze straat' is toegekend"], got.Select(m => m.Subject).Order());
        Assert.All(got, m => Assert.Equal("bewoner@example.org", m.To));
        Assert.Contains($"https://kaart.alkmaar.nl/initiatief/status/{token}", got.Single(m => m.Subject.StartsWith("Uw aanvraag")).Text);
    }

    [Fact]
    public async Task A_melder_who_left_an_address_hears_the_melding_arrived_and_each_answer_but_a_file_import_sends_nothing()
    {
        using var smtp = SimpleSmtpServer.Start(_smtpPort);
        var created = await (await _app.CreateClient().PostAsJsonAsync("/api/meldingen", new
        {
            category = "afval", description = "Volle container bij de school", lat = 52.6366, lon = 4.7393, email = "melder@example.org",
        })).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        var token = created.GetProperty("statusUrl").GetString()!.Split('/').Last();
        var meldingen = _app.Services.GetRequiredService<Features.Meldingen.MeldingService>();
        await meldingen.SetStatusAsync(Beheerder, id, "in_behandeling", noteToResident: "We legen hem dinsdag.");
        await meldingen.SetStatusAsync(Beheerder, id, "in_behandeling"); // nothing new for the resident: no message
        // issue 27, item 13: the team's separate answer to the melder is sent too; an internal note is not
        await meldingen.AddNoteAsync(Beheerder, id, "publiek", "De tegel is besteld.");
        await meldingen.AddNoteAsync(Beheerder, id, "intern", "Niet voor de melder");
        await meldingen.CreateAsync(new Features.Meldingen.NewMelding { Category = "groen", Description = "Uit een bestand", Lat = 52.6366, Lon = 4.7393, Email = "bestand@example.org" },
            "import", "beheerder");
        await SendAllAsync();
        var got = Received(smtp);
        Assert.All(got, m => Assert.Equal("melder@example.org", m.To));
        Assert.Equal([$"Antwoord op uw melding M-{id}", $"Uw melding M-{id} is in behandeling", $"Uw melding M-{id} is ontvangen"], got.Select(m => m.Subject).Order());
        Assert.Contains("De tegel is besteld.", got.Single(m => m.Subject.StartsWith("Antwoord")).Text);
        Assert.All(got, m => Assert.DoesNotContain("Niet voor de melder", m.Text));
        var arrived = got.Single(m => m.Subject.EndsWith("ontvangen")).Text;
        Assert.Contains($"https://kaart.alkmaar.nl/melding/status/{token}", arrived);
        Assert.Contains("Stadswerk072", arrived); // afval: forwarded
        Assert.Contains("We legen hem dinsdag.", got.Single(m => m.Subject.EndsWith("in behandeling")).Text);
    }

    [Fact]
    public async Task A_mail_server_that_is_down_loses_nothing_a_failed_message_can_be_retried_and_without_a_server_messages_wait()
    {
        // nothing listens on the port yet: the attempt is recorded, the message keeps its address for the next one
        _app.Dispose();
        _app = WithMail(_factory, _smtpPort, pollMs: 3_600_000, maxAttempts: 2);
        var s = _app.Services.GetRequiredService<WijkAanZetService>();
        var c = await CampaignAsync(s, "WK036102", "Wij(k) aan zet Oudorp");
        await s.SubmitAsync(c, "Meer bankjes", "In het park", "ontmoeten", null, "els@example.org");
        await SendAllAsync();
        Assert.Equal(1, await Scalar("SELECT count(*) FROM mail_outbox WHERE attempts = 1 AND last_error IS NOT NULL AND to_address IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL"));
        Assert.Equal(1, await Scalar("SELECT count(*) FROM mail_outbox WHERE next_attempt_at > now()")); // waits before trying again
        await _ds.ExecAsync("UPDATE mail_outbox SET next_attempt_at = now()");
        await SendAllAsync();
        Assert.Equal(1, await Scalar("SELECT count(*) FROM mail_outbox WHERE failed_at IS NOT NULL AND to_address IS NOT NULL")); // after MaxAttempts
        var beheer = await _app.SignedInAsync("beheerder");
        Assert.Contains("\"failed\":1", await beheer.GetStringAsync("/api/beheer/berichten"));

        // the server is back; a beheerder retries the failed message and it goes out
        using var smtp = SimpleSmtpServer.Start(_smtpPort);
        var retried = await (await beheer.PostAsync("/api/beheer/berichten/opnieuw", null)).JsonAsync();
        Assert.Equal(1, retried.GetProperty("retried").GetInt32());
        await SendAllAsync();
        Assert.Equal("els@example.org", Received(smtp).Single().To);
        Assert.Equal(1, await Scalar("SELECT count(*) FROM audit_log WHERE action = 'berichten opnieuw verzonden'"));

        // no mail server configured: the message waits, whole, and the sender sends nothing
        await using var none = WithMail(_factory, null, pollMs: 50);
        var s2 = none.Services.GetRequiredService<WijkAanZetService>();
        await s2.SubmitAsync(c, "Minder hondenpoep", "Bij de speeltuin", "schoon", null, "fleur@example.org");
        var (waiting, _, _, _, _) = await none.Services.GetRequiredService<MailOutbox>().CountsAsync();
        Assert.Equal(1, waiting);
        Assert.Equal(0, await none.Services.GetRequiredService<MailSender>().SendRoundAsync(CancellationToken.None));
        Assert.Single(Received(smtp));
        // kept past Mail:KeepDays unsent: address and text erased
        await _ds.ExecAsync("UPDATE mail_outbox SET created_at = now() - interval '31 days' WHERE sent_at IS NULL");
        Assert.Equal(1, await none.Services.GetRequiredService<MailOutbox>().EraseStaleAsync(30));
        Assert.Equal(0, await Scalar("SELECT count(*) FROM mail_outbox WHERE to_address IS NOT NULL"));
    }

    [Fact]
    public async Task Two_servers_sending_at_once_send_every_message_exactly_once()
    {
        using var smtp = SimpleSmtpServer.Start(_smtpPort);
        var s = _app.Services.GetRequiredService<WijkAanZetService>();
        var c = await CampaignAsync(s, "WK036103", "Wij(k) aan zet");
        for (var i = 0; i < 45; i++) await s.SubmitAsync(c, $"Verbeterpunt nummer {i}", "", "groen", null, $"inwoner{i}@example.org");
        // a second server on the same database, both sending rounds at the same time until nothing is left
        using var other = WithMail(_factory, _smtpPort, pollMs: 3_600_000);
        var senders = new[] { _app.Services.GetRequiredService<MailSender>(), other.Services.GetRequiredService<MailSender>() };
        var claimed = await Task.WhenAll(senders.Select(async sender =>
        {
            var n = 0;
            for (int k; (k = await sender.SendRoundAsync(CancellationToken.None)) > 0;) n += k;
            return n;
        }));
        // the second server's own start-up round may still hold a few (locked rows are skipped, not taken twice): wait for it
        for (var wait = 0; wait < 300 && await Scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL") > 0; wait++) await Task.Delay(100);
        for (var wait = 0; wait < 100 && smtp.ReceivedEmailCount < 45; wait++) await Task.Delay(100);
        Assert.True(claimed.Sum() <= 45);
        Assert.Equal(45, await Scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND attempts = 1"));
        var got = Received(smtp);
        Assert.Equal(45, got.Count);
        Assert.Equal(45, got.Select(m => m.To).Distinct().Count());
    }

    [Fact]
    public void A_mail_server_without_the_sites_public_address_refuses_to_start()
    {
        using var broken = _factory.WithWebHostBuilder(b => b.UseSetting("Mail:Smtp:Host", "127.0.0.1"));
        var e = Assert.ThrowsAny<Exception>(() => broken.CreateClient());
        Assert.Contains("Mail:PublicBaseUrl", e.ToString());
    }
}
