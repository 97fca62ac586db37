using System.Security.Claims;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Schouwen;

/// <summary>A buurt a schouw round can be planned for.</summary>
public sealed record SchouwBuurt(string Code, string Naam, string WijkCode, string WijkNaam, string GebiedCode);

/// <summary>A schouw round with the checklist and target levels it was planned with.</summary>
public sealed record Schouw(long Id, string BuurtCode, string BuurtNaam, string GebiedCode, DateOnly Datum, string Titel, string? Route,
    IReadOnlyList<string> Deelnemers, int Bewoners, IReadOnlyDictionary<string, string> Doel, IReadOnlyList<SchouwItem> Items,
    string CreatedBy, int Bevindingen, int Meldingen)
{
    public string DoelVan(SchouwItem item) => Doel.GetValueOrDefault(item.Aspect, "B");
}

/// <summary>A finding: an item scored on the CROW scale where it was seen, perhaps with a photo, perhaps made a melding.</summary>
public sealed record SchouwBevinding(long Id, Guid ClientId, string Item, string Score, string? Toelichting, double Lat, double Lon,
    DateTimeOffset VastgelegdAt, string Door, bool HasPhoto, long? MeldingId, string? MeldingStatus);

/// <summary>A line of the schouw report: one checklist item against its target level.</summary>
public sealed record SchouwRapportRegel(SchouwItem Item, string Doel, int Bevindingen, int OnderDoel, string? Slechtste)
{
    public bool Voldoet => OnderDoel == 0;
}

/// <summary>What a phone sends for one finding (recorded offline perhaps hours before).</summary>
public sealed record BevindingInput(Guid ClientId, string? Item, string? Score, string? Toelichting, double? Lat, double? Lon,
    double? Nauwkeurigheid, DateTimeOffset? VastgelegdAt);

public sealed class SchouwException(string title, string detail, int status = 422, string? field = null) : RejectedException(title, detail, field, status, "field");

