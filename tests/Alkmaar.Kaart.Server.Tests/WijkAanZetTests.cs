using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Wij(k) aan zet! (issue 20) against PostGIS: the voting rules (a fourth vote, another wijk, a reused or foreign code,
/// outside the phase), merging without double counting, an infeasible point giving its votes back, the similarity
/// suggestion, the agenda's progress, and 1,000 voters with 50 at a time giving exact counts.
/// </summary>
public class WijkAanZetTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestClock _clock = new(new DateTimeOffset(2027, 4, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly KaartAppFixture _fx = new();
    private NpgsqlDataSource _ds = null!;
    private WebApplicationFactory<Program> _app = null!;
    private WijkAanZetService _s = null!;
    private StemService _stem = null!;

    public async Task InitializeAsync()
    {
        await _fx.InitializeAsync();
        _ds = _fx.DataSource;
        _app = _fx.Factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(_clock)));
        _s = _app.Services.GetRequiredService<WijkAanZetService>();
        _stem = _app.Services.GetRequiredService<StemService>();
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _fx.DisposeAsync();
    }

    private static readonly DateOnly IndienenFrom = new(2027, 4, 1), IndienenTo = new(2027, 4, 30), StemmenFrom = new(2027, 5, 10),
        StemmenTo = new(2027, 5, 24), UitslagOn = new(2027, 7, 1);

    private void On(DateOnly day) => _clock.Now = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    private Task<int> CampagneAsync(string wijk) => _s.CreateCampagneAsync(wijk, "wijk", $"Wij(k) aan zet {wijk}", IndienenFrom, IndienenTo, StemmenFrom, StemmenTo, UitslagOn, "test");

    private async Task<List<string>> CodesAsync(int campagne, int n) =>
        (await _stem.StoreCodesAsync(campagne, Enumerable.Range(1, n).Select(i => ("1811AA", i, "")).ToList(), "test")).Select(c => c.Code).ToList();

    private async Task<long> Votes(long point)
    {
        await using var cmd = _ds.CreateCommand("SELECT count(*) FROM stem WHERE verbeterpunt_id = $1 AND returned_at IS NULL");
        cmd.Parameters.AddWithValue(point);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Open_campaign_pages_hear_submissions_and_ballots_whoever_wrote_them_without_polling()
    {
        var feed = _app.Services.GetRequiredService<CampagneChangeFeed>();
        for (var i = 0; i < 100 && !feed.Listening; i++) await Task.Delay(100); // the listener starts with the server
        var heard = new System.Collections.Concurrent.ConcurrentQueue<IReadOnlySet<int>?>();
        var signal = new SemaphoreSlim(0);
        void OnChanged(IReadOnlySet<int>? c) { heard.Enqueue(c); signal.Release(); }
        async Task HeardAsync(int campagne)
        {
            while (true)
            {
                Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(30)), $"campaign {campagne} was not announced");
                if (heard.TryDequeue(out var c) && c is not null && c.Contains(campagne)) return;
            }
        }
        On(IndienenFrom);
        var zuid = await CampagneAsync("WK036101");
        var west = await CampagneAsync("WK036104");
        feed.Changed += OnChanged;
        try
        {
            var point = (await _s.SubmitAsync(zuid, "Meer bankjes in het park", "", "ontmoeten", null, null)).Id;
            await HeardAsync(zuid);
            // a ballot written by another process (plain SQL on its own connection) reaches the pages of its campaign only
            await CodesAsync(zuid, 1);
            while (heard.TryDequeue(out _)) { }
            await using (var cmd = _ds.CreateCommand(
                "INSERT INTO stem (campagne_id, code_hash, verbeterpunt_id) SELECT $1, code_hash, $2 FROM stemcode WHERE campagne_id = $1 LIMIT 1"))
            {
                cmd.Parameters.AddWithValue(zuid);
                cmd.Parameters.AddWithValue(point);
                Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
            }
            await HeardAsync(zuid);
            Assert.DoesNotContain(heard, c => c is not null && c.Contains(west));
        }
        finally { feed.Changed -= OnChanged; }
    }

    [Fact]
    public async Task The_live_counts_stream_sends_the_counts_at_once_and_again_after_a_ballot_and_only_while_voting()
    {
        var feed = _app.Services.GetRequiredService<CampagneChangeFeed>();
        for (var i = 0; i < 100 && !feed.Listening; i++) await Task.Delay(100); // the listener starts with the server
        On(IndienenFrom);
        var id = await CampagneAsync("WK036102");
        var bankjes = (await _s.SubmitAsync(id, "Meer bankjes in het park", "", "ontmoeten", null, null)).Id;
        var drempels = (await _s.SubmitAsync(id, "Drempels bij de school", "", "verkeer", null, null)).Id;
        using var http = _app.CreateClient();
        // not while submitting (no counts yet), and not for a campaign that does not exist: problem+json
        var early = await http.GetAsync($"/api/wijkaanzet/{id}/live");
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/wijkaanzet/999999/live")).StatusCode);

        On(StemmenFrom);
        var code = (await CodesAsync(id, 1)).Single();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await http.GetAsync($"/api/wijkaanzet/{id}/live", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        await using var events = System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        async Task<Dictionary<long, long>> NextAsync()
        {
            Assert.True(await events.MoveNextAsync());
            Assert.Equal("stemmen", events.Current.EventType);
            using var doc = System.Text.Json.JsonDocument.Parse(events.Current.Data);
            return doc.RootElement.EnumerateArray().ToDictionary(p => p.GetProperty("id").GetInt64(), p => p.GetProperty("votes").GetInt64());
        }
        var first = await NextAsync();
        Assert.Equal(0, first[bankjes]);
        Assert.Equal(0, first[drempels]);
        // a ballot, cast anywhere: the stream sends the new counts without being asked
        await _stem.VoteAsync(id, code, [drempels]);
        var after = await NextAsync();
        Assert.Equal(0, after[bankjes]);
        Assert.Equal(1, after[drempels]);
    }

    [Fact]
    public async Task A_fourth_vote_another_wijk_a_reused_or_foreign_code_and_a_vote_outside_the_phase_are_refused()
    {
        On(IndienenFrom);
        var zuid = await CampagneAsync("WK036101");
        var west = await CampagneAsync("WK036104");
        var points = new List<long>();
        foreach (var t in new[] { "Meer bankjes in het park", "Speeltuin opknappen", "Fietspad verbreden", "Minder hondenpoep" })
            points.Add((await _s.SubmitAsync(zuid, t, "", "groen", null, null)).Id);
        var other = (await _s.SubmitAsync(west, "Bomen aan de Kennemerstraatweg", "", "groen", null, null)).Id;
        // a place must lie in the campaign's wijk
        var (ix, iy) = await TestData.InsideAsync(_ds, "WK036101");
        var factory = Geo.Transforms.RdNew.RdFactory;
        Assert.True((await _s.SubmitAsync(zuid, "Bankje bij de bushalte", "", "ontmoeten", factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(ix, iy)), null)).Id > 0);
        var (ox, oy) = await TestData.InsideAsync(_ds, "WK036104");
        Assert.Contains("ligt niet in", (await Assert.ThrowsAsync<WijkAanZetException>(() =>
            _s.SubmitAsync(zuid, "Elders", "", "groen", factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(ox, oy)), null))).Message);
        var codes = await CodesAsync(zuid, 3);
        var westCode = (await CodesAsync(west, 1))[0];

        // before the voting phase
        Assert.Equal(409, (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, codes[0], [points[0]]))).Status);
        On(StemmenFrom);
        Assert.Contains("ten hoogste 3", (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, codes[0], points))).Message);
        Assert.Contains("eigen wijk", (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, codes[0], [points[0], other]))).Message);
        Assert.Contains("andere wijk", (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, westCode, [points[0]]))).Message);
        Assert.Contains("kennen we niet", (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, "AAAA-BBBB-CCCC", [points[0]]))).Message);
        Assert.Equal(0, await Votes(points[0]));

        Assert.Equal(3, await _stem.VoteAsync(zuid, codes[0], points.Take(3).ToList()));
        // the code again: used; a code in lower case with spaces is the same code
        Assert.Contains("al gestemd", (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, codes[0].ToLowerInvariant().Replace("-", " "), [points[3]]))).Message);
        // two of three now, the third later: refused (one ballot per code)
        Assert.Equal(2, await _stem.VoteAsync(zuid, codes[1], [points[0], points[1]]));
        Assert.Equal(409, (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, codes[1], [points[2]]))).Status);
        On(StemmenTo.AddDays(1));
        Assert.Equal(409, (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(zuid, codes[2], [points[0]]))).Status);
        var counts = await Task.WhenAll(points.Select(Votes));
        Assert.Equal(new long[] { 2, 2, 1, 0 }, counts);

        // over HTTP: problem+json in Dutch
        On(StemmenFrom);
        var response = await _app.CreateClient().PostAsJsonAsync($"/api/wijkaanzet/{zuid}/stemmen", new { code = codes[0], points = new[] { points[3] } });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Merging_keeps_every_submitter_linked_and_combines_votes_without_double_counting()
    {
        On(IndienenFrom);
        var c = await CampagneAsync("WK036105");
        var (a, tokenA) = await _s.SubmitAsync(c, "Meer groen op het plein", "Bomen en planten op het Huiswaardplein", "groen", null, "a@example.org");
        var (b, tokenB) = await _s.SubmitAsync(c, "Het plein groener maken", "Meer bomen op het Huiswaardplein", "groen", null, null);
        var (x, _) = await _s.SubmitAsync(c, "Betere verlichting", "Lantaarns bij het fietspad", "veilig", null, null);
        On(StemmenFrom);
        var codes = await CodesAsync(c, 4);
        await _stem.VoteAsync(c, codes[0], [a, b]);      // both: after the merge one counts, one goes back
        await _stem.VoteAsync(c, codes[1], [a]);
        await _stem.VoteAsync(c, codes[2], [b, x]);
        await _stem.VoteAsync(c, codes[3], [x]);
        await _s.MergeAsync(c, a, [b], "test");

        Assert.Equal(3, await Votes(a));     // voters 0, 1, 2 — voter 0 once
        Assert.Equal(0, await Votes(b));
        Assert.Equal(2, await Votes(x));
        var points = await _s.PointsAsync(c);
        Assert.Equal("samengevoegd", points.Single(p => p.Id == b).Status);
        Assert.Equal(a, points.Single(p => p.Id == b).MergedInto);
        // every submitter stays linked: b's status link names the merged point
        var status = (await _s.ByTokenAsync(tokenB))!.Value;
        Assert.Equal(a, status.MergedInto!.Id);
        Assert.Equal(3, status.MergedInto.Votes);
        Assert.Null((await _s.ByTokenAsync(tokenA))!.Value.MergedInto);
        // voter 0's duplicate came back: one more vote to give, not on a merged point
        Assert.Equal(1, await _stem.VoteAsync(c, codes[0], [x]));
        Assert.Throws<WijkAanZetException>(() => _stem.VoteAsync(c, codes[0], [x]).GetAwaiter().GetResult());
        // only the team of this wijk (Huiswaard: gebied West) or a beheerder runs the campaign
        var zuid = await _app.SignedInAsync("team-zuid");
        var before = (await Votes(a), await Votes(x));
        var other = await zuid.PostAsJsonAsync($"/api/wijkaanzet/{c}/samenvoegen", new { target = a, sources = new[] { x } });
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(before, (await Votes(a), await Votes(x)));
        Assert.Equal("ingediend", (await _s.PointsAsync(c)).Single(p => p.Id == x).Status);
        // submitter e-mail addresses never reach the public answer
        var json = await _app.CreateClient().GetStringAsync($"/api/wijkaanzet/{c}");
        Assert.DoesNotContain("example.org", json);
    }

    [Fact]
    public async Task An_infeasible_point_gives_its_votes_back_to_the_voters_who_may_cast_them_again()
    {
        On(IndienenFrom);
        var c = await CampagneAsync("WK036103");
        var p1 = (await _s.SubmitAsync(c, "Skatebaan in het park", "", "spelen en sport", null, null)).Id;
        var p2 = (await _s.SubmitAsync(c, "Watertappunt bij de school", "", "overig", null, null)).Id;
        var p3 = (await _s.SubmitAsync(c, "Meer prullenbakken", "", "schoon", null, null)).Id;
        On(StemmenFrom);
        var codes = await CodesAsync(c, 2);
        await _stem.VoteAsync(c, codes[0], [p1, p2]);
        await _stem.VoteAsync(c, codes[1], [p1]);
        await _s.CheckAsync(c, p1, feasible: false, affordable: true, "past niet binnen het bestemmingsplan", "test");
        Assert.Equal(0, await Votes(p1));
        Assert.Equal(1, await Votes(p2));
        Assert.Equal("niet_uitvoerbaar", (await _s.PointsAsync(c)).Single(p => p.Id == p1).Status);
        // the point no longer takes votes; the returned vote can go to another point (once)
        Assert.Contains("eigen wijk die nog meedoen", (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(c, codes[1], [p1]))).Message);
        Assert.Equal(1, await _stem.VoteAsync(c, codes[1], [p2]));
        Assert.Contains("al op dit verbeterpunt", (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(c, codes[0], [p2]))).Message);
        Assert.Equal(1, await _stem.VoteAsync(c, codes[0], [p3]));
        Assert.Equal(409, (await Assert.ThrowsAsync<WijkAanZetException>(() => _stem.VoteAsync(c, codes[0], [p3]))).Status);
        var counts = await Task.WhenAll(new[] { p1, p2, p3 }.Select(Votes));
        Assert.Equal(new long[] { 0, 2, 1 }, counts);
    }

    [Fact]
    public async Task The_similarity_suggestion_finds_a_rephrased_duplicate_and_not_an_unrelated_point()
    {
        On(IndienenFrom);
        var c = await CampagneAsync("WK036102");
        var bankjes = (await _s.SubmitAsync(c, "Meer bankjes in het Oudorperpark", "Er zijn te weinig bankjes in het park om even te zitten", "ontmoeten", null, null)).Id;
        var verkeer = (await _s.SubmitAsync(c, "Drempels op de Oudorperdijk", "Auto's rijden te hard bij de school", "verkeer", null, null)).Id;
        var similar = await _s.SimilarAsync(c, "bankjes in het park om te zitten");
        Assert.Equal(bankjes, similar.First().Point.Id);
        Assert.DoesNotContain(similar, s => s.Point.Id == verkeer);
        Assert.Empty(await _s.SimilarAsync(c, "zwembad openhouden in de winter"));
        // over HTTP while typing
        var http = await (await _app.CreateClient().GetAsync($"/api/wijkaanzet/{c}/vergelijkbaar?tekst=bankjes%20in%20het%20park")).JsonAsync();
        Assert.Equal(bankjes, http.EnumerateArray().First().GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task The_result_puts_the_top_three_feasible_points_on_the_agenda_whose_progress_follows_its_actions()
    {
        On(IndienenFrom);
        var c = await CampagneAsync("WK036106");
        var ids = new List<long>();
        foreach (var t in new[] { "Punt A", "Punt B", "Punt C", "Punt D" }) ids.Add((await _s.SubmitAsync(c, t, "", "groen", null, null)).Id);
        On(StemmenFrom);
        var codes = await CodesAsync(c, 6);
        // votes: A 6, B 4, C 3, D 3 — and C is not feasible
        int[][] ballots = [[0, 1, 2], [0, 1, 2], [0, 1, 3], [0, 1, 3], [0, 2], [0, 3]];
        for (var i = 0; i < 6; i++) await _stem.VoteAsync(c, codes[i], ballots[i].Select(k => ids[k]).ToList());
        On(StemmenTo.AddDays(2));
        foreach (var id in ids) await _s.CheckAsync(c, id, id != ids[2], true, null, "test");
        On(UitslagOn);
        var chosen = await _s.ChooseAsync(c, "test");
        Assert.Equal(3, chosen.Count);
        var agenda = await _app.Services.GetRequiredService<GebiedsagendaService>().AgendaAsync("WK036106");
        Assert.Equal(["Punt A", "Punt B", "Punt D"], agenda.Select(s => s.Title));
        Assert.All(agenda, s => Assert.Equal(0, s.Progress));
        var a1 = await _app.Services.GetRequiredService<GebiedsagendaService>().AddActieAsync(agenda[0].Id, "Plan maken", "gebiedsregisseur", null, "test");
        await _app.Services.GetRequiredService<GebiedsagendaService>().AddActieAsync(agenda[0].Id, "Uitvoeren", null, null, "test");
        await _app.Services.GetRequiredService<GebiedsagendaService>().AddActieAsync(agenda[0].Id, "Opleveren", null, null, "test");
        await _app.Services.GetRequiredService<GebiedsagendaService>().SetActieDoneAsync(a1, true, "test");
        var first = (await _app.Services.GetRequiredService<GebiedsagendaService>().AgendaAsync("WK036106"))[0];
        Assert.Equal(1.0 / 3, first.Progress, 9);
        Assert.Equal("in uitvoering", first.Status);
        var json = await (await _app.CreateClient().GetAsync("/api/agenda/WK036106")).JsonAsync();
        Assert.Equal(0.333, json.EnumerateArray().First().GetProperty("progress").GetDouble(), 3);
        // exportable: one row per action
        var csv = await _app.CreateClient().GetStringAsync("/api/agenda/WK036106?formaat=csv");
        Assert.StartsWith("gebied,speerpunt,status,voortgang,actie,eigenaar,gereed,datum\n", csv);
        Assert.Contains("WK036106,Punt A,in uitvoering,0.333,Plan maken,gebiedsregisseur,ja,", csv);
        Assert.Equal(1 + 3 + 1 + 1, csv.TrimEnd('\n').Split('\n').Length);
        // announcing twice adds nothing
        Assert.Empty(await _s.ChooseAsync(c, "test"));
    }

    [Fact]
    public async Task A_thousand_voters_fifty_at_a_time_give_exact_counts_and_every_code_counts_once()
    {
        On(IndienenFrom);
        var c = await CampagneAsync("WK036107");
        var points = new List<long>();
        for (var i = 0; i < 8; i++) points.Add((await _s.SubmitAsync(c, $"Verbeterpunt {i + 1}", "", "overig", null, null)).Id);
        On(StemmenFrom);
        var codes = await CodesAsync(c, 1000);
        var rng = new Random(20);
        // each voter's ballot (1–3 points), and every tenth voter tries twice at the same moment
        var ballots = codes.Select(code => (code, points: points.OrderBy(_ => rng.Next()).Take(rng.Next(1, 4)).ToArray())).ToList();
        var expected = points.ToDictionary(p => p, p => ballots.Count(b => b.points.Contains(p)));
        var requests = ballots.Concat(ballots.Where((_, i) => i % 10 == 0)).OrderBy(_ => rng.Next()).ToList();
        // the server on loopback (Kestrel on 127.0.0.1, a real TCP port), on the same database and clock
        using var loopback = new KaartAppFactory(_fx.Database).WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(_clock)));
        loopback.UseKestrel(0);
        loopback.StartServer();
        using var client = new HttpClient { BaseAddress = loopback.ClientOptions.BaseAddress };
        Assert.True(client.BaseAddress!.IsLoopback);
        var ok = 0; var refused = 0; var other = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (b, ct) =>
        {
            using var r = await client.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen", new { code = b.code, points = b.points }, ct);
            if (r.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
            else if (r.StatusCode == HttpStatusCode.Conflict) Interlocked.Increment(ref refused);
            else Interlocked.Increment(ref other);
        });
        clock.Stop();
        Assert.Equal(0, other);
        Assert.Equal(1000, ok);
        Assert.Equal(100, refused);
        foreach (var (p, n) in expected) Assert.Equal(n, await Votes(p));
        await using (var cmd = _ds.CreateCommand("SELECT count(*) FROM stemcode WHERE campagne_id = $1 AND used_at IS NOT NULL"))
        {
            cmd.Parameters.AddWithValue(c);
            Assert.Equal(1000L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        output.WriteLine($"{requests.Count} ballots (1,000 voters, 100 repeated at once), 50 at a time over loopback: {clock.Elapsed.TotalSeconds:0.00} s, " +
                         $"{requests.Count / clock.Elapsed.TotalSeconds:0} ballots/s; counts exact, each code once");
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "kaart-stemmen-load.txt"),
            $"{requests.Count} ballots, 50 concurrent, {clock.Elapsed.TotalMilliseconds:0} ms\n");
    }

    [Fact]
    public async Task A_submission_about_the_openbare_ruimte_becomes_a_melding_forwarded_to_Stadswerk072()
    {
        On(IndienenFrom);
        var c = await CampagneAsync("WK036108");
        var (id, token) = await _s.SubmitAsync(c, "Losse stoeptegels bij de Laat", "Er liggen tegels los voor nummer 12", "heel", null, null);
        var melding = await _s.ToMeldingAsync(c, id, WijkAanZetService.CategoryOf("heel"), "test");
        Assert.Equal("bestrating", melding.Category);
        Assert.Equal("stadswerk072", melding.ForwardedTo, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("GB0361-centrum", melding.Routing.Gebied);
        var point = (await _s.ByTokenAsync(token))!.Value.Point;
        Assert.Equal("doorgestuurd", point.Status);
        Assert.Contains(melding.Reference, point.FeasibilityNote);
        // it no longer takes part
        Assert.Throws<WijkAanZetException>(() => _s.ToMeldingAsync(c, id, "bestrating", "test").GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_resident_applies_for_an_initiative_follows_it_by_a_private_link_and_the_DEMO_set_says_so()
    {
        var http = _app.CreateClient();
        var created = await (await http.PostAsJsonAsync("/api/initiatieven/aanvraag", new
        {
            title = "Geveltuinen in onze straat", description = "Met de buren tegels eruit, planten erin", theme = "groen",
            lat = 52.6366, lon = 4.7393, email = "bewoner@example.org",
        })).JsonAsync(HttpStatusCode.Created);
        var statusUrl = created.GetProperty("statusUrl").GetString()!;
        Assert.Equal("GB0361-centrum", created.GetProperty("gebied").GetString());
        var token = statusUrl.Split('/').Last();
        var status = await (await http.GetAsync($"/api/initiatieven/status/{token}")).JsonAsync();
        Assert.Equal("aangevraagd", status.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/initiatieven/status/{new string('A', 43)}")).StatusCode);
        // the address never reaches the public layer; a refused application says why in Dutch
        Assert.DoesNotContain("example.org", await http.GetStringAsync("/api/initiatieven"));
        var refused = await (await http.PostAsJsonAsync("/api/initiatieven/aanvraag", new { title = "x", theme = "groen" })).JsonAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("titel", refused.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        // the DEMO set: two per wijk, the same every time, labelled
        var store = _app.Services.GetRequiredService<Features.Initiatieven.InitiatiefStore>();
        Assert.Equal(22, await store.GenerateDemoAsync(2026));
        var demo = (await store.ListAsync(new Features.Initiatieven.InitiatiefFilter())).Where(i => i.Demo).ToList();
        Assert.Equal(22, demo.Count);
        Assert.All(demo, i => Assert.StartsWith("DEMO: ", i.Title));
        Assert.Equal(11, demo.Select(i => i.WijkCode).Distinct().Count());
        using var geo = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/initiatieven"));
        Assert.Equal(22, geo.RootElement.GetProperty("features").EnumerateArray().Count(f => f.GetProperty("properties").GetProperty("demo").GetBoolean()));
    }

    [Fact]
    public async Task A_team_starts_a_campaign_in_its_own_gebied_only()
    {
        // issue 27, item 16: a team could open a campaign in another team's wijk (the access matrix says "eigen")
        object Body(string area) => new
        {
            areaCode = area, areaLevel = "wijk", title = "Wij(k) aan zet!", indienenFrom = "2027-05-01", indienenTo = "2027-05-20",
            stemmenFrom = "2027-06-01", stemmenTo = "2027-06-15", uitslagOn = "2027-07-01",
        };
        var zuid = await _app.SignedInAsync("team-zuid");
        var huiswaard = await zuid.PostAsJsonAsync("/api/wijkaanzet", Body("WK036105")); // Huiswaard: gebied West
        Assert.Equal(HttpStatusCode.Forbidden, huiswaard.StatusCode);
        Assert.Equal(0L, await _ds.ScalarAsync<long>("SELECT count(*) FROM campagne WHERE area_code = 'WK036105'"));
        var own = await _ds.ScalarAsync<string>(
            "SELECT w.code FROM area_in_force w WHERE w.level = 'wijk' AND w.parent_code = 'GB0361-zuid' ORDER BY w.code LIMIT 1");
        Assert.Equal(HttpStatusCode.Created, (await zuid.PostAsJsonAsync("/api/wijkaanzet", Body(own))).StatusCode);
        // the page offers only the wijken and dorpen of the team's own gebied
        var areas = await _s.AreasToStartInAsync(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimsIdentity.DefaultRoleClaimType, "gebiedsteam"), new(Features.Accounts.KaartClaims.Gebied, "GB0361-zuid")], "test")));
        Assert.Contains(areas, a => a.Code == own);
        Assert.DoesNotContain(areas, a => a.Code == "WK036105");
    }
}
