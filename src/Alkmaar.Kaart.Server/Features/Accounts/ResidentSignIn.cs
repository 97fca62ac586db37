using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>
/// The municipality's sign-in for residents (section <c>WijkAanZet:Inloggen</c>), a second proof of residence for voting
/// beside the letter's code: an OpenID Connect provider (e.g. the municipality's DigiD broker) that names the resident's
/// address. Off unless <see cref="Authority"/> is set. Nothing of the resident's identity is stored: the ballot is kept
/// under a keyed pseudonym (HMAC with <see cref="PseudonymKey"/>) of the provider's subject, per campaign.
/// </summary>
public sealed class ResidentSignInOptions
{
    public const string Section = "WijkAanZet:Inloggen";

    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>How the page names the sign-in, e.g. "DigiD".</summary>
    public string DisplayName { get; set; } = "DigiD";
    public string Scope { get; set; } = "openid";
    public string SubjectClaim { get; set; } = "sub";
    /// <summary>The claims carrying the address: a BAG nummeraanduiding id, or postcode + huisnummer (+ toevoeging).</summary>
    public string BagIdClaim { get; set; } = "bag_nummeraanduiding_id";
    public string PostcodeClaim { get; set; } = "postcode";
    public string HuisnummerClaim { get; set; } = "huisnummer";
    public string ToevoegingClaim { get; set; } = "huisnummertoevoeging";
    /// <summary>The secret key of the voters' pseudonyms (at least 32 characters; keep it like a password).</summary>
    public string? PseudonymKey { get; set; }
    /// <summary>Only for a provider on loopback in development and tests; production providers are HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Configured => !string.IsNullOrWhiteSpace(Authority);
}

/// <summary>A signed-in resident as the vote sees them: a pseudonym and an address, nothing else.</summary>
public sealed record ResidentVoter(string Pseudonym, string? BagId, string? Postcode, int? Huisnummer, string Toevoeging)
{
    public string AddressLabel => Postcode is not null ? $"{Postcode} {Huisnummer}{(Toevoeging.Length > 0 ? " " + Toevoeging : "")}" : $"BAG {BagId}";

    public static ResidentVoter? From(ClaimsPrincipal? user)
    {
        if (user?.FindFirst(ResidentSignIn.PseudonymClaim)?.Value is not { Length: > 0 } p) return null;
        return new ResidentVoter(p, user.FindFirst(ResidentSignIn.BagIdClaim)?.Value, user.FindFirst(ResidentSignIn.PostcodeClaim)?.Value,
            int.TryParse(user.FindFirst(ResidentSignIn.HuisnummerClaim)?.Value, out var n) ? n : null, user.FindFirst(ResidentSignIn.ToevoegingClaim)?.Value ?? "");
    }
}

public static class ResidentSignIn
{
    /// <summary>The resident's own cookie, apart from staff sign-in: a resident is never a staff user.</summary>
    public const string CookieScheme = "inwoner";
    public const string OidcScheme = "inwoner-oidc";
    public const string CallbackPath = "/account/inwoner-callback";
    public const string PseudonymClaim = "kaart:voter", BagIdClaim = "kaart:bag", PostcodeClaim = "kaart:postcode",
        HuisnummerClaim = "kaart:huisnummer", ToevoegingClaim = "kaart:toevoeging";

    public static void AddResidentSignIn(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ResidentSignInOptions.Section);
        builder.Services.AddOptions<ResidentSignInOptions>().Bind(section)
            .Validate(o => !o.Configured || (!string.IsNullOrWhiteSpace(o.ClientId) && o.PseudonymKey is { Length: >= 32 }),
                "WijkAanZet:Inloggen:Authority is set but ClientId or PseudonymKey (at least 32 characters) is missing.")
            .ValidateOnStart();
        var o = section.Get<ResidentSignInOptions>() ?? new ResidentSignInOptions();
        if (!o.Configured) return;

