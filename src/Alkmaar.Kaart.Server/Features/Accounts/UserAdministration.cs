using System.Security.Claims;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.AspNetCore.Identity;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>A refused change, with a Dutch message for the screen.</summary>
public sealed class UserAdministrationException(string message) : RejectedException("Niet gewijzigd", message, status: 422);

/// <summary>
/// What a beheerder does with accounts on /beheer/gebruikers. Every method checks the caller's role itself (the page is
/// authorized too, but a service never trusts its caller) and writes the audit log.
/// </summary>
public sealed class UserAdministration(UserManager<KaartUser> users, KaartUserStore store, AuditLog audit, Gebiedsindeling indeling,
    FreshPrincipal fresh, Npgsql.NpgsqlDataSource db)
{
    /// <summary>The handling parties a partner account can act for: every organisation in a Gebiedsteam+ register.</summary>
    public static async Task<List<string>> PartiesAsync(Npgsql.NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT DISTINCT organisation FROM gebiedsteam_partner ORDER BY organisation");
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    public Task<List<string>> PartiesAsync() => PartiesAsync(db);

    /// <summary>The areas a regiegroep can be for, with their names ("Wijk …", "Dorp …", "Gebied …"), for the users page.</summary>
    public async Task<List<(string Code, string Name)>> RegiegroepAreaChoicesAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT code, initcap(level) || ' ' || name FROM area_in_force WHERE level IN ('gebied', 'wijk', 'dorp') ORDER BY level DESC, name");
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    /// <summary>The areas a regiegroep can be for: every gebied, wijk and dorp in force.</summary>
    public static async Task<HashSet<string>> RegiegroepAreasAsync(Npgsql.NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT code FROM area_in_force WHERE level IN ('gebied', 'wijk', 'dorp')");
        var set = new HashSet<string>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) set.Add(r.GetString(0));
        return set;
    }

    public async Task<List<KaartUser>> ListAsync(ClaimsPrincipal actor)
    {
        await Require(actor);
        return await store.ListAsync();
    }

    /// <summary>Creates an account and returns its generated password (shown once).</summary>
    public async Task<string> CreateAsync(ClaimsPrincipal actor, string name, IReadOnlyCollection<string> roles, IReadOnlyCollection<string> gebieden,
        string? partij = null)
    {
        await Require(actor);
        partij = await ValidateAsync(roles, gebieden, partij);
        var password = UserCommand.GeneratePassword();
        var user = new KaartUser { UserName = name.Trim(), Roles = [.. roles], Gebieden = [.. gebieden], Partij = partij };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
            throw new UserAdministrationException(result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName))
                ? $"Er is al een gebruiker met de naam {name}."
                : "Deze gebruikersnaam kan niet: gebruik letters, cijfers en - . _ @.");
        await audit.WriteAsync(AuditLog.ActorOf(actor), "gebruiker aangemaakt", "gebruiker", user.UserName, new { roles, gebieden, partij });
        return password;
    }

    public async Task UpdateAsync(ClaimsPrincipal actor, Guid id, IReadOnlyCollection<string> roles, IReadOnlyCollection<string> gebieden,
        string? partij = null)
    {
        await Require(actor);
        partij = await ValidateAsync(roles, gebieden, partij);
        var user = await Find(id);
        if (user.UserName == actor.Identity?.Name && !roles.Contains(KaartRoles.Beheerder))
            throw new UserAdministrationException("U kunt uw eigen beheerdersrol niet intrekken; laat een andere beheerder dat doen.");
        user.Roles = [.. roles];
        user.Gebieden = [.. gebieden];
        user.Partij = partij;
        Check(await users.UpdateSecurityStampAsync(user)); // signs the user out everywhere at once, so new roles apply
        await audit.WriteAsync(AuditLog.ActorOf(actor), "rollen gewijzigd", "gebruiker", user.UserName, new { roles, gebieden, partij });
    }

    public async Task UnlockAsync(ClaimsPrincipal actor, Guid id)
    {
        await Require(actor);
        var user = await Find(id);
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
        await audit.WriteAsync(AuditLog.ActorOf(actor), "gedeblokkeerd", "gebruiker", user.UserName);
    }

    /// <summary>Sets a new generated password and returns it (shown once).</summary>
    public async Task<string> ResetPasswordAsync(ClaimsPrincipal actor, Guid id)
    {
        await Require(actor);
        var user = await Find(id);
        var password = UserCommand.GeneratePassword();
        Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, password));
        Check(await users.UpdateSecurityStampAsync(user)); // every session with the old password ends
        await audit.WriteAsync(AuditLog.ActorOf(actor), "wachtwoord opnieuw ingesteld", "gebruiker", user.UserName);
        return password;
    }

    public async Task DeleteAsync(ClaimsPrincipal actor, Guid id)
    {
        await Require(actor);
        var user = await Find(id);
        if (user.UserName == actor.Identity?.Name) throw new UserAdministrationException("U kunt uw eigen account niet verwijderen.");
        Check(await users.DeleteAsync(user));
        await audit.WriteAsync(AuditLog.ActorOf(actor), "gebruiker verwijderd", "gebruiker", user.UserName);
    }

    /// <summary>Checks the roles, gebieden and party; answers the party as stored (null unless a partner).</summary>
    private async Task<string?> ValidateAsync(IReadOnlyCollection<string> roles, IReadOnlyCollection<string> gebieden, string? partij)
    {
        partij = string.IsNullOrWhiteSpace(partij) ? null : partij.Trim();
        if (ValidationError(roles, gebieden, indeling, partij, await PartiesAsync(db),
                roles.Contains(KaartRoles.Regiegroep) ? await RegiegroepAreasAsync(db) : null) is { } error) throw new UserAdministrationException(error);
        return partij;
    }

    /// <summary>Why this set of roles, gebieden and party cannot be given to an account (Dutch), or null when it can.</summary>
    public static string? ValidationError(IReadOnlyCollection<string> roles, IReadOnlyCollection<string> gebieden, Gebiedsindeling indeling,
        string? partij, IReadOnlyCollection<string> knownParties, IReadOnlyCollection<string>? regiegroepAreas = null)
    {
        if (roles.Count == 0) return "Kies minstens één rol.";
        if (roles.FirstOrDefault(r => !KaartRoles.All.Contains(r)) is { } role)
            return $"Onbekende rol '{role}'; bekend: {string.Join(", ", KaartRoles.All)}.";
        var known = indeling.Gebieden.Select(g => g.Code).ToHashSet();
        if (roles.Contains(KaartRoles.Regiegroep))
        {
            // a regiegroep is residents of one wijk, dorp or gebied: that one role and that one area
            if (roles.Count > 1) return "Een regiegroeplid heeft alleen de rol Regiegroep; geef een medewerker een apart account.";
            if (gebieden.Count != 1) return "Een regiegroeplid hoort bij precies één wijk, dorp of gebied (--gebied met een wijk-, dorp- of gebiedscode).";
            var area = gebieden.First();
            return (regiegroepAreas ?? []).Contains(area) ? partij is null ? null : "Alleen een partneraccount hoort bij een partij."
                : $"Onbekende wijk, dorp of gebied '{area}'.";
        }
        if (gebieden.FirstOrDefault(g => !known.Contains(g)) is { } gebied)
            return $"Onbekend gebied '{gebied}'; bekend: {string.Join(", ", known)}.";
        if (roles.Contains(KaartRoles.Gebiedsteam) && gebieden.Count == 0) return "Een lid van een gebiedsteam heeft minstens één gebied nodig.";
        if (roles.Contains(KaartRoles.Partner))
        {
            // a partner is someone outside the municipality's staff: that one role and its own party; its gebieden (optional)
            // are the Gebiedsteam+ circles it takes part in — its tasks come from every gebied regardless
            if (roles.Count > 1) return "Een partneraccount heeft alleen de rol Partner; geef een medewerker een apart account.";
            if (partij is null) return "Kies de partij waarvoor dit partneraccount werkt.";
            if (!knownParties.Contains(partij))
                return $"De partij '{partij}' staat in geen enkel Gebiedsteam+ register (Beheer → Gebiedsteams); zet haar daar eerst in.";
        }
        else if (partij is not null) return "Alleen een partneraccount hoort bij een partij.";
        return null;
    }

    private async Task<KaartUser> Find(Guid id) =>
        await users.FindByIdAsync(id.ToString()) ?? throw new UserAdministrationException("Deze gebruiker bestaat niet (meer).");

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new UserAdministrationException("De wijziging is niet gelukt: " + string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>The actor as stored now must be a beheerder: a page opened before a role change or sign-out cannot act.</summary>
    private async Task Require(ClaimsPrincipal actor)
    {
        var now = await fresh.GetAsync(actor);
        if (now is null || !now.IsBeheerder()) throw new UnauthorizedAccessException("Only a beheerder manages users.");
    }
}
