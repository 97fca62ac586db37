using System.Text;
using System.Text.Encodings.Web;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>The HTML encoding of the OGC API (Part 1 "html" class): small Dutch pages with the same links as the JSON.</summary>
public static class OgcHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static string E(string? s) => Encoder.Encode(s ?? "");

    public static string A(string href, string text) => $"<a href=\"{E(href)}\">{E(text)}</a>";

    public static string Value(object? v) => v switch
    {
        null => "",
        IEnumerable<KeyValuePair<string, int>> d => E(string.Join(", ", d.Select(kv => $"{kv.Key} {kv.Value}"))),
        _ => E(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)),
    };

    public static string LinkList(IEnumerable<OgcEndpoints.Link> links) =>
        "<ul>" + string.Concat(links.Select(l => $"<li>{A(l.Href, l.Title ?? l.Href)} <small>({E(l.Rel)}, {E(l.Type)})</small></li>")) + "</ul>";

    public static string Table(IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        var sb = new StringBuilder("<table><thead><tr>");
        foreach (var h in headers) sb.Append("<th scope=\"col\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows) sb.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{c}</td>"))).Append("</tr>");
        return sb.Append("</tbody></table>").ToString();
    }

    /// <summary>A whole page; <paramref name="body"/> is already encoded HTML.</summary>
    public static IResult Page(string title, string body) => TypedResults.Content(
        $"""
        <!DOCTYPE html>
        <html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)} — Alkmaar Kaart OGC API</title><link rel="stylesheet" href="/css/site.css"></head>
        <body><main class="page"><p><a href="/ogc?f=html">OGC API Features</a> · <a href="/ogc/collections?f=html">Collecties</a></p>
        <h1>{E(title)}</h1>{body}</main></body></html>
        """, "text/html; charset=utf-8");
}
