using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Export;
using Alkmaar.Kaart.Server.Features.Import;
using NetTopologySuite.Features;

namespace Alkmaar.Kaart.Server.Features.Plans;

public sealed record PlanCreateRequest(string Name, int? Version);

/// <summary>An edit: <c>kind</c> "buurten" (buurten → wijk), "wijken" (wijken → gebied), "nieuwe-wijk" (a new wijk <c>naam</c> in
/// <c>gebied</c>, code chosen by the server) or "grens" (the shared border of
/// buurten a and b to <c>line</c>, [lat, lon] pairs, snapping within <c>snapM</c> metres). <c>version</c> is the plan's
/// row version the edit starts from.</summary>
public sealed record PlanEditRequest(int Version, string Kind, string[]? Buurten = null, string? Wijk = null, string[]? Wijken = null,
    string? Gebied = null, string? A = null, string? B = null, double[][]? Line = null, double? SnapM = null, string? Naam = null);

public sealed record PlanVersionRequest(int Version);

public sealed record PlanRulesRequest(int Version, string[]? Locked, string[]? AllowNonContiguous);

public sealed record PlanPublishRequest(int Version, string? ValidFrom, string? Reason);

/// <summary>
/// <c>/api/plannen</c> (planner): plans of the gebiedsindeling — create (from a version, an equivalency CSV or a buurten
/// file), edit with undo/redo, check, compare, export, publish from a date, rebase. Every change names the plan's version
/// (409 when a colleague came first) and is audited.
/// </summary>
public static class PlanEndpoints
{
    public static WebApplicationBuilder AddPlans(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<PlanOptions>(PlanOptions.Section);
        builder.Services.AddSingleton<PlanStore>();
        builder.Services.AddSingleton<Import.IBoundaryImportParticipant, PlanPublished>();
        builder.Services.AddSingleton<PlanWorkspace>();
        builder.Services.AddSingleton<PlanService>();
        return builder;
    }

    /// <summary>The colours of the five teams on the plan map (colour-blind safe, Okabe–Ito), in the indeling's order.</summary>
    public static readonly string[] TeamColours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"];

    public static void MapPlans(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/plannen").WithTags("Plannen").RequireAuthorization(KaartPolicies.Planner);
        g.MapGet("/", async (PlanStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)))
            .WithSummary("The plans (drafts and published) with their base version and row version.");
        g.MapPost("/", CreateAsync).WithSummary("A new plan from a boundary version (default: the latest).");
        g.MapPost("/csv", CreateFromCsvAsync).WithSummary("A new plan from an equivalency CSV (buurtcode,wijkcode,gebiedcode) on the latest version.");
        g.MapPost("/bestand", CreateFromFileAsync).WithSummary("A new plan from a GeoJSON file of buurten (e.g. a new CBS year) with the latest assignment.");
        g.MapGet("/{id:int}", GetAsync).WithSummary("A plan with its impact per team (counts, change against its base, share, balance band).");
        g.MapPost("/{id:int}/bewerkingen", EditAsync).WithSummary("An edit: buurten to a wijk, wijken to a gebied, or a moved border between two buurten.");
        g.MapPost("/{id:int}/ongedaan-maken", (HttpContext http, PlanWorkspace w, PlanStore s, int id, PlanVersionRequest r, CancellationToken ct) =>
            Guard(async () => Step(await w.UndoAsync(id, r.Version, AuditLog.ActorOf(http.User), ct)))).WithSummary("Undo the last edit.");
        g.MapPost("/{id:int}/opnieuw-doen", (HttpContext http, PlanWorkspace w, int id, PlanVersionRequest r, CancellationToken ct) =>
            Guard(async () => Step(await w.RedoAsync(id, r.Version, AuditLog.ActorOf(http.User), ct)))).WithSummary("Redo the last undone edit.");
        g.MapPut("/{id:int}/regels", RulesAsync).WithSummary("Locked areas and areas allowed to be in pieces.");
        g.MapGet("/{id:int}/controle", CheckAsync).WithSummary("What keeps the plan from being published (coverage, contiguity, empty teams).");
        // the plan's map is also what the read-only link shows colleagues: any staff member (boundaries, no personal data)
        app.MapGet("/api/plannen/{id:int}/buurten", BuurtenAsync).WithTags("Plannen").RequireAuthorization(KaartPolicies.Staff)
            .WithSummary("The plan's buurten (GeoJSON, WGS84) with wijk, gebied, team colour and whether they changed.");
        g.MapGet("/{id:int}/vergelijking", CompareAsync)
            .WithSummary("What the plan changes against the version in force (met=in-werking), a version (versie:N) or another plan (plan:N); formaat=json, geojson or csv.");
        g.MapGet("/{id:int}/indeling.csv", CsvAsync).WithSummary("The plan as an equivalency CSV (buurtcode,wijkcode,gebiedcode).");
        g.MapDelete("/{id:int}", (HttpContext http, PlanStore store, int id, int version, CancellationToken ct) => Guard(async () =>
            {
                await store.DeleteDraftAsync(id, version, Audit.AuditLog.ActorOf(http.User), ct);
                return TypedResults.NoContent();
            }))
            .WithSummary("Deletes a draft plan at its row version (?version=N); a published plan is kept (it is a version's source).");
        g.MapPost("/{id:int}/publiceren", PublishAsync).WithSummary("Publish as a new boundary version from a date, with a reason.");
        g.MapPost("/{id:int}/opnieuw-baseren", RebaseAsync).WithSummary("Put the plan's changes on the latest version after another plan was published.");

