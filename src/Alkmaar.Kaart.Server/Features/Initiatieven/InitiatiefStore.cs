// Longer than 400 lines: one table and its lifecycle (staff edits, a resident's application, history, the DEMO set) share the validation, routing and field binding kept here.
using System.Security.Claims;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Routing;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Initiatieven;

/// <summary>A new or changed initiative as sent by staff. Location: x/y (RD), lat/lon, or a GeoJSON polygon in WGS84.</summary>
public sealed class InitiatiefInput
{
    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? Theme { get; set; }
    public string? Status { get; set; }
    public decimal? Subsidy { get; set; }
    /// <summary>The amount a resident asks from the wijkbudget (an application).</summary>
    public decimal? Requested { get; set; }
    public int? Year { get; set; }
    public double? X { get; set; }
    public double? Y { get; set; }
    public double? Lat { get; set; }
    public double? Lon { get; set; }
    public JsonElement? Geometry { get; set; }
}

/// <summary>An initiative as stored; geometry in RD New. Public: it holds no personal data.</summary>
public sealed record Initiatief(long Id, string Title, string Description, string Theme, string Status, decimal? Subsidy, int Year,
    Geometry Geometry, string? BuurtCode, string? WijkCode, string GebiedCode, DateTimeOffset UpdatedAt, int Version = 1)
{
    /// <summary>The HTTP entity tag of this version of the initiative.</summary>
    public string ETag => $"\"v{Version}\"";

    /// <summary>A generated initiative of the DEMO set (labelled as such wherever shown).</summary>
    public bool Demo { get; init; }

    /// <summary>What the application asked from the wijkbudget.</summary>
    public decimal? Requested { get; init; }
}

public sealed record InitiatiefHistory(DateTimeOffset At, string Actor, string? From, string To);

/// <param name="PublicOnly">Only what the public may see: a resident's application appears once the team accepted it
/// (<see cref="InitiatiefStore.PublicCondition"/>).</param>
public sealed record InitiatiefFilter(string? Status = null, string? Theme = null, int? Year = null, string? Gebied = null, bool PublicOnly = true);

/// <summary>A refused change: a Dutch title and detail, the field and the HTTP status.</summary>
public sealed class InitiatiefRejectedException(string title, string detail, string? field = null, int status = 422)
    : RejectedException(title, detail, field, status, "field")
{
    public string? Field => Parameter;
}

