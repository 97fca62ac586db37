using System.Net;
using System.Text;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// A page's posted form that Blazor cannot take — the page no longer shows that form (the phase moved on, a sign-in ended
/// since the page was opened), or its antiforgery token is no longer valid (a new key, a page open for days) — is answered
/// by Blazor with a bare English 400 in plain text, and what the person typed is gone. This answers such a post with the
/// Dutch page instead, 400 still, with everything that was typed to copy; every other answer passes unchanged. Only
/// posted forms to pages are looked at (APIs answer problem+json themselves); their answers are small HTML.
/// </summary>
public static class FormAnswers
{
    // Blazor's own texts for the two cases (Microsoft.AspNetCore.Components.Endpoints); should they change, the bare answer
    // passes through as before
    private static readonly string[] NoSuchForm = ["Cannot submit the form", "The POST request does not specify which form"];
    private const string NoToken = "A valid antiforgery token was not provided";

    public static void UseKaartFormAnswers(this WebApplication app) => app.Use(async (http, next) =>
    {
        // (the content type as sent: HasFormContentType throws once antiforgery has refused the token)
        if (!HttpMethods.IsPost(http.Request.Method) || IsApi(http.Request.Path)
            || http.Request.ContentType is not { } type || !(type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
                || type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)))
        {
            await next();
            return;
        }
        http.Request.EnableBuffering(); // to show a refused form back (see TypedAsync)
        var original = http.Response.Body;
        await using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try { await next(); }
        finally { http.Response.Body = original; }
        if (http.Response.StatusCode == StatusCodes.Status400BadRequest && buffer.Length < 4096
            && Kind(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)) is { } kind)
        {
            var form = await TypedAsync(http.Request);
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(Page(kind, form, http.Request.Path + http.Request.QueryString));
            return;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    });

    /// <summary>The posted fields: as Blazor read them, or — a refused token, when ASP.NET Core will not hand out the form —
    /// read again from the buffered body (only to show them back; nothing is done with them).</summary>
    private static async Task<IFormCollection> TypedAsync(HttpRequest request)
    {
        try { return await request.ReadFormAsync(); }
        catch (InvalidOperationException) when (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            // ASP.NET Core will not hand out a form whose token it refused: the buffered body, read again
            request.Body.Position = 0;
            using var reader = new Microsoft.AspNetCore.WebUtilities.FormReader(request.Body);
            return new FormCollection(await reader.ReadFormAsync());
        }
        catch (InvalidOperationException) { return FormCollection.Empty; }
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/ogc") || path.StartsWithSegments("/health");

    private static string? Kind(string text) =>
        NoSuchForm.Any(t => text.StartsWith(t, StringComparison.Ordinal)) ? "form"
        : text.Contains(NoToken, StringComparison.Ordinal) ? "token" : null;

    /// <summary>The Dutch page: what happened, the way back, and every typed field (not the form's own hidden fields).</summary>
    public static string Page(string kind, IFormCollection form, string back)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var why = kind == "token"
            ? "Dit formulier is verlopen: de pagina stond lang open, of de site is intussen vernieuwd."
            : "Dit formulier hoort niet meer bij de pagina: die is veranderd sinds u hem opende (bijvoorbeeld een fase die voorbij is), of u bent intussen uitgelogd.";
        var typed = new StringBuilder();
        var i = 0;
        foreach (var (name, values) in form)
        {
            if (name is "_handler" or "__RequestVerificationToken" || name.StartsWith("__", StringComparison.Ordinal)) continue;
            var value = string.Join("\n", values.Where(v => !string.IsNullOrWhiteSpace(v)));
            if (value.Length == 0) continue;
            i++;
            typed.Append($"""<div><label for="getypt-{i}">{E(name)}</label><textarea id="getypt-{i}" rows="3" readonly>{E(value)}</textarea></div>""");
        }
        var kept = typed.Length == 0 ? "" : $"<h2>Wat u had ingevuld</h2><p>Kopieer wat u nog nodig hebt.</p>{typed}";
        return $$"""
            <!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Formulier niet verstuurd — Alkmaar Kaart</title>
            <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}a{color:#0b5cad}
            label{display:block;font-weight:600;margin-top:1rem}textarea{width:100%;font:inherit}</style></head>
            <body><main><h1>Formulier niet verstuurd</h1><p data-form-answer="{{kind}}">{{why}} Er is niets bewaard.</p>
            <p><a href="{{E(back)}}">Open de pagina opnieuw</a> en probeer het nog eens.</p>{{kept}}</main></body></html>
            """;
    }
}
