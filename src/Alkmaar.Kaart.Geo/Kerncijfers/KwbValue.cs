using System.Globalization;

namespace Alkmaar.Kaart.Geo.Kerncijfers;

/// <summary>
/// A cell of a CBS kwb file. CBS writes a secret or unknown value as "." (often padded with spaces), and in some tables as
/// -99997 (geheim) or -99995/-99999 (onbekend); never as 0. Numbers come with a decimal point or, in several kwb
/// editions, a decimal comma.
/// </summary>
public static class KwbValue
{
    /// <summary>The number in a cell, or null when CBS marks it secret or unknown (also an empty cell).</summary>
    /// <exception cref="FormatException">The cell is neither a number nor one of CBS's codes.</exception>
    public static double? Parse(string? cell)
    {
        var s = (cell ?? "").Trim();
        if (s is "" or "." or "x" or "-" or "?") return null;
        s = s.Replace(',', '.');
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new FormatException($"'{cell}' is geen getal en geen CBS-code voor geheim of onbekend.");
        return v is -99997 or -99995 or -99999 or -99998 ? null : v;
    }
}
