using System.Net;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

public class SecurityTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/inloggen")]
    [InlineData("/api/areas?level=gebied")]
    [InlineData("/api/meldingen")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        var response = await fx.Factory.CreateNoRedirectClient().GetAsync(path);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task The_sign_in_cookie_is_http_only_and_same_site()
    {
        await fx.Factory.EnsureUserAsync("cookie-check", ["planner"], []);
        var response = await fx.Factory.CreateNoRedirectClient().SignInAsync("cookie-check", TestAccounts.Password);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("kaart.auth="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Public_writes_are_rate_limited_per_client_with_a_429_problem()
    {
        await using var limited = fx.Factory.WithWebHostBuilder(b => b.UseSetting("RateLimits:PublicWritesPerMinute", "3"));
        var client = limited.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await client.PostAsync("/api/meldingen", new StringContent(
                """{"category":"afval","description":"rate","lat":52.6366,"lon":4.7393}""", Encoding.UTF8, "application/json"));
            statuses.Add(last.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        Assert.True(last.Headers.Contains("Retry-After"));
        // Reads are limited separately: the map still loads.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/areas?level=gebied")).StatusCode);
    }

    [Fact]
    public async Task The_live_pages_and_the_API_spend_one_write_budget()
    {
        // Issue 27, M8: a verbeterpunt, a vote with a letter's code and an application sent from an interactive page go
        // through the live connection, never through the HTTP rate limiter; they spend the same budget (PublicWriteBudget)
        await using var limited = fx.Factory.WithWebHostBuilder(b => b.UseSetting("RateLimits:PublicWritesPerMinute", "3"));
        var client = limited.CreateClient();
        var budget = limited.Services.GetRequiredService<Features.Security.PublicWriteBudget>();
        var client0 = "onbekend"; // the test server's requests have no remote address
        Assert.True(budget.TrySpend(client0)); // the page's submit
        Assert.True(budget.TrySpend(client0));
        Task<HttpResponseMessage> Post() => client.PostAsync("/api/meldingen", new StringContent(
            """{"category":"afval","description":"budget","lat":52.6366,"lon":4.7393}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, (await Post()).StatusCode); // the third write of the minute
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Post()).StatusCode);
        Assert.False(budget.TrySpend(client0)); // and the page is refused too
        Assert.True(budget.TrySpend("192.0.2.7")); // another client has its own
    }

    [Fact]
    public async Task A_planner_uploads_boundaries_invalid_geometry_is_refused_with_its_problems_and_the_change_is_audited()
    {
        var planner = await fx.Factory.SignedInAsync("planner");
        const string bowTie = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"buurtcode":"BU03610001","buurtnaam":"Strik"},
             "geometry":{"type":"Polygon","coordinates":[[[110000,515000],[111000,516000],[111000,515000],[110000,516000],[110000,515000]]]}}]}
            """;
        var refused = await planner.PostAsync("/api/boundaries", new StringContent(bowTie, Encoding.UTF8, "application/geo+json"));
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetProperty("code").GetString() == "BU03610001");

        // A melding routed on the version in force keeps its stamp when that version is replaced.
        Assert.Equal(HttpStatusCode.Created, (await fx.Factory.CreateClient().PostAsync("/api/meldingen", new StringContent(
            """{"category":"afval","description":"voor de vervanging","lat":52.6366,"lon":4.7393}""", Encoding.UTF8, "application/json"))).StatusCode);

        // The real file again: the same version, nothing changes. In WGS84 it is a new import of the same year.
        var same = await planner.PostAsync("/api/boundaries", new ByteArrayContent(await File.ReadAllBytesAsync(TestPaths.RealBuurten))
            { Headers = { ContentType = new("application/geo+json") } });
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.True(JsonDocument.Parse(await same.Content.ReadAsStringAsync()).RootElement.GetProperty("unchanged").GetBoolean());

        // CBS's generalised 2024 buurten in WGS84 instead of the municipality's full-resolution ones: every buurt's boundary
        // moves (tens of metres), so the guard asks for a confirmation after the preview; with its code it is imported
        var cbs = await File.ReadAllBytesAsync(TestPaths.Cbs("wgs84/alkmaar_buurten_2024.geojson"));
        ByteArrayContent Cbs() => new(cbs) { Headers = { ContentType = new("application/geo+json") } };
        Assert.Equal(HttpStatusCode.Conflict, (await planner.PostAsync("/api/boundaries", Cbs())).StatusCode);
        var code = JsonDocument.Parse(await (await planner.PostAsync("/api/boundaries?preview=true", Cbs())).Content.ReadAsStringAsync())
            .RootElement.GetProperty("confirmCode").GetString()!;
        var wgs84 = await planner.PostAsync($"/api/boundaries?confirm={Uri.EscapeDataString(code)}", Cbs());
        var body = JsonDocument.Parse(await wgs84.Content.ReadAsStringAsync()).RootElement;
        Assert.True(wgs84.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(66, body.GetProperty("counts").GetProperty("buurt").GetInt32());
        var audit = await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "grenzen");
        Assert.Contains(audit, e => e.Actor == "planner" && e.Action == "grenzen geïmporteerd" && e.SubjectId == body.GetProperty("version").GetInt32().ToString());

        // A beheerder is not a planner.
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        Assert.Equal(HttpStatusCode.Forbidden, (await beheerder.PostAsync("/api/boundaries", new StringContent(bowTie, Encoding.UTF8, "application/geo+json"))).StatusCode);
    }
}
