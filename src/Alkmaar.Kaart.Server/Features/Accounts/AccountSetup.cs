using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alkmaar.Kaart.Server.Features.Accounts;

public enum SignInMode { Local, Oidc }

/// <summary>How staff sign in (section <c>Authentication</c>).</summary>
public sealed class KaartAuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary><c>Local</c>: accounts in our database (<c>./kaart user add</c>). <c>Oidc</c>: the municipality's own sign-in.</summary>
    public SignInMode Mode { get; set; } = SignInMode.Local;

    /// <summary>Failed local sign-ins in a row before the account is locked.</summary>
    [Range(1, 100)] public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    [Range(1, 24 * 60)] public int LockoutMinutes { get; set; } = 15;

    /// <summary>Minimum password length for local accounts (no composition rules; length is what counts).</summary>
    [Range(8, 128)] public int MinimumPasswordLength { get; set; } = 12;

    /// <summary>How long a sign-in lasts without activity.</summary>
    [Range(5, 24 * 60)] public int SessionMinutes { get; set; } = 8 * 60;

    public OidcOptions Oidc { get; set; } = new();

    public sealed class OidcOptions
    {
        public string? Authority { get; set; }
        public string? ClientId { get; set; }
        public string? ClientSecret { get; set; }
        /// <summary>The claim in the ID token carrying our role names (gebiedsteam, stadswerk072, planner, beheerder, partner).</summary>
        public string RoleClaim { get; set; } = "roles";
        /// <summary>The claim carrying the gebied codes of a gebiedsteam member.</summary>
        public string GebiedClaim { get; set; } = "gebieden";
        /// <summary>The claim carrying a partner account's party: its organisation name as in the Gebiedsteam+ register.</summary>
        public string PartijClaim { get; set; } = "partij";
        public string NameClaim { get; set; } = "preferred_username";
    }
}

public static class AccountSetup
{
    public const string CookieName = "kaart.auth";
    public const string SignInPath = "/inloggen";
    public const string AccessDeniedPath = "/geen-toegang";
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;
    private const string ChallengeScheme = "kaart-challenge";

    public static void AddKaartAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(KaartAuthenticationOptions.Section);
        services.AddOptions<KaartAuthenticationOptions>().Bind(section).ValidateDataAnnotations()
            .Validate(o => o.Mode != SignInMode.Oidc || (!string.IsNullOrWhiteSpace(o.Oidc.Authority) && !string.IsNullOrWhiteSpace(o.Oidc.ClientId)),
                "Authentication:Mode is Oidc but Authentication:Oidc:Authority or ClientId is missing.")
            .ValidateOnStart();
        var options = section.Get<KaartAuthenticationOptions>() ?? new KaartAuthenticationOptions();

        services.AddIdentityCore<KaartUser>(o =>
            {
                o.Password.RequiredLength = options.MinimumPasswordLength;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = options.MaxFailedAttempts;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(options.LockoutMinutes);
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
            })
            .AddErrorDescriber<DutchIdentityErrors>()
            .AddUserStore<KaartUserStore>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<KaartClaimsFactory>();
        services.AddSingleton<KaartUserStore>();
        services.AddScoped<UserAdministration>();
        services.TryAddScoped<ISecurityStampValidator, SecurityStampValidator<KaartUser>>();
        // Every request re-reads the account (one indexed lookup): a sign-out, password reset, role change or removal ends
        // every session of that account at once, and roles are the stored ones, not those of the cookie.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        services.AddScoped<FreshPrincipal>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingAuthenticationState>();

