using System.Security.Cryptography;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

/// <summary>
/// Voting in a Wij(k) aan zet campaign (issue 20; split from <see cref="WijkAanZetService"/>, issue 28): the one-time codes
/// of the letters, ballots with a code or as a signed-in resident, and how many votes a resident has left. A ballot is
/// written in one transaction holding the voter's code row locked (OpenStad), so a code is used at most once and no ballot
/// exceeds the limit, however many arrive at once.
/// </summary>
public sealed class StemService(NpgsqlDataSource db, Audit.AuditLog audit, WijkAanZetService campagnes)
{
    /// <summary>
    /// A ballot (phase stemmen): up to the campaign's number of votes with one code, each for a different verbeterpunt of this
    /// campaign. The code row is locked for the transaction: a code is used once; after that only votes given back (an
    /// infeasible or merged point) can be cast again.
    /// </summary>
    public async Task<int> VoteAsync(int campagne, string code, IReadOnlyCollection<long> points, CancellationToken ct = default)
    {
        var c = await campagnes.RequireAsync(campagne, ct);
        campagnes.RequirePhase(c, Phase.Stemmen);
        return await CastAsync(c, CodeHash(code), points, signedIn: false, ct);
    }

    /// <summary>
    /// Where the municipality's sign-in is configured: whether the signed-in resident's address lies in the campaign's area
    /// (null: the address is not one of the gemeente's), and how many votes they have left.
    /// </summary>
    public async Task<(bool? Resident, long VotesLeft)> ResidentStandingAsync(int campagne, ResidentVoter voter, CancellationToken ct = default)
    {
        var c = await campagnes.RequireAsync(campagne, ct);
        var inArea = await LivesInAsync(c, voter, ct);
        await using var cmd = db.CreateCommand(
            """
            SELECT coalesce((SELECT used_at IS NOT NULL FROM stemcode WHERE code_hash = $1), false),
                   count(*) FILTER (WHERE returned_at IS NULL), count(*) FILTER (WHERE returned_at IS NOT NULL)
            FROM stem WHERE code_hash = $1
            """);
        cmd.Parameters.AddWithValue(ResidentHash(campagne, voter));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var (used, active, returned) = (r.GetBoolean(0), r.GetInt64(1), r.GetInt64(2));
        return (inArea, used && returned == 0 ? 0 : Math.Max(0, c.VotesPerVoter - active)); // one ballot, as in the vote itself
    }

