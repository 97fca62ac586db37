using System.Globalization;

namespace Alkmaar.Kaart.Server.Features;

/// <summary>
/// Kernel: CSV cells for every CSV this server writes (exports, the border band, plans, vote codes, route batches), so no
/// feature depends on another for them.
/// </summary>
public static class Csv
{
    /// <summary>
    /// One CSV cell of data that may come from anyone. Text that a spreadsheet would run as a formula (starting with
    /// <c>= + - @</c>, tab or CR) is neutralised per OWASP by a leading apostrophe; numbers are written as numbers (a
    /// negative number is no formula); quoted per RFC 4180 when needed.
    /// </summary>
    public static string Cell(object? v)
    {
        var s = v switch
        {
            null => "",
            IEnumerable<KeyValuePair<string, int>> d => string.Join(";", d.Select(kv => $"{kv.Key}={kv.Value}")),
            IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
        if (v is not IFormattable && s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r') s = "'" + s;
        return Field(s);
    }

    /// <summary>An RFC 4180 field as it is (quoted when it holds a comma, quote or line break): for values the caller sent
    /// itself and gets back (a route batch's own ids), which must round-trip unchanged.</summary>
    public static string Field(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
