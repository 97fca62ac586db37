using System.Net;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Server.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Testing;

/// <summary>Staff accounts for tests: created through Identity's UserManager, signed in through the real /inloggen form.</summary>
public static partial class TestAccounts
{
    public const string Password = "lang-genoeg-wachtwoord-42";

    /// <summary>The party of the standard partner account (its tasks are those handed to this organisation).</summary>
    public const string PartnerParty = "Woningcorporatie Partneraccount (test)";

    /// <summary>One account per role, as the access matrix names them.</summary>
    public static readonly IReadOnlyDictionary<string, (string[] Roles, string[] Gebieden, string? Partij)> Standard =
        new Dictionary<string, (string[], string[], string?)>
        {
            ["team-noord"] = ([KaartRoles.Gebiedsteam], ["GB0361-noord"], null),
            ["team-zuid"] = ([KaartRoles.Gebiedsteam], ["GB0361-zuid"], null),
            ["stadswerk"] = ([KaartRoles.Stadswerk], [], null),
            ["planner"] = ([KaartRoles.Planner], [], null),
            ["beheerder"] = ([KaartRoles.Beheerder], [], null),
            ["partner"] = ([KaartRoles.Partner], [], PartnerParty),
            ["regiegroep"] = ([KaartRoles.Regiegroep], ["WK036108"], null),
        };

    public static async Task EnsureUserAsync(this WebApplicationFactory<Program> factory, string name, string[] roles, string[] gebieden,
        string password = Password, string? partij = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KaartUser>>();
        if (await users.FindByNameAsync(name) is not null) return;
        var result = await users.CreateAsync(new KaartUser { UserName = name, Roles = [.. roles], Gebieden = [.. gebieden], Partij = partij }, password);
        if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>A gebiedsteam member of <paramref name="gebied"/> as a principal made in this process (no sign-in stamp: the
    /// services take it as it is), for calling a service directly.</summary>
    public static System.Security.Claims.ClaimsPrincipal TeamPrincipal(string gebied) => new(new System.Security.Claims.ClaimsIdentity(
    [
        new(System.Security.Claims.ClaimTypes.Name, $"team-{gebied}"), new(System.Security.Claims.ClaimTypes.Role, KaartRoles.Gebiedsteam),
        new(KaartClaims.Gebied, gebied),
    ], "test"));

    public static HttpClient CreateNoRedirectClient(this WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A client signed in as one of the <see cref="Standard"/> accounts (created when missing).</summary>
    public static async Task<HttpClient> SignedInAsync(this WebApplicationFactory<Program> factory, string name)
    {
        var (roles, gebieden, partij) = Standard[name];
        await factory.EnsureUserAsync(name, roles, gebieden, partij: partij);
        var client = factory.CreateNoRedirectClient();
        var response = await client.SignInAsync(name, Password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in of {name} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>Posts the sign-in form as a browser would: antiforgery token and form name from the page.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(this HttpClient client, string name, string password, string? returnUrl = null)
    {
        var url = "/inloggen" + (returnUrl is null ? "" : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var page = await client.GetStringAsync(url);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = HiddenValue(page, "__RequestVerificationToken"),
            ["_handler"] = HiddenValue(page, "_handler"),
            ["Input.UserName"] = name,
            ["Input.Password"] = password,
        };
        return await client.PostAsync(url, new FormUrlEncodedContent(form));
    }

    public static string HiddenValue(string html, string name)
    {
        var m = Regex.Match(html, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        if (!m.Success) m = Regex.Match(html, $"<input[^>]*value=\"([^\"]*)\"[^>]*name=\"{Regex.Escape(name)}\"");
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException($"No hidden input {name} in the page.");
    }
}
