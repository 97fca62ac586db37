using Alkmaar.Kaart.Server.Features.Security;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;
using Sylvan.Data.Csv;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// <c>/api/meldingen</c>. Who may call what is in docs/access-matrix.md: residents submit (anonymous, rate limited) and
/// see the generalised public map; staff read and handle within their scope; beheerders import CSV.
/// </summary>
public static class MeldingenEndpoints
{
    /// <summary>Meldingen: the service, disclosure control, the kept public cells, the DEMO generator, the retention job.</summary>
    public static WebApplicationBuilder AddMeldingen(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<MeldingOptions>(MeldingOptions.Section);
        builder.Services.AddSingleton<MeldingService>();
        builder.Services.AddSingleton<MeldingStatistics>();
        builder.Services.AddSingleton<MeldingList>();
        builder.Services.AddSingleton<MeldingDeadlines>();
        builder.Services.AddSingleton<StandaardAntwoorden>();
        builder.Services.AddSingleton<MeldingTaken>();
        builder.Services.AddSingleton<MeldingCijfers>();
        builder.Services.AddSingleton<AlGemeld>();
        builder.Services.AddSingleton<DisclosureControl>();
        builder.Services.AddSingleton<MeldingCells>();
        builder.Services.AddSingleton<DemoMeldingen>();
        builder.Services.AddSingleton<MeldingChangeFeed>();
        builder.Services.AddSingleton<IPgNotificationSubscriber>(sp => sp.GetRequiredService<MeldingChangeFeed>());
        if (builder.Configuration.GetValue("Meldingen:RetentionJob", true)) builder.Services.AddHostedService<RetentionService>();
        return builder;
    }

    public static void MapMeldingen(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/meldingen").WithTags("Meldingen");

        group.MapPost("/", CreateAsync).AllowAnonymous().SpendsPublicWriteBudget()
            .WithSummary("Submit a melding (JSON): category, description, location as x/y (RD), lat/lon or postcode/huisnummer.");
        group.MapGet("/openbaar", PublicAsync).AllowAnonymous()
            .WithSummary("Meldingen for public maps: counts per grid cell (default 50 m), no personal data, GeoJSON.");
        group.MapGet("/", ListAsync).RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("Meldingen in the caller's scope, with filters area, team, category, status, from, to.");
        group.MapGet("/{id:long}", GetAsync).RequireAuthorization(KaartPolicies.Meldingen);
        group.MapPost("/{id:long}/routering", OverrideAsync).RequireAuthorization(KaartPolicies.MeldingenBehandelen);
        group.MapPost("/{id:long}/status", StatusAsync).RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("Change the status (nieuw, in_behandeling, reactie_gevraagd — with the question as note —, afgehandeld), optionally with a note to the resident and the version it was made on.");
        group.MapPost("/{id:long}/toewijzen", AssignAsync).RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("Assign the melding to a member of its gebiedsteam (or to nobody), on the version seen: its team or a beheerder.");
        group.MapGet("/{id:long}/teamleden", AssigneesAsync).RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("The members of the melding's gebiedsteam it can be assigned to.");
        group.MapPost("/{id:long}/notities", NoteAsync).RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("Add a note: kind 'intern' (team and beheerders) or 'publiek' (an answer shown on the resident's status link).");
        group.MapPost("/{id:long}/doorsturen", ForwardAsync).RequireAuthorization(KaartPolicies.MeldingenBehandelen)
            .WithSummary("Forward to Stadswerk072 with a reason; the gebiedsteam keeps the melding.");
        group.MapGet("/{id:long}/foto", PhotoAsync).RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("The melding's photo (metadata removed on arrival), for those who see its personal data; audited.");
        group.MapGet("/lijst", ListPageAsync).RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("The workspace list: a page of the meldingen in the caller's share (no personal data) and the total, with filters and sort.");
        group.MapGet("/kaart", MapPointsAsync).RequireAuthorization(KaartPolicies.Meldingen)
            .WithSummary("The workspace's meldingen as GeoJSON points (no personal data), with the list's filters; at most 2000.");
        group.MapGet("/status/{token}", PublicStatusAsync).AllowAnonymous()
            .WithSummary("The public status of a melding behind its private status link: status, steps and answers; no personal data.");
        group.MapMelderFollowUp();
        group.MapTaken(app);
        group.MapCijfers();
        group.MapPost("/import", ImportAsync).RequireAuthorization(KaartPolicies.Beheerder)
            .WithSummary("Bulk import from CSV; answers per row what was routed and what was rejected and why.");
    }

