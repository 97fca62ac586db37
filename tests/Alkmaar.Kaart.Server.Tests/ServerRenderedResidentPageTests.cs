using System.Net;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// "Wie is mijn gebiedsteam?" is server-rendered HTML first (issue 35): no Blazor script and no live connection; the
/// plain form's question is answered in the HTML itself; what the form sends as typed ("1822 aa", an empty toevoeging)
/// is redirected to the one normalised address of that answer, the link to share.
/// </summary>
public class ServerRenderedResidentPageTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task Mijn_gebiedsteam_answers_in_the_html_without_a_live_connection_and_normalises_the_question()
    {
        await TestData.EnsureDemoAddressesAsync(fx.Factory.Services);
        var http = fx.Factory.CreateNoRedirectClient();
        var empty = await http.GetStringAsync("/mijn-gebiedsteam");
        Assert.DoesNotContain("blazor.web", empty);
        Assert.Contains("dist/resident-page", empty);
        Assert.Contains("data-resident-map", empty);

        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("SELECT postcode, huisnummer FROM address WHERE toevoeging = '' ORDER BY bag_id LIMIT 1");
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        var (postcode, nr) = (r.GetString(0), r.GetInt32(1));

        // as typed in the form: a redirect to the normalised question
        var typed = await http.GetAsync($"/mijn-gebiedsteam?postcode={postcode[..4]}+{postcode[4..].ToLowerInvariant()}&huisnummer={nr}&toevoeging=");
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        Assert.EndsWith($"mijn-gebiedsteam?postcode={postcode}&huisnummer={nr}", typed.Headers.Location!.ToString());
        // the normalised question: the answer in the page itself
        var answer = await http.GetStringAsync($"/mijn-gebiedsteam?postcode={postcode}&huisnummer={nr}");
        Assert.Contains("data-testid=\"answer-team\"", answer);
        Assert.Contains("Gebiedsteam", answer);
        Assert.DoesNotContain("blazor.web", answer);
        // a postcode that is no postcode is not redirected but answered with the form's message
        var bad = await http.GetAsync("/mijn-gebiedsteam?postcode=abc&huisnummer=1");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("form-error", await bad.Content.ReadAsStringAsync());
    }
    [Fact]
    public async Task A_posted_form_the_page_no_longer_shows_or_with_an_expired_token_gets_the_dutch_page_with_what_was_typed()
    {
        var http = fx.Factory.CreateNoRedirectClient();
        // a token as a page gives it (the melding form is on the page for anyone)
        var html = await http.GetStringAsync("/melding");
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        // the campaign form of /wijkaanzet is there only for staff: a visitor's post of it (a sign-in that ended meanwhile)
        var gone = await http.PostAsync("/wijkaanzet", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "campagne", ["__RequestVerificationToken"] = token, ["Input.Title"] = "Wij(k) aan zet! <Huiswaard>",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, gone.StatusCode);
        Assert.Equal("text/html", gone.Content.Headers.ContentType?.MediaType);
        var page = await gone.Content.ReadAsStringAsync();
        Assert.Contains("data-form-answer=\"form\"", page);
        Assert.Contains("Wij(k) aan zet! &lt;Huiswaard&gt;", page); // what was typed, to copy (and encoded)
        Assert.DoesNotContain(token, page);
        Assert.DoesNotContain("Cannot submit", page);
        // a token that is no longer valid: the same page, saying so
        var stale = await http.PostAsync("/melding", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "melding", ["__RequestVerificationToken"] = "CfDJ8-verlopen", ["Input.Description"] = "Losse stoeptegel",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        var expired = await stale.Content.ReadAsStringAsync();
        Assert.Contains("data-form-answer=\"token\"", expired);
        Assert.Contains("Losse stoeptegel", expired);
        // an ordinary post still gets its page (the melding form refusing an empty description in Dutch, 200)
        var ordinary = await http.PostAsync("/melding", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "melding", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.OK, ordinary.StatusCode);
        Assert.DoesNotContain("data-form-answer", await ordinary.Content.ReadAsStringAsync());
    }
}
