using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>
/// Re-reads a signed-in user from the store before a privileged action: the account must still exist, its security stamp
/// must be the one the sign-in carries (a sign-out, password reset or role change renews it), and the principal returned
/// holds the roles and gebieden stored now, not those captured when a page was opened. With OpenID Connect there is no
/// local store: the identity provider's sign-in stands.
/// </summary>
public sealed class FreshPrincipal(UserManager<KaartUser> users, IUserClaimsPrincipalFactory<KaartUser> claims,
    IOptions<KaartAuthenticationOptions> auth, IOptions<IdentityOptions> identity)
{
    /// <summary>The user as stored now, or null when the sign-in is no longer valid.</summary>
    public async Task<ClaimsPrincipal?> GetAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        if (auth.Value.Mode == SignInMode.Oidc) return principal;
        var user = await users.GetUserAsync(principal);
        if (user is null) return null;
        var stamp = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        if (!users.SupportsUserSecurityStamp || stamp != await users.GetSecurityStampAsync(user)) return null;
        if (await users.IsLockedOutAsync(user)) return null;
        return await claims.CreateAsync(user);
    }

    /// <summary>
    /// The actor as stored now for an action: a principal from a sign-in (it carries the security stamp) is re-read
    /// (<see cref="GetAsync"/>; null when no longer valid); one made in this process for a command or a test (no stamp) is
    /// taken as it is.
    /// </summary>
    public Task<ClaimsPrincipal?> CurrentAsync(ClaimsPrincipal principal) =>
        principal.FindFirst(identity.Value.ClaimsIdentity.SecurityStampClaimType) is null
            ? Task.FromResult<ClaimsPrincipal?>(principal)
            : GetAsync(principal);

    /// <summary>The fresh principal, or <see cref="UnauthorizedAccessException"/> when the sign-in is no longer valid.</summary>
    public async Task<ClaimsPrincipal> RequireAsync(ClaimsPrincipal principal) =>
        await GetAsync(principal) ?? throw new UnauthorizedAccessException("The sign-in is no longer valid (signed out, password or roles changed, or removed).");
}

public static class FreshPrincipalExtensions
{
    /// <summary>
    /// The actor as stored now, for a singleton service acting on a principal a page may have held for a while (see
    /// <see cref="FreshPrincipal.CurrentAsync"/>); null when the sign-in is no longer valid.
    /// </summary>
    public static async Task<ClaimsPrincipal?> ActorNowAsync(this IServiceScopeFactory scopes, ClaimsPrincipal user)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FreshPrincipal>().CurrentAsync(user);
    }
}

/// <summary>
/// Blazor circuits re-check the sign-in every <see cref="RevalidationInterval"/>: once the security stamp changed (sign-out,
/// password reset, role change, removal) an open page loses its authentication and shows "inloggen vereist".
/// </summary>
public sealed class RevalidatingAuthenticationState(ILoggerFactory logger, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(logger)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(20);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FreshPrincipal>().GetAsync(state.User) is not null;
    }
}
