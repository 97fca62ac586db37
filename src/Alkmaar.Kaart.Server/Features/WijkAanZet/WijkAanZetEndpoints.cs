using Alkmaar.Kaart.Server.Features.Security;
using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Export;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

public sealed record CampagneRequest(string AreaCode, string? AreaLevel, string Title, string IndienenFrom, string IndienenTo, string StemmenFrom, string StemmenTo, string UitslagOn);
public sealed record SubmitRequest(string Title, string? Text, string Theme, double? Lat, double? Lon, string? Email);
public sealed record VoteRequest(string Code, long[] Points);
public sealed record ResidentVoteRequest(long[] Points);
public sealed record MergeRequest(long Target, long[] Sources);
public sealed record CheckRequest(bool Feasible, bool Affordable, string? Note);
public sealed record ActieRequest(string Title, string? Owner, string? Due);
public sealed record ActieDoneRequest(bool Done);

/// <summary>
/// <c>/api/wijkaanzet</c> and <c>/api/agenda</c> (issue 20): residents see campaigns, submit verbeterpunten (similar ones
/// suggested), follow theirs by a private link and vote with their code; gebiedsteams and beheerders merge, check, announce
/// the result and keep the agenda's actions; only a beheerder makes stemcodes. Refusals are problem+json in Dutch.
/// </summary>
public static class WijkAanZetEndpoints
{
    public static WebApplicationBuilder AddWijkAanZet(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WijkAanZetService>();
        builder.Services.AddSingleton<StemService>();
        builder.Services.AddSingleton<GebiedsagendaService>();
        builder.Services.AddSingleton<JaaragendaService>();
        builder.Services.AddSingleton<CampagneChangeFeed>();
        builder.Services.AddSingleton<IPgNotificationSubscriber>(sp => sp.GetRequiredService<CampagneChangeFeed>());
        builder.AddResidentSignIn();
        return builder;
    }

