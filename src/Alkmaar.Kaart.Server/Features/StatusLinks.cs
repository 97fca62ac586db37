using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Alkmaar.Kaart.Server.Features;

/// <summary>
/// A private link for a resident (a melding, a verbeterpunt, an initiative application): 256 random bits as base64url (43
/// characters). Only its SHA-256 is stored, so the database cannot hand out links; a link cannot be guessed or derived
/// from the number of what it is for. Kernel: every feature with a resident's private link uses this one.
/// </summary>
public static class StatusLinks
{
    public const int TokenBytes = 32;

    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(TokenBytes));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    /// <summary>A token of the right shape (43 base64url characters); anything else is not looked up.</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: 43 } && token.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    public static string PathOf(string token) => $"/melding/status/{token}";

    /// <summary>The reference residents and staff use on the phone: "M-" and the number.</summary>
    public static string Reference(long id) => $"M-{id}";
}
