using System.Globalization;
using System.Security.Claims;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Areas;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Server.Features.Organisaties;

/// <summary>The register of bewonersorganisaties: public as GeoJSON (the map's catalogue layer, the area page), kept by the
/// teams (<see cref="KaartPolicies.Initiatieven"/>: a gebiedsteam its own gebieden, a beheerder all).</summary>
public static class OrganisatieEndpoints
{
    public static WebApplicationBuilder AddOrganisaties(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OrganisatieStore>();
        return builder;
    }

    public static void MapOrganisaties(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/bewonersorganisaties").WithTags("Bewonersorganisaties");
        group.MapGet("/", ListAsync).AllowAnonymous()
            .WithSummary("Bewonersorganisaties (wijkraad, dorpsraad, buurthuis, bewonersonderneming, wijkpost) as GeoJSON: name, kind, address, the organisation's own contact, opening hours; optionally inside an area (gebied).");
        group.MapPost("/", AddAsync).RequireAuthorization(KaartPolicies.Initiatieven).WithSummary("Add an organisation (the team of the gebied its place lies in). Audited.");
        group.MapPut("/{id:long}", UpdateAsync).RequireAuthorization(KaartPolicies.Initiatieven).WithSummary("Change an organisation with the version read (?versie=); 412 when changed meanwhile. Audited.");
        group.MapDelete("/{id:long}", DeleteAsync).RequireAuthorization(KaartPolicies.Initiatieven).WithSummary("Remove an organisation. Audited.");
    }

    private static async Task ListAsync(HttpContext http, OrganisatieStore store, IOptions<MapOptions> map, string? gebied, CrsParameter crs, CancellationToken ct)
    {
        var list = await store.ListAsync(string.IsNullOrWhiteSpace(gebied) ? null : gebied, ct);
        GeoJsonResponse.Start(http.Response, crs.Value);
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, crs.Value);
        writer.WriteStart([new("attribution", map.Value.DataAttribution)]);
        foreach (var o in list) await writer.WriteFeatureAsync(ToFeature(o), ct);
        await writer.WriteEndAsync([new("numberReturned", writer.Count)], ct);
    }

    public static Feature ToFeature(Organisatie o) => new(o.Geometry, GeoJsonFeatureCollectionWriter.Attributes(o.Id.ToString(CultureInfo.InvariantCulture),
        ("id", o.Id), ("code", $"organisatie-{o.Id}"), ("level", "bewonersorganisatie"), ("name", o.Naam), ("title", o.Naam),
        ("soort", OrganisatieStore.SoortLabel(o.Soort)), ("adres", o.Adres), ("website", o.Website), ("email", o.Email), ("telefoon", o.Telefoon),
        ("openingstijden", o.Openingstijden), ("buurtCode", o.BuurtCode), ("wijkCode", o.WijkCode), ("gebiedCode", o.GebiedCode), ("version", o.Version)));

    private static async Task<IResult> AddAsync(OrganisatieStore store, ClaimsPrincipal user, OrganisatieInput input, CancellationToken ct) =>
        await store.AddAsync(user, input, ct) is var o ? TypedResults.Created($"/api/bewonersorganisaties/{o.Id}", new { o.Id, o.Version, o.GebiedCode }) : TypedResults.BadRequest();

    private static async Task<IResult> UpdateAsync(OrganisatieStore store, ClaimsPrincipal user, long id, int? versie, OrganisatieInput input, CancellationToken ct)
    {
        if (versie is not { } v) return Problems.BadRequest("Versie ontbreekt", "Stuur ?versie= met de versie die u las.", "versie");
        var o = await store.UpdateAsync(user, id, v, input, ct);
        return TypedResults.Ok(new { o.Id, o.Version, o.GebiedCode });
    }

    private static async Task<IResult> DeleteAsync(OrganisatieStore store, ClaimsPrincipal user, long id, CancellationToken ct)
    {
        await store.DeleteAsync(user, id, ct);
        return TypedResults.NoContent();
    }
}
