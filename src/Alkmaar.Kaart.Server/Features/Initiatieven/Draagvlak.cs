using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Initiatieven;

/// <summary>The public support of an initiative: counts and the comments the team let through.</summary>
public sealed record DraagvlakStand(long InitiatiefId, int Steun, int UitGebied, int HelptMee, decimal Bijdragen, IReadOnlyList<DraagvlakReactie> Reacties);

/// <summary>A supporter's short comment (never with who wrote it).</summary>
public sealed record DraagvlakReactie(long Id, long InitiatiefId, string Tekst, DateTimeOffset At, string Status);

/// <summary>What a supporter offers beside their support.</summary>
public sealed record SteunInput(bool HelptMee, decimal? Bijdrage, string? Reactie);

public sealed class DraagvlakException(string title, string detail, int status = 422, string? field = null) : RejectedException(title, detail, field, status);

/// <summary>
/// Draagvlak (issue 33, part 3; tables <c>steuncode</c>, <c>steun</c>): neighbours support an initiative or a checked
/// application — once per resident per initiative, proved like a vote: a code from the letter to every address of a wijk
/// or dorp (only its hash is kept, not the address), or the municipality's sign-in (a keyed pseudonym). A supporter may
/// offer help or money and leave a short comment, which is shown only after the team let it through. Counts are public;
/// nothing links a support to a person or an address.
/// </summary>
public sealed class DraagvlakService(NpgsqlDataSource db, Audit.AuditLog audit, IServiceScopeFactory scopes)
{
    public static byte[] CodeHash(string code) => LetterCodes.Hash(code, "steun:");

