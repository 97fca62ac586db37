using System.Net;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Authentication:Mode=Oidc switches staff sign-in to the municipality's identity provider. No IdP runs here, so the
/// provider's metadata is given directly; what is checked is our side: the challenge, PKCE, and that local sign-in is off.
/// </summary>
public class OidcTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private WebApplicationFactoryWithOidc Oidc() => new(fx.Factory);

    public sealed class WebApplicationFactoryWithOidc(KaartAppFactory inner)
    {
        public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Factory { get; } = inner.WithWebHostBuilder(b =>
        {
            b.UseSetting("Authentication:Mode", "Oidc");
            b.UseSetting("Authentication:Oidc:Authority", "https://login.gemeente.example");
            b.UseSetting("Authentication:Oidc:ClientId", "alkmaar-kaart");
            b.ConfigureTestServices(s => s.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o =>
                o.ConfigurationManager = new Microsoft.IdentityModel.Protocols.StaticConfigurationManager<OpenIdConnectConfiguration>(
                    new OpenIdConnectConfiguration
                    {
                        Issuer = "https://login.gemeente.example",
                        AuthorizationEndpoint = "https://login.gemeente.example/authorize",
                        TokenEndpoint = "https://login.gemeente.example/token",
                        EndSessionEndpoint = "https://login.gemeente.example/logout",
                    })));
        });
    }

    [Fact]
    public async Task A_staff_page_challenges_at_the_identity_provider_with_PKCE_and_local_sign_in_is_off()
    {
        await using var oidc = Oidc().Factory;
        var client = oidc.CreateNoRedirectClient();

        var page = await client.GetAsync("/beheer/gebruikers");
        Assert.True(page.StatusCode == HttpStatusCode.Redirect, await page.Content.ReadAsStringAsync());
        var location = page.Headers.Location!.ToString();
        Assert.StartsWith("https://login.gemeente.example/authorize?", location);
        Assert.Contains("client_id=alkmaar-kaart", location);
        Assert.Contains("code_challenge=", location);
        Assert.Contains("response_type=code", location);

        var signIn = await client.GetStringAsync("/inloggen");
        Assert.Contains("Inloggen met uw gemeente-account", signIn);
        Assert.DoesNotContain("name=\"Input.Password\"", signIn);

        // APIs still answer 401 problem+json instead of redirecting.
        var api = await client.GetAsync("/api/meldingen");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public void Oidc_without_an_authority_refuses_to_start()
    {
        using var broken = fx.Factory.WithWebHostBuilder(b => b.UseSetting("Authentication:Mode", "Oidc"));
        var e = Assert.ThrowsAny<Exception>(() => broken.CreateClient());
        Assert.Contains("Authority", e.ToString());
    }
}
