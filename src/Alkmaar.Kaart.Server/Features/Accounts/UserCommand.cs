using System.Security.Cryptography;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.AspNetCore.Identity;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>
/// The command line <c>user add &lt;name&gt; --role &lt;role&gt; [--role …] [--gebied &lt;code&gt; …] [--partij &lt;naam&gt;] [--password-stdin]</c> and
/// <c>user list</c>, called by <c>./kaart user …</c>. Without <c>--password-stdin</c> a strong password is generated and
/// printed once.
/// </summary>
public static class UserCommand
{
    public const string Usage =
        "gebruik: ./kaart user add <naam> --role gebiedsteam|stadswerk072|planner|beheerder|partner|regiegroep [--role …] [--gebied GB0361-noord …]\n" +
        "                          [--partij \"<organisatie uit het Gebiedsteam+ register>\"] [--password-stdin]\n" +
        "       ./kaart user list";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KaartUser>>();
        switch (args.FirstOrDefault())
        {
            case "list":
                foreach (var u in await scope.ServiceProvider.GetRequiredService<KaartUserStore>().ListAsync())
                    stdout.WriteLine($"{u.UserName}\t{string.Join(",", u.Roles)}\t{(u.Partij ?? string.Join(",", u.Gebieden))}" +
                                     (u.LockoutEnd > DateTimeOffset.UtcNow ? "\tgeblokkeerd" : ""));
                return 0;
            case "add" when args.Count >= 2 && !args[1].StartsWith("--"):
                break;
            default:
                stderr.WriteLine(Usage);
                return 2;
        }

        var name = args[1];
        var roles = Values(args, "--role", lower: true);
        var gebieden = Values(args, "--gebied");
        var partij = Values(args, "--partij").LastOrDefault()?.Trim();
        var parties = await UserAdministration.PartiesAsync(scope.ServiceProvider.GetRequiredService<Npgsql.NpgsqlDataSource>());
        var regiegroepAreas = roles.Contains(KaartRoles.Regiegroep)
            ? await UserAdministration.RegiegroepAreasAsync(scope.ServiceProvider.GetRequiredService<Npgsql.NpgsqlDataSource>()) : null;
        if (UserAdministration.ValidationError(roles, gebieden, scope.ServiceProvider.GetRequiredService<Gebiedsindeling>(), partij, parties, regiegroepAreas) is { } error)
        {
            stderr.WriteLine(error);
            stderr.WriteLine(Usage);
            return 2;
        }

        var generated = !args.Contains("--password-stdin");
        var password = generated ? GeneratePassword() : (stdin.ReadLine() ?? "").TrimEnd('\r', '\n');
        var user = new KaartUser { UserName = name, Roles = [.. roles.Distinct()], Gebieden = [.. gebieden.Distinct()], Partij = partij };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            stderr.WriteLine($"Account niet aangemaakt: {string.Join(" ", result.Errors.Select(e => e.Description))}");
            return 2;
        }
        await scope.ServiceProvider.GetRequiredService<AuditLog>().WriteAsync(AuditLog.System, "gebruiker aangemaakt", "gebruiker", name,
            new { roles = user.Roles, gebieden = user.Gebieden, partij });
        stdout.WriteLine($"Aangemaakt: {name} ({string.Join(", ", user.Roles)}{(user.Gebieden.Count > 0 ? "; " + string.Join(", ", user.Gebieden) : "")}{(partij is null ? "" : "; " + partij)}).");
        if (generated) stdout.WriteLine($"Wachtwoord (eenmalig getoond): {password}");
        return 0;
    }

    private static List<string> Values(IReadOnlyList<string> args, string flag, bool lower = false) =>
        Enumerable.Range(0, Math.Max(0, args.Count - 1)).Where(i => args[i] == flag)
            .Select(i => lower ? args[i + 1].ToLowerInvariant() : args[i + 1]).ToList();

    /// <summary>20 characters from a 56-character alphabet without look-alikes: about 116 bits.</summary>
    public static string GeneratePassword() =>
        RandomNumberGenerator.GetString("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
}
