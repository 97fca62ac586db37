// Longer than 400 lines: every change of a melding (create, route, status, override, notes, forwarding) goes through the same lock, version check and history entry kept here; reading lists (MeldingList) and aggregates (MeldingStatistics) are apart.
using System.Security.Claims;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>Filters of the staff list of meldingen. <see cref="Area"/> matches a buurt, wijk, dorp or gebied code.</summary>
public sealed record MeldingFilter(string? Area = null, string? Team = null, string? Category = null, string? Status = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 100, int Offset = 0);

/// <summary>
/// Meldingen: validated and routed on arrival (areas, team, reason and boundary version stamped in one transaction with
/// the first history entry), read by staff within their scope (<see cref="MeldingAccessRules"/>), overridden with a
/// reason, and shown to the public only generalised to a grid and without personal data.
/// </summary>
public sealed partial class MeldingService(NpgsqlDataSource db, AreaLocatorProvider locator, IOptions<MeldingOptions> options,
    AuditLog audit, Addresses.AddressStore addresses, TimeProvider time, DisclosureControl disclosure, MeldingCells cells,
    IOptions<Notifications.MailOptions> mail, IServiceScopeFactory scopes, MeldingDeadlines deadlines, KaartUserStore users)
{
    /// <summary>
    /// The actor as stored now (roles and gebieden): every change and every read of personal data re-reads it, so a page
    /// opened before its user lost a gebied (a circuit revalidates only every 20 s) cannot act on that gebied's meldingen.
    /// </summary>
    private async Task<ClaimsPrincipal> ActorNowAsync(ClaimsPrincipal user, long id) => await scopes.ActorNowAsync(user) ?? throw NotFound(id);

    public static readonly IReadOnlyList<string> Statuses = MeldingStatus.All.Select(s => s.Code).ToList();
    private MeldingOptions O => options.Value;

    /// <summary>A message to the resident who made melding <paramref name="id"/> and left an e-mail address.</summary>
    private static Notifications.OutgoingMail ToMelder(string to, long id, string kind, string subject, string text) =>
        Notifications.OutgoingMail.ToResident(to, kind, "melding", id.ToString(), subject, text, "uw melding");

    public static string StatusNl(string status) => MeldingStatus.Resident(status).ToLowerInvariant();

    // ------------------------------------------------------------------------------------------------ create
    public async Task<MeldingCreated> CreateAsync(NewMelding m, string source, string actor, CancellationToken ct = default, CleanPhoto? photo = null,
        string? channel = null)
    {
        // a resident is no "anoniem" in the history when they left their name: the history says "de melder" (who that is
        // stays in the personal data, for the team)
        if (actor == "anoniem") actor = "de melder";
        var category = NormaliseCategory(m.Category);
        var description = Clean(m.Description);
        if (string.IsNullOrEmpty(description))
            throw new MeldingRejectedException("Omschrijving ontbreekt", "Een melding heeft een omschrijving nodig.", "description");
        if (description.Length > O.MaxDescriptionLength)
            throw new MeldingRejectedException("Omschrijving te lang", $"De omschrijving is ten hoogste {O.MaxDescriptionLength} tekens.", "description");
        var naam = Clean(m.Naam);
        if (naam?.Length > 200) throw new MeldingRejectedException("Naam te lang", "De naam is ten hoogste 200 tekens.", "naam");
        if (!TextFields.IsSingleLine(naam)) throw new MeldingRejectedException("Naam op één regel", "De naam staat op één regel, zonder regeleinden.", "naam");
        var email = Clean(m.Email);
        if (email is not null && (email.Length > 254 || !EmailPattern().IsMatch(email) || !TextFields.IsSingleLine(email)))
            throw new MeldingRejectedException("Ongeldig e-mailadres", "Dit e-mailadres klopt niet.", "email");
        var telefoon = Clean(m.Telefoon);
        if (telefoon is not null && !PhonePattern().IsMatch(telefoon))
            throw new MeldingRejectedException("Ongeldig telefoonnummer", "Een telefoonnummer heeft 6 tot 20 tekens: cijfers, spaties, +, - en haakjes.", "telefoon");

        var (x, y, locationSource, addressText) = await ResolveLocationAsync(m, ct);
        // routed on the boundaries in force at the melding's own time
        var createdAt = time.GetUtcNow();
        var snapshot = await locator.GetAtAsync(createdAt, ct)
            ?? throw new MeldingRejectedException(Problems.NoBoundariesTitle, Problems.NoBoundariesDetail, status: 503);
        var at = snapshot.Locator.Locate(x, y);
        if (at.Kind == LocationKind.Outside)
            throw new MeldingRejectedException(
                at.Municipality is { } mun ? $"Deze plek ligt in de gemeente {mun.Name}" : "Deze plek ligt buiten de gemeente",
                at.Municipality is { } m2
                    ? $"De plek ligt buiten de gemeente, in {m2.Name} ({m2.Code}); meld het bij die gemeente."
                    : "De plek ligt buiten de gemeente.",
                "location", StatusCodes.Status422UnprocessableEntity);

        var routing = RoutingOf(at, snapshot);
        var forwardedTo = O.OpenbareRuimteCategories.Contains(category, StringComparer.OrdinalIgnoreCase) ? O.ForwardTo : null;

        // the private status link: only its hash is stored
        var token = StatusLinks.NewToken();
        // the handling time promised for its category, from the day it arrived
        var deadline = deadlines.For(category, createdAt);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO melding (category, geom, location_source, buurt_code, wijk_code, dorp_code, gebied_code, routing_kind,
              routing_reason, distance_m, boundary_version_id, forwarded_to, source, description, address_text, melder_naam,
              melder_email, melder_telefoon, created_at, status_token_hash, handling_days, due_on, three_times_due_on, channel)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
            RETURNING id
            """, conn, tx))
        {
            Add(cmd, category, new Point(x, y) { SRID = RdNew.Srid }, locationSource, routing.Buurt, routing.Wijk, routing.Dorp,
                routing.Gebied, routing.Kind, routing.Reason, routing.DistanceM, routing.BoundaryVersion, forwardedTo, source,
                description, addressText, naam, email, telefoon, createdAt, StatusLinks.Hash(token), (short)deadline.Days, deadline.Due, deadline.ThreeTimesDue, channel);
            id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        if (photo is not null)
        {
            await using var p = new NpgsqlCommand(
                "INSERT INTO melding_photo (melding_id, content_type, width, height, bytes) VALUES ($1, $2, $3, $4, $5)", conn, tx);
            Add(p, id, photo.ContentType, photo.Width, photo.Height, photo.Bytes);
            await p.ExecuteNonQueryAsync(ct);
        }
        await AddHistoryAsync(conn, tx, id, actor, routing.Kind, null, routing.Gebied, routing.Reason +
            (forwardedTo is null ? "" : $" Doorgestuurd naar {forwardedTo} (openbare ruimte)."), routing.BoundaryVersion, ct);
        // the resident who left an address hears it arrived, with the private link (not for meldingen loaded from a file)
        if (email is not null && source != "import")
        {
            await Notifications.MailOutbox.EnqueueAsync([ToMelder(email, id, "melding ontvangen", $"Uw melding {StatusLinks.Reference(id)} is ontvangen",
                $"Dank u wel voor uw melding ({category}). Het nummer is {StatusLinks.Reference(id)}; {(routing.Gebiedsteam is { } t ? $"het {t}" : "het gebiedsteam")} pakt hem op" +
                (forwardedTo is null ? "." : " en heeft hem doorgestuurd naar Stadswerk072, dat de openbare ruimte onderhoudt.") +
                " " + mail.Value.FollowLinkSentence(StatusLinks.PathOf(token)))],
                conn, tx, ct);
        }
        await tx.CommitAsync(ct);
        return new MeldingCreated(id, category, MeldingStatus.Nieuw, routing, forwardedTo, StatusLinks.Reference(id), token) { Due = deadline.Due, HandlingDays = deadline.Days };
    }

    private static MeldingRouting RoutingOf(AreaLocation at, BoundarySnapshot snapshot)
    {
        var buurt = at.Buurt!;
        var reason = at.Kind == LocationKind.Inside
            ? $"Locatie ligt in buurt {buurt.Name} ({buurt.Code}); gebied {at.Gebied?.Name}."
            : $"Locatie ligt {at.DistanceM:0.#} m buiten de gemeente; toegewezen aan de dichtstbijzijnde buurt {buurt.Name} ({buurt.Code}).";
        return new MeldingRouting(at.Kind == LocationKind.Inside ? "inside" : "near", buurt.Code, at.Wijk?.Code, at.Dorp?.Code,
            at.Gebied!.Code, snapshot.TeamOf(at), reason, double.IsNaN(at.DistanceM) ? null : Math.Round(at.DistanceM, 2),
            snapshot.Locator.VersionId);
    }

    private string NormaliseCategory(string? category)
    {
        var c = category?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(c))
            throw new MeldingRejectedException("Categorie ontbreekt", $"Geef een categorie: {string.Join(", ", O.Categories)}.", "category");
        return O.Categories.FirstOrDefault(k => string.Equals(k, c, StringComparison.OrdinalIgnoreCase))
               ?? throw new MeldingRejectedException("Onbekende categorie", $"Onbekende categorie '{Truncate(c, 50)}'; bekend zijn: {string.Join(", ", O.Categories)}.", "category");
    }

    internal async Task<(double X, double Y, string Source, string? AddressText)> ResolveLocationAsync(NewMelding m, CancellationToken ct)
    {
        var hasRd = m.X is not null || m.Y is not null;
        var hasWgs = m.Lat is not null || m.Lon is not null;
        var hasAddress = m.Postcode is not null || m.Huisnummer is not null;
        if ((hasRd ? 1 : 0) + (hasWgs ? 1 : 0) + (hasAddress ? 1 : 0) != 1)
            throw new MeldingRejectedException("Ongeldige locatie",
                "Geef de plek één keer: als x en y (RD New), als lat en lon (WGS84), of als postcode en huisnummer.", "location");
        if (hasAddress)
        {
            var postcode = Addresses.AddressStore.NormalisePostcode(m.Postcode);
            if (postcode is null || m.Huisnummer is not (>= 1 and <= 99999))
                throw new MeldingRejectedException("Ongeldig adres", "Geef een Nederlandse postcode (1234AB) en een huisnummer (1-99999).", "postcode");
            if ((m.Toevoeging?.Length ?? 0) > 20) throw new MeldingRejectedException("Ongeldig adres", "De toevoeging is ten hoogste 20 tekens.", "toevoeging");
            var address = await addresses.FindAsync(postcode, m.Huisnummer.Value, m.Toevoeging, ct)
                ?? throw new MeldingRejectedException("Adres niet gevonden",
                    $"Het adres {postcode} {m.Huisnummer}{Addresses.AddressStore.NormaliseToevoeging(m.Toevoeging)} kennen wij niet.", "postcode",
                    StatusCodes.Status422UnprocessableEntity);
            return (address.X, address.Y, "adres", $"{address.Straat} {address.Huisnummer}{address.Toevoeging}, {address.Postcode} {address.Woonplaats}");
        }
        var wgs84 = hasWgs;
        double? a = wgs84 ? m.Lat : m.X, b = wgs84 ? m.Lon : m.Y;
        if (a is null || b is null)
            throw new MeldingRejectedException("Ongeldige locatie", wgs84 ? "Geef zowel lat als lon." : "Geef zowel x als y.", "location");
        var error = PointInput.ToRd(a.Value, b.Value, wgs84, out var x, out var y);
        if (error is not null) throw new MeldingRejectedException("Locatie buiten bereik", error, "location");
        return (x, y, wgs84 ? "wgs84" : "rd", null);
    }

    // ------------------------------------------------------------------------------------------------ read
    private const string ViewColumns =
        """
        m.id, m.created_at, m.category, m.status, m.closed_at, ST_X(m.geom), ST_Y(m.geom), m.location_source, m.routing_kind,
        m.buurt_code, m.wijk_code, m.dorp_code, m.gebied_code, m.routing_reason, m.distance_m, m.boundary_version_id,
        m.forwarded_to, m.source, m.description, m.address_text, m.melder_naam, m.melder_email, m.melder_telefoon,
        m.personal_removed_at, t.name, m.version, m.handling_days, m.assigned_to, m.clock_from, m.paused_days,
        m.paused_since IS NOT NULL, m.reopened_count, m.satisfied, m.satisfaction_reason
        """;

    /// <summary>The meldingen the user may see, newest first. Personal fields only where the user may see them; each such view is audited.</summary>
    public async Task<List<MeldingView>> ListAsync(ClaimsPrincipal user, MeldingFilter f, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT {ViewColumns} FROM melding m LEFT JOIN gebiedsteam t ON t.gebied_code = m.gebied_code
            WHERE ($1 OR m.gebied_code = ANY ($2) OR ($3 AND m.forwarded_to IS NOT NULL))
              AND ($4::text IS NULL OR $4 IN (m.buurt_code, m.wijk_code, m.dorp_code, m.gebied_code))
              AND ($5::text IS NULL OR m.gebied_code = $5)
              AND ($6::text IS NULL OR m.category = $6)
              AND ($7::text IS NULL OR m.status = $7)
              AND ($8::timestamptz IS NULL OR m.created_at >= $8)
              AND ($9::timestamptz IS NULL OR m.created_at < $9)
            ORDER BY m.created_at DESC, m.id DESC
            LIMIT $10 OFFSET $11
            """);
        var scope = MeldingAccessRules.ScopeOf(user);
        Add(cmd, scope.All, scope.Gebieden, scope.Forwarded);
        AddTyped(cmd, NpgsqlDbType.Text, f.Area, f.Team, f.Category, f.Status);
        AddTyped(cmd, NpgsqlDbType.TimestampTz, f.From?.ToUniversalTime(), f.To?.ToUniversalTime());
        Add(cmd, Math.Clamp(f.Limit, 1, O.MaxPageSize), Math.Max(0, f.Offset));
        var list = await ReadViews(cmd, user, ct, workOrders: false); // a list is no bulk view of what residents wrote: the work order is one melding's
        await AuditPersonalViews(user, list, ct);
        return list;
    }

    /// <summary>One melding with its routing history, or null when it does not exist or the user may not see it.</summary>
    public async Task<(MeldingView Melding, List<RoutingHistoryEntry> History)?> GetAsync(ClaimsPrincipal user, long id, CancellationToken ct = default)
    {
        // a read of personal data: the actor as stored now (no longer signed in: nothing to see)
        if (await scopes.ActorNowAsync(user) is { } now) user = now; else return null;
        await using var cmd = db.CreateCommand(
            $"SELECT {ViewColumns} FROM melding m LEFT JOIN gebiedsteam t ON t.gebied_code = m.gebied_code WHERE m.id = $1");
        Add(cmd, id);
        var view = (await ReadViews(cmd, user, ct, workOrders: true)).FirstOrDefault();
        if (view is null) return null;
        await AuditPersonalViews(user, [view], ct);
        var history = new List<RoutingHistoryEntry>();
        await using var h = db.CreateCommand(
            "SELECT at, actor, kind, from_gebied, to_gebied, detail FROM melding_routing WHERE melding_id = $1 ORDER BY id");
        Add(h, id);
        await using var r = await h.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            history.Add(new RoutingHistoryEntry(r.GetFieldValue<DateTimeOffset>(0), r.GetString(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                // an override's reason is free text: only for those who may see personal data
                view.Personal is null && r.GetString(2) == "override" ? "Reden alleen zichtbaar voor het gebiedsteam." : r.GetString(5)));
        return (view, history);
    }

    private async Task<List<MeldingView>> ReadViews(NpgsqlCommand cmd, ClaimsPrincipal user, CancellationToken ct, bool workOrders)
    {
        var list = new List<MeldingView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var gebied = r.GetString(12);
            var forwardedTo = r.IsDBNull(16) ? null : r.GetString(16);
            var access = MeldingAccessRules.AccessTo(user, gebied, forwardedTo, KaartRoles.Stadswerk);
            if (access == MeldingAccess.None) continue;
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var (x, y, locationSource, reason) = (r.GetDouble(5), r.GetDouble(6), r.GetString(7), r.GetString(13));
            MeldingWorkOrder? workOrder = null;
            if (access == MeldingAccess.Basic)
            {
                // The partner it was forwarded to gets a work order it can act on: the description and the place the
                // resident gave for the problem (the form tells the resident so), never who made it; an override's
                // free-text reason stays with the team, named by its team (not a code).
                if (r.GetString(8) == "override") reason = $"Handmatig toegewezen aan {S(24) ?? gebied}; de reden is alleen zichtbaar voor het gebiedsteam.";
                workOrder = workOrders && r.IsDBNull(23) ? new MeldingWorkOrder(S(18), S(19)) : null;
            }
            list.Add(new MeldingView(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), Math.Round(x, 2), Math.Round(y, 2),
                locationSource,
                new MeldingRouting(r.GetString(8), S(9), S(10), S(11), gebied, S(24), reason,
                    r.IsDBNull(14) ? null : r.GetDouble(14), r.GetInt32(15)),
                forwardedTo, r.GetString(17),
                access == MeldingAccess.Personal
                    ? new MeldingPersonal(S(18), S(19), S(20), S(21), S(22), r.IsDBNull(23) ? null : r.GetFieldValue<DateTimeOffset>(23))
                    : null, r.GetInt32(25))
                {
                    WorkOrder = workOrder,
                    Deadline = deadlines.Stored(r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(26) ? null : r.GetInt16(26),
                        r.IsDBNull(28) ? null : r.GetFieldValue<DateOnly>(28), r.GetInt16(29), r.GetBoolean(30)),
                    AssignedTo = access == MeldingAccess.Personal ? S(27) : null, // a person's name: for the team only
                    ReopenedCount = r.GetInt16(31),
                    Satisfied = r.IsDBNull(32) ? null : r.GetBoolean(32),
                    SatisfactionReason = access == MeldingAccess.Personal ? S(33) : null, // the melder's own words
                });
        }
        return list;
    }

    private Task AuditPersonalViews(ClaimsPrincipal user, List<MeldingView> views, CancellationToken ct)
    {
        var ids = views.Where(v => v.Personal is not null || v.WorkOrder is not null).Select(v => v.Id.ToString()).ToArray();
        return ids.Length == 0 ? Task.CompletedTask
            : audit.WriteViewsAsync(AuditLog.ActorOf(user), "persoonsgegevens bekeken", "melding", ids, ct);
    }

    // ------------------------------------------------------------------------------------------------ change
    /// <summary>Routes a melding to another gebied by hand, with a reason; only its current team or a beheerder may.</summary>
    public async Task<MeldingOverridden> OverrideAsync(ClaimsPrincipal user, long id, string? gebied, string? reason, CancellationToken ct = default,
        int? expectedVersion = null)
    {
        reason = RequireReason(reason, "het toewijzen aan een ander gebied");
        var snapshot = await locator.GetAsync(ct)
            ?? throw new MeldingRejectedException(Problems.NoBoundariesTitle, Problems.NoBoundariesDetail, status: 503);
        if (snapshot.Locator.Gebied(gebied) is not { } target)
            throw new MeldingRejectedException("Onbekend gebied", $"Onbekend gebied; bekend zijn: {string.Join(", ", snapshot.Locator.Gebieden.Select(g => g.Code))}.", "gebied");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockForChangeAsync(conn, tx, user, id, MeldingAccess.Personal, expectedVersion, ct);
        if (current.Gebied == target.Code)
            throw new MeldingRejectedException("Al toegewezen", $"De melding is al toegewezen aan {target.Code}.", "gebied", StatusCodes.Status409Conflict);
        var actor = AuditLog.ActorOf(user);
        await using (var cmd = new NpgsqlCommand(
            "UPDATE melding SET gebied_code = $2, routing_kind = 'override', routing_reason = $3, version = version + 1, updated_at = $4 WHERE id = $1", conn, tx))
        {
            Add(cmd, id, target.Code, $"Handmatig toegewezen aan {target.Name} door {actor}: {reason}", time.GetUtcNow());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await AddHistoryAsync(conn, tx, id, actor, "override", current.Gebied, target.Code, reason, null, ct);
        await audit.WriteAsync(actor, "routering gewijzigd", "melding", id.ToString(), new { from = current.Gebied, to = target.Code }, conn, tx, ct);
        await tx.CommitAsync(ct);
        // The answer holds no personal data: after moving a melding away, the caller's team may no longer see it.
        return new MeldingOverridden(id, target.Code, snapshot.TeamOf(target.Code), current.Gebied, reason,
            MeldingAccessRules.AccessTo(user, target.Code, current.ForwardedTo, KaartRoles.Stadswerk) != MeldingAccess.None);
    }

    /// <summary>Changes the status, optionally with a note to the resident (shown on the status link); the routed team, the
    /// partner it was forwarded to, or a beheerder may. Audited.</summary>
    public async Task SetStatusAsync(ClaimsPrincipal user, long id, string? status, CancellationToken ct = default,
        string? noteToResident = null, int? expectedVersion = null)
    {
        if (status is null || !Statuses.Contains(status))
            throw new MeldingRejectedException("Onbekende status", $"De status is een van: {string.Join(", ", Statuses)}.", "status");
        var note = CheckNote(noteToResident, "note");
        if (status == MeldingStatus.ReactieGevraagd && note is null)
            throw new MeldingRejectedException("Vraag ontbreekt", "Schrijf de vraag aan de melder in het bericht: die ziet hij op zijn statuslink.", "note");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockForChangeAsync(conn, tx, user, id, MeldingAccess.Basic, expectedVersion, ct);
        var now = time.GetUtcNow();
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE melding SET status = $2, closed_at = CASE WHEN $2 = 'afgehandeld' THEN coalesce(closed_at, $3) END,
              version = version + 1, updated_at = $3
            WHERE id = $1
            """, conn, tx))
        {
            Add(cmd, id, status, now);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        // the clock stands still while the team waits for the melder (or a party); it goes on, the deadline moved, when not
        await SyncClockAsync(conn, tx, id, now, O, ct);
        var actor = AuditLog.ActorOf(user);
        await AddHistoryAsync(conn, tx, id, actor, "status", current.Gebied, current.Gebied, $"{StatusPrefix}{status}", null, ct);
        if (note is not null) await InsertNoteAsync(conn, tx, id, actor, "publiek", note, now, ct);
        if (status != current.Status || note is not null)
        {
            var to = await Notifications.MailOutbox.AddressesAsync(conn, tx, "SELECT melder_email FROM melding WHERE id = $1 AND personal_removed_at IS NULL", [id], ct);
            var question = status == MeldingStatus.ReactieGevraagd;
            await Notifications.MailOutbox.EnqueueAsync(to.Select(a => question
                ? ToMelder(a, id, "melding vraag", $"Een vraag over uw melding {StatusLinks.Reference(id)}",
                    $"Het gebiedsteam heeft een vraag over uw melding {StatusLinks.Reference(id)}:\n\n{note}\n\n" +
                    "U kunt antwoorden via de link die u bij uw melding kreeg (daar kunt u ook een foto toevoegen).")
                : ToMelder(a, id, "melding status", $"Uw melding {StatusLinks.Reference(id)} is {StatusNl(status)}",
                    $"Uw melding {StatusLinks.Reference(id)} is {StatusNl(status)}." + (note is null ? "" : $"\n\nBericht van de gemeente: {note}") +
                    "\n\nMet de link die u bij uw melding kreeg, ziet u alle stappen.")), conn, tx, ct);
        }
        if (status != current.Status) await TellFollowersAsync(conn, tx, id, status, ct);
        await audit.WriteAsync(actor, "status gewijzigd", "melding", id.ToString(),
            new { from = current.Status, to = status, noteToResident = note is not null }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Removes the personal data of meldingen closed longer than the retention period ago (only those that still
    /// hold some: demo meldingen never do); returns how many, audited as one entry per run.</summary>
    public async Task<int> PurgePersonalDataAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            UPDATE melding SET description = NULL, address_text = NULL, melder_naam = NULL, melder_email = NULL,
              melder_telefoon = NULL, satisfaction_reason = NULL, personal_removed_at = $1
            WHERE status = 'afgehandeld' AND closed_at < $1 - make_interval(days => $2) AND personal_removed_at IS NULL
              AND (num_nonnulls(description, address_text, melder_naam, melder_email, melder_telefoon, satisfaction_reason) > 0
                   OR EXISTS (SELECT 1 FROM melding_photo p WHERE p.melding_id = melding.id))
            RETURNING id
            """);
        Add(cmd, time.GetUtcNow(), O.RetentionDaysAfterClosing);
        var ids = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0).ToString());
        if (ids.Count > 0)
        {
            // the photo, the internal notes and the melder's own answers (with their photos) may show or name the resident
            foreach (var sql in (string[])["DELETE FROM melding_photo WHERE melding_id = ANY ($1)",
                                          "DELETE FROM melding_note WHERE kind IN ('intern', 'melder') AND melding_id = ANY ($1)",
                                          "DELETE FROM melding_volger WHERE melding_id = ANY ($1)"])
            {
                await using var delete = db.CreateCommand(sql);
                Add(delete, ids.Select(long.Parse).ToArray());
                await delete.ExecuteNonQueryAsync(ct);
            }
        }
        // one entry per run with the count (and the ids, which are no personal data), not one per melding
        if (ids.Count > 0)
            await audit.WriteAsync(AuditLog.System, $"persoonsgegevens verwijderd (bewaartermijn {O.RetentionDaysAfterClosing} dagen)", "retentie",
                null, new { count = ids.Count, meldingen = ids }, ct: ct);
        return ids.Count;
    }

    // ------------------------------------------------------------------------------------------------ helpers
    private static MeldingRejectedException NotFound(long id) =>
        new("Melding niet gevonden", $"Er is geen melding {id} die u mag inzien.", status: StatusCodes.Status404NotFound);

    private static async Task<(string Gebied, string? ForwardedTo, int Version, string Status)?> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT gebied_code, forwarded_to, version, status FROM melding WHERE id = $1 FOR UPDATE", conn, tx);
        Add(cmd, id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt32(2), r.GetString(3)) : null;
    }

    /// <summary>Locks a melding for a change by <paramref name="user"/>: not found (404) unless the user has at least
    /// <paramref name="needed"/> access; a conflict (409) when it changed since <paramref name="expectedVersion"/>.</summary>
    private async Task<(string Gebied, string? ForwardedTo, int Version, string Status)> LockForChangeAsync(NpgsqlConnection conn,
        NpgsqlTransaction tx, ClaimsPrincipal user, long id, MeldingAccess needed, int? expectedVersion, CancellationToken ct)
    {
        user = await ActorNowAsync(user, id);
        var current = await LockAsync(conn, tx, id, ct);
        if (current is not { } c || MeldingAccessRules.AccessTo(user, c.Gebied, c.ForwardedTo, KaartRoles.Stadswerk) < needed) throw NotFound(id);
        CheckVersion(c.Version, expectedVersion);
        return c;
    }

    /// <summary>A reason of 3 to 500 characters for <paramref name="forWhat"/>, cleaned.</summary>
    private static string RequireReason(string? reason, string forWhat) =>
        Clean(reason) is { Length: >= 3 and <= 500 } r
            ? r
            : throw new MeldingRejectedException("Reden ontbreekt", $"Geef een reden van 3 tot 500 tekens voor {forWhat}.", "reason");

    /// <summary>Optimistic concurrency: a change made on a melding as it was at <paramref name="expected"/> fails when
    /// someone changed it since (409, the page shows the new state).</summary>
    private static void CheckVersion(int current, int? expected)
    {
        if (expected is { } e && e != current)
            throw new MeldingRejectedException("Melding is intussen gewijzigd",
                "Iemand anders heeft deze melding net gewijzigd. Bekijk de nieuwe stand en probeer het opnieuw.", "version",
                StatusCodes.Status409Conflict);
    }

    private static async Task AddHistoryAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string actor, string kind,
        string? from, string? to, string detail, int? version, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO melding_routing (melding_id, actor, kind, from_gebied, to_gebied, detail, boundary_version_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            conn, tx);
        Add(cmd, id, actor, kind, from, to, detail, version);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Add(NpgsqlCommand cmd, params object?[] values)
    {
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
    }

    private static void AddTyped(NpgsqlCommand cmd, NpgsqlDbType type, params object?[] values)
    {
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value, NpgsqlDbType = type });
    }

    /// <summary>Trims, drops control characters other than newlines and tabs, and turns empty into null.</summary>
    internal static string? Clean(string? s)
    {
        if (s is null) return null;
        var cleaned = new string(s.Where(c => !char.IsControl(c) || c is '\n' or '\t').ToArray()).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")] internal static partial Regex EmailPattern();
    [GeneratedRegex(@"^[+0-9 ()\-]{6,20}$")] private static partial Regex PhonePattern();
}
