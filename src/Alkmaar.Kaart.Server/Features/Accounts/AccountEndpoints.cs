using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>Sign-out (a form post with antiforgery) and the OpenID Connect challenge. The sign-in form is the page /inloggen.</summary>
public static class AccountEndpoints
{
    public static void MapAccounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/account").WithTags("Accounts");

        group.MapPost("/uitloggen", async ([FromForm] string? returnUrl, HttpContext http, IOptions<KaartAuthenticationOptions> options,
                AuditLog audit, UserManager<KaartUser> users) =>
            {
                if (http.User.Identity?.IsAuthenticated == true)
                {
                    await audit.WriteAsync(AuditLog.ActorOf(http.User), "uitgelogd", "gebruiker", http.User.Identity.Name);
                    // A new security stamp makes every copy of the sign-in cookie worthless (server-side end of the session).
                    if (options.Value.Mode == SignInMode.Local && await users.GetUserAsync(http.User) is { } user)
                        await users.UpdateSecurityStampAsync(user);
                }
                await http.SignOutAsync(IdentityConstants.ApplicationScheme);
                if (options.Value.Mode == SignInMode.Oidc)
                    return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [AccountSetup.OidcScheme]);
                return Results.LocalRedirect(SafeReturnUrl(returnUrl));
            })
            .AllowAnonymous();

        group.MapGet("/inloggen/oidc", (string? returnUrl, IOptions<KaartAuthenticationOptions> options) =>
                options.Value.Mode != SignInMode.Oidc
                    ? Problems.NotFound("Niet gevonden", "Inloggen met OpenID Connect is niet ingesteld (Authentication:Mode is Local).")
                    : Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) }, [AccountSetup.OidcScheme]))
            .AllowAnonymous();
    }

    /// <summary>Only local paths: an open redirect to another site is never followed.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\")
        && !returnUrl.Any(char.IsControl) // a tab or line break made LocalRedirect throw (a 500)
            ? returnUrl : "/";
}