    private static async Task<IResult> CreateAsync(HttpContext http, MeldingService service, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<NewMelding>(http, ct);
        if (problem is not null) return problem;
        // a refusal (MeldingRejectedException) is answered by the error handler as problem+json
        var created = await service.CreateAsync(input!, "api", AuditLog.ActorOf(http.User), ct);
        return TypedResults.Created($"/api/meldingen/{created.Id}", created);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, MeldingService service, string? area, string? team, string? category,
        string? status, string? from, string? to, int? limit, int? offset, CancellationToken ct)
    {
        if (!TryDate(from, out var f) || !TryDate(to, out var t))
            return Problems.BadRequest("Ongeldige periode", "from en to zijn datums of tijdstippen in ISO 8601 (2026-01-31 of 2026-01-31T12:00:00Z).", "from,to");
        if (limit is < 1 || offset is < 0)
            return Problems.BadRequest("Ongeldige paginering", "limit is 1 of meer, offset 0 of meer.", "limit,offset");
        if (status is not null && !MeldingService.Statuses.Contains(status))
            return Problems.BadRequest("Onbekende status", $"status is een van: {string.Join(", ", MeldingService.Statuses)}.", "status");
        return TypedResults.Ok(await service.ListAsync(user, new MeldingFilter(area, team, category?.ToLowerInvariant(), status, f, t, limit ?? 100, offset ?? 0), ct));
    }

    private static async Task<IResult> GetAsync(ClaimsPrincipal user, long id, MeldingService service, CancellationToken ct) =>
        await service.GetAsync(user, id, ct) is { } found
            ? TypedResults.Ok(new
            {
                melding = found.Melding, history = found.History,
                notes = await service.NotesAsync(user, id, found.Melding.Routing.Gebied, found.Melding.ForwardedTo, ct),
            })
            : Problems.NotFound("Melding niet gevonden", $"Er is geen melding {id} die u mag inzien.");

    public sealed record OverrideRequest(string? Gebied, string? Reason);
    public sealed record StatusRequest(string? Status, string? Note = null, int? Version = null);
    public sealed record NoteRequest(string? Kind, string? Text);
    public sealed record ForwardRequest(string? Reason, int? Version = null);

    private static async Task<IResult> OverrideAsync(HttpContext http, long id, MeldingService service, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<OverrideRequest>(http, ct);
        if (problem is not null) return problem;
        return TypedResults.Ok(await service.OverrideAsync(http.User, id, input!.Gebied, input.Reason, ct));
    }

    public sealed record AssignRequest(string? To, int? Version = null);

    /// <summary>assignedTo=me: the caller's own account ("Mijn meldingen").</summary>
    private static string? Me(HttpContext http, string? assignedTo) => assignedTo == "me" ? http.User.Identity?.Name : assignedTo;

