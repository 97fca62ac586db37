using System.Net;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Issue 27's smaller findings, each reproduced: odd input gets a clear answer, never a 500 or a cut-off 200.</summary>
public class FoundInUseTests : IAsyncLifetime
{
    private readonly KaartAppFixture _fx = new();
    public Task InitializeAsync() => _fx.InitializeAsync();
    public Task DisposeAsync() => _fx.DisposeAsync();

    [Fact]
    public async Task A_status_link_with_an_odd_flag_shows_the_page()
    {
        var http = _fx.Factory.CreateClient();
        var created = await http.SubmitMeldingAsync(new { category = "afval", description = "vlag", x = 112000, y = 516000 });
        var link = created.GetProperty("statusUrl").GetString()!;
        var path = new Uri(new Uri("http://localhost/"), link).AbsolutePath;
        var page = await http.GetAsync(path + "?nieuw=x"); // was a 500
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task HEAD_answers_what_GET_would_without_a_body()
    {
        var http = _fx.Factory.CreateClient();
        foreach (var path in new[] { "/", "/mijn-gebiedsteam", "/api/areas?level=gebied", "/ogc" })
        {
            var get = await http.GetAsync(path);
            var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path)); // was 405
            Assert.Equal(get.StatusCode, head.StatusCode);
            Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        var missing = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/bestaat-niet"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_page_of_something_that_does_not_exist_answers_404_with_its_dutch_page()
    {
        var http = _fx.Factory.CreateClient();
        foreach (var (path, text) in new[]
        {
            ("/melding/status/onbekend", "Melding niet gevonden"), ("/wijkaanzet/status/onbekend", "Niet gevonden"),
            ("/initiatief/status/onbekend", "Niet gevonden"), ("/wijkaanzet/999999", "Campagne niet gevonden"),
            ("/gebied/XX0000", "Gebied niet gevonden"), ("/grensband/XX0000", "Grens niet gevonden"),
        })
        {
            var r = await http.GetAsync(path); // was 200
            Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)r.StatusCode}");
            Assert.Contains(text, await r.Content.ReadAsStringAsync());
        }
        // and what exists still answers 200
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/gebied/GB0361-west")).StatusCode);
    }

    [Fact]
    public async Task A_non_finite_cell_size_is_refused_with_a_problem()
    {
        var r = await _fx.Factory.CreateClient().GetAsync("/api/hotspots?cellSize=NaN"); // was a cut-off 200
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_return_address_with_a_tab_signs_out_to_the_start_page()
    {
        var client = await _fx.Factory.SignedInAsync("beheerder");
        var home = await client.GetStringAsync("/");
        var response = await client.PostAsync("/account/uitloggen", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestAccounts.HiddenValue(home, "__RequestVerificationToken"), ["returnUrl"] = "/gebieden\t",
        })); // was a 500
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, response.StatusCode.ToString());
        Assert.DoesNotContain("\t", response.RequestMessage!.RequestUri!.ToString());
    }
}
