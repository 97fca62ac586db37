using Alkmaar.Kaart.Server.Features.Routing;

namespace Alkmaar.Kaart.Server.Features.Zoeken;

/// <summary><c>GET /api/zoeken?q=</c>: places by name (public: only public names, addresses' street and number, areas and team names).</summary>
public static class ZoekEndpoints
{
    public static WebApplicationBuilder AddZoeken(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ZoekIndex>();
        builder.Services.AddSingleton<IBoundaryListener>(sp => sp.GetRequiredService<ZoekIndex>());
        builder.Services.AddHostedService<ZoekIndexStartup>();
        return builder;
    }

    public static void MapZoeken(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/zoeken", async (HttpContext http, ZoekIndex index, string? q, int? limit, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(q) || q.Length > 100)
                    return Problems.BadRequest("Zoekterm ontbreekt", "Geef q: een straat (met huisnummer), postcode, woonplaats of de naam van een buurt, wijk of dorp; hooguit 100 tekens.", "q");
                if (limit is < 1 or > 20) return Problems.BadRequest("Ongeldig aantal", "limit is 1 tot 20.", "limit");
                http.Response.Headers.CacheControl = "public, max-age=60";
                return TypedResults.Ok(new { q, results = await index.SearchAsync(q, limit ?? 8, ct) });
            })
            .AllowAnonymous().WithTags("Zoeken")
            .WithSummary("Places by name, tolerant of typing errors and accents: an address (street or postcode + huisnummer), a street, postcode (PC4/PC6), woonplaats, gebied/wijk/buurt/dorp or a local name; each with its point (RD and WGS84), areas and gebiedsteam.");
    }
}
