using Microsoft.AspNetCore.Identity;

namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>
/// ASP.NET Core Identity's refusals in Dutch: beheerders read them on <c>/beheer/gebruikers</c> and in <c>./kaart user add</c>
/// (Identity's own describer speaks English).
/// </summary>
public sealed class DutchIdentityErrors : IdentityErrorDescriber
{
    private static IdentityError E(string code, string text) => new() { Code = code, Description = text };

    public override IdentityError DefaultError() => E(nameof(DefaultError), "Er ging iets mis.");
    public override IdentityError ConcurrencyFailure() => E(nameof(ConcurrencyFailure), "Het account is intussen door iemand anders gewijzigd; probeer het opnieuw.");
    public override IdentityError PasswordMismatch() => E(nameof(PasswordMismatch), "Het wachtwoord klopt niet.");
    public override IdentityError InvalidToken() => E(nameof(InvalidToken), "De code is ongeldig of verlopen.");
    public override IdentityError InvalidUserName(string? userName) =>
        E(nameof(InvalidUserName), $"De gebruikersnaam '{userName}' kan niet: alleen letters, cijfers en - . _ @.");
    public override IdentityError InvalidEmail(string? email) => E(nameof(InvalidEmail), $"Het e-mailadres '{email}' klopt niet.");
    public override IdentityError DuplicateUserName(string userName) => E(nameof(DuplicateUserName), $"De gebruikersnaam '{userName}' bestaat al.");
    public override IdentityError DuplicateEmail(string email) => E(nameof(DuplicateEmail), $"Het e-mailadres '{email}' is al in gebruik.");
    public override IdentityError InvalidRoleName(string? role) => E(nameof(InvalidRoleName), $"De rol '{role}' bestaat niet.");
    public override IdentityError DuplicateRoleName(string role) => E(nameof(DuplicateRoleName), $"De rol '{role}' bestaat al.");
    public override IdentityError UserAlreadyHasPassword() => E(nameof(UserAlreadyHasPassword), "Dit account heeft al een wachtwoord.");
    public override IdentityError UserLockoutNotEnabled() => E(nameof(UserLockoutNotEnabled), "Blokkeren kan voor dit account niet.");
    public override IdentityError UserAlreadyInRole(string role) => E(nameof(UserAlreadyInRole), $"Het account heeft de rol '{role}' al.");
    public override IdentityError UserNotInRole(string role) => E(nameof(UserNotInRole), $"Het account heeft de rol '{role}' niet.");
    public override IdentityError PasswordTooShort(int length) => E(nameof(PasswordTooShort), $"Een wachtwoord heeft ten minste {length} tekens.");
    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) =>
        E(nameof(PasswordRequiresUniqueChars), $"Een wachtwoord heeft ten minste {uniqueChars} verschillende tekens.");
    public override IdentityError PasswordRequiresNonAlphanumeric() => E(nameof(PasswordRequiresNonAlphanumeric), "Een wachtwoord heeft ten minste één leesteken.");
    public override IdentityError PasswordRequiresDigit() => E(nameof(PasswordRequiresDigit), "Een wachtwoord heeft ten minste één cijfer.");
    public override IdentityError PasswordRequiresLower() => E(nameof(PasswordRequiresLower), "Een wachtwoord heeft ten minste één kleine letter.");
    public override IdentityError PasswordRequiresUpper() => E(nameof(PasswordRequiresUpper), "Een wachtwoord heeft ten minste één hoofdletter.");
    public override IdentityError RecoveryCodeRedemptionFailed() => E(nameof(RecoveryCodeRedemptionFailed), "De herstelcode klopt niet.");
    public override IdentityError LoginAlreadyAssociated() => E(nameof(LoginAlreadyAssociated), "Dit account is al gekoppeld.");
}