/// <summary>
/// Bewonersinitiatieven (tables <c>initiatief</c>, <c>initiatief_history</c>): validation, the status lifecycle, routing
/// to buurt/wijk/gebied, and who may change what (a gebiedsteam member its own gebieden, a beheerder all).
/// </summary>
public sealed class InitiatiefStore(NpgsqlDataSource db, AreaLocatorProvider routing, Microsoft.Extensions.Options.IOptions<Notifications.MailOptions> mail,
    IServiceScopeFactory scopes)
{
    /// <summary>The actor as stored now (a page opened before its user lost a gebied cannot act on it).</summary>
    private async Task<ClaimsPrincipal> ActorNowAsync(ClaimsPrincipal user) =>
        await scopes.ActorNowAsync(user) ?? throw new InitiatiefRejectedException("Geen toegang", "Uw inlogsessie is niet meer geldig; log opnieuw in.", null, 403);

    /// <summary>A message to the applicant of an initiative.</summary>
    private static Notifications.OutgoingMail ToApplicant(string to, long id, string kind, string subject, string text) =>
        Notifications.OutgoingMail.ToResident(to, kind, "initiatief", id.ToString(), subject, text, "uw aanvraag");

    private static string StatusNl(string status) => InitiatiefStatus.Parse(status)?.ToApplicant ?? status;

    public static readonly string[] Statuses = InitiatiefStatus.All.Select(s => s.Code).ToArray();

    /// <summary>
    /// The rows the public may see (SQL, on <c>initiatief</c>): everything the team entered, and a resident's application
    /// (it has a status link) only once the team checked it (for draagvlak) or moved it on from 'aangevraagd' — no
    /// stranger's text is published unreviewed.
    /// </summary>
    public const string PublicCondition = "(status_token_hash IS NULL OR status <> 'aangevraagd' OR gecontroleerd_at IS NOT NULL)";
    public static readonly string[] Themes = ["cultuur", "duurzaamheid", "groen", "ontmoeten", "schoon", "spelen", "sport", "veiligheid"];

    /// <summary>The lifecycle: which status may follow which. Afgewezen and uitgevoerd are final.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Next =
        InitiatiefStatus.All.ToDictionary(s => s.Code, s => s.Next.Select(n => n.Code).ToArray());

    private const double MaxAreaM2 = 5_000_000;
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    // The Initiatieven feature's access rules, in one place (endpoints and pages ask these):
    /// <summary>A beheerder, or the gebiedsteam of the initiative's gebied, changes it.</summary>
    public static bool MayEdit(ClaimsPrincipal user, string gebied) =>
        user.IsInRole(KaartRoles.Beheerder) || (user.IsInRole(KaartRoles.Gebiedsteam) && user.Gebieden().Contains(gebied));

    /// <summary>Gebiedsteams and beheerders also see residents' applications that were not reviewed yet.</summary>
    public static bool MaySeeApplications(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && (user.IsInRole(KaartRoles.Gebiedsteam) || user.IsInRole(KaartRoles.Beheerder));

    /// <summary>Staff see an initiative's history with who changed it; the public sees it without names.</summary>
    public static bool MaySeeHistory(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true && KaartRoles.Staff.Any(user.IsInRole);

    public async Task<Initiatief> CreateAsync(InitiatiefInput input, ClaimsPrincipal user, CancellationToken ct = default)
    {
        user = await ActorNowAsync(user);
        var status = input.Status ?? InitiatiefStatus.Aangevraagd.Code;
        if (status != InitiatiefStatus.Aangevraagd.Code && !Statuses.Contains(status))
            throw new InitiatiefRejectedException("Onbekende status", $"status is een van: {string.Join(", ", Statuses)}.", "status");
        var (title, description, theme, subsidy, year) = Validate(input, null);
        var geom = ReadGeometry(input) ?? throw new InitiatiefRejectedException("Locatie ontbreekt", "Geef x/y (RD), lat/lon of een GeoJSON-vlak (WGS84).", "location");
        var (buurt, wijk, gebied) = await RouteAsync(geom, ct);
        if (!MayEdit(user, gebied)) throw new InitiatiefRejectedException("Geen toegang", $"Deze plek ligt in {gebied}, niet in uw gebieden.", "location", 403);
        var actor = Audit.AuditLog.ActorOf(user);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO initiatief (title, description, theme, status, subsidy_eur, year, geom, buurt_code, wijk_code, gebied_code, updated_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """, conn, tx);
        AddFields(cmd, title, description, theme, status, subsidy, year, geom, buurt, wijk, gebied, actor);
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await HistoryAsync(conn, tx, id, actor, null, status, ct);
        await tx.CommitAsync(ct);
        return (await GetAsync(id, ct))!;
    }

    /// <summary>Changes an initiative; fields left out keep their value. A new status must follow the lifecycle.</summary>
    /// <summary>
    /// Changes an initiative. <paramref name="expectedVersion"/> is the version the editor started from (HTTP If-Match):
    /// when another change came first the edit is refused with 412 and nothing is written. The row is locked while the
    /// change is checked and written, so concurrent status changes are decided one after the other and a final status
    /// (uitgevoerd, afgewezen) stays final.
    /// </summary>
    public async Task<Initiatief> UpdateAsync(long id, InitiatiefInput input, ClaimsPrincipal user, CancellationToken ct = default, int? expectedVersion = null)
    {
        user = await ActorNowAsync(user);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockAsync(conn, tx, id, ct);
        if (current is null) throw new InitiatiefRejectedException("Initiatief niet gevonden", $"Er is geen initiatief {id}.", null, 404);
        if (!MayEdit(user, current.GebiedCode)) throw new InitiatiefRejectedException("Geen toegang", $"Initiatief {id} ligt in {current.GebiedCode}, niet in uw gebieden.", null, 403);
        if (expectedVersion is { } v && v != current.Version)
            throw new InitiatiefRejectedException("Intussen gewijzigd",
                $"Initiatief {id} was changed by someone else (now version {current.Version}, you edited version {v}); reload and try again.", null, 412);
        var (title, description, theme, subsidy, year) = Validate(input, current);
        var status = input.Status ?? current.Status;
        // granting without an amount grants what the application asked
        if (status == InitiatiefStatus.Toegekend.Code && status != current.Status && input.Subsidy is null && current.Requested is { } asked) subsidy = asked;
        if (status != current.Status)
        {
            if (!Statuses.Contains(status)) throw new InitiatiefRejectedException("Onbekende status", $"status is een van: {string.Join(", ", Statuses)}.", "status");
            if (!Next[current.Status].Contains(status))
                throw new InitiatiefRejectedException("Deze statuswijziging kan niet",
                    $"Vanaf {current.Status} kan de status naar: {(Next[current.Status].Length == 0 ? "niets (definitief)" : string.Join(", ", Next[current.Status]))}.", "status", 409);
        }
        var geom = ReadGeometry(input) ?? current.Geometry;
        var (buurt, wijk, gebied) = ReferenceEquals(geom, current.Geometry) ? (current.BuurtCode, current.WijkCode, current.GebiedCode) : await RouteAsync(geom, ct);
        if (!MayEdit(user, gebied)) throw new InitiatiefRejectedException("Geen toegang", $"De nieuwe plek ligt in {gebied}, niet in uw gebieden.", "location", 403);
        // a grant draws on the wijk's or dorp's budget: checked with the budget's row locked (concurrent grants take turns)
        if ((status == InitiatiefStatus.Toegekend.Code || status == InitiatiefStatus.Uitgevoerd.Code) && subsidy is { } granted &&
            (status != current.Status || subsidy != current.Subsidy || year != current.Year || !ReferenceEquals(geom, current.Geometry)))
            await WijkbudgetStore.CheckGrantAsync(conn, tx, id, granted, year, geom, wijk, ct);
        var actor = Audit.AuditLog.ActorOf(user);
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE initiatief SET title = $2, description = $3, theme = $4, status = $5, subsidy_eur = $6, year = $7, geom = $8,
              buurt_code = $9, wijk_code = $10, gebied_code = $11, updated_by = $12, updated_at = now(), version = version + 1 WHERE id = $1
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            AddFields(cmd, title, description, theme, status, subsidy, year, geom, buurt, wijk, gebied, actor);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (status != current.Status)
        {
            await HistoryAsync(conn, tx, id, actor, current.Status, status, ct);
            await TellApplicantAsync(conn, tx, id, "initiatief status", $"Uw initiatief '{title}' is {status}",
                $"Uw aanvraag voor het bewonersinitiatief '{title}' is {StatusNl(status)}. Met de link die u bij uw aanvraag kreeg, ziet u de hele geschiedenis.", ct);
        }
        await tx.CommitAsync(ct);
        return (await GetAsync(id, ct))!;
    }

    public async Task DeleteAsync(long id, ClaimsPrincipal user, CancellationToken ct = default, int? expectedVersion = null)
    {
        user = await ActorNowAsync(user);
        var current = await GetAsync(id, ct) ?? throw new InitiatiefRejectedException("Initiatief niet gevonden", $"Er is geen initiatief {id}.", null, 404);
        if (!MayEdit(user, current.GebiedCode)) throw new InitiatiefRejectedException("Geen toegang", $"Initiatief {id} ligt in {current.GebiedCode}, niet in uw gebieden.", null, 403);
        await using var cmd = db.CreateCommand("DELETE FROM initiatief WHERE id = $1 AND ($2::int IS NULL OR version = $2)");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer, Value = (object?)expectedVersion ?? DBNull.Value });
        if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            throw new InitiatiefRejectedException("Intussen gewijzigd", $"Initiatief {id} was changed by someone else; reload and try again.", null, 412);
    }

    private static (string Title, string Description, string Theme, decimal? Subsidy, int Year) Validate(InitiatiefInput i, Initiatief? current)
    {
        var title = (i.Title ?? current?.Title)?.Trim();
        if (title is null || title.Length is < 3 or > 200) throw new InitiatiefRejectedException("Titel ontbreekt", "De titel is 3 tot 200 tekens.", "title");
        if (!TextFields.IsSingleLine(title)) throw new InitiatiefRejectedException("Titel op één regel", "De titel staat op één regel, zonder regeleinden.", "title");
        var description = (i.Description ?? current?.Description ?? "").Trim();
        if (description.Length > 4000) throw new InitiatiefRejectedException("Beschrijving te lang", "De beschrijving is ten hoogste 4000 tekens.", "description");
        var theme = (i.Theme ?? current?.Theme)?.Trim().ToLowerInvariant();
        if (theme is null || !Themes.Contains(theme)) throw new InitiatiefRejectedException("Onbekend thema", $"Het thema is een van: {string.Join(", ", Themes)}.", "theme");
        var subsidy = i.Subsidy ?? current?.Subsidy;
        if (subsidy is < 0 or > 1_000_000) throw new InitiatiefRejectedException("Ongeldig subsidiebedrag", "De subsidie is 0 tot 1.000.000 euro.", "subsidy");
        var year = i.Year ?? current?.Year;
        if (year is null or < 2000 or > 2100) throw new InitiatiefRejectedException("Ongeldig jaar", "Het jaar is 2000 tot 2100.", "year");
        return (title, description, theme, subsidy is null ? null : Math.Round(subsidy.Value, 2), year.Value);
    }

    /// <summary>The RD geometry of the input's location, or null when none is given.</summary>
    private static Geometry? ReadGeometry(InitiatiefInput i)
    {
        var given = (i.X is not null || i.Y is not null ? 1 : 0) + (i.Lat is not null || i.Lon is not null ? 1 : 0) + (i.Geometry is { ValueKind: not JsonValueKind.Null } ? 1 : 0);
        if (given == 0) return null;
        if (given > 1) throw new InitiatiefRejectedException("Eén locatie", "Geef x/y, lat/lon of geometry, niet meer dan één.", "location");
        if (i.Geometry is { } json)
        {
            Geometry? g;
            try { g = JsonSerializer.Deserialize<Geometry>(json.GetRawText(), GeoJson); }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException) { g = null; }
            if (g is not (Polygon or MultiPolygon or Point) || g.IsEmpty)
                throw new InitiatiefRejectedException("Ongeldige geometrie", "geometry is een GeoJSON Point, Polygon of MultiPolygon in WGS84 (lon, lat).", "geometry");
            if (g.Coordinates.Any(c => !RdNew.Wgs84ValidRange.Contains(c.X, c.Y)))
                throw new InitiatiefRejectedException("Buiten bereik", "De coördinaten van geometry zijn lon/lat binnen Nederland.", "geometry");
            var rd = RdNew.FromWgs84(g);
            rd.SRID = RdNew.Srid;
            if (!rd.IsValid) throw new InitiatiefRejectedException("Ongeldige geometrie", "Het vlak is ongeldig (snijdt zichzelf of ringen liggen verkeerd in elkaar).", "geometry");
            if (rd.Area > MaxAreaM2) throw new InitiatiefRejectedException("Gebied te groot", $"Een initiatief beslaat ten hoogste {MaxAreaM2 / 1e6} km².", "geometry");
            return rd;
        }
        var wgs84 = i.Lat is not null || i.Lon is not null;
        var (a, b) = wgs84 ? (i.Lat, i.Lon) : (i.X, i.Y);
        if (a is null || b is null) throw new InitiatiefRejectedException("Onvolledige locatie", wgs84 ? "Geef zowel lat als lon." : "Geef zowel x als y.", "location");
        if (PointInput.ToRd(a.Value, b.Value, wgs84, out var x, out var y) is { } error)
            throw new InitiatiefRejectedException("Locatie buiten bereik", $"{error}: {PointInput.Ranges(wgs84)}", "location");
        return RdNew.RdFactory.CreatePoint(new Coordinate(x, y));
    }

    /// <summary>Buurt, wijk and gebied of the geometry's representative point; refuses places outside the gemeente.</summary>
    private async Task<(string? Buurt, string? Wijk, string Gebied)> RouteAsync(Geometry geom, CancellationToken ct)
    {
        var snapshot = await routing.GetAsync(ct) ?? throw new InitiatiefRejectedException(Problems.NoBoundariesTitle, Problems.NoBoundariesDetail, null, 503);
        var at = geom.InteriorPoint;
        var where = snapshot.Locator.Locate(at.X, at.Y);
        if (where.Gebied is null)
            throw new InitiatiefRejectedException("Buiten de gemeente", $"De plek ligt niet in de gemeente Alkmaar{(where.Municipality is { } m ? $" maar in {m.Name}" : "")}.", "location");
        return (where.Buurt?.Code, where.Wijk?.Code, where.Gebied.Code);
    }

    /// <summary>The row's fields as parameters in column order (INSERT $1–$11, UPDATE $2–$12 after the id).</summary>
    private static void AddFields(NpgsqlCommand cmd, string title, string description, string theme, string status, decimal? subsidy, int year,
        Geometry geom, string? buurt, string? wijk, string gebied, string actor)
    {
        cmd.Parameters.AddWithValue(title);
        cmd.Parameters.AddWithValue(description);
        cmd.Parameters.AddWithValue(theme);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)subsidy ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        cmd.Parameters.AddWithValue(year);
        cmd.Parameters.AddWithValue(geom);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)buurt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)wijk ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(gebied);
        cmd.Parameters.AddWithValue(actor);
    }

    /// <summary>
    /// A regiegroep's decision on an application (issue 33, part 2), inside the caller's transaction with the initiative's
    /// row locked: aangevraagd → toegekend (the amount checked against the wijkbudget, row-locked) or afgewezen; history;
    /// the applicant told, with the regiegroep's reason.
    /// </summary>
    internal static async Task DecideAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Initiatief current, bool grant, decimal? amount, string actor,
        string reason, string body, CancellationToken ct)
    {
        var status = grant ? InitiatiefStatus.Toegekend.Code : InitiatiefStatus.Afgewezen.Code;
        var subsidy = grant ? amount ?? current.Requested : current.Subsidy;
        if (grant && subsidy is { } granted)
            await WijkbudgetStore.CheckGrantAsync(conn, tx, current.Id, granted, current.Year, current.Geometry, current.WijkCode, ct);
        await using (var cmd = new NpgsqlCommand(
            "UPDATE initiatief SET status = $2, subsidy_eur = $3, updated_by = $4, updated_at = now(), version = version + 1 WHERE id = $1", conn, tx))
        {
            cmd.Parameters.AddWithValue(current.Id);
            cmd.Parameters.AddWithValue(status);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)subsidy ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
            cmd.Parameters.AddWithValue(actor);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await HistoryAsync(conn, tx, current.Id, actor, current.Status, status, ct);
        await TellApplicantAsync(conn, tx, current.Id, "initiatief status", $"Uw initiatief '{current.Title}' is {status}",
            $"{body}\n\nReden: {reason}\n\nMet de link die u bij uw aanvraag kreeg, ziet u de hele geschiedenis.", ct);
    }

    /// <summary>Queues a message to the initiative's applicant, when they left an e-mail address (in the caller's transaction).</summary>
    internal static async Task TellApplicantAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string kind, string subject, string text, CancellationToken ct)
    {
        var to = await Notifications.MailOutbox.AddressesAsync(conn, tx, "SELECT applicant_email FROM initiatief WHERE id = $1", [id], ct);
        await Notifications.MailOutbox.EnqueueAsync(to.Select(a => ToApplicant(a, id, kind, subject, text)), conn, tx, ct);
    }

    /// <summary>The initiative, locked for the caller's transaction (null when it does not exist).</summary>
    internal static async Task<Initiatief?> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM initiatief WHERE id = $1 FOR UPDATE", conn, tx);
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    private static async Task HistoryAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string actor, string? from, string to, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO initiatief_history (initiatief_id, actor, status_from, status_to) VALUES ($1, $2, $3, $4)", conn, tx);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(actor);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)from ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(to);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private const string Columns = "id, title, description, theme, status, subsidy_eur, year, geom, buurt_code, wijk_code, gebied_code, updated_at, version, demo, requested_eur";

    private static Initiatief Read(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        r.IsDBNull(5) ? null : r.GetDecimal(5), r.GetInt32(6), (Geometry)r.GetValue(7), r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9), r.GetString(10), r.GetFieldValue<DateTimeOffset>(11), r.GetInt32(12))
        { Demo = r.GetBoolean(13), Requested = r.IsDBNull(14) ? null : r.GetDecimal(14) };

    /// <summary>
    /// A resident applies for an initiative (issue 20): the same checks as staff's, status <c>aangevraagd</c>, no subsidy
    /// yet; routed to its gebiedsteam, which takes it through the lifecycle. Returns it and its private status link's token
    /// (only the hash is stored); the optional e-mail address is personal data and is never shown or exported.
    /// </summary>
    public async Task<(Initiatief Initiatief, string Token)> ApplyAsync(InitiatiefInput input, string? email, CancellationToken ct = default)
    {
        input.Status = InitiatiefStatus.Aangevraagd;
        input.Subsidy = null;
        var (title, description, theme, _, year) = Validate(input, null);
        if (input.Requested is < 0 or > 1_000_000) throw new InitiatiefRejectedException("Ongeldig bedrag", "Het gevraagde bedrag is 0 tot 1.000.000 euro.", "requested");
        var geom = ReadGeometry(input) ?? throw new InitiatiefRejectedException("Plek ontbreekt", "Kies op de kaart waar uw initiatief plaatsvindt.", "location");
        var (buurt, wijk, gebied) = await RouteAsync(geom, ct);
        email = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        if (email is not null && (email.Length > 200 || !email.Contains('@') || !TextFields.IsSingleLine(email))) throw new InitiatiefRejectedException("E-mailadres klopt niet", "Vul een geldig e-mailadres in, of laat het leeg.", "email");
        var token = StatusLinks.NewToken();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO initiatief (title, description, theme, status, subsidy_eur, year, geom, buurt_code, wijk_code, gebied_code, updated_by, status_token_hash, applicant_email, requested_eur)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id
            """, conn, tx);
        AddFields(cmd, title, description, theme, InitiatiefStatus.Aangevraagd, null, year, geom, buurt, wijk, gebied, "bewoner");
        cmd.Parameters.AddWithValue(StatusLinks.Hash(token));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)email ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = input.Requested is { } req ? Math.Round(req, 2) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await HistoryAsync(conn, tx, id, "bewoner", null, InitiatiefStatus.Aangevraagd, ct);
        if (email is not null)
        {
            // the first message echoes nothing the applicant typed (anyone can type anyone's address): only our own text
            await Notifications.MailOutbox.EnqueueAsync([ToApplicant(email, id, "initiatief aangevraagd", $"Uw aanvraag voor een bewonersinitiatief is ontvangen (nummer {id})",
                $"Dank u wel voor uw aanvraag voor een bewonersinitiatief (nummer {id}). Het gebiedsteam bekijkt uw aanvraag en neemt contact met u op. " +
                mail.Value.FollowLinkSentence($"/initiatief/status/{token}"))], conn, tx, ct);
        }
        // the gebiedsteam hears of it at its team mailbox (when it entered one): what and where, never who applied
        var team = await Notifications.MailOutbox.AddressesAsync(conn, tx, "SELECT mailbox FROM gebiedsteam WHERE gebied_code = $1 AND mailbox IS NOT NULL", [gebied], ct);
        await Notifications.MailOutbox.EnqueueAsync(team.Select(to => new Notifications.OutgoingMail(to, $"Nieuwe aanvraag bewonersinitiatief: {title}",
            $"""
            Een bewoner vraagt een bewonersinitiatief aan in uw gebied.

            {title} ({theme}), buurt {buurt}.
            {description}

            Bekijk en behandel de aanvraag op {mail.Value.Link("/initiatieven") ?? "de pagina Initiatieven"}.

            (Bericht van Alkmaar Kaart; wie de aanvraag deed, staat hier niet in.)
            """, "initiatief aangevraagd (team)", "initiatief", id.ToString())), conn, tx, ct);
        await tx.CommitAsync(ct);
        return ((await GetAsync(id, ct))!, token);
    }

    /// <summary>An initiative by its private status link, with its history; null for an unknown link.</summary>
    public async Task<(Initiatief Initiatief, List<InitiatiefHistory> History)?> ByTokenAsync(string token, CancellationToken ct = default)
    {
        if (!StatusLinks.LooksValid(token)) return null;
        long? id;
        await using (var cmd = db.CreateCommand("SELECT id FROM initiatief WHERE status_token_hash = $1"))
        {
            cmd.Parameters.AddWithValue(StatusLinks.Hash(token));
            id = await cmd.ExecuteScalarAsync(ct) as long?;
        }
        if (id is null || await GetAsync(id.Value, ct) is not { } i) return null;
        return (i, await HistoryAsync(id.Value, ct));
    }

    private static readonly string[] DemoTitles =
        ["Buurtmoestuin", "Straatfeest", "Opruimactie", "Bloembakken in de straat", "Speelmiddag op het plein", "Buurtbibliotheekje", "Koffieochtend", "Geveltuinen"];

    /// <summary>
    /// The DEMO set, the same on every machine: two initiatives per wijk at an inner point of its first buurten, with themes,
    /// statuses and subsidies in turn, "DEMO" in their title and <c>demo</c> set. Returns how many were made.
    /// </summary>
    public async Task<int> GenerateDemoAsync(int year, CancellationToken ct = default)
    {
        var places = new List<(string Buurt, Point Point)>();
        await using (var cmd = db.CreateCommand(
            """
            SELECT b.code, ST_PointOnSurface(b.geom) FROM (
                SELECT code, geom, row_number() OVER (PARTITION BY parent_code ORDER BY code) AS n FROM area_in_force WHERE level = 'buurt') b
            WHERE b.n <= 2 ORDER BY b.code
            """))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) places.Add((r.GetString(0), (Point)r.GetValue(1)));
        var made = 0;
        foreach (var (_, point) in places)
        {
            var k = made;
            var geom = point;
            var (b, w, g) = await RouteAsync(geom, ct);
            await using var cmd = db.CreateCommand(
                """
                INSERT INTO initiatief (title, description, theme, status, subsidy_eur, year, geom, buurt_code, wijk_code, gebied_code, updated_by, demo)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true)
                """);
            AddFields(cmd, $"DEMO: {DemoTitles[k % DemoTitles.Length]}", "Gegenereerd demo-initiatief, geen echte aanvraag.", Themes[k % Themes.Length],
                Statuses[k % 3], k % 3 == 0 ? null : 250m + 50 * (k % 5), year, geom, b, w, g, "demo");
            await cmd.ExecuteNonQueryAsync(ct);
            made++;
        }
        return made;
    }

    /// <summary>Whether there is any initiative (the DEMO set is made only into an empty table).</summary>
    public async Task<bool> AnyAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM initiatief)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Whether the DEMO set is among the initiatives (pages then say so).</summary>
    public async Task<bool> AnyDemoAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM initiatief WHERE demo)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>An initiative; with <paramref name="publicOnly"/> only when the public may see it (else null, as if it did not exist).</summary>
    public async Task<Initiatief?> GetAsync(long id, CancellationToken ct = default, bool publicOnly = false)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM initiatief WHERE id = $1{(publicOnly ? $" AND {PublicCondition}" : "")}");
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>Initiatives matching the filter (gebied also matches a wijk or buurt code), newest year first.</summary>
    public async Task<List<Initiatief>> ListAsync(InitiatiefFilter f, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT {Columns} FROM initiatief
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR theme = $2) AND ($3::int IS NULL OR year = $3)
              AND ($4::text IS NULL OR $4 IN (gebied_code, wijk_code, buurt_code)) AND (NOT $5 OR {PublicCondition})
            ORDER BY year DESC, title, id
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Theme ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Year ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Gebied ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = f.PublicOnly, NpgsqlDbType = NpgsqlDbType.Boolean });
        var result = new List<Initiatief>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) result.Add(Read(r));
        return result;
    }

    public async Task<List<InitiatiefHistory>> HistoryAsync(long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT at, actor, status_from, status_to FROM initiatief_history WHERE initiatief_id = $1 ORDER BY id");
        cmd.Parameters.AddWithValue(id);
        var result = new List<InitiatiefHistory>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) result.Add(new InitiatiefHistory(r.GetFieldValue<DateTimeOffset>(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3)));
        return result;
    }
}
