using Alkmaar.Kaart.Server.Features.Security;
using System.Globalization;
using System.Security.Claims;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Server.Features.Initiatieven;

/// <summary>
/// Bewonersinitiatieven: public reading as GeoJSON (<c>GET /api/initiatieven</c>, filters status, theme, year, gebied),
/// changes by staff (<c>POST</c>, <c>PUT /{id}</c>, <c>DELETE /{id}</c>: a gebiedsteam for its own gebieden, a beheerder
/// for all). Changes are audited; the status history (with who changed it) is only shown to staff.
/// </summary>
public static class InitiatiefEndpoints
{
    // A refusal (InitiatiefRejectedException: 404, 409, 412, 422) is answered by the error handler as problem+json.
    public static WebApplicationBuilder AddInitiatieven(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<InitiatiefStore>();
        builder.Services.AddSingleton<WijkbudgetStore>();
        builder.Services.AddSingleton<RegiegroepService>();
        builder.Services.AddSingleton<DraagvlakService>();
        return builder;
    }

    public static void MapInitiatieven(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/initiatieven").WithTags("Initiatieven");
        group.MapGet("/", ListAsync).AllowAnonymous().WithSummary("Bewonersinitiatieven as GeoJSON, filtered by status, theme, year and area.");
        group.MapGet("/{id:long}", GetAsync).AllowAnonymous().WithSummary("One initiative; staff also get its status history.");
        group.MapPost("/", CreateAsync).RequireAuthorization(KaartPolicies.Initiatieven);
        group.MapPut("/{id:long}", UpdateAsync).RequireAuthorization(KaartPolicies.Initiatieven);
        group.MapDelete("/{id:long}", DeleteAsync).RequireAuthorization(KaartPolicies.Initiatieven);
        group.MapPost("/aanvraag", ApplyAsync).AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("A resident applies for a bewonersinitiatief (status aangevraagd); answers its private status link.");
        group.MapGet("/status/{token}", StatusAsync).AllowAnonymous().WithSummary("An application by its private status link: status and steps.");
        var budget = app.MapGroup("/api/wijkbudget").WithTags("Initiatieven");
        budget.MapGet("/", BudgetsAsync).AllowAnonymous()
            .WithSummary("The wijkbudgetten of a year (jaar, default this year): per wijk or dorp the budget, who decides, requested (open applications), granted and left.");
        budget.MapGet("/plek", BudgetAtAsync).AllowAnonymous()
            .WithSummary("The wijkbudget a place (lat, lon) draws on this year — its dorp's, or else its wijk's — with the sentence the application form shows.");
        app.MapPost("/api/steuncodes/{code}/{jaar:int}", SteuncodesAsync).RequireAuthorization(KaartPolicies.Initiatieven).WithTags("Initiatieven")
            .WithSummary("Steuncodes for the letter to every address of a wijk or dorp for a year (CSV: postcode, huisnummer, toevoeging, steuncode); only their hashes are kept. Its gebied's team or a beheerder; audited.");
        // the municipality's sign-in for residents, where configured (404 otherwise): support without a code
        app.MapGet("/initiatief/{id:long}/inloggen", (long id, Microsoft.Extensions.Options.IOptions<ResidentSignInOptions> o) => o.Value.Configured
                ? Results.Challenge(new Microsoft.AspNetCore.Authentication.AuthenticationProperties { RedirectUri = $"/initiatief/{id}/steunen" }, [ResidentSignIn.OidcScheme])
                : TypedResults.Problem(title: "Niet ingesteld", detail: "Inloggen als inwoner is voor deze site niet ingesteld; steun met de code uit de brief.", statusCode: StatusCodes.Status404NotFound))
            .AllowAnonymous().WithTags("Initiatieven").WithSummary("Sign in as a resident (e.g. DigiD) to support an initiative without a code; 404 when not configured.");
        budget.MapPut("/{code}/{jaar:int}", SetBudgetAsync).RequireAuthorization(KaartPolicies.Initiatieven)
            .WithSummary("Set a wijk's or dorp's budget for a year ({ bedrag, beslist: team|regiegroep }): its gebied's team or a beheerder; never below what is granted. Audited.");
    }

