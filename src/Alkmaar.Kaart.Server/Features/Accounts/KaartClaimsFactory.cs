using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>Puts the user's roles, gebieden and party in the sign-in cookie as claims.</summary>
public sealed class KaartClaimsFactory(UserManager<KaartUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<KaartUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(KaartUser user)
    {
        var id = await base.GenerateClaimsAsync(user);
        foreach (var role in user.Roles) id.AddClaim(new Claim(Options.ClaimsIdentity.RoleClaimType, role));
        foreach (var gebied in user.Gebieden) id.AddClaim(new Claim(KaartClaims.Gebied, gebied));
        if (user.Partij is { Length: > 0 } partij) id.AddClaim(new Claim(KaartClaims.Partij, partij));
        if (!string.IsNullOrWhiteSpace(user.DisplayName)) id.AddClaim(new Claim("name_display", user.DisplayName));
        return id;
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The gebied codes a gebiedsteam member works for.</summary>
    public static IReadOnlySet<string> Gebieden(this ClaimsPrincipal user) =>
        user.FindAll(KaartClaims.Gebied).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);

    public static bool IsBeheerder(this ClaimsPrincipal user) => user.IsInRole(KaartRoles.Beheerder);

    /// <summary>The handling party a partner account acts for, or null (also for anyone who is not a partner).</summary>
    public static string? Partij(this ClaimsPrincipal user) =>
        user.IsInRole(KaartRoles.Partner) && user.FindFirst(KaartClaims.Partij)?.Value is { Length: > 0 } p ? p : null;
}