    private static async Task<IResult> AssignAsync(HttpContext http, long id, MeldingService service, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<AssignRequest>(http, ct);
        if (problem is not null) return problem;
        await service.AssignAsync(http.User, id, input!.To, ct, input.Version);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> AssigneesAsync(HttpContext http, long id, MeldingService service, CancellationToken ct)
    {
        // (only for those who may see it in full: its team or a beheerder; others "niet gevonden")
        return await service.AssigneesForAsync(http.User, id, ct) is { } members ? TypedResults.Ok(members)
            : Problems.NotFound("Melding niet gevonden", $"Er is geen melding {id} die u mag behandelen.");
    }

    private static async Task<IResult> StatusAsync(HttpContext http, long id, MeldingService service, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<StatusRequest>(http, ct);
        if (problem is not null) return problem;
        await service.SetStatusAsync(http.User, id, input!.Status, ct, input.Note, input.Version);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> NoteAsync(HttpContext http, long id, MeldingService service, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<NoteRequest>(http, ct);
        if (problem is not null) return problem;
        var note = await service.AddNoteAsync(http.User, id, input!.Kind, input.Text, ct);
        return TypedResults.Created($"/api/meldingen/{id}", note);
    }

    private static async Task<IResult> ForwardAsync(HttpContext http, long id, MeldingService service, CancellationToken ct)
    {
        var (input, problem) = await Problems.ReadJsonAsync<ForwardRequest>(http, ct);
        if (problem is not null) return problem;
        await service.ForwardAsync(http.User, id, input!.Reason, ct, input.Version);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> PhotoAsync(HttpContext http, long id, MeldingService service, CancellationToken ct)
    {
        if (await service.PhotoAsync(http.User, id, ct) is not { } photo)
            return Problems.NotFound("Geen foto", $"Melding {id} heeft geen foto die u mag zien.");
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.File(photo.Bytes, photo.ContentType);
    }

    private static async Task<IResult> PublicStatusAsync(HttpContext http, string token, MeldingService service, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return await service.PublicStatusAsync(token, ct) is { } s
            ? TypedResults.Ok(new
            {
                reference = s.Reference, createdAt = s.CreatedAt, category = s.Category, status = s.Status, closedAt = s.ClosedAt,
                gebiedsteam = s.Gebied, forwardedTo = s.ForwardedTo,
                handlingDays = s.Deadline?.Days, due = s.Deadline?.Due,
                steps = s.Steps.Select(x => new { at = x.At, status = x.Status }),
                answers = s.Answers.Select(x => new { at = x.At, text = x.Text }),
                paused = s.Deadline?.Paused == true,
                question = s.FollowUp?.Question, replies = s.FollowUp?.Replies,
                handedTo = s.HandedTo.Select(h => new { party = h.Party, since = h.Since, status = h.Status }),
                mayGiveSatisfaction = s.FollowUp?.MayGiveSatisfaction == true, satisfied = s.FollowUp?.Satisfied, reopenUntil = s.FollowUp?.ReopenUntil,
            })
            : Problems.NotFound("Onbekende statuslink", "Deze statuslink hoort bij geen melding. Controleer of u de hele link hebt gekopieerd.");
    }

    private static async Task<IResult> ListPageAsync(HttpContext http, MeldingList service, string? status, bool? open, bool? overdue,
        string? category, string? from, string? to, string? area, string? gebied, bool? forwarded, string? sort, int? offset, int? limit, bool? late3, string? assignedTo, CancellationToken ct)
    {
        if (WorkspaceQuery.Parse(status, open, overdue, category, from, to, area, gebied, forwarded, late3, Me(http, assignedTo)) is not { } filter)
            return Problems.BadRequest("Ongeldig filter", $"status is {MeldingStatus.CodesInWords}; from en to zijn datums (2026-01-31).", "filter");
        if (offset is < 0 || limit is < 1)
            return Problems.BadRequest("Ongeldige paginering", "offset is 0 of meer, limit 1 of meer.", "offset,limit");
        MeldingSort order;
        if (sort is null) order = MeldingSort.Newest;
        else if (!Enum.TryParse(sort, ignoreCase: true, out order) || !Enum.IsDefined(order))
            return Problems.BadRequest("Onbekende sortering", $"sort is een van: {string.Join(", ", Enum.GetNames<MeldingSort>().Select(n => n.ToLowerInvariant()))}.", "sort");
        return TypedResults.Ok(await service.ListPageAsync(http.User, filter, order, offset ?? 0, limit ?? 25, ct));
    }

    /// <summary>The workspace map: the filtered meldingen as points (WGS84 GeoJSON), newest first, at most 2000.</summary>
    private static async Task MapPointsAsync(HttpContext http, MeldingList service, Routing.AreaLocatorProvider locator, string? status, bool? open, bool? overdue, string? category,
        string? from, string? to, string? area, string? gebied, bool? forwarded, bool? late3, string? assignedTo, CancellationToken ct)
    {
        if (WorkspaceQuery.Parse(status, open, overdue, category, from, to, area, gebied, forwarded, late3, Me(http, assignedTo)) is not { } filter)
        {
            await Problems.BadRequest("Ongeldig filter", $"status is {MeldingStatus.CodesInWords}; from en to zijn datums (2026-01-31).", "filter").ExecuteAsync(http);
            return;
        }
        var page = await service.ListPageAsync(http.User, filter, MeldingSort.Newest, 0, 2000, ct);
        var teams = (await locator.GetAsync(ct))?.TeamNames ?? new Dictionary<string, string>();
        http.Response.ContentType = "application/geo+json";
        http.Response.Headers.CacheControl = "private, no-store";
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
        writer.WriteStart([new("total", page.Total), new("shown", page.Rows.Count)]);
        foreach (var r in page.Rows)
        {
            var attrs = new AttributesTable
            {
                { "code", r.Id.ToString(CultureInfo.InvariantCulture) }, { "title", $"{r.Reference} · {r.Category}" }, { "reference", r.Reference },
                { "category", r.Category }, { "status", r.Status }, { "gebied", r.Gebied }, { "overdue", r.Overdue }, { "late", r.Late },
                { "gebiedsteam", teams.GetValueOrDefault(r.Gebied) ?? r.Gebied },
            };
            await writer.WriteFeatureAsync(new Feature(RdNew.RdFactory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(r.X, r.Y)), attrs), ct);
        }
        await writer.WriteEndAsync(ct: ct);
    }

    private static async Task PublicAsync(HttpContext http, MeldingStatistics service, DemoMeldingen demo, IOptions<MeldingOptions> options, string? from, string? to,
        string? category, string? cell, string? bbox, CancellationToken ct)
    {
        if (!TryDate(from, out var f) || !TryDate(to, out var t))
        {
            await Problems.BadRequest("Ongeldige periode", "from en to zijn datums of tijdstippen in ISO 8601.", "from,to").ExecuteAsync(http);
            return;
        }
        double? cellSize = null;
        if (cell is not null)
        {
            if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) || c is < 1 or > 20_000)
            {
                await Problems.BadRequest("Ongeldige celgrootte", "cell is een maat in meters tot 20000 (nooit fijner dan het generalisatieraster).", "cell").ExecuteAsync(http);
                return;
            }
            cellSize = c;
        }
        NetTopologySuite.Geometries.Envelope? box = null;
        if (bbox is not null)
        {
            var parts = bbox.Split(',');
            var n = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : (double?)null).ToArray();
            if (n.Length != 4 || n.Any(v => v is null) || n[0] >= n[2] || n[1] >= n[3] || !RdNew.ValidRange.Contains(n[0]!.Value, n[1]!.Value) || !RdNew.ValidRange.Contains(n[2]!.Value, n[3]!.Value))
            {
                await Problems.BadRequest("Ongeldige bbox", "bbox is minx,miny,maxx,maxy in meters RD New (EPSG:28992).", "bbox").ExecuteAsync(http);
                return;
            }
            box = new NetTopologySuite.Geometries.Envelope(n[0]!.Value, n[2]!.Value, n[1]!.Value, n[3]!.Value);
        }
        var size = service.PublicCellSize(cellSize);
        List<PublicCell> cells;
        cells = await service.PublicCellsAsync(f, t, category?.ToLowerInvariant(), ct, cellSize, box); // a short period: DisclosureException, a 400
        http.Response.ContentType = "application/geo+json";
        http.Response.Headers.CacheControl = "public, max-age=60";
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
        writer.WriteStart([
            new("generalisation_m", options.Value.GeneralisationGridMetres), new("cell_m", size), new("demo", await demo.AnyDemoAsync(ct)), new("total", cells.Sum(c => c.Count)),
            new("note", $"Meldingen geteld per vak van {size} m, zonder persoonsgegevens; vakken en categorieën met minder dan {options.Value.PublicMinimumCount} meldingen worden niet getoond (categorieën samengevoegd tot 'overig')."),
            new("minimumCount", options.Value.PublicMinimumCount),
        ]);
        foreach (var c in cells)
        {
            var attrs = new AttributesTable { { "count", c.Count }, { "topCategory", DisclosureControl.Top(c.Categories) } };
            foreach (var (k, v) in c.Categories ?? new Dictionary<string, int>()) attrs.Add($"categorie_{k}", v);
            await writer.WriteFeatureAsync(new Feature(RdNew.RdFactory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(c.X, c.Y)), attrs), ct);
        }
        await writer.WriteEndAsync(ct: ct);
    }

    // ------------------------------------------------------------------------------------------------ CSV import
    public static readonly string[] ImportColumns =
        ["category", "description", "x", "y", "lat", "lon", "postcode", "huisnummer", "toevoeging", "naam", "email", "telefoon"];

    public sealed record ImportRow(int Row, string Outcome, long? Id, string? Gebied, string? ForwardedTo, string? Error);
    public sealed record ImportReport(int Imported, int Rejected, IReadOnlyList<ImportRow> Rows);

    private static async Task<IResult> ImportAsync(HttpContext http, MeldingService service, IOptions<MeldingOptions> options, AuditLog audit, CancellationToken ct)
    {
        var o = options.Value;
        // text/csv only: a cross-site form cannot send it without a CORS preflight.
        if (Problems.CheckBody(http, o.MaxImportBytes, $"Stuur text/csv met een kopregel van (een deel van): {string.Join(",", ImportColumns)}.", "text/csv") is { } bodyProblem)
            return bodyProblem;

        CsvDataReader csv;
        string[] header;
        try { (csv, header) = await CsvUpload.OpenAsync(http.Request.Body, ct); }
        catch (FormatException e) { return Problems.BadRequest("Onleesbare CSV", e.Message, "header"); }
        await using var _ = csv;
        var unknown = header.Where(h => !ImportColumns.Contains(h)).ToList();
        if (unknown.Count > 0 || !header.Contains("category") || !header.Contains("description"))
            return Problems.BadRequest("Onbekende kolommen",
                $"De kopregel heeft category en description nodig, plus een plek (x,y | lat,lon | postcode,huisnummer); bekende kolommen: {string.Join(",", ImportColumns)}." +
                (unknown.Count > 0 ? $" Onbekend: {string.Join(",", unknown.Take(5))}." : ""), "header");

        var rows = new List<ImportRow>();
        var actor = AuditLog.ActorOf(http.User);
        var number = 1; // the header is row 1
        while (true)
        {
            bool more;
            try { more = await csv.ReadAsync(ct); }
            catch (CsvFormatException e)
            {
                rows.Add(new ImportRow(number + 1, "rejected", null, null, null, $"Onleesbare CSV vanaf hier: {e.Message}"));
                break;
            }
            if (!more) break;
            number++;
            if (rows.Count >= o.MaxImportRows)
            {
                rows.Add(new ImportRow(number, "rejected", null, null, null, $"Meer dan {o.MaxImportRows} regels; deze regel en de rest zijn niet gelezen."));
                break;
            }
            string? Cell(string name) => Array.IndexOf(header, name) is var i and >= 0 && i < csv.RowFieldCount && csv.GetString(i) is { Length: > 0 } v ? v : null;
            try
            {
                var melding = new NewMelding
                {
                    Category = Cell("category"), Description = Cell("description"),
                    X = Number(Cell("x"), "x"), Y = Number(Cell("y"), "y"), Lat = Number(Cell("lat"), "lat"), Lon = Number(Cell("lon"), "lon"),
                    Postcode = Cell("postcode"), Huisnummer = (int?)Number(Cell("huisnummer"), "huisnummer", integer: true),
                    Toevoeging = Cell("toevoeging"), Naam = Cell("naam"), Email = Cell("email"), Telefoon = Cell("telefoon"),
                };
                var created = await service.CreateAsync(melding, "import", actor, ct);
                rows.Add(new ImportRow(number, "routed", created.Id, created.Routing.Gebied, created.ForwardedTo, null));
            }
            catch (MeldingRejectedException e)
            {
                rows.Add(new ImportRow(number, "rejected", null, null, null, $"{e.Title}: {e.Message}"));
            }
        }
        var imported = rows.Count(r => r.Outcome == "routed");
        await audit.WriteAsync(actor, "meldingen geïmporteerd", "melding", null, new { imported, rejected = rows.Count - imported }, ct: ct);
        return TypedResults.Ok(new ImportReport(imported, rows.Count - imported, rows));
    }

    private static double? Number(string? s, string field, bool integer = false)
    {
        if (s is null) return null;
        if (integer)
        {
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var i)) return i;
        }
        else if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        throw new MeldingRejectedException("Ongeldig getal", $"{field} '{(s.Length > 30 ? s[..30] + "…" : s)}' is geen {(integer ? "geheel getal" : "getal")}.", field);
    }

    // ------------------------------------------------------------------------------------------------ helpers
    /// <summary>Reads a small JSON body strictly: size limit, content type, no unknown members; any failure is a 400 problem.</summary>
    private static bool TryDate(string? s, out DateTimeOffset? value)
    {
        value = null;
        if (s is null) return true;
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) && d.Year is >= 1900 and <= 2200)
        {
            value = d;
            return true;
        }
        return false;
    }
}
