namespace Alkmaar.Kaart.Server.Features;

/// <summary>Rules for text a person types, shared by every feature.</summary>
public static class TextFields
{
    /// <summary>
    /// True when <paramref name="value"/> fits on one line: no line break (CR, LF, NEL, U+2028/2029) and no other control
    /// character. Titles, names and e-mail addresses must, so nothing a stranger typed can add a header or a line to a
    /// message, a CSV row or a log entry.
    /// </summary>
    public static bool IsSingleLine(string? value) => value is null || !value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');
}