/// <summary>
/// The wijkschouw (issue 34, part 3; tables <c>schouw</c>, <c>schouw_bevinding</c>, <c>schouw_spoor</c>): a gebiedsteam
/// (own gebieden), Stadswerk072 or a beheerder plans a round through a buurt; on a phone the participants score the
/// checklist's items where they stand (a finding: item, CROW level, a note, the device's location, a photo stripped like
/// the melding form's); findings sent twice are kept once (the phone's own id); a finding becomes a melding in one tap —
/// routed and forwarded like any other, its source and channel "schouw"; the report scores every item against the
/// round's target level and follows each melding's status.
/// </summary>
public sealed class SchouwService(NpgsqlDataSource db, AreaLocatorProvider locator, MeldingService meldingen, IOptions<MeldingOptions> meldingOptions,
    Beeldkwaliteit beeldkwaliteit, Audit.AuditLog audit, TimeProvider time)
{
    public const int MaxSpoorPunten = 5_000;
    public static readonly string[] Partijen = ["Gebiedsteam", "Stadswerk072", "Wijkagent", "Woningcorporatie", "Wijkraad of dorpsraad"];

    public Beeldkwaliteit Beeldkwaliteit => beeldkwaliteit;

    private static bool SeesAll(ClaimsPrincipal u) => u.IsBeheerder() || u.IsInRole(KaartRoles.Stadswerk);
    private static bool InScope(ClaimsPrincipal u, string gebied) =>
        SeesAll(u) || (u.IsInRole(KaartRoles.Gebiedsteam) && u.Gebieden().Contains(gebied));

    /// <summary>The buurten in force the user may plan a round for (own gebieden; Stadswerk072 and beheerders all).</summary>
    public async Task<List<SchouwBuurt>> BuurtenAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT b.code, b.name, w.code, w.name, w.parent_code FROM area_in_force b JOIN area_in_force w ON w.level = 'wijk' AND w.code = b.parent_code
            WHERE b.level = 'buurt' AND w.parent_code IS NOT NULL ORDER BY b.name, b.code
            """);
        var list = new List<SchouwBuurt>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (InScope(user, r.GetString(4))) list.Add(new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)));
        return list;
    }

    public async Task<long> PlanAsync(ClaimsPrincipal user, string? buurt, DateOnly? datum, string? titel, string? route,
        IReadOnlyCollection<string> deelnemers, int bewoners, CancellationToken ct = default)
    {
        var b = (await BuurtenAsync(user, ct)).FirstOrDefault(x => x.Code == buurt)
            ?? throw new SchouwException("Kies een buurt", "Kies een buurt in uw gebieden.", field: "buurt");
        if (datum is null) throw new SchouwException("Datum ontbreekt", "Geef de datum van de schouw (dd-mm-jjjj).", field: "datum");
        titel = string.IsNullOrWhiteSpace(titel) ? $"Wijkschouw {b.Naam}" : titel.Trim();
        if (titel.Length > 200 || !TextFields.IsSingleLine(titel)) throw new SchouwException("Titel te lang", "De titel is één regel van ten hoogste 200 tekens.", field: "titel");
        route = string.IsNullOrWhiteSpace(route) ? null : route.Trim();
        if (route?.Length > 1000) throw new SchouwException("Route te lang", "Beschrijf de route in ten hoogste 1000 tekens.", field: "route");
        if (bewoners is < 0 or > 500) throw new SchouwException("Aantal bewoners", "Het aantal bewoners is 0 tot 500.", field: "bewoners");
        var parties = deelnemers.Where(Partijen.Contains).Distinct().ToArray();
        var doel = beeldkwaliteit.DoelVoor(b.Code, b.WijkCode, b.GebiedCode);
        await using var cmd = db.CreateCommand(
            """
            INSERT INTO schouw (buurt_code, gebied_code, datum, titel, route, deelnemers, bewoners, doel, items, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
            """);
        cmd.Parameters.AddWithValue(b.Code);
        cmd.Parameters.AddWithValue(b.GebiedCode);
        cmd.Parameters.AddWithValue(datum.Value);
        cmd.Parameters.AddWithValue(titel);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)route ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(parties);
        cmd.Parameters.AddWithValue(bewoners);
        cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(doel), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(beeldkwaliteit.Items), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.AddWithValue(Audit.AuditLog.ActorOf(user));
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await audit.WriteAsync(Audit.AuditLog.ActorOf(user), "schouw gepland", "schouw", id.ToString(), new { buurt = b.Code, datum }, ct: ct);
        return id;
    }

    private const string SelectSchouw =
        """
        SELECT s.id, s.buurt_code, coalesce((SELECT name FROM area WHERE level = 'buurt' AND code = s.buurt_code ORDER BY valid_from DESC LIMIT 1), s.buurt_code),
          s.gebied_code, s.datum, s.titel, s.route, s.deelnemers, s.bewoners, s.doel::text, s.items::text, s.created_by,
          (SELECT count(*) FROM schouw_bevinding f WHERE f.schouw_id = s.id)::int,
          (SELECT count(melding_id) FROM schouw_bevinding f WHERE f.schouw_id = s.id)::int
        FROM schouw s
        """;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static Schouw ReadSchouw(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3),
        DateOnly.FromDateTime(r.GetDateTime(4)), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<string[]>(7), r.GetInt32(8),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(9))!, JsonSerializer.Deserialize<List<SchouwItem>>(r.GetString(10), Web)!,
        r.GetString(11), r.GetInt32(12), r.GetInt32(13));

    /// <summary>The rounds in the user's gebieden, newest first.</summary>
    public async Task<List<Schouw>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        // the scope in the query: a limit applied before it would hide a team's own rounds behind other gebieden's
        await using var cmd = db.CreateCommand(SelectSchouw + " WHERE $1 OR s.gebied_code = ANY($2) ORDER BY s.datum DESC, s.id DESC LIMIT 200");
        cmd.Parameters.AddWithValue(SeesAll(user));
        cmd.Parameters.AddWithValue(user.IsInRole(KaartRoles.Gebiedsteam) ? user.Gebieden().ToArray() : Array.Empty<string>());
        var list = new List<Schouw>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadSchouw(r));
        return list;
    }

    /// <summary>A round, or null when it does not exist or lies outside the user's gebieden (the same answer: not found).</summary>
    public async Task<Schouw?> GetAsync(ClaimsPrincipal user, long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(SelectSchouw + " WHERE s.id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var s = ReadSchouw(r);
        return InScope(user, s.GebiedCode) ? s : null;
    }

    private async Task<Schouw> RequireAsync(ClaimsPrincipal user, long id, CancellationToken ct) =>
        await GetAsync(user, id, ct) ?? throw new SchouwException("Schouw niet gevonden", $"Er is geen schouw {id} in uw gebieden.", 404);

    public async Task<List<SchouwBevinding>> BevindingenAsync(long schouwId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT f.id, f.client_id, f.item, f.score, f.toelichting, ST_Y(ST_Transform(f.geom, 4326)), ST_X(ST_Transform(f.geom, 4326)),
              f.vastgelegd_at, f.vastgelegd_door, f.photo IS NOT NULL, f.melding_id, m.status
            FROM schouw_bevinding f LEFT JOIN melding m ON m.id = f.melding_id
            WHERE f.schouw_id = $1 ORDER BY f.vastgelegd_at, f.id
            """);
        cmd.Parameters.AddWithValue(schouwId);
        var list = new List<SchouwBevinding>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetDouble(5),
                r.GetDouble(6), r.GetFieldValue<DateTimeOffset>(7), r.GetString(8), r.GetBoolean(9), r.IsDBNull(10) ? null : r.GetInt64(10),
                r.IsDBNull(11) ? null : r.GetString(11)));
        return list;
    }

    /// <summary>
    /// Keeps a finding sent by a phone. The phone's own id makes a second sending of the same finding harmless (the answer
    /// names the finding kept the first time). The place must lie in or near the gemeente (where a melding can go).
    /// </summary>
    public async Task<(long Id, bool Nieuw)> AddBevindingAsync(ClaimsPrincipal user, long schouwId, BevindingInput f, ReadOnlyMemory<byte>? photo,
        CancellationToken ct = default)
    {
        var s = await RequireAsync(user, schouwId, ct);
        if (f.ClientId == Guid.Empty) throw new SchouwException("Id ontbreekt", "Een bevinding heeft het id dat de telefoon maakte (clientId).", 400, "clientId");
        var item = s.Items.FirstOrDefault(i => i.Code == f.Item)
            ?? throw new SchouwException("Onbekend onderdeel", "Kies een onderdeel van de checklist van deze schouw.", field: "item");
        if (Beeldkwaliteit.Rank(f.Score) < 0) throw new SchouwException("Score ontbreekt", "Geef een niveau: A+, A, B, C of D.", field: "score");
        var toelichting = string.IsNullOrWhiteSpace(f.Toelichting) ? null : f.Toelichting.Trim();
        if (toelichting?.Length > 1000) throw new SchouwException("Toelichting te lang", "De toelichting is ten hoogste 1000 tekens.", field: "toelichting");
        if (f.Lat is not { } lat || f.Lon is not { } lon)
            throw new SchouwException("Plek ontbreekt", "Een bevinding heeft de plek waar u stond (locatie van het toestel).", field: "lat");
        if (PointInput.ToRd(lat, lon, wgs84: true, out var x, out var y) is { } error) throw new SchouwException("Ongeldige plek", error, field: "lat");
        var snapshot = await locator.GetAtAsync(time.GetUtcNow(), ct)
            ?? throw new SchouwException(Problems.NoBoundariesTitle, Problems.NoBoundariesDetail, 503);
        if (snapshot.Locator.Locate(x, y).Kind == LocationKind.Outside)
            throw new SchouwException("Plek buiten de gemeente", "Deze plek ligt buiten de gemeente; een bevinding hier kan geen melding worden.", field: "lat");
        var now = time.GetUtcNow();
        var at = f.VastgelegdAt ?? now;
        if (at > now.AddMinutes(10) || at < now.AddDays(-14))
            throw new SchouwException("Ongeldig tijdstip", "Een bevinding is vastgelegd in de afgelopen twee weken.", field: "vastgelegdAt");
        var clean = photo is { Length: > 0 } p ? MeldingPhotos.Clean(p.Span, meldingOptions.Value.MaxPhotoBytes) : null;

        await using var cmd = db.CreateCommand(
            """
            WITH ins AS (
              INSERT INTO schouw_bevinding (schouw_id, client_id, item, score, toelichting, geom, nauwkeurigheid_m, vastgelegd_at,
                vastgelegd_door, photo_content_type, photo, photo_width, photo_height)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
              ON CONFLICT (client_id) DO NOTHING RETURNING id, true AS nieuw)
            SELECT id, nieuw FROM ins
            UNION ALL SELECT id, false FROM schouw_bevinding WHERE client_id = $2 AND schouw_id = $1 AND NOT EXISTS (SELECT 1 FROM ins)
            """);
        cmd.Parameters.AddWithValue(schouwId);
        cmd.Parameters.AddWithValue(f.ClientId);
        cmd.Parameters.AddWithValue(item.Code);
        cmd.Parameters.AddWithValue(f.Score!);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)toelichting ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(new Point(x, y) { SRID = RdNew.Srid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = f.Nauwkeurigheid is { } acc && double.IsFinite(acc) ? (float)Math.Clamp(acc, 0, 100_000) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Real });
        cmd.Parameters.AddWithValue(at);
        cmd.Parameters.AddWithValue(Audit.AuditLog.ActorOf(user));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)clean?.ContentType ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)clean?.Bytes ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)clean?.Width ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)clean?.Height ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
            throw new SchouwException("Id al gebruikt", "Dit id hoort bij een bevinding van een andere schouw.", 409, "clientId");
        return (r.GetInt64(0), r.GetBoolean(1));
    }

    /// <summary>Adds the phone's positions to the walked route (a position already kept is skipped).</summary>
    public async Task<int> AddSpoorAsync(ClaimsPrincipal user, long schouwId, IReadOnlyList<(DateTimeOffset At, double Lat, double Lon)> punten,
        CancellationToken ct = default)
    {
        await RequireAsync(user, schouwId, ct);
        if (punten.Count > MaxSpoorPunten) throw new SchouwException("Te veel punten", $"Stuur ten hoogste {MaxSpoorPunten} punten tegelijk.", 413, "punten");
        var ats = new List<DateTimeOffset>();
        var geoms = new List<Geometry>();
        foreach (var (at, lat, lon) in punten)
        {
            if (PointInput.ToRd(lat, lon, wgs84: true, out var x, out var y) is not null) continue;
            ats.Add(at.ToUniversalTime());
            geoms.Add(new Point(x, y) { SRID = RdNew.Srid });
        }
        await using var cmd = db.CreateCommand(
            "INSERT INTO schouw_spoor (schouw_id, at, geom) SELECT $1, a, g FROM unnest($2::timestamptz[], $3::geometry[]) AS t(a, g) ON CONFLICT DO NOTHING");
        cmd.Parameters.AddWithValue(schouwId);
        cmd.Parameters.AddWithValue(ats.ToArray());
        cmd.Parameters.AddWithValue(geoms.ToArray());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The round on a map: the walked route (a line) and the findings (points), WGS84 GeoJSON.</summary>
    public async Task<string> KaartAsync(ClaimsPrincipal user, long schouwId, CancellationToken ct = default)
    {
        var s = await RequireAsync(user, schouwId, ct);
        await using var cmd = db.CreateCommand(
            """
            SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(f), '[]'::json))::text FROM (
              SELECT json_build_object('type', 'Feature', 'id', 'route',
                'geometry', ST_AsGeoJSON(ST_Transform(ST_MakeLine(geom ORDER BY at), 4326), 6)::json,
                'properties', json_build_object('name', 'Gelopen route')) AS f
              FROM schouw_spoor WHERE schouw_id = $1 HAVING count(*) >= 2
              UNION ALL
              SELECT json_build_object('type', 'Feature', 'id', 'bevinding-' || id,
                'geometry', ST_AsGeoJSON(ST_Transform(geom, 4326), 6)::json,
                'properties', json_build_object('name', item || ': ' || score, 'score', score, 'item', item))
              FROM schouw_bevinding WHERE schouw_id = $1) q
            """);
        cmd.Parameters.AddWithValue(s.Id);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<CleanPhoto?> PhotoAsync(ClaimsPrincipal user, long schouwId, long bevindingId, CancellationToken ct = default)
    {
        await RequireAsync(user, schouwId, ct);
        await using var cmd = db.CreateCommand(
            "SELECT photo, photo_content_type, photo_width, photo_height FROM schouw_bevinding WHERE id = $1 AND schouw_id = $2 AND photo IS NOT NULL");
        cmd.Parameters.AddWithValue(bevindingId);
        cmd.Parameters.AddWithValue(schouwId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new CleanPhoto(r.GetFieldValue<byte[]>(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3)) : null;
    }

    /// <summary>
    /// Makes a finding a melding: its item's category, a description naming the schouw, item, score and target level, the
    /// place and the photo — routed and forwarded like any melding (source and channel "schouw"). A finding is made a
    /// melding once: a second tap (or a colleague's at the same moment) answers with the melding made the first time.
    /// </summary>
    public async Task<(long MeldingId, bool Nieuw)> MaakMeldingAsync(ClaimsPrincipal user, long schouwId, long bevindingId, CancellationToken ct = default)
    {
        var s = await RequireAsync(user, schouwId, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        // one at a time per finding, across servers: the melding is made in its own transaction (MeldingService)
        await using (var l = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('schouw_bevinding'), $1::int)", conn))
        {
            l.Parameters.AddWithValue((int)(bevindingId % int.MaxValue));
            await l.ExecuteNonQueryAsync(ct);
        }
        try
        {
            await using var get = new NpgsqlCommand(
                """
                SELECT item, score, toelichting, ST_X(geom), ST_Y(geom), photo, photo_content_type, photo_width, photo_height, melding_id, vastgelegd_at
                FROM schouw_bevinding WHERE id = $1 AND schouw_id = $2
                """, conn);
            get.Parameters.AddWithValue(bevindingId);
            get.Parameters.AddWithValue(schouwId);
            NewMelding m;
            CleanPhoto? photo;
            await using (var r = await get.ExecuteReaderAsync(ct))
            {
                if (!await r.ReadAsync(ct)) throw new SchouwException("Bevinding niet gevonden", $"Schouw {schouwId} heeft geen bevinding {bevindingId}.", 404);
                if (!r.IsDBNull(9)) return (r.GetInt64(9), false);
                var item = s.Items.FirstOrDefault(i => i.Code == r.GetString(0)) ?? new SchouwItem(r.GetString(0), r.GetString(0), "schoon", "overig");
                var score = r.GetString(1);
                var niveau = beeldkwaliteit.Niveau(score);
                var doel = s.DoelVan(item);
                var text = $"Wijkschouw {DutchTime.Date(s.Datum)} ({s.BuurtNaam}): {item.Naam}, niveau {score}" +
                    (niveau is null ? "" : $" ({niveau.Naam})") + $"; doel {doel}." + (r.IsDBNull(2) ? "" : " " + r.GetString(2));
                var category = meldingOptions.Value.Categories.Contains(item.Categorie) ? item.Categorie : "overig";
                m = new NewMelding { Category = category, Description = text, X = r.GetDouble(3), Y = r.GetDouble(4) };
                photo = r.IsDBNull(5) ? null : new CleanPhoto(r.GetFieldValue<byte[]>(5), r.GetString(6), r.GetInt32(7), r.GetInt32(8));
            }
            var created = await meldingen.CreateAsync(m, "schouw", $"{Audit.AuditLog.ActorOf(user)} (wijkschouw)", ct, photo, channel: "schouw");
            await using (var set = new NpgsqlCommand("UPDATE schouw_bevinding SET melding_id = $1 WHERE id = $2", conn))
            {
                set.Parameters.AddWithValue(created.Id);
                set.Parameters.AddWithValue(bevindingId);
                await set.ExecuteNonQueryAsync(ct);
            }
            return (created.Id, true);
        }
        finally
        {
            await using var u = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('schouw_bevinding'), $1::int)", conn);
            u.Parameters.AddWithValue((int)(bevindingId % int.MaxValue));
            await u.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The report: every checklist item against the round's target level (findings, how many below it, the worst).</summary>
    public static List<SchouwRapportRegel> Rapport(Schouw s, IReadOnlyCollection<SchouwBevinding> bevindingen) =>
        s.Items.Select(item =>
        {
            var own = bevindingen.Where(b => b.Item == item.Code).ToList();
            var doel = s.DoelVan(item);
            return new SchouwRapportRegel(item, doel, own.Count, own.Count(b => !Beeldkwaliteit.Meets(b.Score, doel)),
                own.MaxBy(b => Beeldkwaliteit.Rank(b.Score))?.Score);
        }).ToList();
}
