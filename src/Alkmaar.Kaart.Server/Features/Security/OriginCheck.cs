using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>The reverse proxy in front of the dashboard (section <c>ReverseProxy</c>).</summary>
public sealed class ReverseProxyOptions
{
    public const string Section = "ReverseProxy";

    /// <summary>IP addresses of the proxies whose X-Forwarded-For / -Proto / -Host are trusted. Empty: none (direct).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. 10.1.0.0/16) of trusted proxies.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Origins (scheme://host[:port]) besides the dashboard's own that may send cookie-authenticated writes.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    [Range(1, 10)] public int ForwardLimit { get; set; } = 1;
}

/// <summary>
/// Forwarded headers from a configured reverse proxy only (so rate limits and the audit log see the real client), and an
/// Origin check: a browser request with the sign-in cookie that changes something (POST, PUT, PATCH, DELETE) or opens the
/// Blazor circuit must come from the dashboard's own origin (or a configured one). Requests without an Origin header are
/// not from a cross-site page (browsers always send it on cross-site writes and WebSockets) and pass; SameSite=Lax on the
/// cookie and antiforgery on forms remain the other layers.
/// </summary>
public static class OriginCheck
{
    public static void AddKaartReverseProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReverseProxyOptions>().Bind(builder.Configuration.GetSection(ReverseProxyOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "ReverseProxy:KnownProxies holds an entry that is not an IP address.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "ReverseProxy:KnownNetworks holds an entry that is not a CIDR network.")
            .ValidateOnStart();
        var o = builder.Configuration.GetSection(ReverseProxyOptions.Section).Get<ReverseProxyOptions>() ?? new ReverseProxyOptions();
        builder.Services.Configure<ForwardedHeadersOptions>(f =>
        {
            f.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            f.ForwardLimit = o.ForwardLimit;
            // the defaults trust loopback; only what is configured is trusted (both the old and the new network list)
            f.KnownProxies.Clear();
            f.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005
            f.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var p in o.KnownProxies) if (IPAddress.TryParse(p, out var ip)) f.KnownProxies.Add(ip);
            foreach (var n in o.KnownNetworks) if (System.Net.IPNetwork.TryParse(n, out var net)) f.KnownIPNetworks.Add(net);
        });
    }

    /// <summary>The client's address from a configured proxy, first of all (rate limits, the audit log and the lean
    /// locate path all read it).</summary>
    public static void UseKaartForwardedHeaders(this WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReverseProxyOptions>>().Value;
        // Only with a configured proxy: the middleware trusts every sender when its lists are empty.
        if (proxy.KnownProxies.Count > 0 || proxy.KnownNetworks.Count > 0) app.UseForwardedHeaders();
    }

    public static void UseKaartOriginCheck(this WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReverseProxyOptions>>().Value;
        var allowed = proxy.AllowedOrigins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        app.Use(async (http, next) =>
        {
            var r = http.Request;
            var unsafeMethod = !(HttpMethods.IsGet(r.Method) || HttpMethods.IsHead(r.Method) || HttpMethods.IsOptions(r.Method));
            var hub = r.Path.StartsWithSegments("/_blazor");
            if ((unsafeMethod || hub) && r.Headers.Origin.ToString() is { Length: > 0 } origin
                && (hub || r.Cookies.ContainsKey(Accounts.AccountSetup.CookieName))
                && !SameOrigin(origin, r) && !allowed.Contains(origin.TrimEnd('/')))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await Results.Problem(title: "Andere herkomst", statusCode: 403,
                    detail: "Dit verzoek komt van een andere site (Origin-kop) en wordt geweigerd.").ExecuteAsync(http);
                return;
            }
            await next();
        });
    }

    private static bool SameOrigin(string origin, HttpRequest r) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var o)
        && string.Equals(o.Scheme, r.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(o.Authority, r.Host.Value, StringComparison.OrdinalIgnoreCase);
}
