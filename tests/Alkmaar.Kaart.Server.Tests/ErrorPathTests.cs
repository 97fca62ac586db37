using System.Net;
using Alkmaar.Kaart.Server.Database;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>One exception path: while PostgreSQL cannot be reached every API answers 503 problem+json with Retry-After
/// and every page a Dutch page; a bad year in a page link is no error at all.</summary>
public class ErrorPathTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    /// <summary>The server started (and migrated) on the real database, with its data source then pointing at a closed port.</summary>
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> DatabaseDown() =>
        new KaartAppFactory(fx.Database).WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddSingleton(KaartDatabase.CreateDataSource("Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=2"))));

    [Theory]
    [InlineData("/api/areas?level=gebied")]
    [InlineData("/api/meldingen/openbaar")]
    [InlineData("/ogc/collections/buurten/items")]
    [InlineData("/api/gebiedsteams")]
    [InlineData("/api/hotspots")]
    public async Task While_PostgreSQL_is_unreachable_APIs_answer_503_problem_with_Retry_After(string url)
    {
        await using var down = DatabaseDown();
        var response = await down.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter is not null, "no Retry-After");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Tijdelijk niet beschikbaar", body);
        Assert.DoesNotContain("   at ", body); // no stack trace
    }

    [Fact]
    public async Task While_PostgreSQL_is_unreachable_a_page_is_a_Dutch_page()
    {
        await using var down = DatabaseDown();
        var response = await down.CreateClient().GetAsync("/gebied/WK036101");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("lang=\"nl\"", html);
        Assert.Contains("niet bereikbaar", html);
    }

    [Theory]
    [InlineData("/meldingen/lijst")]
    [InlineData("/dit/bestaat/niet")]
    [InlineData("/favicon-onbekend.png")]
    public async Task An_unknown_url_is_a_Dutch_not_found_page_and_an_unknown_api_a_problem(string url)
    {
        var client = fx.Factory.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("lang=\"nl\"", html);
        Assert.Contains("Pagina niet gevonden", html);
        Assert.Contains("href=\"/\"", html);
        var api = await client.GetAsync("/api/bestaat-niet");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_page_link_with_a_bad_year_shows_the_page()
    {
        var response = await fx.Factory.CreateClient().GetAsync("/gebied/WK036101?jaar=abc");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/ogc/collections/buurten/items?code=%00")]
    [InlineData("/api/meldingen/openbaar?category=%00")]
    [InlineData("/api/areas/WK036101?level=%01")]
    public async Task NUL_and_control_characters_in_a_query_are_a_400_problem(string url)
    {
        var response = await fx.Factory.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void A_failover_without_a_primary_yet_is_the_database_being_away_not_an_error()
    {
        // Npgsql's answer when every host of a multi-host connection string (Patroni) is a standby or down: 503 + Retry-After
        Assert.True(Features.Security.ErrorHandling.IsDatabaseUnavailable(new Npgsql.NpgsqlException("No suitable host was found.")));
        Assert.False(Features.Security.ErrorHandling.IsDatabaseUnavailable(new InvalidOperationException("No suitable host was found.")));
        Assert.False(Features.Security.ErrorHandling.IsDatabaseUnavailable(new Npgsql.NpgsqlException("syntax error")));
    }
}
