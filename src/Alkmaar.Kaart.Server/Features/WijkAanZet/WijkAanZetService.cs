// Longer than 400 lines: campaigns and their verbeterpunten: submitting, merging and checking share the campaign's phase rules and its transaction helpers; voting (StemService) and the agenda (GebiedsagendaService) are apart.
using System.Security.Cryptography;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Notifications;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

/// <summary>
/// Wij(k) aan zet! (issue 20): campaigns, verbeterpunten (with similar ones found by pg_trgm), merging, feasibility,
/// results and the gebiedsagenda. Voting is <see cref="StemService"/>.
/// </summary>
public sealed class WijkAanZetService(NpgsqlDataSource db, TimeProvider time, Audit.AuditLog audit, MeldingService meldingen, IOptions<MailOptions> mail,
    IServiceScopeFactory scopes)
{
    /// <summary>
    /// Tells the submitters of <paramref name="points"/> (and of the points merged into them) who gave an e-mail address, in
    /// the transaction of the change: the message goes out only if the change is kept.
    /// </summary>
    private static async Task TellSubmittersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Campagne c, IReadOnlyCollection<long> points, string kind,
        string subject, string text, CancellationToken ct)
    {
        var to = await MailOutbox.AddressesAsync(conn, tx,
            "SELECT submitter_email FROM verbeterpunt WHERE (id = ANY($1) OR merged_into = ANY($1)) AND submitter_email IS NOT NULL", [points.ToArray()], ct);
        await MailOutbox.EnqueueAsync(to.Select(a => Letter(a, c, kind, string.Join(",", points), subject, text)), conn, tx, ct);
    }

    /// <summary>A message to a submitter: the letter, with the campaign it belongs to.</summary>
    private static OutgoingMail Letter(string to, Campagne c, string kind, string refId, string subject, string text) =>
        OutgoingMail.ToResident(to, kind, "verbeterpunt", refId, subject, $"{text}\n\nCampagne: {c.Title} ({c.AreaName}).", "uw verbeterpunt");

    public DateOnly Today => Routing.AreaLocatorProvider.DayOf(time.GetUtcNow());

    private const string CampagneColumns =
        "c.id, c.area_code, c.area_level, coalesce(a.name, c.area_code), c.title, c.indienen_from, c.indienen_to, c.stemmen_from, c.stemmen_to, c.uitslag_on, c.votes_per_voter";

    private static Campagne ReadCampagne(NpgsqlDataReader r) => new(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        r.GetFieldValue<DateOnly>(5), r.GetFieldValue<DateOnly>(6), r.GetFieldValue<DateOnly>(7), r.GetFieldValue<DateOnly>(8), r.GetFieldValue<DateOnly>(9), r.GetInt32(10));

    /// <summary>The gebied an area (wijk, dorp, buurt) lies in, by its parents in force.</summary>
    internal async Task<string?> GebiedOfAsync(string areaCode, string level, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            WITH RECURSIVE up AS (
                SELECT code, level, parent_code FROM area_in_force WHERE code = $1 AND level = $2
                UNION ALL
                SELECT a.code, a.level, a.parent_code FROM area_in_force a JOIN up ON a.code = up.parent_code
                 AND a.level = CASE up.level WHEN 'dorp' THEN 'wijk' WHEN 'buurt' THEN 'wijk' WHEN 'wijk' THEN 'gebied' END)
            SELECT code FROM up WHERE level = 'gebied' LIMIT 1
            """);
        cmd.Parameters.AddWithValue(areaCode);
        cmd.Parameters.AddWithValue(level);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Whether <paramref name="user"/> may run this campaign: a beheerder, or a member of the gebiedsteam of its area.</summary>
    public async Task<bool> MayActAsync(System.Security.Claims.ClaimsPrincipal user, int campagne, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now) return false; // the actor as stored now, not as a page opened it
        user = now;
        if (user.IsInRole(Accounts.KaartRoles.Beheerder)) return true;
        if (!user.IsInRole(Accounts.KaartRoles.Gebiedsteam) || await CampagneAsync(campagne, ct) is not { } c) return false;
        return await GebiedOfAsync(c.AreaCode, c.AreaLevel, ct) is { } g && Accounts.ClaimsPrincipalExtensions.Gebieden(user).Contains(g);
    }

    /// <summary>Whether <paramref name="user"/> may start a campaign in this wijk or dorp: a beheerder, or its gebied's team.</summary>
    public async Task<bool> MayStartInAsync(System.Security.Claims.ClaimsPrincipal user, string areaCode, string level, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now) return false;
        user = now;
        if (user.IsInRole(Accounts.KaartRoles.Beheerder)) return true;
        if (!user.IsInRole(Accounts.KaartRoles.Gebiedsteam)) return false;
        return await GebiedOfAsync(areaCode, level, ct) is { } g && Accounts.ClaimsPrincipalExtensions.Gebieden(user).Contains(g);
    }

    /// <summary>The wijken and dorpen in force where <paramref name="user"/> may start a campaign (code, level, name), by name.</summary>
    public async Task<List<(string Code, string Level, string Name)>> AreasToStartInAsync(System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default)
    {
        var list = new List<(string, string, string)>();
        await using (var cmd = db.CreateCommand("SELECT code, level, name FROM area_in_force WHERE level IN ('wijk', 'dorp') ORDER BY name, code"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        var allowed = new List<(string, string, string)>();
        foreach (var a in list) if (await MayStartInAsync(user, a.Item1, a.Item2, ct)) allowed.Add(a);
        return allowed;
    }

    public async Task<List<Campagne>> CampagnesAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {CampagneColumns} FROM campagne c LEFT JOIN area_in_force a ON a.code = c.area_code AND a.level = c.area_level ORDER BY c.indienen_from DESC, c.id DESC");
        var list = new List<Campagne>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadCampagne(r));
        return list;
    }

    public async Task<Campagne?> CampagneAsync(int id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {CampagneColumns} FROM campagne c LEFT JOIN area_in_force a ON a.code = c.area_code AND a.level = c.area_level WHERE c.id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadCampagne(r) : null;
    }

    public async Task<int> CreateCampagneAsync(string areaCode, string areaLevel, string title, DateOnly indienenFrom, DateOnly indienenTo,
        DateOnly stemmenFrom, DateOnly stemmenTo, DateOnly uitslagOn, string actor, CancellationToken ct = default)
    {
        if (!(indienenFrom <= indienenTo && indienenTo < stemmenFrom && stemmenFrom <= stemmenTo && stemmenTo < uitslagOn))
            throw new WijkAanZetException("De fasen volgen op elkaar: indienen, dan stemmen, dan de uitslag.");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var check = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM area_in_force WHERE code = $1 AND level = $2)", conn, tx))
        {
            check.Parameters.AddWithValue(areaCode);
            check.Parameters.AddWithValue(areaLevel);
            if (!(bool)(await check.ExecuteScalarAsync(ct))!) throw new WijkAanZetException($"Er is geen {areaLevel} {areaCode}.");
        }
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO campagne (area_code, area_level, title, indienen_from, indienen_to, stemmen_from, stemmen_to, uitslag_on, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """, conn, tx);
        foreach (var v in new object[] { areaCode, areaLevel, title, indienenFrom, indienenTo, stemmenFrom, stemmenTo, uitslagOn, actor }) cmd.Parameters.AddWithValue(v);
        var id = (int)(await cmd.ExecuteScalarAsync(ct))!;
        await audit.WriteAsync(actor, "campagne gemaakt", "campagne", id.ToString(), new { areaCode, title }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return id;
    }

    internal async Task<Campagne> RequireAsync(int campagne, CancellationToken ct) =>
        await CampagneAsync(campagne, ct) ?? throw new WijkAanZetException($"Er is geen campagne {campagne}.", 404);

    internal void RequirePhase(Campagne c, params Phase[] phases)
    {
        var now = c.PhaseOn(Today);
        if (!phases.Contains(now))
            throw new WijkAanZetException($"Dat kan nu niet: de campagne is in de fase '{Campagne.PhaseNl(now)}' ({string.Join(" of ", phases.Select(Campagne.PhaseNl))} nodig).", 409);
    }

    private const string PointColumns =
        """
        v.id, v.campagne_id, v.title, v.body, v.theme, v.status, v.merged_into, v.feasible, v.affordable, v.feasibility_note,
        (SELECT count(*) FROM stem s WHERE s.verbeterpunt_id = v.id AND s.returned_at IS NULL), v.created_at, v.geom
        """;

    private static Verbeterpunt ReadPoint(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetBoolean(8), r.IsDBNull(9) ? null : r.GetString(9),
        r.GetInt64(10), r.GetFieldValue<DateTimeOffset>(11), r.IsDBNull(12) ? null : (Point)r.GetValue(12));

    /// <summary>One verbeterpunt (null when there is none).</summary>
    public async Task<Verbeterpunt?> PointAsync(long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {PointColumns} FROM verbeterpunt v WHERE v.id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadPoint(r) : null;
    }

    /// <summary>The verbeterpunten of a campaign (merged ones included, with the point they went into), most votes first.</summary>
    public async Task<List<Verbeterpunt>> PointsAsync(int campagne, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {PointColumns} FROM verbeterpunt v WHERE v.campagne_id = $1 ORDER BY 11 DESC, v.id");
        cmd.Parameters.AddWithValue(campagne);
        var list = new List<Verbeterpunt>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadPoint(r));
        return list;
    }

    /// <summary>Verbeterpunten of the campaign like <paramref name="text"/> (pg_trgm similarity of title and text), best first.</summary>
    public async Task<List<(Verbeterpunt Point, double Similarity)>> SimilarAsync(int campagne, string text, int limit = 5, double threshold = 0.2, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length < 4) return [];
        await using var cmd = db.CreateCommand(
            $"""
            SELECT {PointColumns}, similarity(v.title || ' ' || v.body, $2) AS s FROM verbeterpunt v
            WHERE v.campagne_id = $1 AND v.status <> 'samengevoegd' AND similarity(v.title || ' ' || v.body, $2) >= $3
            ORDER BY s DESC, v.id LIMIT $4
            """);
        cmd.Parameters.AddWithValue(campagne);
        cmd.Parameters.AddWithValue(text.Trim());
        cmd.Parameters.AddWithValue((float)threshold);
        cmd.Parameters.AddWithValue(limit);
        var list = new List<(Verbeterpunt, double)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((ReadPoint(r), r.GetFloat(13)));
        return list;
    }

    /// <summary>Submits a verbeterpunt (phase indienen). Returns its id and the private status link's token (only its hash stored).</summary>
    public async Task<(long Id, string Token)> SubmitAsync(int campagne, string title, string body, string theme, Point? place, string? email, CancellationToken ct = default)
    {
        var c = await RequireAsync(campagne, ct);
        RequirePhase(c, Phase.Indienen);
        title = (title ?? "").Trim();
        body = (body ?? "").Trim();
        if (title.Length is < 3 or > 120) throw new WijkAanZetException("Geef uw verbeterpunt een korte titel (3 tot 120 tekens).");
        if (!TextFields.IsSingleLine(title)) throw new WijkAanZetException("De titel staat op één regel, zonder regeleinden.");
        if (body.Length > 2000) throw new WijkAanZetException("De toelichting is ten hoogste 2.000 tekens.");
        if (string.IsNullOrWhiteSpace(theme)) throw new WijkAanZetException("Kies een thema.");
        email = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        if (email is not null && (email.Length > 200 || !email.Contains('@') || !TextFields.IsSingleLine(email))) throw new WijkAanZetException("Dat e-mailadres klopt niet.");
        await using var conn = await db.OpenConnectionAsync(ct);
        if (place is not null)
        {
            await using var inside = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM area_in_force WHERE code = $1 AND level = $2 AND ST_Covers(geom, $3))", conn);
            inside.Parameters.AddWithValue(c.AreaCode);
            inside.Parameters.AddWithValue(c.AreaLevel);
            inside.Parameters.AddWithValue(place);
            if (!(bool)(await inside.ExecuteScalarAsync(ct))!) throw new WijkAanZetException($"Deze plek ligt niet in {c.AreaName}; deze campagne gaat over {c.AreaName}.");
        }
        var token = StatusLinks.NewToken();
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO verbeterpunt (campagne_id, title, body, theme, geom, status_token_hash, submitter_email) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", conn, tx);
        cmd.Parameters.AddWithValue(campagne);
        cmd.Parameters.AddWithValue(title);
        cmd.Parameters.AddWithValue(body);
        cmd.Parameters.AddWithValue(theme.Trim());
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)place ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Geometry });
        cmd.Parameters.AddWithValue(StatusLinks.Hash(token));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)email ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        if (email is not null)
        {
            // the first message echoes nothing the submitter typed (anyone can type anyone's address): only our own text
            await MailOutbox.EnqueueAsync([Letter(email, c, "verbeterpunt ontvangen", id.ToString(), $"Uw verbeterpunt is ontvangen (nummer {id})",
                $"Dank u wel voor uw verbeterpunt (nummer {id}). {mail.Value.FollowLinkSentence($"/wijkaanzet/status/{token}")}" +
                $"\n\nStemmen kan van {c.StemmenFrom:dd-MM-yyyy} tot en met {c.StemmenTo:dd-MM-yyyy}; de uitslag volgt op {c.UitslagOn:dd-MM-yyyy}.")], conn, tx, ct);
        }
        await tx.CommitAsync(ct);
        return (id, token);
    }

    /// <summary>A verbeterpunt by its private status link, and the point it was merged into (if so).</summary>
    public async Task<(Verbeterpunt Point, Verbeterpunt? MergedInto, Campagne Campagne)?> ByTokenAsync(string token, CancellationToken ct = default)
    {
        if (!StatusLinks.LooksValid(token)) return null;
        await using var cmd = db.CreateCommand($"SELECT {PointColumns} FROM verbeterpunt v WHERE v.status_token_hash = $1");
        cmd.Parameters.AddWithValue(StatusLinks.Hash(token));
        Verbeterpunt? p = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct)) if (await r.ReadAsync(ct)) p = ReadPoint(r);
        if (p is null) return null;
        Verbeterpunt? into = null;
        if (p.MergedInto is { } m) into = (await PointsAsync(p.CampagneId, ct)).FirstOrDefault(x => x.Id == m);
        return (p, into, (await CampagneAsync(p.CampagneId, ct))!);
    }

    /// <summary>
    /// Merges <paramref name="sources"/> into <paramref name="target"/> (staff; before the result): the sources point to the
    /// target and every submitter stays linked (their status link says so); votes already cast on a source move to the
    /// target, and a voter who also voted for the target (or another source) gets that duplicate vote back.
    /// </summary>
    public async Task MergeAsync(int campagne, long target, IReadOnlyCollection<long> sources, string actor, CancellationToken ct = default)
    {
        var c = await RequireAsync(campagne, ct);
        RequirePhase(c, Phase.Indienen, Phase.Samenvoegen, Phase.Stemmen);
        if (sources.Count == 0 || sources.Contains(target)) throw new WijkAanZetException("Kies een of meer andere verbeterpunten om samen te voegen met dit punt.");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockPoints = new NpgsqlCommand(
            "SELECT id, status FROM verbeterpunt WHERE campagne_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE", conn, tx))
        {
            lockPoints.Parameters.AddWithValue(campagne);
            lockPoints.Parameters.AddWithValue(sources.Append(target).ToArray());
            var found = new Dictionary<long, string>();
            await using (var r = await lockPoints.ExecuteReaderAsync(ct)) while (await r.ReadAsync(ct)) found[r.GetInt64(0)] = r.GetString(1);
            if (found.Count != sources.Count + 1) throw new WijkAanZetException("Alle punten moeten bij deze campagne horen.");
            if (found.Any(kv => kv.Value == VerbeterpuntStatus.Samengevoegd.Code || kv.Value == VerbeterpuntStatus.NietUitvoerbaar.Code)) throw new WijkAanZetException("Een samengevoegd of niet uitvoerbaar punt kan niet opnieuw worden samengevoegd.");
        }
        // votes: a voter with a vote on the target or on an earlier source keeps one; the duplicates go back to the voter
        await using (var votes = new NpgsqlCommand(
            """
            WITH ranked AS (
                SELECT s.id, row_number() OVER (PARTITION BY s.code_hash ORDER BY (s.verbeterpunt_id = $1) DESC, s.created_at, s.id) AS n
                FROM stem s WHERE s.verbeterpunt_id = ANY($2) AND s.returned_at IS NULL)
            UPDATE stem s SET returned_at = now(), returned_reason = 'samengevoegd: dubbele stem terug'
            FROM ranked WHERE ranked.id = s.id AND ranked.n > 1
            """, conn, tx))
        {
            votes.Parameters.AddWithValue(target);
            votes.Parameters.AddWithValue(sources.Append(target).ToArray());
            await votes.ExecuteNonQueryAsync(ct);
        }
        await using (var move = new NpgsqlCommand("UPDATE stem SET verbeterpunt_id = $1 WHERE verbeterpunt_id = ANY($2) AND returned_at IS NULL", conn, tx))
        {
            move.Parameters.AddWithValue(target);
            move.Parameters.AddWithValue(sources.ToArray());
            await move.ExecuteNonQueryAsync(ct);
        }
        var targetTitle = await TitleAsync(conn, tx, target, ct);
        await TellSubmittersAsync(conn, tx, c, sources, "verbeterpunt samengevoegd", $"Uw verbeterpunt is samengevoegd met '{targetTitle}'",
            $"Andere inwoners dienden iets vergelijkbaars in. Daarom is uw verbeterpunt samengevoegd met '{targetTitle}'. Stemmen op uw punt tellen mee voor dat punt; wie op beide stemde, krijgt een stem terug.", ct);
        await TellSubmittersAsync(conn, tx, c, [target], "verbeterpunt samengevoegd", $"Vergelijkbare punten samengevoegd met '{targetTitle}'",
            $"Andere inwoners dienden iets vergelijkbaars in als uw verbeterpunt '{targetTitle}'. Hun {(sources.Count == 1 ? "punt is" : "punten zijn")} samengevoegd met het uwe; hun stemmen tellen mee.", ct);
        // the sources, and what was merged into them earlier, now point to the target
        await using (var mark = new NpgsqlCommand(
            "UPDATE verbeterpunt SET status = CASE WHEN id = ANY($2) THEN 'samengevoegd' ELSE status END, merged_into = $1, version = version + 1 WHERE id = ANY($2) OR merged_into = ANY($2)", conn, tx))
        {
            mark.Parameters.AddWithValue(target);
            mark.Parameters.AddWithValue(sources.ToArray());
            await mark.ExecuteNonQueryAsync(ct);
        }
        await audit.WriteAsync(actor, "verbeterpunten samengevoegd", "campagne", campagne.ToString(), new { target, sources }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<string> TitleAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long point, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT title FROM verbeterpunt WHERE id = $1", conn, tx);
        cmd.Parameters.AddWithValue(point);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }


    /// <summary>
    /// Records the check of a point (staff): uitvoerbaar and betaalbaar, with a note. A point that is not feasible leaves the
    /// vote and its votes go back to the voters (they may cast them again while voting lasts).
    /// </summary>
    public async Task CheckAsync(int campagne, long point, bool feasible, bool affordable, string? note, string actor, CancellationToken ct = default)
    {
        var c = await RequireAsync(campagne, ct);
        RequirePhase(c, Phase.Samenvoegen, Phase.Stemmen, Phase.Toetsen);
        var ok = feasible && affordable;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE verbeterpunt SET feasible = $3, affordable = $4, feasibility_note = $5, status = CASE WHEN $6 THEN 'uitvoerbaar' ELSE 'niet_uitvoerbaar' END,
                   version = version + 1
            WHERE id = $1 AND campagne_id = $2 AND status IN ('ingediend', 'uitvoerbaar', 'niet_uitvoerbaar')
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(point);
            cmd.Parameters.AddWithValue(campagne);
            cmd.Parameters.AddWithValue(feasible);
            cmd.Parameters.AddWithValue(affordable);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)note?.Trim() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.AddWithValue(ok);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw new WijkAanZetException("Dit verbeterpunt bestaat niet in deze campagne, of is samengevoegd.");
        }
        if (!ok)
        {
            await using var back = new NpgsqlCommand(
                "UPDATE stem SET returned_at = now(), returned_reason = 'niet uitvoerbaar' WHERE verbeterpunt_id = $1 AND returned_at IS NULL", conn, tx);
            back.Parameters.AddWithValue(point);
            await back.ExecuteNonQueryAsync(ct);
        }
        var title = await TitleAsync(conn, tx, point, ct);
        var why = string.IsNullOrWhiteSpace(note) ? "" : $" Toelichting van de gemeente: {note.Trim()}";
        await TellSubmittersAsync(conn, tx, c, [point], "verbeterpunt getoetst", $"Uw verbeterpunt is getoetst: {title}", ok
            ? $"De gemeente heeft uw verbeterpunt '{title}' getoetst: het is uitvoerbaar en betaalbaar, en doet mee in de stemming.{why}"
            : $"De gemeente heeft uw verbeterpunt '{title}' getoetst: het is {(feasible ? "niet betaalbaar" : "niet uitvoerbaar")}, en doet daarom niet mee. Wie erop stemde, krijgt die stem terug.{why}", ct);
        await audit.WriteAsync(actor, "verbeterpunt getoetst", "verbeterpunt", point.ToString(), new { feasible, affordable, note }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The melding category a verbeterpunt's theme becomes when it is really a melding about the openbare ruimte.</summary>
    public static string CategoryOf(string theme) => theme switch
    {
        "groen" => "groen", "schoon" => "afval", "heel" => "bestrating", "verkeer" => "verkeer", "spelen en sport" => "speelplaatsen", _ => "overig",
    };

    /// <summary>
    /// Turns a submission that is really a melding about the openbare ruimte into a melding (staff): made at its place (or
    /// the middle of the campaign's area), routed as every melding is (openbare-ruimte categories go to Stadswerk072), and
    /// the verbeterpunt leaves the campaign as <c>doorgestuurd</c>, its note naming the melding for the submitter's link.
    /// </summary>
    public async Task<MeldingCreated> ToMeldingAsync(int campagne, long point, string category, string actor, CancellationToken ct = default)
    {
        var c = await RequireAsync(campagne, ct);
        var p = (await PointsAsync(campagne, ct)).FirstOrDefault(x => x.Id == point && x.Status == VerbeterpuntStatus.Ingediend.Code)
                ?? throw new WijkAanZetException("Alleen een ingediend verbeterpunt van deze campagne kan een melding worden.");
        var place = p.Location;
        if (place is null)
        {
            await using var cmd = db.CreateCommand("SELECT ST_PointOnSurface(geom) FROM area_in_force WHERE code = $1 AND level = $2");
            cmd.Parameters.AddWithValue(c.AreaCode);
            cmd.Parameters.AddWithValue(c.AreaLevel);
            place = (Point)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var created = await meldingen.CreateAsync(new NewMelding
        {
            Category = category, Description = $"{p.Title}. {p.Body}".Trim() + " (uit Wij(k) aan zet)", X = place.X, Y = place.Y,
        }, "api", actor, ct);
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var where = $"melding {created.Reference}{(created.ForwardedTo is { } f ? $" naar {(f.Equals("stadswerk072", StringComparison.OrdinalIgnoreCase) ? "Stadswerk072" : f)}" : "")}";
            await using (var mark = new NpgsqlCommand(
                "UPDATE verbeterpunt SET status = 'doorgestuurd', feasibility_note = $2, version = version + 1 WHERE id = $1", conn, tx))
            {
                mark.Parameters.AddWithValue(point);
                mark.Parameters.AddWithValue($"doorgestuurd als {where}");
                await mark.ExecuteNonQueryAsync(ct);
            }
            await TellSubmittersAsync(conn, tx, c, [point], "verbeterpunt doorgestuurd", $"Uw verbeterpunt is doorgestuurd als melding: {p.Title}",
                $"Uw verbeterpunt '{p.Title}' gaat over het onderhoud van de openbare ruimte. Daarom is het doorgestuurd als {where}, die het oppakt. Het doet niet mee in de stemming.", ct);
            await tx.CommitAsync(ct);
        }
        await audit.WriteAsync(actor, "verbeterpunt doorgestuurd als melding", "verbeterpunt", point.ToString(), new { melding = created.Id, created.ForwardedTo }, ct: ct);
        return created;
    }

    /// <summary>The result: every point with its votes; the top (at most three) of the feasible ones are the chosen.</summary>
    public async Task<(IReadOnlyList<Verbeterpunt> All, IReadOnlyList<Verbeterpunt> Top)> ResultAsync(int campagne, CancellationToken ct = default)
    {
        var points = (await PointsAsync(campagne, ct)).Where(p => p.Status != VerbeterpuntStatus.Samengevoegd.Code).ToList();
        var top = points.Where(p => (p.Status == VerbeterpuntStatus.Uitvoerbaar.Code || p.Status == VerbeterpuntStatus.Gekozen.Code) && p.Votes > 0).OrderByDescending(p => p.Votes).ThenBy(p => p.Id).Take(3).ToList();
        return (points, top);
    }

    /// <summary>Announces the result (phase uitslag, staff): the top three feasible points become speerpunten of the area's agenda.</summary>
    public async Task<IReadOnlyList<long>> ChooseAsync(int campagne, string actor, CancellationToken ct = default)
    {
        var c = await RequireAsync(campagne, ct);
        RequirePhase(c, Phase.Uitslag);
        var (all, top) = await ResultAsync(campagne, ct);
        var ids = new List<long>();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var p in top)
        {
            await using var cmd = new NpgsqlCommand(
                """
                WITH chosen AS (UPDATE verbeterpunt SET status = 'gekozen' WHERE id = $1 AND status <> 'gekozen' RETURNING id)
                INSERT INTO speerpunt (area_code, title, verbeterpunt_id, owner) SELECT $2, $3, id, $4 FROM chosen RETURNING id
                """, conn, tx);
            cmd.Parameters.AddWithValue(p.Id);
            cmd.Parameters.AddWithValue(c.AreaCode);
            cmd.Parameters.AddWithValue(p.Title);
            cmd.Parameters.AddWithValue("gebiedsteam");
            if (await cmd.ExecuteScalarAsync(ct) is long id) ids.Add(id);
        }
        if (ids.Count > 0) // announced now (announcing again adds nothing and tells no one twice)
        {
            var chosen = string.Join(", ", top.Select(t => $"'{t.Title}' ({t.Votes} stemmen)"));
            foreach (var p in all.Where(p => p.Status != VerbeterpuntStatus.Doorgestuurd.Code))
            {
                var won = top.Any(t => t.Id == p.Id);
                await TellSubmittersAsync(conn, tx, c, [p.Id], "uitslag", won ? $"Uw verbeterpunt is gekozen: {p.Title}" : $"De uitslag van {c.Title}",
                    won ? $"Uw verbeterpunt '{p.Title}' is gekozen met {p.Votes} stemmen. Het wordt een speerpunt van de gebiedsagenda van {c.AreaName}; op de gebiedspagina ziet u wat het gebiedsteam eraan doet."
                        : $"De uitslag is bekend. Gekozen zijn: {chosen}. Uw verbeterpunt '{p.Title}' kreeg {p.Votes} stemmen en is niet gekozen. Dank u wel voor uw inzet.", ct);
            }
        }
        await audit.WriteAsync(actor, "verbeterpunten gekozen", "campagne", campagne.ToString(), new { speerpunten = ids }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return ids;
    }
}