    /// <summary>Support with a code from the letter. The code must be one of the initiative's year (or the year before).</summary>
    public async Task<DraagvlakStand> SupportWithCodeAsync(long id, string? code, SteunInput input, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(code)) throw new DraagvlakException("Code ontbreekt", "Vul de steuncode uit de brief in.", field: "code");
        var hash = CodeHash(code);
        await using var cmd = db.CreateCommand("SELECT area_code, year FROM steuncode WHERE code_hash = $1");
        cmd.Parameters.AddWithValue(hash);
        string area;
        int year;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) throw new DraagvlakException("Code onbekend", "Deze steuncode kennen we niet. Kijk of u hem goed hebt overgenomen (letters en cijfers, zonder 0 en O).", 422, "code");
            (area, year) = (r.GetString(0), r.GetInt32(1));
        }
        return await SupportAsync(id, hash, "code", (conn, tx, budgetArea) => Task.FromResult(area == budgetArea), input, year, ct);
    }

    /// <summary>Support by a resident signed in with the municipality's sign-in (their address must be one of the gemeente's).</summary>
    public async Task<DraagvlakStand> SupportAsResidentAsync(long id, ResidentVoter voter, SteunInput input, CancellationToken ct = default)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"steun\n{voter.Pseudonym}"));
        return await SupportAsync(id, key, "inlog", async (conn, tx, budgetArea) =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                SELECT initiatief_budget_area(a.geom, (SELECT code FROM area_in_force w WHERE w.level = 'wijk' AND ST_Covers(w.geom, a.geom) LIMIT 1))
                FROM address a WHERE ($1::text IS NOT NULL AND a.bag_id = $1) OR ($1::text IS NULL AND a.postcode = $2 AND a.huisnummer = $3 AND a.toevoeging = $4) LIMIT 1
                """, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)voter.BagId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)voter.Postcode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)voter.Huisnummer ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            cmd.Parameters.AddWithValue(voter.Toevoeging);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
                throw new DraagvlakException("Adres niet in de gemeente", $"Uw adres ({voter.AddressLabel}) is geen adres in de gemeente; steunen kan alleen als inwoner.", 403);
            return !r.IsDBNull(0) && r.GetString(0) == budgetArea;
        }, input, null, ct);
    }

    private async Task<DraagvlakStand> SupportAsync(long id, byte[] key, string via, Func<NpgsqlConnection, NpgsqlTransaction, string, Task<bool>> inArea,
        SteunInput input, int? codeYear, CancellationToken ct)
    {
        var reactie = string.IsNullOrWhiteSpace(input.Reactie) ? null : input.Reactie.Trim();
        if (reactie is { Length: > 280 }) throw new DraagvlakException("Reactie te lang", "Houd uw reactie kort: hooguit 280 tekens.", field: "reactie");
        if (reactie is not null && !TextFields.IsSingleLine(reactie.Replace('\n', ' ')))
            throw new DraagvlakException("Reactie niet leesbaar", "Uw reactie bevat tekens die we niet kunnen tonen.", field: "reactie");
        if (input.Bijdrage is < 0 or > 100_000) throw new DraagvlakException("Bedrag klopt niet", "Een bijdrage ligt tussen € 0 en € 100.000.", field: "bijdrage");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        string budgetArea;
        int year;
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT initiatief_budget_area(geom, wijk_code), year, status FROM initiatief
            WHERE id = $1 AND {InitiatiefStore.PublicCondition}
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new DraagvlakException("Initiatief niet gevonden", $"Er is geen initiatief {id} om te steunen.", 404);
            if (r.GetString(2) is "uitgevoerd" or "afgewezen")
                throw new DraagvlakException("Steunen kan niet meer", $"Dit initiatief is {InitiatiefStatus.LabelOf(r.GetString(2)).ToLowerInvariant()}; steunen kan niet meer.", 409);
            (budgetArea, year) = (r.IsDBNull(0) ? "" : r.GetString(0), r.GetInt32(1));
        }
        if (codeYear is { } cy && cy != year && cy != year - 1)
            throw new DraagvlakException("Code van een ander jaar", $"Deze steuncode hoort bij {cy}; dit initiatief bij {year}. Gebruik de code uit de brief van dit jaar.", 422, "code");
        var local = await inArea(conn, tx, budgetArea);
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO steun (initiatief_id, supporter_key, via, uit_gebied, helpt_mee, bijdrage_eur, reactie, reactie_status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::text IS NULL THEN NULL ELSE 'nieuw' END)
            ON CONFLICT (initiatief_id, supporter_key) DO NOTHING
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(key);
            cmd.Parameters.AddWithValue(via);
            cmd.Parameters.AddWithValue(local);
            cmd.Parameters.AddWithValue(input.HelptMee);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)input.Bijdrage ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)reactie ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
                throw new DraagvlakException("Al gesteund", via == "code"
                    ? "Met deze steuncode is dit initiatief al gesteund: één keer per adres."
                    : "U hebt dit initiatief al gesteund: één keer per inwoner.", 409);
        }
        await tx.CommitAsync(ct);
        return (await StandAsync([id], publicOnly: true, ct))[id];
    }

    /// <summary>Support counts per initiative and its comments (only those let through, unless <paramref name="publicOnly"/> is false).</summary>
    public async Task<Dictionary<long, DraagvlakStand>> StandAsync(IReadOnlyCollection<long> ids, bool publicOnly = true, CancellationToken ct = default)
    {
        var counts = ids.ToDictionary(i => i, i => new DraagvlakStand(i, 0, 0, 0, 0, []));
        if (ids.Count == 0) return counts;
        await using (var cmd = db.CreateCommand(
            """
            SELECT initiatief_id, count(*), count(*) FILTER (WHERE uit_gebied), count(*) FILTER (WHERE helpt_mee), coalesce(sum(bijdrage_eur), 0)
            FROM steun WHERE initiatief_id = ANY($1) GROUP BY initiatief_id
            """))
        {
            cmd.Parameters.AddWithValue(ids.ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                counts[r.GetInt64(0)] = new DraagvlakStand(r.GetInt64(0), (int)r.GetInt64(1), (int)r.GetInt64(2), (int)r.GetInt64(3), r.GetDecimal(4), []);
        }
        var comments = await CommentsAsync(ids, publicOnly ? "getoond" : null, ct);
        foreach (var (id, list) in comments.GroupBy(c => c.InitiatiefId).Select(g => (g.Key, g.ToList())))
            counts[id] = counts[id] with { Reacties = list };
        return counts;
    }

    private async Task<List<DraagvlakReactie>> CommentsAsync(IReadOnlyCollection<long> ids, string? status, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, initiatief_id, reactie, created_at, reactie_status FROM steun
            WHERE reactie IS NOT NULL AND initiatief_id = ANY($1) AND ($2::text IS NULL OR reactie_status = $2)
            ORDER BY created_at DESC LIMIT 500
            """);
        cmd.Parameters.AddWithValue(ids.ToArray());
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var list = new List<DraagvlakReactie>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new DraagvlakReactie(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetString(4)));
        return list;
    }

    /// <summary>The team's work: applications waiting for their check and comments waiting to be let through, in the caller's gebieden.</summary>
    public async Task<(List<Initiatief> Applications, List<(DraagvlakReactie Reactie, string Title)> Comments)> ToCheckAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<InitiatiefStore>();
        var all = await store.ListAsync(new InitiatiefFilter(Status: "aangevraagd", PublicOnly: false), ct);
        var mine = all.Where(i => InitiatiefStore.MayEdit(user, i.GebiedCode)).ToList();
        var unchecked_ = await UncheckedAsync(mine.Select(i => i.Id).ToArray(), ct);
        var comments = new List<(DraagvlakReactie, string)>();
        await using (var cmd = db.CreateCommand(
            """
            SELECT s.id, s.initiatief_id, s.reactie, s.created_at, s.reactie_status, i.title, i.gebied_code
            FROM steun s JOIN initiatief i ON i.id = s.initiatief_id WHERE s.reactie_status = 'nieuw' ORDER BY s.created_at LIMIT 500
            """))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                if (InitiatiefStore.MayEdit(user, r.GetString(6)))
                    comments.Add((new DraagvlakReactie(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetString(4)), r.GetString(5)));
        return (mine.Where(i => unchecked_.Contains(i.Id)).ToList(), comments);
    }

    private async Task<HashSet<long>> UncheckedAsync(long[] ids, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT id FROM initiatief WHERE id = ANY($1) AND status_token_hash IS NOT NULL AND gecontroleerd_at IS NULL");
        cmd.Parameters.AddWithValue(ids);
        var set = new HashSet<long>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) set.Add(r.GetInt64(0));
        return set;
    }

    /// <summary>The team checked a resident's application: its title and description may be shown, so neighbours can support it.</summary>
    public async Task CheckApplicationAsync(ClaimsPrincipal user, long id, CancellationToken ct = default)
    {
        var gebied = await RequireTeamAsync(user, "SELECT gebied_code FROM initiatief WHERE id = $1", id, ct);
        await using var cmd = db.CreateCommand("UPDATE initiatief SET gecontroleerd_at = coalesce(gecontroleerd_at, now()) WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await cmd.ExecuteNonQueryAsync(ct);
        await audit.WriteAsync(Audit.AuditLog.ActorOf(user), "aanvraag gecontroleerd (openbaar voor steun)", "initiatief", id.ToString(), new { gebied }, ct: ct);
    }

    /// <summary>The team lets a supporter's comment through (shown) or not (afgewezen: never shown).</summary>
    public async Task ReviewCommentAsync(ClaimsPrincipal user, long steunId, bool show, CancellationToken ct = default)
    {
        await RequireTeamAsync(user, "SELECT i.gebied_code FROM steun s JOIN initiatief i ON i.id = s.initiatief_id WHERE s.id = $1 AND s.reactie IS NOT NULL", steunId, ct);
        await using var cmd = db.CreateCommand("UPDATE steun SET reactie_status = $2, reactie_door = $3 WHERE id = $1");
        cmd.Parameters.AddWithValue(steunId);
        cmd.Parameters.AddWithValue(show ? "getoond" : "afgewezen");
        cmd.Parameters.AddWithValue(Audit.AuditLog.ActorOf(user));
        await cmd.ExecuteNonQueryAsync(ct);
        await audit.WriteAsync(Audit.AuditLog.ActorOf(user), show ? "reactie getoond" : "reactie afgewezen", "steun", steunId.ToString(), ct: ct);
    }

    private async Task<string> RequireTeamAsync(ClaimsPrincipal user, string gebiedSql, long id, CancellationToken ct)
    {
        var now = await scopes.ActorNowAsync(user) ?? throw new DraagvlakException("Geen toegang", "Log opnieuw in.", 403);
        await using var cmd = db.CreateCommand(gebiedSql);
        cmd.Parameters.AddWithValue(id);
        if (await cmd.ExecuteScalarAsync(ct) is not string gebied) throw new DraagvlakException("Niet gevonden", $"Er is geen {id}.", 404);
        if (!InitiatiefStore.MayEdit(now, gebied)) throw new DraagvlakException("Geen toegang", $"Dit initiatief ligt in {gebied}, niet in uw gebieden.", 403);
        return gebied;
    }

    /// <summary>
    /// Steuncodes for the letter to every address of a wijk or dorp (team of its gebied or beheerder): returns the codes with
    /// their address for the printer; only the hashes are stored (with the area and year, not the address). Audited.
    /// </summary>
    public async Task<List<(string Postcode, int Huisnummer, string Toevoeging, string Code)>> GenerateCodesAsync(ClaimsPrincipal user, string area, int year,
        CancellationToken ct = default)
    {
        var now = await scopes.ActorNowAsync(user) ?? throw new DraagvlakException("Geen toegang", "Log opnieuw in.", 403);
        if (year is < 2000 or > 2100) throw new DraagvlakException("Ongeldig jaar", "Het jaar is 2000 tot 2100.", field: "jaar");
        var addresses = new List<(string, int, string)>();
        string? gebied = null;
        await using (var cmd = db.CreateCommand(
            """
            SELECT a.postcode, a.huisnummer, a.toevoeging, g.code FROM area_in_force z
            JOIN area_in_force g ON g.level = 'gebied' AND ST_Intersects(g.geom, ST_PointOnSurface(z.geom))
            JOIN address a ON ST_Covers(z.geom, a.geom)
            WHERE z.code = $1 AND z.level IN ('wijk', 'dorp') ORDER BY a.postcode, a.huisnummer, a.toevoeging
            """))
        {
            cmd.Parameters.AddWithValue(area);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) { addresses.Add((r.GetString(0), r.GetInt32(1), r.GetString(2))); gebied = r.GetString(3); }
        }
        if (gebied is null) throw new DraagvlakException("Onbekende wijk of dorp", $"{area} is geen wijk of dorp met adressen.", 404, "area");
        if (!InitiatiefStore.MayEdit(now, gebied)) throw new DraagvlakException("Geen toegang", $"{area} ligt in {gebied}, niet in uw gebieden.", 403);
        return await StoreCodesAsync(area, year, addresses, Audit.AuditLog.ActorOf(user), ct);
    }

    /// <summary>Codes for given addresses of an area (the letter, or a test), stored hashed.</summary>
    public async Task<List<(string Postcode, int Huisnummer, string Toevoeging, string Code)>> StoreCodesAsync(string area, int year,
        IReadOnlyList<(string Postcode, int Huisnummer, string Toevoeging)> addresses, string actor, CancellationToken ct = default)
    {
        var result = addresses.Select(a => (a.Postcode, a.Huisnummer, a.Toevoeging, Code: LetterCodes.New())).ToList();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int batch;
        await using (var b = new NpgsqlCommand("SELECT coalesce(max(batch), 0) + 1 FROM steuncode WHERE area_code = $1 AND year = $2", conn, tx))
        {
            b.Parameters.AddWithValue(area);
            b.Parameters.AddWithValue(year);
            batch = (int)(await b.ExecuteScalarAsync(ct))!;
        }
        await using (var copy = await conn.BeginBinaryImportAsync("COPY steuncode (code_hash, area_code, year, batch) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var r in result)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(CodeHash(r.Code), NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(area, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(year, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(batch, NpgsqlDbType.Integer, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await audit.WriteAsync(actor, "steuncodes gemaakt", "steuncode", $"{area}/{year}", new { batch, count = result.Count }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return result;
    }
}
