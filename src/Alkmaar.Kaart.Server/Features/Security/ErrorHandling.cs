using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// One exception path for every request, in every environment: APIs (<c>/api</c>, <c>/ogc</c>, <c>/health</c>) answer
/// problem+json, pages the Dutch error page; never a stack trace or an empty body.
/// <list type="bullet">
/// <item>PostgreSQL unreachable (connection refused, shutting down, starting up) → 503 with <c>Retry-After</c>;</item>
/// <item>text PostgreSQL cannot store (a NUL byte, invalid UTF-8) or a malformed request → 400;</item>
/// <item>anything else → 500, logged with its trace id, which the answer names.</item>
/// </list>
/// Query strings with NUL or other control characters are refused with 400 before any endpoint runs.
/// </summary>
public static class ErrorHandling
{
    /// <summary>Seconds a client is asked to wait while the database is unavailable.</summary>
    public const int RetryAfterSeconds = 15;

    public static void UseKaartErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HandleAsync,
            // pages: the Dutch error page, rendered for GET whatever the original method was
            AllowStatusCode404Response = true,
            // the middleware's own "unhandled exception" log is off: an ordinary refusal (bad input, a conflict, a period not
            // over) is no error and would be logged with the client's own text in it (log forging); HandleAsync logs what
            // is an error (a 500, the database away) once, with structured fields
            SuppressDiagnosticsCallback = _ => true,
        });
        app.Use(async (http, next) =>
        {
            if (HasControlCharacters(http.Request.QueryString.Value) || HasControlCharacters(Uri.UnescapeDataString(http.Request.Path.Value ?? "")))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await Results.Problem(title: "Ongeldige tekens", statusCode: 400,
                    detail: "Het verzoek bevat een NUL-teken of een ander stuurteken.").ExecuteAsync(http);
                return;
            }
            await next();
        });
    }

    /// <summary>True when decoded text holds a NUL byte or a C0/C1 control character other than tab, CR and LF.</summary>
    public static bool HasControlCharacters(string? raw)
    {
        if (string.IsNullOrEmpty(raw)) return false;
        string text;
        try { text = Uri.UnescapeDataString(raw.Replace('+', ' ')); }
        catch (UriFormatException) { return true; }
        foreach (var c in text)
            if ((c < 0x20 && c is not ('\t' or '\r' or '\n')) || c is >= '\u007f' and <= '\u009f') return true;
        return false;
    }

    private static bool IsApi(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/ogc") || http.Request.Path.StartsWithSegments("/health");

    /// <summary>True for failures that mean "the database cannot be reached now".</summary>
    public static bool IsDatabaseUnavailable(Exception e) => e switch
    {
        PostgresException p => p.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "08006" or "08001" or "08004",
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        NpgsqlException n when n.Message.Contains("connect", StringComparison.OrdinalIgnoreCase) => true,
        // several hosts (Patroni) and none is the primary now: a failover is under way
        NpgsqlException n when n.Message.Contains("No suitable host", StringComparison.OrdinalIgnoreCase) => true,
        SocketException => true,
        _ when e.InnerException is { } inner => IsDatabaseUnavailable(inner),
        _ => false,
    };

    private static bool IsBadText(Exception e) => e switch
    {
        PostgresException p => p.SqlState is "22021" or "22P05" or "22P02" or "54000",
        ArgumentException a when a.Message.Contains("0x00") => true,
        _ when e.InnerException is { } inner => IsBadText(inner),
        _ => false,
    };

    private static async Task HandleAsync(HttpContext http)
    {
        var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (error is RejectedException rejected && IsApi(http))
        {
            // a refusal by a feature (bad input, a conflict): its own problem, not an error
            http.Response.StatusCode = rejected.Status;
            await rejected.ToResult().ExecuteAsync(http);
            return;
        }
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Alkmaar.Kaart.Errors");
        var trace = System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier;
        int status;
        string title, detail;
        if (error is not null && IsDatabaseUnavailable(error))
        {
            (status, title, detail) = (503, "Tijdelijk niet beschikbaar", "De database is nu niet bereikbaar; probeer het zo opnieuw.");
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
            logger.LogWarning("Database unavailable for {Path} ({Trace}): {Message}", http.Request.Path.Value, trace, error.Message);
        }
        else if (error is BadHttpRequestException bad)
        {
            (status, title, detail) = (bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400, "Ongeldig verzoek", "Het verzoek kon niet gelezen worden.");
        }
        else if (error is not null && IsBadText(error))
        {
            (status, title, detail) = (400, "Ongeldige tekens", "Het verzoek bevat tekst die niet bewaard kan worden (een NUL-teken of ongeldige tekens).");
        }
        else
        {
            (status, title, detail) = (500, "Er ging iets mis", $"Er ging onverwacht iets mis; het is vastgelegd als {trace}.");
            logger.LogError(error, "Unhandled error on {Method} {Path} ({Trace})", http.Request.Method, http.Request.Path.Value, trace);
        }
        http.Response.StatusCode = status;
        if (IsApi(http) || !HttpMethods.IsGet(http.Request.Method))
        {
            await Results.Problem(title: title, detail: detail, statusCode: status,
                extensions: new Dictionary<string, object?> { ["traceId"] = trace }).ExecuteAsync(http);
            return;
        }
        await WritePageAsync(http, status, title, trace);
    }

    /// <summary>
    /// The Dutch page for a status without content (an unknown URL's 404, an error): the page a resident sees instead of
    /// the browser's own English error page. APIs get problem+json instead (<see cref="UseKaartStatusPages"/>).
    /// </summary>
    public static async Task WritePageAsync(HttpContext http, int status, string title, string? trace = null)
    {
        http.Response.ContentType = "text/html; charset=utf-8";
        var retry = status == 503 ? "<p>De database is even niet bereikbaar. Probeer het over een minuut opnieuw.</p>" : "";
        var text = status switch
        {
            404 => "Deze pagina bestaat niet (meer). Controleer het adres, of begin opnieuw bij de kaart.",
            400 => "Het verzoek bevat iets wat we niet kunnen lezen.",
            _ => "Probeer het later opnieuw.",
        };
        var code = trace is null ? "" : $"<p><small>Foutcode: {System.Net.WebUtility.HtmlEncode(trace)}</small></p>";
        await http.Response.WriteAsync($$"""
            <!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{System.Net.WebUtility.HtmlEncode(title)}} — Alkmaar Kaart</title>
            <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}a{color:#0b5cad}</style></head>
            <body><main><h1>{{System.Net.WebUtility.HtmlEncode(title)}}</h1>{{retry}}
            <p>{{text}} <a href="/">Terug naar de kaart</a>.</p>{{code}}</main></body></html>
            """);
    }

    /// <summary>Answers a status without content: problem+json on API paths (and writes), a Dutch page for pages.</summary>
    public static void UseKaartStatusPages(this WebApplication app) => app.UseStatusCodePages(async ctx =>
    {
        var http = ctx.HttpContext;
        if (IsApi(http) || !HttpMethods.IsGet(http.Request.Method))
            await Results.Problem(statusCode: http.Response.StatusCode).ExecuteAsync(http);
        else
            await WritePageAsync(http, http.Response.StatusCode, http.Response.StatusCode == 404 ? "Pagina niet gevonden" : "Er ging iets mis");
    });
}
