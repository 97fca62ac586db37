using Microsoft.AspNetCore.Http.Features;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// HEAD answers what GET would, without the body (RFC 9110 §9.3.2): monitors and link checkers use it, and the endpoints
/// (pages, minimal APIs) are mapped for GET only, so HEAD used to answer 405 (issue 27, low). The request runs as a GET
/// with its body written nowhere; the method is HEAD again before the headers go out, so the server sends no body either.
/// </summary>
public static class HeadRequests
{
    public static void UseKaartHeadRequests(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method)) { await next(context); return; }
        context.Request.Method = HttpMethods.Get;
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, original));
        context.Response.OnStarting(() =>
        {
            context.Request.Method = HttpMethods.Head;
            return Task.CompletedTask;
        });
        try { await next(context); }
        finally
        {
            context.Features.Set(original);
            context.Request.Method = HttpMethods.Head;
        }
    });
}
