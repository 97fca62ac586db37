using Alkmaar.Kaart.Testing;
using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Monitor;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The overlay layers for the OGC and export tests: the DEMO monitor scores, three initiatives (two points, one area) made
/// by a named beheerder, and a tight cluster of 150 afval meldingen in gebied Zuid (a hotspot with known place).
/// </summary>
public static class OverlaySeed
{
    public const string Actor = "ogc-seed-beheerder";
    public const string Secret = "overlay-seed-geheim";
    public const double ClusterLat = 52.6147, ClusterLon = 4.7529;

    public static async Task SeedAsync(IServiceProvider services)
    {
        await services.GetRequiredService<MonitorStore>().GenerateDemoAsync();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Actor), new Claim(ClaimTypes.Role, KaartRoles.Beheerder)], "test"));
        var store = services.GetRequiredService<InitiatiefStore>();
        await store.CreateAsync(new InitiatiefInput { Title = "Buurtmoestuin Zuid", Theme = "groen", Status = "toegekend", Subsidy = 1200, Year = 2024, Lat = 52.6150, Lon = 4.7520 }, user);
        await store.CreateAsync(new InitiatiefInput { Title = "Speelstraat Noord", Theme = "spelen", Year = 2025, Lat = 52.6639, Lon = 4.7601 }, user);
        await store.CreateAsync(new InitiatiefInput
        {
            Title = "Bloemenlint Centrum", Theme = "groen", Year = 2025,
            Geometry = System.Text.Json.JsonDocument.Parse("""{"type":"Polygon","coordinates":[[[4.746,52.632],[4.749,52.632],[4.749,52.634],[4.746,52.634],[4.746,52.632]]]}""").RootElement,
        }, user);
        var meldingen = services.GetRequiredService<MeldingService>();
        var random = new Random(11);
        for (var i = 0; i < 150; i++)
            await meldingen.CreateAsync(new NewMelding
            {
                Category = "afval", Description = Secret, Naam = "Seed Persoon", Lat = ClusterLat + (random.NextDouble() - 0.5) * 0.0008, Lon = ClusterLon + (random.NextDouble() - 0.5) * 0.0012,
            }, "api", "test");
        await services.GetRequiredService<Npgsql.NpgsqlDataSource>().AgeRecentMeldingenAsync(); // public answers end at yesterday
    }
}
