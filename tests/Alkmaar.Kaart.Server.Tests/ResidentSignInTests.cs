using System.Net;
using System.Net.Http.Json;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Where configured, residents vote after signing in with the municipality's sign-in instead of a letter's code (issue 20):
/// the whole OpenID Connect flow (code + PKCE) against a real provider on loopback, the resident's address (from the
/// sign-in) deciding whether they may vote in this wijk, the same ballot rules as a code, and nothing of who they are kept.
/// </summary>
public class ResidentSignInTests : IAsyncLifetime
{
    private readonly TestClock _clock = new(new DateTimeOffset(2027, 5, 12, 10, 0, 0, TimeSpan.Zero));
    private readonly KaartAppFixture _fx = new();
    private NpgsqlDataSource _ds = null!;
    private KaartAppFactory _factory = null!;
    private TestIdentityProvider _idp = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        await _fx.InitializeAsync();
        (_ds, _factory) = (_fx.DataSource, _fx.Factory);
        _idp = await TestIdentityProvider.StartAsync();
        _app = _factory.WithWebHostBuilder(b =>
        {
            foreach (var (k, v) in _idp.Settings()) b.UseSetting(k, v);
            b.ConfigureServices(s => s.AddSingleton<TimeProvider>(_clock));
        });
        // two addresses in Huiswaard, one in Oudorp
        foreach (var (bag, pc, nr, wijk) in new[] { ("t-1", "1822AA", 1, "WK036105"), ("t-2", "1822AA", 2, "WK036105"), ("t-3", "1823BB", 7, "WK036102") })
        {
            var (x, y) = await TestData.InsideAsync(_ds, wijk);
            await _ds.ExecAsync("INSERT INTO address (bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom) VALUES ($1, $2, $3, '', 'Teststraat', 'Alkmaar', ST_SetSRID(ST_MakePoint($4, $5), 28992))",
                bag, pc, nr, x, y);
        }
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _idp.DisposeAsync();
        await _fx.DisposeAsync();
    }

    /// <summary>A browser: follows redirects between the app (in memory) and the provider (on loopback), keeping the app's cookies.</summary>
    private sealed class Browser(HttpClient app, TestIdentityProvider idp)
    {
        private readonly HttpClient _external = new(new HttpClientHandler { AllowAutoRedirect = false });

        public async Task<(HttpStatusCode Status, string Url)> GoAsync(string url)
        {
            for (var hops = 0; hops < 10; hops++)
            {
                var external = url.StartsWith(idp.Authority, StringComparison.Ordinal);
                var response = external ? await _external.GetAsync(url) : await app.GetAsync(url.Replace("http://localhost", ""));
                if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)) return (response.StatusCode, url);
                var next = response.Headers.Location!;
                url = next.IsAbsoluteUri ? next.ToString() : next.ToString().StartsWith('/') ? next.ToString() : "/" + next;
            }
            throw new InvalidOperationException("too many redirects");
        }
    }

    private async Task<(int Campagne, long A, long B, long C)> CampaignInVotingAsync()
    {
        var s = _app.Services.GetRequiredService<WijkAanZetService>();
        var old = _clock.Now;
        _clock.Now = new DateTimeOffset(2027, 4, 2, 10, 0, 0, TimeSpan.Zero);
        var c = await s.CreateCampagneAsync("WK036105", "wijk", "Wij(k) aan zet Huiswaard", new(2027, 4, 1), new(2027, 4, 30), new(2027, 5, 10), new(2027, 5, 24), new(2027, 7, 1), "test");
        var a = (await s.SubmitAsync(c, "Meer groen op het plein", "", "groen", null, null)).Id;
        var b = (await s.SubmitAsync(c, "Betere verlichting", "", "veilig", null, null)).Id;
        var d = (await s.SubmitAsync(c, "Speeltuin opknappen", "", "spelen en sport", null, null)).Id;
        _clock.Now = old;
        return (c, a, b, d);
    }

    private Task<long> Votes(long point) => _ds.ScalarAsync<long>("SELECT count(*) FROM stem WHERE verbeterpunt_id = $1 AND returned_at IS NULL", point);

    [Fact]
    public async Task A_resident_signs_in_with_the_municipality_and_votes_in_their_own_wijk_once_without_a_code()
    {
        var (c, a, b, d) = await CampaignInVotingAsync();
        var http = _app.CreateNoRedirectClient();
        var browser = new Browser(http, _idp);
        var before = await (await http.GetAsync($"/api/wijkaanzet/{c}/inwoner")).JsonAsync();
        Assert.False(before.GetProperty("signedIn").GetBoolean());
        // not signed in: no ballot without a code
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { a } })).StatusCode);

        _idp.Resident = ("999990001", "1822AA", 1, null);
        var (status, url) = await browser.GoAsync($"/wijkaanzet/{c}/inloggen");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith($"/wijkaanzet/{c}?ingelogd=1", url);
        Assert.Equal(1, _idp.SignIns);
        var me = await (await http.GetAsync($"/api/wijkaanzet/{c}/inwoner")).JsonAsync();
        Assert.True(me.GetProperty("signedIn").GetBoolean());
        Assert.Equal("1822AA 1", me.GetProperty("address").GetString());
        Assert.True(me.GetProperty("resident").GetBoolean());
        Assert.Equal(3, me.GetProperty("votesLeft").GetInt32());
        Assert.DoesNotContain("Test Inwoner", me.GetRawText()); // the provider's name for them is not kept

        var voted = await (await http.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { a, b } })).JsonAsync();
        Assert.Equal(2, voted.GetProperty("votes").GetInt32());
        // one ballot per resident: a second one is refused, also after signing in again
        var again = await (await http.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { d } })).JsonAsync(HttpStatusCode.Conflict);
        Assert.Contains("al gestemd", again.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync("/api/wijkaanzet/inwoner/uitloggen", new { })).StatusCode);
        Assert.False((await (await http.GetAsync($"/api/wijkaanzet/{c}/inwoner")).JsonAsync()).GetProperty("signedIn").GetBoolean());
        await browser.GoAsync($"/wijkaanzet/{c}/inloggen");
        Assert.Equal(0, (await (await http.GetAsync($"/api/wijkaanzet/{c}/inwoner")).JsonAsync()).GetProperty("votesLeft").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { d } })).StatusCode);

        // a housemate signs in on another browser: their own ballot
        var other = _app.CreateNoRedirectClient();
        _idp.Resident = ("999990002", "1822AA", 1, null);
        await new Browser(other, _idp).GoAsync($"/wijkaanzet/{c}/inloggen");
        Assert.Equal(1, (await (await other.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { a } })).JsonAsync()).GetProperty("votes").GetInt32());
        Assert.Equal(new long[] { 2, 1, 0 }, await Task.WhenAll(new[] { a, b, d }.Select(Votes)));

        // nothing of who they are is stored: two ballots under keys that are not the subject, nor a plain hash of it
        Assert.Equal(2, await _ds.ScalarAsync<long>("SELECT count(*) FROM stemcode WHERE batch = 0"));
        var plain = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("999990001"));
        Assert.Equal(0, await _ds.ScalarAsync<long>("SELECT count(*) FROM stemcode WHERE code_hash = $1", plain));
        Assert.Equal(0, await _ds.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%99999000%'"));
    }

    [Fact]
    public async Task A_resident_of_another_wijk_or_an_unknown_address_is_refused_and_so_is_a_ballot_a_form_on_another_site_could_send()
    {
        var (c, a, _, _) = await CampaignInVotingAsync();
        var http = _app.CreateNoRedirectClient();
        _idp.Resident = ("999990003", "1823BB", 7, null); // Oudorp
        await new Browser(http, _idp).GoAsync($"/wijkaanzet/{c}/inloggen");
        Assert.False((await (await http.GetAsync($"/api/wijkaanzet/{c}/inwoner")).JsonAsync()).GetProperty("resident").GetBoolean());
        var refused = await (await http.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { a } })).JsonAsync(HttpStatusCode.Forbidden);
        Assert.Contains("ligt niet in Huiswaard", refused.GetProperty("detail").GetString());

        var elsewhere = _app.CreateNoRedirectClient();
        _idp.Resident = ("999990004", "9999ZZ", 1, null);
        await new Browser(elsewhere, _idp).GoAsync($"/wijkaanzet/{c}/inloggen");
        var unknown = await (await elsewhere.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { a } })).JsonAsync(HttpStatusCode.Forbidden);
        Assert.Contains("geen adres in de gemeente", unknown.GetProperty("detail").GetString());

        // a resident of Huiswaard, signed in: a plain form post (what another site could make their browser send) is not a ballot
        var home = _app.CreateNoRedirectClient();
        _idp.Resident = ("999990005", "1822AA", 2, null);
        await new Browser(home, _idp).GoAsync($"/wijkaanzet/{c}/inloggen");
        var form = await home.PostAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new FormUrlEncodedContent(new Dictionary<string, string> { ["points"] = a.ToString() }));
        Assert.NotEqual(HttpStatusCode.OK, form.StatusCode);
        Assert.True((int)form.StatusCode < 500);
        Assert.Equal(0, await Votes(a));

        // days later: the sign-in has expired (30 minutes, not a standing session); signed in again, voting has closed
        _clock.Now = new DateTimeOffset(2027, 5, 30, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Unauthorized, (await home.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { a } })).StatusCode);
        await new Browser(home, _idp).GoAsync($"/wijkaanzet/{c}/inloggen");
        Assert.Equal(HttpStatusCode.Conflict, (await home.PostAsJsonAsync($"/api/wijkaanzet/{c}/stemmen/inwoner", new { points = new[] { a } })).StatusCode);
    }

    [Fact]
    public async Task Without_the_municipalitys_sign_in_configured_the_resident_endpoints_answer_404_and_the_page_offers_only_the_code()
    {
        var (c, _, _, _) = await CampaignInVotingAsync();
        using var plain = _factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(_clock)));
        var http = plain.CreateNoRedirectClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/wijkaanzet/{c}/inloggen")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/wijkaanzet/{c}/inwoner")).StatusCode);
        var page = await http.GetStringAsync($"/wijkaanzet/{c}");
        Assert.DoesNotContain("resident-signin", page);
        Assert.Contains("vote-code", page);
        // configured: the page offers the sign-in
        Assert.Contains("resident-signin-link", await _app.CreateClient().GetStringAsync($"/wijkaanzet/{c}"));
        // and a misconfigured sign-in (no pseudonym key) refuses to start
        using var broken = _factory.WithWebHostBuilder(b => b.UseSetting("WijkAanZet:Inloggen:Authority", _idp.Authority).UseSetting("WijkAanZet:Inloggen:ClientId", "x"));
        Assert.Contains("PseudonymKey", Assert.ThrowsAny<Exception>(() => broken.CreateClient()).ToString());
    }
}