    private async Task<bool?> LivesInAsync(Campagne c, ResidentVoter voter, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT EXISTS (SELECT 1 FROM area_in_force w WHERE w.code = $1 AND w.level = $2 AND ST_Covers(w.geom, a.geom))
            FROM address a WHERE ($3::text IS NOT NULL AND a.bag_id = $3) OR ($3::text IS NULL AND a.postcode = $4 AND a.huisnummer = $5 AND a.toevoeging = $6)
            LIMIT 1
            """);
        cmd.Parameters.AddWithValue(c.AreaCode);
        cmd.Parameters.AddWithValue(c.AreaLevel);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)voter.BagId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)voter.Postcode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)voter.Huisnummer ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.AddWithValue(voter.Toevoeging);
        return await cmd.ExecuteScalarAsync(ct) as bool?;
    }

    /// <summary>A signed-in resident's ballot key: per campaign, from the keyed pseudonym (so two campaigns cannot be linked).</summary>
    private static byte[] ResidentHash(int campagne, ResidentVoter voter) => SHA256.HashData(Encoding.UTF8.GetBytes($"inwoner\n{campagne}\n{voter.Pseudonym}"));

    /// <summary>
    /// A ballot by a resident signed in with the municipality's sign-in (phase stemmen): their address (from the sign-in) must
    /// lie in the campaign's area; then the same rules as a code (up to the limit, once, under a row lock), the ballot kept
    /// under a per-campaign key of their pseudonym (batch 0 in <c>stemcode</c>).
    /// </summary>
    public async Task<int> VoteAsResidentAsync(int campagne, ResidentVoter voter, IReadOnlyCollection<long> points, CancellationToken ct = default)
    {
        var c = await campagnes.RequireAsync(campagne, ct);
        campagnes.RequirePhase(c, Phase.Stemmen);
        switch (await LivesInAsync(c, voter, ct))
        {
            case null: throw new WijkAanZetException($"Uw adres ({voter.AddressLabel}) is geen adres in de gemeente Alkmaar; stemmen kan alleen in uw eigen wijk.", 403);
            case false: throw new WijkAanZetException($"Uw adres ({voter.AddressLabel}) ligt niet in {c.AreaName}; u kunt alleen stemmen in uw eigen wijk.", 403);
        }
        var hash = ResidentHash(campagne, voter);
        await using (var row = db.CreateCommand("INSERT INTO stemcode (code_hash, campagne_id, batch) VALUES ($1, $2, 0) ON CONFLICT (code_hash) DO NOTHING"))
        {
            row.Parameters.AddWithValue(hash);
            row.Parameters.AddWithValue(campagne);
            await row.ExecuteNonQueryAsync(ct);
        }
        return await CastAsync(c, hash, points, signedIn: true, ct);
    }

    /// <summary>Writes one ballot for the voter <paramref name="hash"/> (a letter's code or a signed-in resident), in one transaction holding their row.</summary>
    private async Task<int> CastAsync(Campagne c, byte[] hash, IReadOnlyCollection<long> points, bool signedIn, CancellationToken ct)
    {
        var campagne = c.Id;
        var distinct = points.Distinct().ToList();
        if (distinct.Count == 0) throw new WijkAanZetException("Kies een of meer verbeterpunten.");
        if (distinct.Count != points.Count) throw new WijkAanZetException("Elk verbeterpunt krijgt ten hoogste één stem van u.");
        if (distinct.Count > c.VotesPerVoter) throw new WijkAanZetException($"U kunt ten hoogste {c.VotesPerVoter} stemmen uitbrengen.");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int? codeCampagne = null;
        bool used = false;
        await using (var lockCode = new NpgsqlCommand("SELECT campagne_id, used_at IS NOT NULL FROM stemcode WHERE code_hash = $1 FOR UPDATE", conn, tx))
        {
            lockCode.Parameters.AddWithValue(hash);
            await using var r = await lockCode.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) (codeCampagne, used) = (r.GetInt32(0), r.GetBoolean(1));
        }
        if (codeCampagne is null) throw new WijkAanZetException("Deze stemcode kennen we niet. Controleer de code uit de brief.", 403);
        if (codeCampagne != campagne) throw new WijkAanZetException("Deze stemcode hoort bij een andere wijk; u kunt alleen stemmen in uw eigen wijk.", 403);
        long active = 0, returned = 0;
        var already = new HashSet<long>();
        await using (var mine = new NpgsqlCommand("SELECT verbeterpunt_id, returned_at IS NOT NULL FROM stem WHERE code_hash = $1", conn, tx))
        {
            mine.Parameters.AddWithValue(hash);
            await using var r = await mine.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) { if (r.GetBoolean(1)) returned++; else { active++; already.Add(r.GetInt64(0)); } }
        }
        var left = c.VotesPerVoter - active;
        if (used && returned == 0) throw new WijkAanZetException(signedIn ? "U heeft in deze campagne al gestemd; dat kan één keer." : "Met deze stemcode is al gestemd; een code kan één keer worden gebruikt.", 409);
        if (distinct.Count > left) throw new WijkAanZetException($"U kunt{(signedIn ? "" : " met deze code")} nog {left} stem{(left == 1 ? "" : "men")} uitbrengen.", 409);
        if (distinct.Any(already.Contains)) throw new WijkAanZetException("U heeft al op dit verbeterpunt gestemd.", 409);
        await using (var valid = new NpgsqlCommand(
            "SELECT count(*) FROM verbeterpunt WHERE campagne_id = $1 AND id = ANY($2) AND status IN ('ingediend', 'uitvoerbaar')", conn, tx))
        {
            valid.Parameters.AddWithValue(campagne);
            valid.Parameters.AddWithValue(distinct.ToArray());
            if ((long)(await valid.ExecuteScalarAsync(ct))! != distinct.Count)
                throw new WijkAanZetException("U kunt alleen stemmen op verbeterpunten van uw eigen wijk die nog meedoen.");
        }
        await using (var insert = new NpgsqlCommand("INSERT INTO stem (campagne_id, code_hash, verbeterpunt_id) SELECT $1, $2, unnest($3::bigint[])", conn, tx))
        {
            insert.Parameters.AddWithValue(campagne);
            insert.Parameters.AddWithValue(hash);
            insert.Parameters.AddWithValue(distinct.ToArray());
            await insert.ExecuteNonQueryAsync(ct);
        }
        await using (var use = new NpgsqlCommand("UPDATE stemcode SET used_at = coalesce(used_at, now()) WHERE code_hash = $1", conn, tx))
        {
            use.Parameters.AddWithValue(hash);
            await use.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return distinct.Count;
    }

    /// <summary>The stored form of a code: SHA-256 of its letters and digits, upper case (spaces and dashes in the letter ignored).</summary>
    public static byte[] CodeHash(string code) => LetterCodes.Hash(code);

    /// <summary>
    /// A batch of one-time codes, one per address in the campaign's area (for a letter): returns (postcode, huisnummer,
    /// toevoeging, code); only the codes' hashes are stored. Beheerder only; audited (without the codes).
    /// </summary>
    public async Task<List<(string Postcode, int Huisnummer, string Toevoeging, string Code)>> GenerateCodesAsync(int campagne, string actor, CancellationToken ct = default)
    {
        var c = await campagnes.RequireAsync(campagne, ct);
        var addresses = new List<(string, int, string)>();
        await using (var cmd = db.CreateCommand(
            """
            SELECT a.postcode, a.huisnummer, a.toevoeging FROM address a JOIN area_in_force w ON w.code = $1 AND w.level = $2 AND ST_Covers(w.geom, a.geom)
            ORDER BY a.postcode, a.huisnummer, a.toevoeging
            """))
        {
            cmd.Parameters.AddWithValue(c.AreaCode);
            cmd.Parameters.AddWithValue(c.AreaLevel);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) addresses.Add((r.GetString(0), r.GetInt32(1), r.GetString(2)));
        }
        return await StoreCodesAsync(campagne, addresses, actor, ct);
    }

    /// <summary>Codes for given voters (e.g. a test or a load test), stored hashed like the letters' codes.</summary>
    public async Task<List<(string Postcode, int Huisnummer, string Toevoeging, string Code)>> StoreCodesAsync(int campagne,
        IReadOnlyList<(string Postcode, int Huisnummer, string Toevoeging)> voters, string actor, CancellationToken ct = default)
    {
        var result = voters.Select(a => (a.Postcode, a.Huisnummer, a.Toevoeging, Code: LetterCodes.New())).ToList();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int batch;
        await using (var b = new NpgsqlCommand("SELECT coalesce(max(batch), 0) + 1 FROM stemcode WHERE campagne_id = $1", conn, tx))
        {
            b.Parameters.AddWithValue(campagne);
            batch = (int)(await b.ExecuteScalarAsync(ct))!;
        }
        await using (var copy = await conn.BeginBinaryImportAsync("COPY stemcode (code_hash, campagne_id, batch) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var r in result)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(CodeHash(r.Code), NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(campagne, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(batch, NpgsqlDbType.Integer, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await audit.WriteAsync(actor, "stemcodes gemaakt", "campagne", campagne.ToString(), new { batch, count = result.Count }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return result;
    }
}