        app.MapGet("/api/boundaries/{version:int}/indeling.csv", VersionCsvAsync).WithTags("Boundaries").RequireAuthorization(KaartPolicies.Planner)
            .WithSummary("A boundary version's assignment as an equivalency CSV (buurtcode,wijkcode,gebiedcode).");
    }

    /// <summary>Refusals of plans as problem+json: a plan rule (422), a colleague's change (409), a newer published version (409).</summary>
    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try { return await action(); }
        catch (PlanException e)
        {
            return TypedResults.Problem(title: "Niet mogelijk in dit plan", detail: e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (BoundaryImportException e)
        {
            return TypedResults.Problem(title: "Niet gepubliceerd", detail: e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (Geo.Areas.BoundaryValidationException e)
        {
            return TypedResults.Problem(title: "Grenzen afgekeurd", detail: $"{e.Problems.Count} probleem/problemen; er is niets gepubliceerd.",
                statusCode: StatusCodes.Status422UnprocessableEntity,
                extensions: new Dictionary<string, object?> { ["problems"] = e.Problems.Take(200).Select(p => new { code = p.Code, message = p.Message }) });
        }
    }

    private static IResult NotFound(int id) => Problems.NotFound("Plan niet gevonden", $"Er is geen plan {id}; GET /api/plannen geeft de plannen.");

    private static Task<IResult> CreateAsync(HttpContext http, PlanService plans, PlanCreateRequest request, CancellationToken ct) => Guard(async () =>
    {
        var id = await plans.CreateFromVersionAsync(request.Name, request.Version, AuditLog.ActorOf(http.User), ct);
        return TypedResults.Created($"/api/plannen/{id}", new { id });
    });

    private static async Task<IResult> CreateFromCsvAsync(HttpContext http, PlanService plans, CancellationToken ct, string? naam = null)
    {
        if (Problems.CheckBody(http, 1 << 20, "Stuur het equivalentiebestand als text/csv: buurtcode,wijkcode,gebiedcode.", "text/csv", "text/plain") is { } problem)
            return problem;
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var csv = await reader.ReadToEndAsync(ct);
        return await Guard(async () =>
        {
            var (id, problems) = await plans.CreateFromCsvAsync(naam ?? "Plan uit equivalentiebestand", csv, AuditLog.ActorOf(http.User), ct);
            if (id is null)
                return TypedResults.Problem(title: "Equivalentiebestand afgekeurd", detail: $"{problems.Count} probleem/problemen; er is geen plan gemaakt.",
                    statusCode: StatusCodes.Status422UnprocessableEntity, extensions: new Dictionary<string, object?> { ["problems"] = problems.Take(200) });
            return TypedResults.Created($"/api/plannen/{id}", new { id });
        });
    }

    private static async Task<IResult> CreateFromFileAsync(HttpContext http, PlanService plans, Microsoft.Extensions.Options.IOptions<BoundaryUploadOptions> limits,
        CancellationToken ct, string? naam = null)
    {
        if (Problems.CheckBody(http, limits.Value.MaxBytes, "Stuur de buurten als application/geo+json (RD New of WGS84).", "application/geo+json", "application/json") is { } problem)
            return problem;
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        buffer.Position = 0;
        return await Guard(async () =>
        {
            try
            {
                var id = await plans.CreateFromFileAsync(naam ?? "Plan uit buurtenbestand", buffer, "upload", AuditLog.ActorOf(http.User), ct);
                return TypedResults.Created($"/api/plannen/{id}", new { id });
            }
            catch (GeoJsonFormatException e) { return Problems.BadRequest("Onleesbare GeoJSON", e.Message); }
        });
    }

    private static Task<IResult> GetAsync(PlanWorkspace workspace, int id, CancellationToken ct) => Guard(async () =>
    {
        var state = await workspace.OpenAsync(id, ct);
        if (state is null) return NotFound(id);
        return TypedResults.Ok(Describe(workspace, state));
    });

    public static object Describe(PlanWorkspace workspace, PlanState state) => new
    {
        state.Info.Id, state.Info.Name, state.Info.BaseVersion, state.Info.ReplacesVersion, state.Info.Source, state.Info.Version, state.Info.CreatedBy, state.Info.CreatedAt,
        state.Info.UpdatedBy, state.Info.UpdatedAt, state.Info.PublishedVersion, state.Info.Locked, state.Info.AllowNonContiguous,
        canUndo = state.Tally.CanUndo, canRedo = state.Tally.CanRedo,
        measures = PlanMeasures.Keys, balanceBandPct = workspace.BalanceBandPct,
        teams = workspace.Impact(state).Select(t => new
        {
            gebied = t.Gebied, team = t.Name,
            counts = Keyed(t.Counts), change = Keyed(t.Change),
            share = PlanMeasures.Keys.Select((k, i) => (k, Math.Round(t.Share[i], 4))).ToDictionary(x => x.k, x => x.Item2),
            outOfBand = PlanMeasures.Keys.Where((_, i) => t.OutOfBand[i]),
        }),
        changedBuurten = state.BasePlan.GebiedChanges(state.Tally.Plan).Select(c => c.Buurt)
            .Concat(state.BasePlan.WijkChanges(state.Tally.Plan).Select(c => c.Buurt)).Distinct().Order(StringComparer.Ordinal),
    };

    private static Dictionary<string, long> Keyed(long[] v) => PlanMeasures.Keys.Select((k, i) => (k, v[i])).ToDictionary(x => x.k, x => x.Item2);

    private static IResult Step(PlanEditResult? r) => r is null
        ? TypedResults.Problem(title: "Niets te doen", detail: "Er is geen stap om ongedaan te maken of opnieuw te doen.", statusCode: StatusCodes.Status409Conflict)
        : TypedResults.Ok(r);

    private static Task<IResult> EditAsync(HttpContext http, PlanWorkspace workspace, int id, PlanEditRequest r, CancellationToken ct) => Guard(async () =>
    {
        var actor = AuditLog.ActorOf(http.User);
        PlanEditResult result = r.Kind switch
        {
            "buurten" => await workspace.MoveBuurtenAsync(id, r.Version, r.Buurten ?? [], r.Wijk ?? "", actor, ct),
            "wijken" => await workspace.MoveWijkenAsync(id, r.Version, r.Wijken ?? [], r.Gebied ?? "", actor, ct),
            "grens" => await workspace.MoveBorderAsync(id, r.Version, r.A ?? "", r.B ?? "", r.Line ?? [], r.SnapM ?? 1, actor, ct),
            "nieuwe-wijk" => await workspace.AddWijkAsync(id, r.Version, r.Naam ?? "", r.Gebied ?? "", actor, ct),
            _ => throw new PlanException("Soort bewerking: 'buurten', 'wijken', 'grens' of 'nieuwe-wijk'."),
        };
        return TypedResults.Ok(result);
    });

    private static Task<IResult> RulesAsync(HttpContext http, PlanStore store, PlanWorkspace workspace, int id, PlanRulesRequest r, CancellationToken ct) => Guard(async () =>
    {
        var version = await store.SetRulesAsync(id, r.Version, r.Locked ?? [], r.AllowNonContiguous ?? [], AuditLog.ActorOf(http.User), ct);
        workspace.Forget(id);
        return TypedResults.Ok(new { version });
    });

    private static Task<IResult> CheckAsync(PlanWorkspace workspace, PlanService plans, int id, CancellationToken ct, string? formaat = null) => Guard(async () =>
    {
        var state = await workspace.OpenAsync(id, ct);
        if (state is null) return NotFound(id);
        var problems = await plans.CheckAsync(state, ct);
        if (formaat == "geojson") return new ProblemsResult(problems);
        return TypedResults.Ok(new { valid = problems.Count == 0, problems });
    });

    /// <summary>The problems that have a place, as GeoJSON points (WGS84) for the map.</summary>
    private sealed class ProblemsResult(IReadOnlyList<PlanProblem> problems) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = Areas.AreasEndpoints.GeoJsonContentType;
            http.Response.Headers.CacheControl = "no-store";
            await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
            writer.WriteStart();
            var i = 0;
            foreach (var p in problems.Where(p => p.X is not null && p.Y is not null))
                await writer.WritePointAsync($"probleem-{++i}", p.X!.Value, p.Y!.Value,
                    [("code", $"probleem-{i}"), ("kind", p.Kind), ("title", KindNl(p.Kind)), ("name", p.Code), ("description", p.Message)], http.RequestAborted);
            await writer.WriteEndAsync(ct: http.RequestAborted);
        }
    }

    public static string KindNl(string kind) => kind switch
    {
        "dekking" => "Gat of overlap", "samenhang" => "Losse delen", "leeg" => "Team zonder buurten", "gemeente" => "Buitengrens", _ => "Probleem",
    };

    private static async Task BuurtenAsync(HttpContext http, PlanWorkspace workspace, int id, CancellationToken ct)
    {
        var state = await workspace.OpenAsync(id, ct);
        if (state is null) { await NotFound(id).ExecuteAsync(http); return; }
        await WriteBuurtenAsync(http, state, ct);
    }

    /// <summary>The plan's buurten as GeoJSON (WGS84): code, name, wijk, gebied, team colour (fill), changed against the base.</summary>
    public static async Task WriteBuurtenAsync(HttpContext http, PlanState state, CancellationToken ct)
    {
        var plan = state.Tally.Plan;
        var colours = state.Indeling.Gebieden.Select((g, i) => (g.Code, TeamColours[i % TeamColours.Length])).ToDictionary(x => x.Code, x => x.Item2);
        http.Response.ContentType = Areas.AreasEndpoints.GeoJsonContentType;
        http.Response.Headers.CacheControl = "no-store";
        await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
        writer.WriteStart([new("planVersion", state.Info.Version)]);
        foreach (var (code, shape) in state.Buurten.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var (wijk, gebied) = (plan.WijkOfBuurt[code], plan.GebiedOf(code));
            var changed = state.BasePlan.WijkOfBuurt.GetValueOrDefault(code) != wijk || state.BasePlan.GebiedOf(code) != gebied;
            var label = shape.Geometry.InteriorPoint;
            var (lon, lat) = RdNew.ToWgs84(label.X, label.Y);
            var team = state.Indeling.Gebieden.First(g => g.Code == gebied);
            await writer.WriteFeatureAsync(new Feature(shape.Geometry, GeoJsonFeatureCollectionWriter.Attributes(code,
                ("code", code), ("name", shape.Name), ("level", "buurt"), ("wijk", wijk), ("wijkName", state.WijkName(wijk)),
                ("gebied", gebied), ("gebiedName", team.Name), ("fill", colours[gebied]), ("changed", changed),
                ("tooltip", $"{shape.Name} — wijk {state.WijkName(wijk)}, {team.Team.Name}{(changed ? " (gewijzigd)" : "")}"),
                ("labelPoint", new[] { Math.Round(lon, 6), Math.Round(lat, 6) }))), ct);
        }
        await writer.WriteEndAsync(ct: ct);
    }

    private static Task<IResult> CompareAsync(HttpContext http, PlanWorkspace workspace, PlanService plans, int id, CancellationToken ct,
        string? met = null, string? formaat = null) => Guard(async () =>
    {
        var state = await workspace.OpenAsync(id, ct);
        if (state is null) return NotFound(id);
        var target = await plans.TargetAsync(met, ct);
        if (target is null) return Problems.NotFound("Niets om mee te vergelijken", $"'{met}' bestaat niet.");
        var rows = await plans.CompareAsync(state, target.Snapshot, ct);
        switch (formaat ?? "json")
        {
            case "json":
                return TypedResults.Ok(new
                {
                    with = target.Label, rows = rows.Select(r => new
                    {
                        r.Kind, r.Buurt, r.Name, r.FromBuurt, r.FromWijk, r.ToWijk, r.FromGebied, r.ToGebied, r.AreaM2, r.ChangesTeam, counts = Keyed(r.Counts),
                    }),
                });
            case "geojson":
                return new DiffResult(rows, target.Label, csv: false, id);
            case "csv":
                return new DiffResult(rows, target.Label, csv: true, id);
            default:
                return Problems.BadRequest("Onbekend formaat", "Kies formaat=json, geojson of csv.", "formaat");
        }
    });

    /// <summary>The diff as a download: GeoJSON (WGS84) or CSV, one row per moved buurt or piece of ground.</summary>
    private sealed class DiffResult(IReadOnlyList<PlanDiffRow> rows, string label, bool csv, int id) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var name = $"plan-{id}-verschil.{(csv ? "csv" : "geojson")}";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            if (csv)
            {
                http.Response.ContentType = "text/csv; charset=utf-8";
                var sb = new StringBuilder("soort,buurtcode,naam,van_buurt,van_wijk,naar_wijk,van_gebied,naar_gebied,oppervlakte_m2," + string.Join(",", PlanMeasures.Keys) + "\n");
                foreach (var r in rows)
                    sb.AppendJoin(',', new object?[] { r.Kind, r.Buurt, r.Name, r.FromBuurt, r.FromWijk, r.ToWijk, r.FromGebied, r.ToGebied, r.AreaM2 }
                        .Concat(r.Counts.Cast<object?>()).Select(Csv.Cell)).Append('\n');
                await http.Response.WriteAsync(sb.ToString(), http.RequestAborted);
                return;
            }
            http.Response.ContentType = Areas.AreasEndpoints.GeoJsonContentType;
            await using var writer = new GeoJsonFeatureCollectionWriter(http.Response.Body, KnownCrs.Wgs84);
            writer.WriteStart([new("comparedWith", label)]);
            var i = 0;
            foreach (var r in rows)
                await writer.WriteFeatureAsync(new Feature(r.Geometry, GeoJsonFeatureCollectionWriter.Attributes($"{r.Kind}-{++i}",
                    new (string, object?)[] { ("soort", r.Kind), ("buurt", r.Buurt), ("naam", r.Name), ("vanBuurt", r.FromBuurt), ("vanWijk", r.FromWijk),
                        ("naarWijk", r.ToWijk), ("vanGebied", r.FromGebied), ("naarGebied", r.ToGebied), ("oppervlakteM2", r.AreaM2) }
                    .Concat(PlanMeasures.Keys.Select((k, j) => (k, (object?)r.Counts[j]))).ToArray())), http.RequestAborted);
            await writer.WriteEndAsync(ct: http.RequestAborted);
        }
    }

    private static async Task<IResult> CsvAsync(PlanWorkspace workspace, int id, CancellationToken ct)
    {
        var state = await workspace.OpenAsync(id, ct);
        if (state is null) return NotFound(id);
        return TypedResults.File(Encoding.UTF8.GetBytes(EquivalencyCsv.Write(state.Tally.Plan)), "text/csv; charset=utf-8", $"plan-{id}-indeling.csv");
    }

    private static async Task<IResult> VersionCsvAsync(PlanStore store, int version, CancellationToken ct)
    {
        var snapshot = await store.LoadVersionAsync(version, ct);
        if (snapshot is null) return Problems.NotFound("Versie niet gevonden", $"Er is geen grensversie {version}.");
        return TypedResults.File(Encoding.UTF8.GetBytes(EquivalencyCsv.Write(snapshot.Plan)), "text/csv; charset=utf-8", $"versie-{version}-indeling.csv");
    }

    private static Task<IResult> PublishAsync(HttpContext http, PlanService plans, int id, PlanPublishRequest r, CancellationToken ct) => Guard(async () =>
    {
        if (!DateOnly.TryParseExact(r.ValidFrom ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var validFrom))
            return Problems.BadRequest("Ongeldige datum", "validFrom is een datum als 2027-01-01.", "validFrom");
        var (result, problems) = await plans.PublishAsync(id, r.Version, validFrom, r.Reason ?? "", AuditLog.ActorOf(http.User), ct);
        if (result is null)
            return TypedResults.Problem(title: "Plan niet gepubliceerd", detail: $"{problems.Count} probleem/problemen; los ze eerst op.",
                statusCode: StatusCodes.Status422UnprocessableEntity, extensions: new Dictionary<string, object?> { ["problems"] = problems });
        return TypedResults.Ok(new { version = result.VersionId, validFrom = result.ValidFrom.ToString("yyyy-MM-dd") });
    });

    private static Task<IResult> RebaseAsync(HttpContext http, PlanService plans, int id, PlanVersionRequest r, CancellationToken ct) => Guard(async () =>
    {
        var conflicts = await plans.RebaseAsync(id, r.Version, AuditLog.ActorOf(http.User), ct);
        return TypedResults.Ok(new { conflicts });
    });
}
