using System.Net;
using System.Text;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Cookie-authenticated writes and the Blazor hub accept only the dashboard's own origin; behind a configured
/// reverse proxy the rate limits key on the real client address (X-Forwarded-For), and only then.</summary>
public class OriginAndProxyTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_signed_in_write_from_another_site_is_refused_and_from_our_own_origin_accepted()
    {
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        async Task<HttpStatusCode> Post(string? origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/initiatieven")
                { Content = Json("""{"title":"Herkomst","theme":"groen","year":2025,"lat":52.6639,"lon":4.7601}""") };
            if (origin is not null) request.Headers.Add("Origin", origin);
            return (await beheerder.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await Post("https://kwaadwillend.example"));
        Assert.Equal(HttpStatusCode.Created, await Post("http://localhost"));
        Assert.Equal(HttpStatusCode.Created, await Post(null)); // no Origin: not a cross-site browser request
        // an anonymous public write carries no cookie: the origin does not matter (residents' forms on other sites may post)
        var anonymous = new HttpRequestMessage(HttpMethod.Post, "/api/meldingen")
            { Content = Json("""{"category":"afval","description":"herkomst","lat":52.6366,"lon":4.7393}""") };
        anonymous.Headers.Add("Origin", "https://andere-site.example");
        Assert.Equal(HttpStatusCode.Created, (await fx.Factory.CreateClient().SendAsync(anonymous)).StatusCode);
    }

    [Fact]
    public async Task The_Blazor_hub_refuses_another_origin()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://kwaadwillend.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await fx.Factory.CreateClient().SendAsync(request)).StatusCode);
        var own = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        own.Headers.Add("Origin", "http://localhost");
        Assert.NotEqual(HttpStatusCode.Forbidden, (await fx.Factory.CreateClient().SendAsync(own)).StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Behind_a_configured_proxy_rate_limits_key_on_the_forwarded_client(bool proxyConfigured)
    {
        // a real socket (Kestrel on loopback): the proxy is this test client at 127.0.0.1
        await using var limited = new ConfiguredFactory(fx.Database, proxyConfigured);
        limited.UseKestrel(0);
        limited.StartServer();
        var client = limited.CreateClient();
        async Task<HttpStatusCode> Post(string clientIp)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/meldingen")
                { Content = Json("""{"category":"afval","description":"proxy","lat":52.6366,"lon":4.7393}""") };
            request.Headers.Add("X-Forwarded-For", clientIp);
            return (await client.SendAsync(request)).StatusCode;
        }
        var a = new[] { await Post("203.0.113.10"), await Post("203.0.113.10"), await Post("203.0.113.10") };
        Assert.True(a[2] == HttpStatusCode.TooManyRequests, string.Join(",", a));
        // another resident behind the same proxy: its own bucket only when the proxy is trusted
        var other = await Post("203.0.113.20");
        var again = await Post("203.0.113.10");
        Assert.True((proxyConfigured ? HttpStatusCode.Created : HttpStatusCode.TooManyRequests) == other, $"{string.Join(",", a)} then {other}, {again}");
    }

    private sealed class ConfiguredFactory(TestDatabase db, bool proxy) : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder b)
        {
            b.UseSetting("ConnectionStrings:Kaart", db.ConnectionString);
            b.UseSetting("Boundaries:Root", TestPaths.RepoRoot);
            b.UseSetting("Map:BackgroundTileUrl", "");
            b.UseSetting("RateLimits:PublicWritesPerMinute", "2");
            b.UseSetting("Meldingen:RetentionJob", "false");
            if (proxy) { b.UseSetting("ReverseProxy:KnownProxies:0", "127.0.0.1"); b.UseSetting("ReverseProxy:KnownProxies:1", "::1"); }
            b.UseEnvironment("Development");
        }
    }
}
