using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Alkmaar.Kaart.Benchmarks.Ceiling;

/// <summary>
/// <c>Alkmaar.Kaart.Benchmarks ceiling --urls URL --body FILE</c>: the ceiling of one-request-at-a-time HTTP on this machine
/// for <c>./kaart bench locate</c> — Kestrel on the leanest host ASP.NET Core has (an empty builder, Kestrel's core, no
/// logging, no middleware) answering every request with the same bytes (a real locate answer, so the sizes match). Measured
/// in the same run as the lean locate path, with the same client and connections: the share of it the locate path reaches
/// says how much of the time is the answer's own work, and how much is HTTP and the client on this machine.
/// </summary>
public static class CeilingServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? url = null, bodyFile = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
            switch (args[i])
            {
                case "--urls": url = args[i + 1]; break;
                case "--body": bodyFile = args[i + 1]; break;
            }
        if (url is null || bodyFile is null) { Console.Error.WriteLine("usage: ceiling --urls URL --body FILE"); return 2; }
        var body = await File.ReadAllBytesAsync(bodyFile);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.AddServerHeader = false).UseUrls(url);
        var app = builder.Build();
        app.Run(http =>
        {
            var response = http.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = body.Length;
            var writer = response.BodyWriter;
            body.CopyTo(writer.GetSpan(body.Length));
            writer.Advance(body.Length);
            return Task.CompletedTask;
        });
        await app.RunAsync();
        return 0;
    }
}
