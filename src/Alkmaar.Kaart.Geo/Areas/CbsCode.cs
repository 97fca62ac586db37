using System.Text.RegularExpressions;

namespace Alkmaar.Kaart.Geo.Areas;

/// <summary>
/// CBS area codes. The code is the hierarchy: buurt <c>BU</c>+gggg+ww+bb lies in wijk <c>WK</c>+gggg+ww,
/// which lies in gemeente <c>GM</c>+gggg.
/// </summary>
public static partial class CbsCode
{
    [GeneratedRegex("^BU(\\d{4})(\\d{2})(\\d{2})$")]
    private static partial Regex BuurtPattern();

    [GeneratedRegex("^WK(\\d{4})(\\d{2})$")]
    private static partial Regex WijkPattern();

    [GeneratedRegex("^GM(\\d{4})$")]
    private static partial Regex GemeentePattern();

    public static bool IsBuurt(string code) => BuurtPattern().IsMatch(code);
    public static bool IsWijk(string code) => WijkPattern().IsMatch(code);
    public static bool IsGemeente(string code) => GemeentePattern().IsMatch(code);

    /// <summary>The wijk code of a buurt code: BU03610102 → WK036101.</summary>
    public static string WijkOfBuurt(string buurtCode)
    {
        var m = BuurtPattern().Match(buurtCode);
        if (!m.Success) throw new FormatException($"'{buurtCode}' is not a CBS buurt code (BUggggwwbb).");
        return $"WK{m.Groups[1].Value}{m.Groups[2].Value}";
    }

    /// <summary>The gemeente code of a buurt or wijk code: BU03610102 → GM0361.</summary>
    public static string GemeenteOf(string code)
    {
        var m = BuurtPattern().Match(code);
        if (!m.Success) m = WijkPattern().Match(code);
        if (!m.Success) throw new FormatException($"'{code}' is not a CBS buurt or wijk code.");
        return $"GM{m.Groups[1].Value}";
    }
}
