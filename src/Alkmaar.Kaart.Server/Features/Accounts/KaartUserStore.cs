using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>
/// ASP.NET Core Identity's user store on PostGIS (table <c>app_user</c>): names, password hashes, security stamps,
/// lockout counters and roles. Identity does the hashing, lockout and sign-in; this class only reads and writes rows.
/// </summary>
public sealed class KaartUserStore(NpgsqlDataSource db) :
    IUserPasswordStore<KaartUser>, IUserSecurityStampStore<KaartUser>, IUserLockoutStore<KaartUser>, IUserRoleStore<KaartUser>
{
    private const string Columns =
        "id, user_name, normalized_user_name, display_name, password_hash, security_stamp, concurrency_stamp, " +
        "lockout_enabled, lockout_end, access_failed_count, roles, gebieden, created_at, partij";

    public async Task<IdentityResult> CreateAsync(KaartUser user, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"INSERT INTO app_user ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
        Bind(cmd, user);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
            return IdentityResult.Success;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return IdentityResult.Failed(new IdentityErrorDescriber().DuplicateUserName(user.UserName));
        }
    }

    public async Task<IdentityResult> UpdateAsync(KaartUser user, CancellationToken ct)
    {
        var expected = user.ConcurrencyStamp;
        user.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        await using var cmd = db.CreateCommand(
            """
            UPDATE app_user SET user_name = $2, normalized_user_name = $3, display_name = $4, password_hash = $5,
              security_stamp = $6, concurrency_stamp = $7, lockout_enabled = $8, lockout_end = $9, access_failed_count = $10,
              roles = $11, gebieden = $12, partij = $14
            WHERE id = $1 AND concurrency_stamp = $15
            """);
        Bind(cmd, user);
        cmd.Parameters.Add(new NpgsqlParameter { Value = expected });
        if (await cmd.ExecuteNonQueryAsync(ct) == 1) return IdentityResult.Success;
        user.ConcurrencyStamp = expected;
        return IdentityResult.Failed(new IdentityErrorDescriber().ConcurrencyFailure());
    }

    public async Task<IdentityResult> DeleteAsync(KaartUser user, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("DELETE FROM app_user WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = user.Id });
        await cmd.ExecuteNonQueryAsync(ct);
        return IdentityResult.Success;
    }

    public Task<KaartUser?> FindByIdAsync(string userId, CancellationToken ct) =>
        Guid.TryParse(userId, out var id) ? FindAsync("id = $1", id, ct) : Task.FromResult<KaartUser?>(null);

    public Task<KaartUser?> FindByNameAsync(string normalizedUserName, CancellationToken ct) =>
        FindAsync("normalized_user_name = $1", normalizedUserName, ct);

    /// <summary>All accounts, by name (for the beheer page).</summary>
    public async Task<List<KaartUser>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM app_user ORDER BY normalized_user_name");
        return await ReadAll(cmd, ct);
    }

    public async Task<IList<KaartUser>> GetUsersInRoleAsync(string roleName, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM app_user WHERE $1 = ANY (roles) ORDER BY normalized_user_name");
        cmd.Parameters.Add(new NpgsqlParameter { Value = roleName.ToLowerInvariant() });
        return await ReadAll(cmd, ct);
    }

    private async Task<KaartUser?> FindAsync(string where, object value, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM app_user WHERE {where}");
        cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return (await ReadAll(cmd, ct)).FirstOrDefault();
    }

    private static async Task<List<KaartUser>> ReadAll(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<KaartUser>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new KaartUser
            {
                Id = r.GetGuid(0),
                UserName = r.GetString(1),
                NormalizedUserName = r.GetString(2),
                DisplayName = r.IsDBNull(3) ? null : r.GetString(3),
                PasswordHash = r.IsDBNull(4) ? null : r.GetString(4),
                SecurityStamp = r.GetString(5),
                ConcurrencyStamp = r.GetString(6),
                LockoutEnabled = r.GetBoolean(7),
                LockoutEnd = r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
                AccessFailedCount = r.GetInt32(9),
                Roles = [.. r.GetFieldValue<string[]>(10)],
                Gebieden = [.. r.GetFieldValue<string[]>(11)],
                CreatedAt = r.GetFieldValue<DateTimeOffset>(12),
                Partij = r.IsDBNull(13) ? null : r.GetString(13),
            });
        return list;
    }

    private static void Bind(NpgsqlCommand cmd, KaartUser u)
    {
        object?[] values =
        [
            u.Id, u.UserName, u.NormalizedUserName, u.DisplayName, u.PasswordHash, u.SecurityStamp, u.ConcurrencyStamp,
            u.LockoutEnabled, u.LockoutEnd?.ToUniversalTime(), u.AccessFailedCount, u.Roles.ToArray(), u.Gebieden.ToArray(),
            u.CreatedAt.ToUniversalTime(), u.Partij,
        ];
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
    }

    public Task<string> GetUserIdAsync(KaartUser user, CancellationToken ct) => Task.FromResult(user.Id.ToString());
    public Task<string?> GetUserNameAsync(KaartUser user, CancellationToken ct) => Task.FromResult<string?>(user.UserName);
    public Task SetUserNameAsync(KaartUser user, string? userName, CancellationToken ct) { user.UserName = userName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedUserNameAsync(KaartUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedUserName);
    public Task SetNormalizedUserNameAsync(KaartUser user, string? normalizedName, CancellationToken ct) { user.NormalizedUserName = normalizedName ?? ""; return Task.CompletedTask; }

    public Task SetPasswordHashAsync(KaartUser user, string? passwordHash, CancellationToken ct) { user.PasswordHash = passwordHash; return Task.CompletedTask; }
    public Task<string?> GetPasswordHashAsync(KaartUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash);
    public Task<bool> HasPasswordAsync(KaartUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash is not null);

    public Task SetSecurityStampAsync(KaartUser user, string stamp, CancellationToken ct) { user.SecurityStamp = stamp; return Task.CompletedTask; }
    public Task<string?> GetSecurityStampAsync(KaartUser user, CancellationToken ct) => Task.FromResult<string?>(user.SecurityStamp);

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(KaartUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnd);
    public Task SetLockoutEndDateAsync(KaartUser user, DateTimeOffset? lockoutEnd, CancellationToken ct) { user.LockoutEnd = lockoutEnd; return Task.CompletedTask; }
    public Task<int> IncrementAccessFailedCountAsync(KaartUser user, CancellationToken ct) => Task.FromResult(++user.AccessFailedCount);
    public Task ResetAccessFailedCountAsync(KaartUser user, CancellationToken ct) { user.AccessFailedCount = 0; return Task.CompletedTask; }
    public Task<int> GetAccessFailedCountAsync(KaartUser user, CancellationToken ct) => Task.FromResult(user.AccessFailedCount);
    public Task<bool> GetLockoutEnabledAsync(KaartUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnabled);
    public Task SetLockoutEnabledAsync(KaartUser user, bool enabled, CancellationToken ct) { user.LockoutEnabled = enabled; return Task.CompletedTask; }

    public Task AddToRoleAsync(KaartUser user, string roleName, CancellationToken ct)
    {
        var role = KnownRole(roleName);
        if (!user.Roles.Contains(role)) user.Roles.Add(role);
        return Task.CompletedTask;
    }

    public Task RemoveFromRoleAsync(KaartUser user, string roleName, CancellationToken ct)
    {
        user.Roles.Remove(roleName.ToLowerInvariant());
        return Task.CompletedTask;
    }

    public Task<IList<string>> GetRolesAsync(KaartUser user, CancellationToken ct) => Task.FromResult<IList<string>>([.. user.Roles]);
    public Task<bool> IsInRoleAsync(KaartUser user, string roleName, CancellationToken ct) => Task.FromResult(user.Roles.Contains(roleName.ToLowerInvariant()));

    private static string KnownRole(string roleName)
    {
        var role = roleName.ToLowerInvariant();
        return KaartRoles.All.Contains(role) ? role
            : throw new ArgumentException($"Unknown role '{roleName}'; known: {string.Join(", ", KaartRoles.All)}.", nameof(roleName));
    }

    public void Dispose() { }
}
