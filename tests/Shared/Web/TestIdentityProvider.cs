using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Alkmaar.Kaart.Testing;

/// <summary>
/// A real OpenID Connect provider on loopback (OpenIddict, authorization code flow with PKCE, signed ID tokens, discovery),
/// standing in for the municipality's sign-in for residents. It signs in <see cref="Resident"/> at once (no login form)
/// and gives their address as claims, as a DigiD broker with a BRP lookup would. One client: <see cref="ClientId"/>.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "alkmaar-kaart", ClientSecret = "test-secret";
    private readonly WebApplication _app;

    /// <summary>Who signs in next: subject, postcode, huisnummer (and optional toevoeging).</summary>
    public (string Subject, string Postcode, int Huisnummer, string? Toevoeging) Resident { get; set; } = ("999990001", "1822AA", 1, null);

    /// <summary>How many authorization requests were answered.</summary>
    public int SignIns { get; private set; }

    public string Authority { get; }

    private TestIdentityProvider(WebApplication app, string authority) => (_app, Authority) = (app, authority);

    public static async Task<TestIdentityProvider> StartAsync()
    {
        TestIdentityProvider? self = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
            o.RegisterScopes(Scopes.OpenId);
            o.EnableDegradedMode(); // no stores: the one client and the one resident are checked below
            o.UseAspNetCore().DisableTransportSecurityRequirement();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId) ctx.Reject(Errors.InvalidClient, "Onbekende client.");
                else if (ctx.RedirectUri is null || !ctx.RedirectUri.EndsWith("/account/inwoner-callback", StringComparison.Ordinal))
                    ctx.Reject(Errors.InvalidRequest, "Onbekend redirect_uri.");
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId || ctx.Request.ClientSecret != ClientSecret) ctx.Reject(Errors.InvalidClient, "Onbekende client.");
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.HandleAuthorizationRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                var r = self!.Resident;
                self.SignIns++;
                var id = new ClaimsIdentity("test-idp", Claims.Name, Claims.Role);
                id.AddClaim(Claims.Subject, r.Subject);
                id.AddClaim(Claims.Name, "Test Inwoner"); // a name the app must not keep
                id.AddClaim("postcode", r.Postcode);
                id.AddClaim("huisnummer", r.Huisnummer.ToString());
                if (r.Toevoeging is { } t) id.AddClaim("huisnummertoevoeging", t);
                id.SetScopes(Scopes.OpenId);
                id.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
                ctx.SignIn(new ClaimsPrincipal(id));
                return default;
            }));
        });
        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new TestIdentityProvider(app, address.TrimEnd('/') + "/");
        return self;
    }

    /// <summary>The app settings that point the residents' sign-in at this provider.</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("WijkAanZet:Inloggen:Authority", Authority),
        new("WijkAanZet:Inloggen:ClientId", ClientId),
        new("WijkAanZet:Inloggen:ClientSecret", ClientSecret),
        new("WijkAanZet:Inloggen:DisplayName", "DigiD (test)"),
        new("WijkAanZet:Inloggen:PseudonymKey", "test-pseudonym-key-of-at-least-32-characters"),
        new("WijkAanZet:Inloggen:RequireHttpsMetadata", "false"),
    ];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