        builder.Services.AddAuthentication()
            .AddCookie(CookieScheme, c =>
            {
                c.Cookie.Name = "kaart.inwoner";
                c.Cookie.HttpOnly = true;
                c.Cookie.SameSite = SameSiteMode.Lax;
                c.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                c.ExpireTimeSpan = TimeSpan.FromMinutes(30); // long enough to vote, not a standing session
                c.SlidingExpiration = false;
                c.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            })
            .AddOpenIdConnect(OidcScheme, c =>
            {
                c.SignInScheme = CookieScheme;
                c.Authority = o.Authority;
                c.ClientId = o.ClientId;
                c.ClientSecret = o.ClientSecret;
                c.RequireHttpsMetadata = o.RequireHttpsMetadata;
                c.ResponseType = OpenIdConnectResponseType.Code;
                // the answer comes back as a top-level GET, so the correlation and nonce cookies can be SameSite=Lax
                c.ResponseMode = OpenIdConnectResponseMode.Query;
                c.CorrelationCookie.SameSite = c.NonceCookie.SameSite = SameSiteMode.Lax;
                c.CorrelationCookie.SecurePolicy = c.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                c.UsePkce = true;
                c.SaveTokens = false;
                c.MapInboundClaims = false;
                c.GetClaimsFromUserInfoEndpoint = true;
                c.CallbackPath = CallbackPath;
                c.Scope.Clear();
                foreach (var s in o.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)) c.Scope.Add(s);
                c.Events.OnTicketReceived = ctx =>
                {
                    // keep only a pseudonym and the address: no name, no BSN, no tokens in the cookie
                    var p = ctx.Principal!;
                    string? Claim(string type) => p.FindFirst(type)?.Value?.Trim() is { Length: > 0 } v ? v : null;
                    if (Claim(o.SubjectClaim) is not { } subject)
                    {
                        ctx.Response.Redirect("/wijkaanzet?inloggen=mislukt");
                        ctx.HandleResponse();
                        return Task.CompletedTask;
                    }
                    var issuer = p.FindFirst(o.SubjectClaim)!.Issuer;
                    var id = new ClaimsIdentity(CookieScheme);
                    id.AddClaim(new Claim(PseudonymClaim, Pseudonym(o.PseudonymKey!, issuer, subject)));
                    if (Claim(o.BagIdClaim) is { } bag) id.AddClaim(new Claim(BagIdClaim, bag));
                    if (Claim(o.PostcodeClaim) is { } pc) id.AddClaim(new Claim(PostcodeClaim, pc.Replace(" ", "").ToUpperInvariant()));
                    if (Claim(o.HuisnummerClaim) is { } hn) id.AddClaim(new Claim(HuisnummerClaim, hn));
                    if (Claim(o.ToevoegingClaim) is { } tv) id.AddClaim(new Claim(ToevoegingClaim, tv.ToUpperInvariant()));
                    ctx.Principal = new ClaimsPrincipal(id);
                    return Task.CompletedTask;
                };
                c.Events.OnRemoteFailure = ctx =>
                {
                    // a cancelled or failed sign-in returns to the campaigns with a Dutch message, never an error page
                    ctx.Response.Redirect("/wijkaanzet?inloggen=mislukt");
                    ctx.HandleResponse();
                    return Task.CompletedTask;
                };
            });
    }

    /// <summary>HMAC-SHA256 of issuer and subject with the secret key: the same resident, the same pseudonym; not reversible without the key.</summary>
    public static string Pseudonym(string key, string issuer, string subject) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(issuer + "\n" + subject)));

    /// <summary>The signed-in resident of this request, or null (also when the sign-in is not configured).</summary>
    public static async Task<ResidentVoter?> ResidentAsync(HttpContext http)
    {
        var schemes = http.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>();
        if (await schemes.GetSchemeAsync(CookieScheme) is null) return null;
        var result = await http.AuthenticateAsync(CookieScheme);
        return result.Succeeded ? ResidentVoter.From(result.Principal) : null;
    }
}
