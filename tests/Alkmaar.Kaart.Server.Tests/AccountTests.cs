using System.Net;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

public class AccountTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task Passwords_are_stored_as_Identity_hashes_never_as_given()
    {
        await fx.Factory.EnsureUserAsync("hash-check", [KaartRoles.Planner], []);
        await using var cmd = fx.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>()
            .CreateCommand("SELECT password_hash FROM app_user WHERE user_name = 'hash-check'");
        var hash = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.DoesNotContain(TestAccounts.Password, hash);
        Assert.Equal(0x01, Convert.FromBase64String(hash)[0]); // Identity V3 format: PBKDF2 with HMAC-SHA512
    }

    [Fact]
    public async Task Signing_in_sets_the_cookie_and_returns_to_the_local_page_asked_for()
    {
        await fx.Factory.EnsureUserAsync("signin-ok", [KaartRoles.Beheerder], []);
        var client = fx.Factory.CreateNoRedirectClient();
        var response = await client.SignInAsync("signin-ok", TestAccounts.Password, returnUrl: "/beheer/gebruikers");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http://localhost/beheer/gebruikers", response.Headers.Location?.ToString());
        var page = await client.GetAsync("/beheer/gebruikers");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var audit = await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "gebruiker", subjectId: "signin-ok");
        Assert.Contains(audit, e => e.Action == "ingelogd");
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_not_followed()
    {
        await fx.Factory.EnsureUserAsync("signin-redirect", [KaartRoles.Planner], []);
        var client = fx.Factory.CreateNoRedirectClient();
        var response = await client.SignInAsync("signin-redirect", TestAccounts.Password, returnUrl: "//evil.example/phish");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http://localhost/", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task A_wrong_password_gets_a_Dutch_message_and_the_account_locks_after_five()
    {
        await fx.Factory.EnsureUserAsync("signin-lock", [KaartRoles.Planner], []);
        var client = fx.Factory.CreateNoRedirectClient();
        const string sameAnswer = "Gebruikersnaam of wachtwoord klopt niet, of het account is tijdelijk geblokkeerd";
        for (var i = 0; i < 4; i++)
        {
            var wrong = await client.SignInAsync("signin-lock", "helemaal-niet-goed");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains(sameAnswer, await wrong.Content.ReadAsStringAsync());
        }
        var fifth = await client.SignInAsync("signin-lock", "helemaal-niet-goed");
        Assert.Contains(sameAnswer, await fifth.Content.ReadAsStringAsync());
        // Locked: even the right password is refused now, with the same answer as a wrong password or an unknown name
        var right = await client.SignInAsync("signin-lock", TestAccounts.Password);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.DoesNotContain(right.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith(AccountSetup.CookieName + "=") && !v.Contains("expires=Thu, 01 Jan 1970")));
        var unknown = await client.SignInAsync("bestaat-niet-" + Guid.NewGuid().ToString("N")[..6], "helemaal-niet-goed");
        static string Message(string html) => System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"signin-error\">([^<]*)<").Groups[1].Value;
        var messages = new[] { await fifth.Content.ReadAsStringAsync(), await right.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync() }.Select(Message).ToList();
        Assert.All(messages, m => Assert.Equal(messages[0], m));
        Assert.NotEmpty(messages[0]);

        // every authentication decision is audited
        var audit = await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "gebruiker", subjectId: "signin-lock");
        Assert.Contains(audit, e => e.Action == "inloggen mislukt (wachtwoord)");
        Assert.Contains(audit, e => e.Action == "geblokkeerd na mislukte pogingen");
        Assert.Contains(audit, e => e.Action == "inloggen geweigerd (geblokkeerd)");
        Assert.Contains(await fx.Factory.Services.GetRequiredService<AuditLog>().ListAsync(subjectType: "gebruiker"),
            e => e.Action == "inloggen mislukt (onbekende naam)" && e.SubjectId is null);

        await using var scope = fx.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KaartUser>>();
        Assert.True(await users.IsLockedOutAsync((await users.FindByNameAsync("signin-lock"))!));
    }

    [Theory]
    [InlineData("landing-team", KaartRoles.Gebiedsteam, "/meldingen")]
    [InlineData("landing-planner", KaartRoles.Planner, "/beheer/indeling")]
    [InlineData("landing-beheer", KaartRoles.Beheerder, "/")]
    public async Task Staff_land_where_their_work_is_after_signing_in_and_a_return_address_still_wins(string name, string role, string landing)
    {
        // issue 27 (low): staff landed on the public map after signing in
        await fx.Factory.EnsureUserAsync(name, [role], role == KaartRoles.Gebiedsteam ? ["GB0361-noord"] : []);
        var response = await fx.Factory.CreateNoRedirectClient().SignInAsync(name, TestAccounts.Password);
        Assert.Equal(landing, new Uri(response.Headers.Location!.ToString()).AbsolutePath);
        var back = await fx.Factory.CreateNoRedirectClient().SignInAsync(name, TestAccounts.Password, "/gebieden");
        Assert.Equal("/gebieden", new Uri(back.Headers.Location!.ToString()).AbsolutePath);
    }

    [Fact]
    public async Task Signing_in_without_the_antiforgery_token_is_refused()
    {
        await fx.Factory.EnsureUserAsync("signin-csrf", [KaartRoles.Planner], []);
        var client = fx.Factory.CreateNoRedirectClient();
        var response = await client.PostAsync("/inloggen", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "inloggen", ["Input.UserName"] = "signin-csrf", ["Input.Password"] = TestAccounts.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith(AccountSetup.CookieName)));
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var client = await fx.Factory.SignedInAsync("beheerder");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/beheer/gebruikers")).StatusCode);
        var home = await client.GetStringAsync("/");
        var token = TestAccounts.HiddenValue(home, "__RequestVerificationToken");
        var response = await client.PostAsync("/account/uitloggen", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["returnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await client.GetAsync("/beheer/gebruikers");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("http://localhost/inloggen", after.Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_user_command_creates_a_beheerder_with_a_generated_password_that_signs_in()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await UserCommand.RunAsync(fx.Factory.Services, ["add", "eerste-beheerder", "--role", "beheerder"], new StringReader(""), output, errors);
        Assert.True(code == 0, errors.ToString());
        var password = output.ToString().Split("Wachtwoord (eenmalig getoond): ")[1].Trim();
        var client = fx.Factory.CreateNoRedirectClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync("eerste-beheerder", password)).StatusCode);

        // Refusals: unknown role, gebiedsteam without gebied, unknown gebied, short password.
        Assert.Equal(2, await UserCommand.RunAsync(fx.Factory.Services, ["add", "x1", "--role", "koning"], new StringReader(""), output, errors));
        Assert.Equal(2, await UserCommand.RunAsync(fx.Factory.Services, ["add", "x2", "--role", "gebiedsteam"], new StringReader(""), output, errors));
        Assert.Equal(2, await UserCommand.RunAsync(fx.Factory.Services, ["add", "x3", "--role", "gebiedsteam", "--gebied", "GB0361-mars"], new StringReader(""), output, errors));
        Assert.Equal(2, await UserCommand.RunAsync(fx.Factory.Services, ["add", "x4", "--role", "planner", "--password-stdin"], new StringReader("kort\n"), output, errors));
        Assert.Contains("Een wachtwoord heeft ten minste 12 tekens", errors.ToString());
    }

    [Fact]
    public async Task The_user_command_makes_a_partner_account_only_for_a_party_in_a_register_and_it_lands_on_its_tasks()
    {
        await fx.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().ExecAsync(
            """
            INSERT INTO gebiedsteam_partner (gebied_code, organisation, kind)
            SELECT 'GB0361-west', 'Jongerenwerk West (commandtest)', 'Jongerenwerk'
            WHERE NOT EXISTS (SELECT 1 FROM gebiedsteam_partner WHERE organisation = 'Jongerenwerk West (commandtest)')
            """);
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(2, await UserCommand.RunAsync(fx.Factory.Services, ["add", "p1", "--role", "partner"], new StringReader(""), output, errors));
        Assert.Equal(2, await UserCommand.RunAsync(fx.Factory.Services, ["add", "p2", "--role", "partner", "--partij", "Nergens BV"], new StringReader(""), output, errors));
        Assert.Equal(2, await UserCommand.RunAsync(fx.Factory.Services, ["add", "p3", "--role", "partner", "--role", "planner", "--partij", "Jongerenwerk West (commandtest)"], new StringReader(""), output, errors));
        Assert.Contains("staat in geen enkel Gebiedsteam+ register", errors.ToString());
        var code = await UserCommand.RunAsync(fx.Factory.Services, ["add", "jongerenwerk-west", "--role", "partner", "--partij", "Jongerenwerk West (commandtest)"],
            new StringReader(""), output, errors);
        Assert.True(code == 0, errors.ToString());
        var password = output.ToString().Split("Wachtwoord (eenmalig getoond): ")[1].Trim();
        var signIn = await fx.Factory.CreateNoRedirectClient().SignInAsync("jongerenwerk-west", password);
        Assert.Equal("/taken", signIn.Headers.Location?.AbsolutePath);
    }
}
