using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Microsoft.AspNetCore.RateLimiting;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>Rate limits of the public endpoints (section <c>RateLimits</c>), per client IP address.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Public writes (submitting a melding) per client per minute.</summary>
    [Range(1, 1_000_000)] public int PublicWritesPerMinute { get; set; } = 20;

    /// <summary>All other anonymous requests to /api per client per minute.</summary>
    [Range(1, 10_000_000)] public int PublicReadsPerMinute { get; set; } = 600;

    /// <summary>Sign-in attempts (POST /inloggen) per client per minute, whatever the account.</summary>
    [Range(1, 10_000_000)] public int SignInsPerMinute { get; set; } = 10;
}

/// <summary>Rate limiting (429 problem+json) and security headers for every response.</summary>
public static class SecuritySetup
{
    public static void AddKaartSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString();
                if (ctx.HttpContext.Request.Path.StartsWithSegments("/api") || ctx.HttpContext.Request.Path.StartsWithSegments("/ogc"))
                {
                    await Results.Problem(title: "Te veel verzoeken", statusCode: StatusCodes.Status429TooManyRequests,
                        detail: "Too many requests from this client; try again in a minute.").ExecuteAsync(ctx.HttpContext);
                    return;
                }
                ctx.HttpContext.Response.ContentType = "text/html; charset=utf-8";
                await ctx.HttpContext.Response.WriteAsync(
                    "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Te veel pogingen — Alkmaar Kaart</title></head>" +
                    "<body><main><h1>Te veel pogingen</h1><p>Wacht een minuut en probeer het dan opnieuw.</p><p><a href=\"/\">Terug naar de kaart</a></p></main></body></html>", ct);
            };
            o.AddPolicy(MeldingenEndpoints.PublicWriteRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                Client(http), _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PublicWritesPerMinute, Window = TimeSpan.FromMinutes(1) }));
            // Anonymous API reads: signed-in staff are not limited here.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                // sign-in attempts: throttled per client, whoever is tried (password guessing across many accounts)
                HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Equals(Accounts.AccountSetup.SignInPath, StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter("inloggen:" + Client(http), _ => new FixedWindowRateLimiterOptions
                        { PermitLimit = limits.SignInsPerMinute, Window = TimeSpan.FromMinutes(1) })
                // the resident's melding form (a page, so not under /api): as many as the API's public writes
                : HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Equals("/melding", StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter("melding:" + Client(http), _ => new FixedWindowRateLimiterOptions
                        { PermitLimit = limits.PublicWritesPerMinute, Window = TimeSpan.FromMinutes(1) })
                : http.User.Identity?.IsAuthenticated == true || !http.Request.Path.StartsWithSegments("/api")
                    ? RateLimitPartition.GetNoLimiter("staff-or-page")
                    : RateLimitPartition.GetFixedWindowLimiter(Client(http), _ => new FixedWindowRateLimiterOptions
                        { PermitLimit = limits.PublicReadsPerMinute, Window = TimeSpan.FromMinutes(1) }));
        });
    }

    private static string Client(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "onbekend";

    /// <summary>
    /// Security headers on every response. The content security policy allows only our own scripts and styles (Blazor
    /// needs inline styles and its WebSocket), images from our origin, data: URIs and the configured tile server.
    /// </summary>
    public static void UseKaartSecurityHeaders(this WebApplication app)
    {
        var tiles = app.Configuration["Map:BackgroundTileUrl"] is { Length: > 0 } url && Uri.TryCreate(url.Replace("{", "").Replace("}", ""), UriKind.Absolute, out var u)
            ? $" {u.Scheme}://{u.Authority}" : "";
        var csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
                  $"img-src 'self' data: blob:{tiles}; font-src 'self' data:; connect-src 'self' ws: wss:; " +
                  "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
        app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var h = http.Response.Headers;
                h.XContentTypeOptions = "nosniff";
                h.XFrameOptions = "DENY";
                h["Referrer-Policy"] = "strict-origin-when-cross-origin";
                h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self), payment=()";
                h["Cross-Origin-Opener-Policy"] = "same-origin";
                h.ContentSecurityPolicy = csp;
                if (http.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