    public sealed record BudgetInput(decimal? Bedrag, string? Beslist);

    private static async Task<IResult> SteuncodesAsync(DraagvlakService s, ClaimsPrincipal user, string code, int jaar, CancellationToken ct)
    {
        var codes = await s.GenerateCodesAsync(user, code, jaar, ct);
        var sb = new System.Text.StringBuilder("postcode,huisnummer,toevoeging,steuncode\n");
        foreach (var c in codes) sb.AppendJoin(',', new object?[] { c.Postcode, c.Huisnummer, c.Toevoeging, c.Code }.Select(Csv.Cell)).Append('\n');
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(sb.ToString()), "text/csv; charset=utf-8", $"steuncodes-{code}-{jaar}.csv");
    }

    private static async Task<IResult> BudgetsAsync(WijkbudgetStore store, int? jaar, CancellationToken ct) =>
        TypedResults.Ok((await store.StandAsync(jaar ?? DutchTime.Day(DateTimeOffset.UtcNow).Year, null, ct))
            .Select(b => new { code = b.AreaCode, naam = b.AreaName, jaar = b.Year, budget = b.Amount, beslist = b.BeslistDoor, aangevraagd = b.Requested, toegekend = b.Granted, over = b.Left }));

    private static async Task<IResult> BudgetAtAsync(WijkbudgetStore store, string? lat, string? lon, CancellationToken ct)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (!double.TryParse(lat, System.Globalization.NumberStyles.Float, inv, out var la) || la is < -90 or > 90)
            return Problems.BadRequest("Ongeldige plek", "Geef lat en lon in graden (WGS84), bijvoorbeeld lat=52.63&lon=4.75.", "lat");
        if (!double.TryParse(lon, System.Globalization.NumberStyles.Float, inv, out var lo) || lo is < -180 or > 180)
            return Problems.BadRequest("Ongeldige plek", "Geef lat en lon in graden (WGS84), bijvoorbeeld lat=52.63&lon=4.75.", "lon");
        var year = DutchTime.Day(DateTimeOffset.UtcNow).Year;
        var b = await store.AtAsync(la, lo, year, ct);
        return TypedResults.Ok(new { code = b?.AreaCode, naam = b?.AreaName, jaar = year, budget = b?.Amount, over = b?.Left, tekst = WijkbudgetStore.HintAt(b, year) });
    }

    private static async Task<IResult> SetBudgetAsync(WijkbudgetStore store, ClaimsPrincipal user, string code, int jaar, BudgetInput input, CancellationToken ct)
    {
        if (input.Bedrag is not { } bedrag) return Problems.BadRequest("Bedrag ontbreekt", "Stuur { \"bedrag\": 2000, \"beslist\": \"team\" }.", "bedrag");
        await store.SetAsync(user, code, jaar, bedrag, input.Beslist ?? "team", ct);
        return TypedResults.Ok((await store.StandAsync(jaar, code, ct)).Single());
    }

    /// <summary>A resident's application: the initiative's fields (no status, no subsidy) and an optional e-mail address.</summary>
    public sealed class Aanvraag
    {
        public string? Title { get; set; }
        public string? Description { get; set; }
        public string? Theme { get; set; }
        public double? Lat { get; set; }
        public double? Lon { get; set; }
        public string? Email { get; set; }
        /// <summary>The amount asked from the wijkbudget, in euro.</summary>
        public decimal? Bedrag { get; set; }
    }

    private static async Task<IResult> ApplyAsync(HttpContext http, InitiatiefStore store, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<Aanvraag>(http, ct);
        if (problem is not null) return problem;
        var (created, token) = await store.ApplyAsync(new InitiatiefInput
        {
            Title = input!.Title, Description = input.Description, Theme = input.Theme, Lat = input.Lat, Lon = input.Lon,
            Year = DateTime.UtcNow.Year, Requested = input.Bedrag,
        }, input.Email, ct);
        return TypedResults.Created($"/api/initiatieven/status/{token}", new { id = created.Id, gebied = created.GebiedCode, statusUrl = $"/initiatief/status/{token}" });
    }

    private static async Task<IResult> StatusAsync(InitiatiefStore store, string token, CancellationToken ct)
    {
        if (await store.ByTokenAsync(token, ct) is not { } found) return Problems.NotFound("Niet gevonden", "Deze statuslink kennen we niet.");
        var (i, history) = found;
        return TypedResults.Ok(new { i.Id, i.Title, i.Theme, i.Status, i.Subsidy, i.GebiedCode, steps = history.Select(h => new { at = h.At, to = h.To }) });
    }

    /// <summary>Parses the list filter; a Dutch message and the parameter when refused.</summary>
    public static (InitiatiefFilter? Filter, string? Error, string? Parameter) Parse(string? status, string? theme, string? year, string? gebied)
    {
        if (status is { Length: > 0 } && !InitiatiefStore.Statuses.Contains(status)) return (null, $"Onbekende status; kies uit {string.Join(", ", InitiatiefStore.Statuses)}.", "status");
        if (theme is { Length: > 0 } && !InitiatiefStore.Themes.Contains(theme)) return (null, $"Onbekend thema; kies uit {string.Join(", ", InitiatiefStore.Themes)}.", "theme");
        int? y = null;
        if (year is { Length: > 0 })
        {
            if (!int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v is < 2000 or > 2100) return (null, "Het jaar is 2000 tot 2100.", "year");
            y = v;
        }
        return (new InitiatiefFilter(status is { Length: > 0 } ? status : null, theme is { Length: > 0 } ? theme : null, y, gebied is { Length: > 0 } ? gebied : null), null, null);
    }

    private static async Task ListAsync(HttpContext http, InitiatiefStore store, IOptions<MapOptions> map, string? status, string? theme, string? year,
        string? gebied, CrsParameter crs, CancellationToken ct)
    {
        var (filter, error, parameter) = Parse(status, theme, year, gebied);
        var target = crs.Value;
        if (error is not null) { await Problems.BadRequest(error, $"De parameter '{parameter}' is afgewezen.", parameter).ExecuteAsync(http); return; }
        var staff = InitiatiefStore.MaySeeApplications(http.User);
        var list = await store.ListAsync(filter! with { PublicOnly = !staff }, ct);
        var support = await http.RequestServices.GetRequiredService<DraagvlakService>().StandAsync(list.Select(i => i.Id).ToList(), ct: ct);
        GeoJsonResponse.Start(http.Response, target);
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, target);
        writer.WriteStart([new("attribution", map.Value.DataAttribution)]);
        foreach (var i in list) await writer.WriteFeatureAsync(ToFeature(i, target, support[i.Id].Steun), ct);
        await writer.WriteEndAsync([new("numberReturned", writer.Count)], ct);
    }

    public static Feature ToFeature(Initiatief i, KnownCrs crs, int? steun = null) => new(i.Geometry, GeoJsonFeatureCollectionWriter.Attributes(i.Id.ToString(CultureInfo.InvariantCulture),
        ("id", i.Id), ("code", $"initiatief-{i.Id}"), ("level", "initiatief"), ("name", i.Title), ("title", i.Title), ("description", i.Description),
        ("theme", i.Theme), ("status", i.Status), ("subsidy", i.Subsidy), ("requested", i.Requested), ("year", i.Year), ("buurtCode", i.BuurtCode), ("wijkCode", i.WijkCode),
        ("gebiedCode", i.GebiedCode), ("updatedAt", i.UpdatedAt.ToString("yyyy-MM-dd")), ("demo", i.Demo), ("steun", steun),
        ("labelPoint", GeoJsonFeatureCollectionWriter.Position(i.Geometry.InteriorPoint, crs))));

    private static async Task GetAsync(HttpContext http, long id, InitiatiefStore store, CancellationToken ct)
    {
        // an unchecked application is nobody's business but its team's: to everyone else it does not exist
        var i = await store.GetAsync(id, ct, publicOnly: !InitiatiefStore.MaySeeApplications(http.User));
        if (i is null) { await Problems.NotFound("Initiatief niet gevonden", $"Er is geen initiatief {id}.").ExecuteAsync(http); return; }
        var staff = InitiatiefStore.MaySeeHistory(http.User);
        http.Response.Headers.ETag = i.ETag;
        var members = new List<KeyValuePair<string, object?>>();
        if (staff) members.Add(new("history", (await store.HistoryAsync(id, ct)).Select(h => new { at = h.At, actor = h.Actor, from = h.From, to = h.To }).ToList()));
        http.Response.ContentType = AreasEndpoints.GeoJsonContentType;
        await GeoJsonFeatureCollectionWriter.WriteSingleAsync(http.Response.Body, ToFeature(i, KnownCrs.Wgs84), KnownCrs.Wgs84, ct, members);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, InitiatiefStore store, AuditLog audit, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<InitiatiefInput>(http, ct);
        if (problem is not null) return problem;
        var created = await store.CreateAsync(input!, http.User, ct);
        await audit.WriteAsync(AuditLog.ActorOf(http.User), "initiatief aangemaakt", "initiatief", created.Id.ToString(), new { created.Status, created.GebiedCode }, ct: ct);
        http.Response.Headers.ETag = created.ETag;
        return TypedResults.Created($"/api/initiatieven/{created.Id}", Summary(created));
    }

    private static async Task<IResult> UpdateAsync(HttpContext http, long id, InitiatiefStore store, AuditLog audit, CancellationToken ct)
    {
        if (IfMatch(http, out var version) is { } precondition) return precondition;
        var (input, problem) = await Problems.ReadJsonAsync<InitiatiefInput>(http, ct);
        if (problem is not null) return problem;
        var updated = await store.UpdateAsync(id, input!, http.User, ct, version);
        await audit.WriteAsync(AuditLog.ActorOf(http.User), "initiatief gewijzigd", "initiatief", id.ToString(), new { updated.Status }, ct: ct);
        http.Response.Headers.ETag = updated.ETag;
        return TypedResults.Ok(Summary(updated));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, long id, InitiatiefStore store, AuditLog audit, CancellationToken ct)
    {
        if (IfMatch(http, out var version) is { } precondition) return precondition;
        await store.DeleteAsync(id, http.User, ct, version);
        await audit.WriteAsync(AuditLog.ActorOf(http.User), "initiatief verwijderd", "initiatief", id.ToString(), ct: ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Staff edits name the version they start from: <c>If-Match: "v3"</c> (the ETag of GET). Without it 428, with a
    /// malformed one 400; a stale one is refused by the store with 412.
    /// </summary>
    private static IResult? IfMatch(HttpContext http, out int? version)
    {
        version = null;
        var header = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(header))
            return TypedResults.Problem(title: "Versie ontbreekt", statusCode: StatusCodes.Status428PreconditionRequired,
                detail: "Stuur If-Match met de ETag van het initiatief dat u wijzigde (GET /api/initiatieven/{id}), zodat geen andere wijziging wordt overschreven.");
        if (header.Trim() == "*") return null;
        var m = System.Text.RegularExpressions.Regex.Match(header.Trim(), "^(W/)?\"v([0-9]{1,9})\"$");
        if (!m.Success) return Problems.BadRequest("Ongeldige versie", "If-Match is een ETag zoals \"v3\".", "If-Match");
        version = int.Parse(m.Groups[2].Value);
        return null;
    }

    private static object Summary(Initiatief i) => new
    {
        i.Id, i.Title, i.Description, i.Theme, i.Status, i.Subsidy, i.Year, i.BuurtCode, i.WijkCode, i.GebiedCode, i.UpdatedAt, i.Version,
        geometryType = i.Geometry.GeometryType,
    };
}
