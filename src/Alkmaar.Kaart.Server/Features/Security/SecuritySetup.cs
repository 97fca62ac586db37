using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>Rate limits of the public endpoints (section <c>RateLimits</c>), per client IP address.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Public writes per client per minute, one budget for all of them (a melding by the API or the form, a
    /// verbeterpunt, a vote, an application: <see cref="PublicWriteAttribute"/>).</summary>
    [Range(1, 1_000_000)] public int PublicWritesPerMinute { get; set; } = 20;

    /// <summary>Anonymous pages (server-rendered requests) per client per minute.</summary>
    [Range(1, 10_000_000)] public int PublicPagesPerMinute { get; set; } = 300;

    /// <summary>All other anonymous requests to /api and /ogc per client per minute.</summary>
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
        var writes = new PublicWriteBudget(limits.PublicWritesPerMinute);
        builder.Services.AddSingleton(writes);
        var reads = new PublicReadBudget(limits.PublicReadsPerMinute);
        builder.Services.AddSingleton(reads);
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
                        detail: "Te veel verzoeken van dit adres; probeer het over een minuut opnieuw.").ExecuteAsync(ctx.HttpContext);
                    return;
                }
                ctx.HttpContext.Response.ContentType = "text/html; charset=utf-8";
                await ctx.HttpContext.Response.WriteAsync(
                    "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Te veel pogingen — Alkmaar Kaart</title></head>" +
                    "<body><main><h1>Te veel pogingen</h1><p>Wacht een minuut en probeer het dan opnieuw.</p><p><a href=\"/\">Terug naar de kaart</a></p></main></body></html>", ct);
            };
            // the write budget is the one the interactive pages spend too (PublicWriteBudget); every other limit is here
            // so is the read budget, which the lean locate path (LeanLocate) spends before routing
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, limits)),
                writes.Limiter.WithTranslatedKey<HttpContext>(http => SpendsWrite(http) ? writes.KeyOf(Client(http)) : "", leaveOpen: true),
                reads.Limiter.WithTranslatedKey<HttpContext>(http => IsPublicRead(http) ? reads.KeyOf(Client(http)) : "", leaveOpen: true));
        });
    }

    private static string Client(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "onbekend";

    /// <summary>An anonymous read of /api or /ogc (not a public write, not a sign-in): it spends the read budget.</summary>
    private static bool IsPublicRead(HttpContext http) =>
        http.User.Identity?.IsAuthenticated != true && !SpendsWrite(http)
        && !(HttpMethods.IsPost(http.Request.Method) && http.GetEndpoint()?.Metadata.GetMetadata<SignInFormAttribute>() is not null)
        && (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/ogc"));

    private static bool SpendsWrite(HttpContext http) =>
        HttpMethods.IsPost(http.Request.Method) && http.GetEndpoint()?.Metadata.GetMetadata<PublicWriteAttribute>() is not null;

    /// <summary>
    /// Which limit a request counts against, decided by its endpoint (never by a path string: a trailing slash or other
    /// casing is the same endpoint): sign-in POSTs per client; public writes — API and form alike — one budget per client;
    /// signed-in staff unlimited otherwise; anonymous reads of /api and /ogc one budget; anonymous pages another. The live
    /// connection, static files and health are not limited here.
    /// </summary>
    private static RateLimitPartition<string> Partition(HttpContext http, RateLimitOptions limits)
    {
        static RateLimitPartition<string> Window(string key, int permits) =>
            RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1) });
        var endpoint = http.GetEndpoint();
        var post = HttpMethods.IsPost(http.Request.Method);
        if (post && endpoint?.Metadata.GetMetadata<SignInFormAttribute>() is not null) return Window("inloggen:" + Client(http), limits.SignInsPerMinute);
        if (SpendsWrite(http)) return RateLimitPartition.GetNoLimiter("schrijven"); // the write budget (chained, PublicWriteBudget)
        if (http.User.Identity?.IsAuthenticated == true) return RateLimitPartition.GetNoLimiter("staff");
        if (IsPublicRead(http)) return RateLimitPartition.GetNoLimiter("lezen"); // the read budget (chained, PublicReadBudget)
        if (endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null)
            return Window("pagina:" + Client(http), limits.PublicPagesPerMinute);
        return RateLimitPartition.GetNoLimiter("overig");
    }

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
        Csp = csp;
        app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                AddSecurityHeaders(http);
                return Task.CompletedTask;
            });
            await next();
        });
    }

    private static string Csp = "default-src 'self'";

    /// <summary>The security headers of every response (also those of the lean locate path, which answers before this middleware).</summary>
    public static void AddSecurityHeaders(HttpContext http)
    {
        var h = http.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "strict-origin-when-cross-origin";
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self), payment=()";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h.ContentSecurityPolicy = Csp;
        if (http.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
    }
}
