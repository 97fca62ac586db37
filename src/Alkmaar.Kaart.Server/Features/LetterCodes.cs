using System.Security.Cryptography;
using System.Text;

namespace Alkmaar.Kaart.Server.Features;

/// <summary>
/// One-time codes printed in letters to every address of an area (stem codes of Wij(k) aan zet, steuncodes of draagvlak):
/// 12 characters without look-alikes (no 0/O, 1/I) in groups of four; only a hash is stored, read case- and
/// separator-insensitively.
/// </summary>
public static class LetterCodes
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string New()
    {
        Span<char> s = stackalloc char[12];
        for (var i = 0; i < s.Length; i++) s[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return $"{s[..4]}-{s[4..8]}-{s[8..]}";
    }

    /// <summary>The stored hash of a code as typed (letters and digits only, upper case), under a purpose prefix.</summary>
    public static byte[] Hash(string code, string purpose = "") =>
        SHA256.HashData(Encoding.ASCII.GetBytes(purpose + new string((code ?? "").Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray())));
}
