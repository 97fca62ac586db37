namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>A local account (staff, or a partner (table <c>app_user</c>).</summary>
public sealed class KaartUser
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public string UserName { get; set; } = "";
    public string NormalizedUserName { get; set; } = "";
    public string? DisplayName { get; set; }
    public string? PasswordHash { get; set; }
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public string ConcurrencyStamp { get; set; } = Guid.NewGuid().ToString("N");
    public bool LockoutEnabled { get; set; } = true;
    public DateTimeOffset? LockoutEnd { get; set; }
    public int AccessFailedCount { get; set; }
    public List<string> Roles { get; set; } = [];
    /// <summary>Gebied codes this user works for (gebiedsteam members).</summary>
    public List<string> Gebieden { get; set; } = [];
    /// <summary>The handling party a partner account acts for (its organisation name in the Gebiedsteam+ register).</summary>
    public string? Partij { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
