using System.Net;
using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Sessions that end: sign-out, role change, password reset and removal end every copy of a sign-in at once,
/// without errors; an open page cannot act on rights that were revoked; sign-in is throttled per client.</summary>
public class SessionTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private async Task<HttpClient> SignedInAsync(string name)
    {
        await fx.Factory.EnsureUserAsync("beheerder", [KaartRoles.Beheerder], []);
        var client = fx.Factory.CreateNoRedirectClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(name, TestAccounts.Password)).StatusCode);
        return client;
    }

    private async Task<KaartUser> UserAsync(string name)
    {
        await using var scope = fx.Factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<KaartUser>>().FindByNameAsync(name))!;
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(string name)
    {
        await using var scope = fx.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KaartUser>>();
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<KaartUser>>().CreateAsync((await users.FindByNameAsync(name))!);
    }

    [Fact]
    public async Task A_saved_cookie_reads_nothing_after_signing_out()
    {
        await fx.Factory.EnsureUserAsync("sessie-uit", [KaartRoles.Beheerder], []);
        var client = await SignedInAsync("sessie-uit");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/meldingen")).StatusCode);
        // a copy of the cookie, as an attacker who saved it would have
        var saved = fx.Factory.CreateNoRedirectClient();
        var cookie = client.DefaultRequestHeaders.Contains("Cookie") ? null : await CookieOf(client);
        saved.DefaultRequestHeaders.Add("Cookie", cookie!);
        Assert.Equal(HttpStatusCode.OK, (await saved.GetAsync("/api/meldingen")).StatusCode);

        var token = TestAccounts.HiddenValue(await client.GetStringAsync("/"), "__RequestVerificationToken");
        await client.PostAsync("/account/uitloggen", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Unauthorized, (await saved.GetAsync("/api/meldingen")).StatusCode);
    }

    [Theory]
    [InlineData("rollen")]
    [InlineData("wachtwoord")]
    [InlineData("verwijderd")]
    public async Task A_change_to_the_account_ends_its_sessions_and_every_url_still_answers_without_error(string change)
    {
        var name = "sessie-" + change;
        await fx.Factory.EnsureUserAsync(name, [KaartRoles.Beheerder], []);
        var client = await SignedInAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/meldingen")).StatusCode);

        await fx.Factory.EnsureUserAsync("beheerder", [KaartRoles.Beheerder], []);
        var admin = await PrincipalAsync("beheerder");
        await using (var scope = fx.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            var id = (await UserAsync(name)).Id;
            switch (change)
            {
                case "rollen": await users.UpdateAsync(admin, id, [KaartRoles.Planner], []); break;
                case "wachtwoord": await users.ResetPasswordAsync(admin, id); break;
                default: await users.DeleteAsync(admin, id); break;
            }
        }
        // no 500 anywhere (it was: "No sign-out authentication handler is registered for the scheme 'Identity.TwoFactorRememberMe'")
        foreach (var url in new[] { "/", "/inloggen", "/health", "/api/areas?level=gebied", "/beheer/gebruikers", "/api/meldingen" })
        {
            var response = await client.GetAsync(url);
            Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/meldingen")).StatusCode);
        // the cookie was cleared: the sign-in page is reachable again
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/inloggen")).StatusCode);
    }

    [Fact]
    public async Task An_open_page_cannot_use_rights_that_were_revoked_since_it_was_opened()
    {
        await fx.Factory.EnsureUserAsync("sessie-open-pagina", [KaartRoles.Beheerder], []);
        await fx.Factory.EnsureUserAsync("sessie-doelwit", [KaartRoles.Planner], []);
        await fx.Factory.EnsureUserAsync("beheerder", [KaartRoles.Beheerder], []);
        // the principal a Blazor circuit captured when /beheer/gebruikers was opened
        var captured = await PrincipalAsync("sessie-open-pagina");
        var admin = await PrincipalAsync("beheerder");
        await using var scope = fx.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var target = (await UserAsync("sessie-doelwit")).Id;
        await users.ResetPasswordAsync(captured, target); // still a beheerder: allowed

        await users.UpdateAsync(admin, (await UserAsync("sessie-open-pagina")).Id, [KaartRoles.Planner], []);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => users.ResetPasswordAsync(captured, target));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => users.ListAsync(captured));
        // and the Blazor circuit's authentication state is found invalid on its next revalidation
        Assert.Null(await scope.ServiceProvider.GetRequiredService<FreshPrincipal>().GetAsync(captured));
    }

    [Fact]
    public async Task An_open_page_cannot_change_a_melding_of_a_gebied_its_user_no_longer_has()
    {
        // issue 27, item 19: only user administration re-read the actor; a team page kept changing meldingen for 20 s
        await fx.Factory.EnsureUserAsync("sessie-team", [KaartRoles.Gebiedsteam], ["GB0361-noord"]);
        await fx.Factory.EnsureUserAsync("beheerder", [KaartRoles.Beheerder], []);
        var meldingen = fx.Factory.Services.GetRequiredService<Features.Meldingen.MeldingService>();
        var (x, y) = await Alkmaar.Kaart.Testing.TestData.InsideAsync(fx.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(), "GB0361-noord");
        var created = await meldingen.CreateAsync(new Features.Meldingen.NewMelding { Category = "afval", Description = "sessie", X = x, Y = y }, "api", "test");
        Assert.Equal("GB0361-noord", created.Routing.Gebied);
        var captured = await PrincipalAsync("sessie-team"); // the principal the team's open page holds
        await meldingen.SetStatusAsync(captured, created.Id, "in_behandeling"); // still in Noord: allowed
        await using var scope = fx.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .UpdateAsync(await PrincipalAsync("beheerder"), (await UserAsync("sessie-team")).Id, [KaartRoles.Gebiedsteam], ["GB0361-zuid"]);
        await Assert.ThrowsAsync<Features.Meldingen.MeldingRejectedException>(() => meldingen.SetStatusAsync(captured, created.Id, "afgehandeld"));
        await Assert.ThrowsAsync<Features.Meldingen.MeldingRejectedException>(() => meldingen.AddNoteAsync(captured, created.Id, "intern", "mag niet meer"));
        Assert.Null(await meldingen.GetAsync(captured, created.Id)); // nor read its personal data
        Assert.Equal("in_behandeling", (await meldingen.GetAsync(await PrincipalAsync("beheerder"), created.Id))!.Value.Melding.Status);
    }

    [Fact]
    public async Task Sign_in_attempts_are_throttled_per_client()
    {
        await using var limited = new KaartAppFactory(fx.Database).WithWebHostBuilder(b => b.UseSetting("RateLimits:SignInsPerMinute", "10"));
        var client = limited.CreateNoRedirectClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++) statuses.Add((await client.SignInAsync("bestaat-niet-" + i, "verkeerd-wachtwoord")).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
    }

    private static async Task<string> CookieOf(HttpClient client)
    {
        // HandleCookies clients keep their cookies inside the handler; the test helper exposes them through a request echo
        var response = await client.GetAsync("/api/areas?level=gemeente");
        var header = response.RequestMessage!.Headers.TryGetValues("Cookie", out var v) ? string.Join("; ", v) : null;
        return header ?? throw new InvalidOperationException("no cookie");
    }
}