        var auth = services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            o.DefaultChallengeScheme = options.Mode == SignInMode.Oidc ? ChallengeScheme : IdentityConstants.ApplicationScheme;
        });
        // With OpenID Connect, pages are sent to the identity provider; APIs still answer 401 problem+json (cookie handler).
        auth.AddPolicyScheme(ChallengeScheme, "Kaart", o => o.ForwardDefaultSelector = ctx =>
            IsApi(ctx.Request) ? IdentityConstants.ApplicationScheme : OidcScheme);
        auth.AddCookie(IdentityConstants.ApplicationScheme, o => ConfigureCookie(o, options));
        // SignInManager also knows these schemes; they are unused by the local sign-in but must exist.
        auth.AddCookie(IdentityConstants.ExternalScheme, o => o.Cookie.Name = "kaart.external");
        auth.AddCookie(IdentityConstants.TwoFactorUserIdScheme, o => o.Cookie.Name = "kaart.2fa");
        // SignInManager.SignOutAsync (called when a security stamp no longer matches) signs out of this one too: without
        // it every request of a user whose roles or password changed ended in a 500.
        auth.AddCookie(IdentityConstants.TwoFactorRememberMeScheme, o => o.Cookie.Name = "kaart.2fa-remember");

        if (options.Mode == SignInMode.Oidc)
        {
            auth.AddOpenIdConnect(OidcScheme, o =>
            {
                o.SignInScheme = IdentityConstants.ApplicationScheme;
                o.Authority = options.Oidc.Authority;
                o.ClientId = options.Oidc.ClientId;
                o.ClientSecret = options.Oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.CallbackPath = "/account/oidc-callback";
                o.SignedOutCallbackPath = "/account/oidc-signout";
                o.TokenValidationParameters.NameClaimType = options.Oidc.NameClaim;
                o.Events.OnTokenValidated = ctx =>
                {
                    // Our policies read ClaimTypes.Role and KaartClaims.Gebied; translate the IdP's claims once, here.
                    if (ctx.Principal?.Identity is ClaimsIdentity id)
                    {
                        foreach (var role in id.FindAll(options.Oidc.RoleClaim).Select(c => c.Value.ToLowerInvariant()).Where(KaartRoles.All.Contains).ToList())
                            id.AddClaim(new Claim(ClaimTypes.Role, role));
                        foreach (var g in id.FindAll(options.Oidc.GebiedClaim).ToList())
                            id.AddClaim(new Claim(KaartClaims.Gebied, g.Value));
                        if (id.FindFirst(options.Oidc.PartijClaim) is { Value.Length: > 0 } partij)
                            id.AddClaim(new Claim(KaartClaims.Partij, partij.Value));
                    }
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorizationBuilder()
            // Anything without an explicit policy or AllowAnonymous is denied. Requests that match no route (routing's own
            // 404/405/415 answers, which are not RouteEndpoints) pass on to that answer.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder()
                .RequireAssertion(ctx => ctx.Resource is HttpContext h && h.GetEndpoint() is not RouteEndpoint).Build())
            .AddPolicy(KaartPolicies.Staff, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Staff))
            .AddPolicy(KaartPolicies.Meldingen, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Gebiedsteam, KaartRoles.Stadswerk, KaartRoles.Beheerder))
            .AddPolicy(KaartPolicies.MeldingenBehandelen, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Gebiedsteam, KaartRoles.Beheerder))
            .AddPolicy(KaartPolicies.Initiatieven, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Gebiedsteam, KaartRoles.Beheerder))
            .AddPolicy(KaartPolicies.WijkAanZet, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Gebiedsteam, KaartRoles.Beheerder))
            .AddPolicy(KaartPolicies.Planner, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Planner))
            .AddPolicy(KaartPolicies.Beheerder, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Beheerder))
            // a partner account without its party claim (a half-made account, an IdP that sends none) sees nothing
            .AddPolicy(KaartPolicies.Partner, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Partner).RequireClaim(KaartClaims.Partij))
            .AddPolicy(KaartPolicies.Regiegroep, p => p.RequireAuthenticatedUser().RequireRole(KaartRoles.Regiegroep).RequireClaim(KaartClaims.Gebied));
        services.AddCascadingAuthenticationState();
    }

    private static void ConfigureCookie(CookieAuthenticationOptions o, KaartAuthenticationOptions options)
    {
        o.Cookie.Name = CookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = TimeSpan.FromMinutes(options.SessionMinutes);
        o.SlidingExpiration = true;
        o.LoginPath = SignInPath;
        o.AccessDeniedPath = AccessDeniedPath;
        o.ReturnUrlParameter = "ReturnUrl";
        // Local accounts: a changed security stamp (password reset, roles changed, account removed) ends the sign-in.
        if (options.Mode == SignInMode.Local) o.Events.OnValidatePrincipal = SecurityStampValidator.ValidatePrincipalAsync;
        // APIs answer 401/403 problem+json; pages are sent to the Dutch sign-in or "geen toegang" page.
        o.Events.OnRedirectToLogin = ctx => IsApi(ctx.Request)
            ? Problem(ctx.HttpContext, StatusCodes.Status401Unauthorized, "Inloggen vereist", "Sign in to use this endpoint.")
            : Redirect(ctx);
        o.Events.OnRedirectToAccessDenied = ctx => IsApi(ctx.Request)
            ? Problem(ctx.HttpContext, StatusCodes.Status403Forbidden, "Geen toegang", "Your role does not allow this endpoint.")
            : Redirect(ctx);
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/ogc") || request.Path.StartsWithSegments("/account");

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);

    /// <summary>
    /// Page endpoints keep their own [Authorize]/[AllowAnonymous]; Blazor's framework endpoints (circuit hub, scripts)
    /// are public, since the pages they serve are authorized on their own.
    /// </summary>
    public static RazorComponentsEndpointConventionBuilder AllowAnonymousFrameworkEndpoints(this RazorComponentsEndpointConventionBuilder builder)
    {
        builder.Add(b =>
        {
            if (!b.Metadata.OfType<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>().Any())
                b.Metadata.Add(new AllowAnonymousAttribute());
        });
        return builder;
    }
}