    public static void MapWijkAanZet(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/wijkaanzet").WithTags("Wij(k) aan zet");
        g.MapGet("/", async (WijkAanZetService s, CancellationToken ct) =>
            TypedResults.Ok((await s.CampagnesAsync(ct)).Select(c => Describe(c, s.Today)))).AllowAnonymous()
            .WithSummary("The campaigns with their phase today.");
        g.MapPost("/", CreateAsync).RequireAuthorization(KaartPolicies.WijkAanZet).WithSummary("A campaign for a wijk or dorp with its dates.");
        g.MapGet("/{id:int}", GetAsync).AllowAnonymous().WithSummary("A campaign and its verbeterpunten with their votes (no submitters).");
        g.MapGet("/{id:int}/vergelijkbaar", SimilarAsync).AllowAnonymous().WithSummary("Verbeterpunten of this campaign like a text (while typing).");
        g.MapGet("/{id:int}/live", LiveAsync).AllowAnonymous()
            .WithSummary("While voting: the points' vote counts and statuses as server-sent events (event 'stemmen'), once at once and again after every change; 409 outside the voting phase.");
        g.MapPost("/{id:int}/verbeterpunten", SubmitAsync).AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("Submit a verbeterpunt (phase indienen); answers its private status link.");
        g.MapGet("/status/{token}", StatusAsync).AllowAnonymous().WithSummary("A verbeterpunt by its private status link.");
        g.MapPost("/{id:int}/stemmen", VoteAsync).AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("A ballot with a one-time code: up to three verbeterpunten of the voter's own wijk (phase stemmen).");

        // the municipality's sign-in for residents, where configured (404 otherwise): a second proof of residence
        app.MapGet("/wijkaanzet/{id:int}/inloggen", (int id, IOptions<ResidentSignInOptions> o) => o.Value.Configured
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = $"/wijkaanzet/{id}?ingelogd=1#stemmen" }, [ResidentSignIn.OidcScheme])
                : NotConfigured())
            .AllowAnonymous().WithTags("Wij(k) aan zet").WithSummary("Sign in as a resident with the municipality's sign-in (e.g. DigiD) to vote; 404 when not configured.");
        g.MapGet("/{id:int}/inwoner", async (HttpContext http, StemService s, IOptions<ResidentSignInOptions> o, int id, CancellationToken ct) =>
        {
            if (!o.Value.Configured) return NotConfigured();
            if (await ResidentSignIn.ResidentAsync(http) is not { } voter) return Results.Ok(new { signedIn = false, o.Value.DisplayName });
            var (resident, left) = await s.ResidentStandingAsync(id, voter, ct);
            return TypedResults.Ok(new { signedIn = true, o.Value.DisplayName, address = voter.AddressLabel, resident, votesLeft = left });
        }).AllowAnonymous().WithSummary("Whether this browser is signed in as a resident, their address and whether it lies in the campaign's area; no name, no identity.");
        g.MapPost("/{id:int}/stemmen/inwoner", async (HttpContext http, StemService s, IOptions<ResidentSignInOptions> o, int id, ResidentVoteRequest r, CancellationToken ct) =>
        {
            if (!o.Value.Configured) return NotConfigured();
            if (await ResidentSignIn.ResidentAsync(http) is not { } voter)
                return TypedResults.Problem(title: "Inloggen vereist", detail: $"Log in met {o.Value.DisplayName} om zonder stemcode te stemmen.", statusCode: StatusCodes.Status401Unauthorized);
            return TypedResults.Ok(new { votes = await s.VoteAsResidentAsync(id, voter, r.Points ?? [], ct) });
        }).AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("A ballot by a resident signed in with the municipality's sign-in (JSON only: a cross-site form cannot send it); the same rules as a code.");
        g.MapPost("/inwoner/uitloggen", async (HttpContext http, IOptions<ResidentSignInOptions> o) =>
        {
            if (!o.Value.Configured) return NotConfigured();
            await http.SignOutAsync(ResidentSignIn.CookieScheme);
            return Results.NoContent();
        }).AllowAnonymous().WithSummary("Ends the resident's sign-in on this browser.");
        g.MapPost("/{id:int}/samenvoegen", MergeAsync).RequireAuthorization(KaartPolicies.WijkAanZet).OwnTeam().WithSummary("Merge similar verbeterpunten (votes combined, duplicates given back).");
        g.MapPost("/{id:int}/verbeterpunten/{point:long}/toets", CheckAsync).RequireAuthorization(KaartPolicies.WijkAanZet).OwnTeam()
            .WithSummary("Feasible and affordable, with a note; an infeasible point gives its votes back.");
        g.MapPost("/{id:int}/verbeterpunten/{point:long}/melding", async Task<IResult> (HttpContext http, WijkAanZetService s, int id, long point, CancellationToken ct) =>
        {
            var p = (await s.PointsAsync(id, ct)).FirstOrDefault(x => x.Id == point);
            var created = await s.ToMeldingAsync(id, point, WijkAanZetService.CategoryOf(p?.Theme ?? ""), AuditLog.ActorOf(http.User), ct);
            return TypedResults.Ok(new { melding = created.Id, reference = created.Reference, forwardedTo = created.ForwardedTo });
        }).RequireAuthorization(KaartPolicies.WijkAanZet).OwnTeam().WithSummary("Turn a submission about the openbare ruimte into a melding (Stadswerk072).");
        g.MapPost("/{id:int}/uitslag", ChooseAsync).RequireAuthorization(KaartPolicies.WijkAanZet).OwnTeam().WithSummary("Announce the result: the top three feasible points become speerpunten.");
        g.MapPost("/{id:int}/stemcodes", CodesAsync).RequireAuthorization(KaartPolicies.Beheerder)
            .WithSummary("A batch of one-time codes, one per address of the area, as CSV for the letters (only their hashes are kept).");

        var a = app.MapGroup("/api/agenda").WithTags("Wij(k) aan zet");
        a.MapGet("/{code}/{jaar:int}", async Task<IResult> (JaaragendaService s, string code, int jaar, CancellationToken ct) =>
                await s.PublishedAsync(code, jaar, ct) is { } agenda ? TypedResults.Ok(agenda)
                    : Problems.NotFound("Geen agenda", $"Er is geen gepubliceerde agenda {jaar} voor '{code}'."))
            .AllowAnonymous()
            .WithSummary("The published gebiedsagenda or dorpsagenda of a year: goals, speerpunten with what they aim at, actions with trekker, date, status and dated progress. 404 for a concept.");
        a.MapGet("/{code}", AgendaAsync).AllowAnonymous()
            .WithSummary("The speerpunten of an area's gebiedsagenda or dorpsagenda with their actions and progress; formaat=csv for a spreadsheet (one row per action).");
        a.MapPost("/{id:long}/acties", AddActieAsync).RequireAuthorization(KaartPolicies.WijkAanZet).WithSummary("Add an action to a speerpunt.");
        a.MapPut("/acties/{id:long}", async Task<IResult> (HttpContext http, GebiedsagendaService s, long id, ActieDoneRequest r, CancellationToken ct) =>
        {
            if (await s.SpeerpuntOfActieAsync(id, ct) is { } sp && !await s.MayActOnSpeerpuntAsync(http.User, sp, ct))
                return TypedResults.Problem(title: "Geen toegang", detail: "Alleen het gebiedsteam van dit gebied (of een beheerder) houdt de agenda bij.", statusCode: StatusCodes.Status403Forbidden);
            await s.SetActieDoneAsync(id, r.Done, AuditLog.ActorOf(http.User), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(KaartPolicies.WijkAanZet).WithSummary("Mark an action done (or not).");
    }

    /// <summary>Only a beheerder or the gebiedsteam of the campaign's area may run it (merge, check, result, melding).</summary>
    private static RouteHandlerBuilder OwnTeam(this RouteHandlerBuilder b) => b.AddEndpointFilter(async (ctx, next) =>
    {
        var http = ctx.HttpContext;
        var service = http.RequestServices.GetRequiredService<WijkAanZetService>();
        // an unknown campaign goes on to its handler (404); a known one only for its own team
        var ok = !(http.Request.RouteValues.TryGetValue("id", out var raw) && int.TryParse(raw?.ToString(), out var id))
                 || await service.CampagneAsync(id, http.RequestAborted) is null
                 || await service.MayActAsync(http.User, id, http.RequestAborted);
        return ok ? await next(ctx)
            : TypedResults.Problem(title: "Geen toegang", detail: "Alleen het gebiedsteam van deze wijk of dorp (of een beheerder) kan dit doen.", statusCode: StatusCodes.Status403Forbidden);
    });

    private static IResult NotConfigured() => TypedResults.Problem(title: "Niet ingesteld",
        detail: "Inloggen als inwoner is voor deze site niet ingesteld; stem met de code uit de brief.", statusCode: StatusCodes.Status404NotFound);

    public static object Describe(Campagne c, DateOnly today) => new
    {
        c.Id, c.AreaCode, c.AreaLevel, c.AreaName, c.Title, phase = Campagne.PhaseNl(c.PhaseOn(today)),
        indienen = new[] { c.IndienenFrom, c.IndienenTo }, stemmen = new[] { c.StemmenFrom, c.StemmenTo }, uitslag = c.UitslagOn, c.VotesPerVoter,
    };

    private static object Describe(Verbeterpunt p) => new
    {
        p.Id, p.Title, text = p.Body, p.Theme, p.Status, p.MergedInto, p.Feasible, p.Affordable, p.FeasibilityNote, p.Votes, p.CreatedAt,
    };

    private static object Describe(Speerpunt s) => new
    {
        s.Id, s.AreaCode, s.Title, s.VerbeterpuntId, s.Owner, s.Status, progress = Math.Round(s.Progress, 3),
        acties = s.Acties.Select(a => new { a.Id, a.Title, a.Owner, a.Done, a.Due }),
    };

    private static bool TryDate(string? s, out DateOnly d) => DateOnly.TryParseExact(s ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d);

    private static async Task<IResult> CreateAsync(HttpContext http, WijkAanZetService s, CampagneRequest r, CancellationToken ct)
    {
        if (!TryDate(r.IndienenFrom, out var a) || !TryDate(r.IndienenTo, out var b) || !TryDate(r.StemmenFrom, out var c) || !TryDate(r.StemmenTo, out var d) || !TryDate(r.UitslagOn, out var e))
            return Problems.BadRequest("Ongeldige datum", "Elke datum is als 2027-04-01.");
        // a team starts campaigns in its own gebied only (as it runs them), a beheerder anywhere
        if (!await s.MayStartInAsync(http.User, r.AreaCode, r.AreaLevel ?? "wijk", ct))
            return TypedResults.Problem(title: "Geen toegang", detail: "Alleen het gebiedsteam van deze wijk of dit dorp (of een beheerder) kan hier een campagne beginnen.", statusCode: StatusCodes.Status403Forbidden);
        var id = await s.CreateCampagneAsync(r.AreaCode, r.AreaLevel ?? "wijk", r.Title, a, b, c, d, e, AuditLog.ActorOf(http.User), ct);
        return TypedResults.Created($"/api/wijkaanzet/{id}", new { id });
    }

    private static async Task<IResult> GetAsync(WijkAanZetService s, int id, CancellationToken ct)
    {
        var c = await s.CampagneAsync(id, ct);
        if (c is null) return Problems.NotFound("Campagne niet gevonden", $"Er is geen campagne {id}.");
        var uitslag = c.PhaseOn(s.Today) == Phase.Uitslag; // the result (top three) only once it is announced
        return TypedResults.Ok(new
        {
            campagne = Describe(c, s.Today), verbeterpunten = (await s.PointsAsync(id, ct)).Select(Describe),
            uitslag = uitslag ? (await s.ResultAsync(id, ct)).Top.Select(p => p.Id) : null,
        });
    }

    /// <summary>The campaign's counts as server-sent events while it is voted on (the campaign page keeps its table live with
    /// them); the same public numbers as <c>GET /api/wijkaanzet/{id}</c>, sent again when the database announces a change.</summary>
    private static async Task<IResult> LiveAsync(HttpContext http, WijkAanZetService s, CampagneChangeFeed feed, IHostApplicationLifetime life, int id, CancellationToken ct)
    {
        if (await s.CampagneAsync(id, ct) is not { } c) return Problems.NotFound("Campagne niet gevonden", $"Er is geen campagne {id}.");
        if (c.PhaseOn(s.Today) != Phase.Stemmen)
            return TypedResults.Problem(title: "Er wordt niet gestemd", detail: "De aantallen lopen alleen mee zolang er gestemd wordt.", statusCode: StatusCodes.Status409Conflict);
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx passes each event on at once
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.ServerSentEvents(Counts(), "stemmen");

        // the stream ends with the request or when the server stops (a restart does not wait for open pages: the browser's
        // EventSource reconnects to a server that runs)
        async IAsyncEnumerable<IEnumerable<LiveCount>> Counts()
        {
            using var open = CancellationTokenSource.CreateLinkedTokenSource(ct, life.ApplicationStopping);
            await using var changes = feed.ChangesOf(id, open.Token).GetAsyncEnumerator(open.Token);
            while (await NextAsync() is { } counts) yield return counts;

            async Task<List<LiveCount>?> NextAsync()
            {
                try
                {
                    return await changes.MoveNextAsync()
                        ? (await s.PointsAsync(id, open.Token)).Where(p => p.Status != VerbeterpuntStatus.Samengevoegd.Code)
                            .Select(p => new LiveCount(p.Id, p.Votes, p.Status)).ToList()
                        : null;
                }
                catch (OperationCanceledException) { return null; } // the page closed, or the server stops: the stream ends
            }
        }
    }

    private sealed record LiveCount(long Id, long Votes, string Status);

    private static async Task<IResult> SimilarAsync(WijkAanZetService s, int id, CancellationToken ct, string? tekst = null) => TypedResults.Ok((await s.SimilarAsync(id, tekst ?? "", ct: ct)).Select(t => new { t.Point.Id, t.Point.Title, t.Point.Status, similarity = Math.Round(t.Similarity, 3) }));

    private static async Task<IResult> SubmitAsync(WijkAanZetService s, int id, SubmitRequest r, CancellationToken ct)
    {
        NetTopologySuite.Geometries.Point? place = null;
        if (r.Lat is { } lat && r.Lon is { } lon)
        {
            var (x, y) = RdNew.FromWgs84(lon, lat);
            place = RdNew.RdFactory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(x, y));
        }
        var (pointId, token) = await s.SubmitAsync(id, r.Title, r.Text ?? "", r.Theme, place, r.Email, ct);
        return TypedResults.Created($"/api/wijkaanzet/status/{token}", new { id = pointId, statusUrl = $"/wijkaanzet/status/{token}" });
    }

    private static async Task<IResult> StatusAsync(WijkAanZetService s, string token, CancellationToken ct)
    {
        var found = await s.ByTokenAsync(token, ct);
        if (found is not { } f) return Problems.NotFound("Niet gevonden", "Deze statuslink kennen we niet.");
        return TypedResults.Ok(new { verbeterpunt = Describe(f.Point), mergedInto = f.MergedInto is null ? null : Describe(f.MergedInto), campagne = Describe(f.Campagne, s.Today) });
    }

    private static async Task<IResult> VoteAsync(StemService s, int id, VoteRequest r, CancellationToken ct) => TypedResults.Ok(new { votes = await s.VoteAsync(id, r.Code ?? "", r.Points ?? [], ct) });

    private static async Task<IResult> MergeAsync(HttpContext http, WijkAanZetService s, int id, MergeRequest r, CancellationToken ct)
    {
        await s.MergeAsync(id, r.Target, r.Sources ?? [], AuditLog.ActorOf(http.User), ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> CheckAsync(HttpContext http, WijkAanZetService s, int id, long point, CheckRequest r, CancellationToken ct)
    {
        await s.CheckAsync(id, point, r.Feasible, r.Affordable, r.Note, AuditLog.ActorOf(http.User), ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ChooseAsync(HttpContext http, WijkAanZetService s, int id, CancellationToken ct) => TypedResults.Ok(new { speerpunten = await s.ChooseAsync(id, AuditLog.ActorOf(http.User), ct) });

    private static async Task<IResult> CodesAsync(HttpContext http, StemService s, int id, CancellationToken ct)
    {
        var codes = await s.GenerateCodesAsync(id, AuditLog.ActorOf(http.User), ct);
        var sb = new StringBuilder("postcode,huisnummer,toevoeging,stemcode\n");
        foreach (var c in codes) sb.AppendJoin(',', new object?[] { c.Postcode, c.Huisnummer, c.Toevoeging, c.Code }.Select(Csv.Cell)).Append('\n');
        return TypedResults.File(Encoding.UTF8.GetBytes(sb.ToString()), "text/csv; charset=utf-8", $"stemcodes-campagne-{id}.csv");
    }

    private static async Task<IResult> AgendaAsync(GebiedsagendaService s, string code, CancellationToken ct, string? formaat = null)
    {
        var agenda = await s.AgendaAsync(code, ct);
        if (formaat is null or "json") return TypedResults.Ok(agenda.Select(Describe));
        if (formaat != "csv") return Problems.BadRequest("Onbekend formaat", "Kies formaat=json of csv.", "formaat");
        var sb = new StringBuilder("gebied,speerpunt,status,voortgang,actie,eigenaar,gereed,datum\n");
        foreach (var p in agenda)
            foreach (var row in p.Acties.Count == 0 ? [null] : p.Acties.Cast<Actie?>())
                sb.AppendJoin(',', new object?[] { p.AreaCode, p.Title, p.Status, Math.Round(p.Progress, 3), row?.Title, row?.Owner, row is null ? null : row.Done ? "ja" : "nee", row?.Due?.ToString("yyyy-MM-dd") }
                    .Select(Csv.Cell)).Append('\n');
        return TypedResults.File(Encoding.UTF8.GetBytes(sb.ToString()), "text/csv; charset=utf-8", $"agenda-{code}.csv");
    }

    private static async Task<IResult> AddActieAsync(HttpContext http, GebiedsagendaService s, long id, ActieRequest r, CancellationToken ct)
    {
        if (await s.AgendaExistsAsync(id, ct) && !await s.MayActOnSpeerpuntAsync(http.User, id, ct))
            return TypedResults.Problem(title: "Geen toegang", detail: "Alleen het gebiedsteam van dit gebied (of een beheerder) houdt de agenda bij.", statusCode: StatusCodes.Status403Forbidden);
        DateOnly? due = null;
        if (!string.IsNullOrEmpty(r.Due)) { if (!TryDate(r.Due, out var d)) return Problems.BadRequest("Ongeldige datum", "due is als 2027-09-01.", "due"); due = d; }
        var actie = await s.AddActieAsync(id, r.Title, r.Owner, due, AuditLog.ActorOf(http.User), ct);
        return TypedResults.Created($"/api/agenda/acties/{actie}", new { id = actie });
    }
}
