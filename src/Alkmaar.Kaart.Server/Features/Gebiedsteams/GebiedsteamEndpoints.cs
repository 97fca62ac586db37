using Alkmaar.Kaart.Server.Features.Accounts;

namespace Alkmaar.Kaart.Server.Features.Gebiedsteams;

/// <summary>
/// <c>/api/gebiedsteams</c>: the public view of every team (anyone), the full team with contacts (staff), and the
/// beheerder's change (<c>PUT</c>, whole team, audited).
/// </summary>
public static class GebiedsteamEndpoints
{
    public static WebApplicationBuilder AddGebiedsteams(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GebiedsteamStore>();
        builder.Services.AddSingleton<Import.IBoundaryImportParticipant, GebiedsteamSeeding>();
        builder.Services.AddSingleton<TeamFinder>();
        return builder;
    }

    public static void MapGebiedsteams(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/gebiedsteams").WithTags("Gebiedsteams");
        group.MapGet("/", ListAsync).AllowAnonymous()
            .WithSummary("Every gebiedsteam: roles, published names, generic contact and Gebiedsteam+ partner organisations.");
        group.MapGet("/{code}", GetAsync).AllowAnonymous().WithSummary("One gebiedsteam, public view.");
        group.MapGet("/{code}/contacten", GetFullAsync).RequireAuthorization(KaartPolicies.Staff)
            .WithSummary("One gebiedsteam with the names and contacts of its people and partners (staff).");
        group.MapPut("/{code}", UpdateAsync).RequireAuthorization(KaartPolicies.Beheerder)
            .WithSummary("Replaces a gebiedsteam's name, contact, people and partners (beheerder; audited).");
    }

    private static async Task<IResult> ListAsync(GebiedsteamStore store, Geo.Areas.Gebiedsindeling indeling, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(t => PublicGebiedsteam.From(t, indeling)));

    private static async Task<IResult> GetAsync(GebiedsteamStore store, string code, CancellationToken ct) =>
        await store.GetPublicAsync(code, ct) is { } team ? TypedResults.Ok(team) : NotFound(code);

    private static async Task<IResult> GetFullAsync(HttpContext http, GebiedsteamStore store, string code, CancellationToken ct)
    {
        if (await store.GetAsync(code, ct) is not { } team) return NotFound(code);
        http.Response.Headers.ETag = team.ETag;
        return TypedResults.Ok(team);
    }

    private static async Task<IResult> UpdateAsync(HttpContext http, GebiedsteamStore store, string code, CancellationToken ct)
    {
        var (edit, problem) = await Problems.ReadJsonAsync<GebiedsteamEdit>(http, ct);
        if (problem is not null) return problem;
        int? version = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length > 0)
        {
            var m = System.Text.RegularExpressions.Regex.Match(ifMatch, "^(W/)?\"v([0-9]{1,9})\"$");
            if (!m.Success) return Problems.BadRequest("Ongeldige versie", "If-Match is de ETag van GET /api/gebiedsteams/{gebied}/contacten, zoals \"v3\".", "If-Match");
            version = int.Parse(m.Groups[2].Value);
        }
        try
        {
            var updated = await store.UpdateAsync(http.User, code, edit!, ct, version);
            http.Response.Headers.ETag = updated.ETag;
            return TypedResults.Ok(updated);
        }
        catch (KeyNotFoundException)
        {
            return NotFound(code);
        }
    }

    private static IResult NotFound(string code) =>
        Problems.NotFound("Gebiedsteam niet gevonden", $"No gebiedsteam for gebied '{code}'; GET /api/gebiedsteams lists them.");
}
