using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Zoeken;

/// <summary>One answer of the search: what was found, where, and the areas and team of that place.</summary>
public sealed record ZoekResultaat(string Kind, string Label, string? Sub, double X, double Y, double Lat, double Lon,
    string? Buurt, string? Wijk, string? Gebied, string? Dorp, string? Gebiedsteam, string? Postcode = null, int? Huisnummer = null, string? Toevoeging = null);

/// <summary>A name residents use for a part of the gemeente, pointing at the wijk, buurt or dorp it lies in.</summary>
public sealed record ZoekAlias(long Id, string Naam, string AreaCode, string? AreaName, string? Toelichting);

/// <summary>
/// Search by name (issue 34, part 1; tables <c>zoekterm</c>, <c>zoek_alias</c>): one index of streets, postcodes (PC6 and
/// PC4), woonplaatsen, gebied/wijk/buurt/dorp names and the aliases, normalised by <see cref="Normalise"/> (lower case, no
/// accents, punctuation as spaces) and searched with pg_trgm — whole-name similarity and word similarity, so a typing
/// error or a part of a name still finds it. "Straat 12a" and "1822 AB 12" find the address itself. Every answer carries
/// the areas and gebiedsteam of its point, from the routing snapshot. The index is rebuilt from its sources when the
/// boundaries change (NOTIFY), after an import of addresses and when the aliases are edited.
/// </summary>
public sealed partial class ZoekIndex(NpgsqlDataSource db, AreaLocatorProvider routing, IOptions<BoundaryOptions> boundaries, IHostEnvironment env,
    ILogger<ZoekIndex> log) : IBoundaryListener
{
    private readonly SemaphoreSlim _rebuild = new(1, 1);

    /// <summary>Lower case, accents removed, anything but letters and digits a single space: "Sint-Pancras" → "sint pancras".</summary>
    public static string Normalise(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return "";
        var sb = new StringBuilder(s.Length);
        foreach (var c in s.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
        }
        return sb.ToString().Trim();
    }

    public Task BoundariesChangedAsync(CancellationToken ct) => RebuildAsync(ct);

    /// <summary>Builds the index when it is empty (a server's start).</summary>
    public async Task EnsureAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM zoekterm)");
        if (await cmd.ExecuteScalarAsync(ct) is not true) await RebuildAsync(ct);
    }

    /// <summary>Rebuilds the index from its sources in one transaction (readers see the old one until it commits); loads the
    /// alias file into an empty alias list first. Returns the number of terms.</summary>
    public async Task<int> RebuildAsync(CancellationToken ct = default)
    {
        await _rebuild.WaitAsync(ct);
        try
        {
            await SeedAliasesAsync(ct);
            var rows = new List<(string Kind, string Label, string? Sub, string? Ref, double X, double Y)>();
            await using var conn = await db.OpenConnectionAsync(ct);
            async Task ReadAsync(string sql, Func<NpgsqlDataReader, (string, string, string?, string?, double, double)> row)
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) rows.Add(row(r));
            }
            await ReadAsync(
                """
                SELECT straat, woonplaats, ST_X(p), ST_Y(p) FROM (
                  SELECT straat, woonplaats, ST_PointOnSurface(ST_Collect(geom)) p FROM address GROUP BY straat, woonplaats) s
                """, r => ("straat", r.GetString(0), r.GetString(1), null, r.GetDouble(2), r.GetDouble(3)));
            await ReadAsync(
                """
                SELECT postcode, woonplaats, ST_X(p), ST_Y(p) FROM (
                  SELECT postcode, min(woonplaats) woonplaats, ST_Centroid(ST_Collect(geom)) p FROM address GROUP BY postcode) s
                """, r => ("postcode", $"{r.GetString(0)[..4]} {r.GetString(0)[4..]}", r.GetString(1), r.GetString(0), r.GetDouble(2), r.GetDouble(3)));
            await ReadAsync(
                """
                SELECT left(postcode, 4), string_agg(DISTINCT woonplaats, ', '), ST_X(ST_Centroid(ST_Collect(geom))), ST_Y(ST_Centroid(ST_Collect(geom)))
                FROM address GROUP BY 1
                """, r => ("postcode", r.GetString(0), r.GetString(1), r.GetString(0), r.GetDouble(2), r.GetDouble(3)));
            await ReadAsync(
                """
                SELECT woonplaats, ST_X(p), ST_Y(p) FROM (SELECT woonplaats, ST_PointOnSurface(ST_Collect(geom)) p FROM address GROUP BY woonplaats) s
                """, r => ("woonplaats", r.GetString(0), null, null, r.GetDouble(1), r.GetDouble(2)));
            await ReadAsync(
                """
                SELECT level, name, code, ST_X(p), ST_Y(p) FROM (SELECT level, name, code, ST_PointOnSurface(geom) p FROM area_in_force
                WHERE level IN ('gebied', 'wijk', 'buurt', 'dorp')) a
                """, r => (r.GetString(0), r.GetString(1), r.GetString(0), r.GetString(2), r.GetDouble(3), r.GetDouble(4)));
            await ReadAsync(
                """
                SELECT z.naam, a.name, a.code, ST_X(p), ST_Y(p) FROM zoek_alias z
                JOIN LATERAL (SELECT name, code, ST_PointOnSurface(geom) p FROM area_in_force WHERE code = z.area_code ORDER BY level = 'dorp' DESC LIMIT 1) a ON true
                """, r => ("alias", r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3), r.GetDouble(4)));

            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var del = new NpgsqlCommand("DELETE FROM zoekterm", conn, tx)) await del.ExecuteNonQueryAsync(ct);
            await using (var copy = await conn.BeginBinaryImportAsync("COPY zoekterm (kind, label, sub, norm, ref, x, y) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var (kind, label, sub, reference, x, y) in rows)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(kind, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(label, NpgsqlDbType.Text, ct);
                    if (sub is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(sub, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(Normalise(label), NpgsqlDbType.Text, ct);
                    if (reference is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(reference, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(x, NpgsqlDbType.Double, ct);
                    await copy.WriteAsync(y, NpgsqlDbType.Double, ct);
                }
                await copy.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
            await using (var analyze = new NpgsqlCommand("ANALYZE zoekterm", conn)) await analyze.ExecuteNonQueryAsync(ct);
            log.LogInformation("Search index rebuilt: {Count} names", rows.Count);
            return rows.Count;
        }
        finally { _rebuild.Release(); }
    }

    private async Task SeedAliasesAsync(CancellationToken ct)
    {
        await using (var any = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM zoek_alias)"))
            if (await any.ExecuteScalarAsync(ct) is true) return;
        var indeling = PathResolution.Resolve(boundaries.Value.Gebiedsindeling, boundaries.Value.Root, env.ContentRootPath);
        var file = Path.Combine(Path.GetDirectoryName(indeling) ?? ".", "aliassen.json");
        if (!File.Exists(file)) return;
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file, ct));
        foreach (var a in doc.RootElement.GetProperty("aliassen").EnumerateArray())
        {
            await using var cmd = db.CreateCommand(
                "INSERT INTO zoek_alias (naam, area_code, toelichting, updated_by) VALUES ($1, $2, $3, 'aliassen.json') ON CONFLICT DO NOTHING");
            cmd.Parameters.AddWithValue(a.GetProperty("naam").GetString()!);
            cmd.Parameters.AddWithValue(a.GetProperty("code").GetString()!);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)(a.TryGetProperty("toelichting", out var t) ? t.GetString() : null) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> answers for what a person typed: an address when it ends in a number (street or
    /// postcode + huisnummer, with toevoeging), else the best names — exact, then starting with it, then most similar.
    /// </summary>
    public async Task<List<ZoekResultaat>> SearchAsync(string? q, int limit = 8, CancellationToken ct = default)
    {
        var norm = Normalise(q);
        if (norm.Length < 2) return [];
        limit = Math.Clamp(limit, 1, 20);
        var results = new List<ZoekResultaat>();
        var snapshot = await routing.GetAsync(ct);
        // The planner prices pg_trgm's operators like a simple comparison and scans the few thousand names one by one
        // (8 ms, ./kaart bench zoeken) instead of using the trigram index (0.2 ms): within this read-only transaction it
        // may not.
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        await using (var set = new NpgsqlCommand("SET LOCAL enable_seqscan = off", conn, tx)) await set.ExecuteNonQueryAsync(ct);

        // an address: "<street or postcode> <number>[letter]"
        if (AddressQuery().Match(norm) is { Success: true } m)
        {
            var head = m.Groups[1].Value.Trim();
            var nr = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            var letter = m.Groups[3].Value.ToUpperInvariant();
            var pc = PostcodeQuery().Match(head);
            await using var cmd = new NpgsqlCommand(pc.Success
                ? """
                  SELECT postcode, huisnummer, toevoeging, straat, woonplaats, ST_X(geom), ST_Y(geom) FROM address
                  WHERE postcode = $1 AND huisnummer = $2 ORDER BY toevoeging = $3 DESC, toevoeging LIMIT 3
                  """
                : """
                  SELECT a.postcode, a.huisnummer, a.toevoeging, a.straat, a.woonplaats, ST_X(a.geom), ST_Y(a.geom)
                  FROM (SELECT label, norm FROM zoekterm WHERE kind = 'straat' ORDER BY norm <-> $1 LIMIT 3) s
                  JOIN address a ON lower(a.straat) = lower(s.label) AND a.huisnummer = $2
                  WHERE similarity(s.norm, $1) >= 0.3
                  ORDER BY s.norm = $1 DESC, similarity(s.norm, $1) DESC, a.toevoeging = $3 DESC, a.toevoeging LIMIT 3
                  """, conn, tx);
            cmd.Parameters.AddWithValue(pc.Success ? (pc.Groups[1].Value + pc.Groups[2].Value).ToUpperInvariant() : head);
            cmd.Parameters.AddWithValue(nr);
            cmd.Parameters.AddWithValue(letter);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var (postcode, huisnummer, toevoeging) = (r.GetString(0), r.GetInt32(1), r.GetString(2));
                results.Add(Answer(snapshot, "adres", $"{r.GetString(3)} {huisnummer}{(toevoeging.Length > 0 ? " " + toevoeging : "")}",
                    $"{postcode[..4]} {postcode[4..]} {r.GetString(4)}", r.GetDouble(5), r.GetDouble(6)) with { Postcode = postcode, Huisnummer = huisnummer, Toevoeging = toevoeging });
            }
        }

        // an address found: that is the answer (the names that merely look like "street number" would only crowd it)
        if (results.Count > 0) return results;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT kind, label, sub, x, y FROM zoekterm
            WHERE norm % $1 OR $1 <% norm OR norm LIKE $2
            ORDER BY norm = $1 DESC, norm LIKE $2 DESC, greatest(similarity(norm, $1), word_similarity($1, norm)) DESC, similarity(norm, $1) DESC, kind <> 'straat', label
            LIMIT $3
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(norm);
            cmd.Parameters.AddWithValue(norm.Replace("%", "").Replace("_", "") + "%");
            cmd.Parameters.AddWithValue(limit);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct) && results.Count < limit)
                results.Add(Answer(snapshot, r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetDouble(3), r.GetDouble(4)));
        }
        return results;
    }

    private static ZoekResultaat Answer(BoundarySnapshot? snapshot, string kind, string label, string? sub, double x, double y)
    {
        var (lon, lat) = Alkmaar.Kaart.Geo.Transforms.RdNew.ToWgs84(x, y);
        if (snapshot is null) return new ZoekResultaat(kind, label, sub, x, y, lat, lon, null, null, null, null, null);
        var l = snapshot.Locator.Locate(x, y);
        return new ZoekResultaat(kind, label, sub, Math.Round(x, 1), Math.Round(y, 1), Math.Round(lat, 6), Math.Round(lon, 6),
            l.Buurt?.Name, l.Wijk?.Name, l.Gebied?.Name, l.Dorp?.Name, snapshot.TeamOf(l));
    }

    public async Task<List<ZoekAlias>> AliasesAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT z.id, z.naam, z.area_code, (SELECT name FROM area_in_force a WHERE a.code = z.area_code ORDER BY level = 'dorp' DESC LIMIT 1), z.toelichting
            FROM zoek_alias z ORDER BY lower(z.naam)
            """);
        var list = new List<ZoekAlias>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new ZoekAlias(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        return list;
    }

    /// <summary>Adds a name (a beheerder; the area must be a gebied, wijk, buurt or dorp in force); the index is rebuilt.</summary>
    public async Task AddAliasAsync(string actor, string? naam, string? areaCode, string? toelichting, CancellationToken ct = default)
    {
        naam = naam?.Trim();
        areaCode = areaCode?.Trim();
        if (naam is null || naam.Length is < 2 or > 100 || !TextFields.IsSingleLine(naam))
            throw new RejectedException("Naam klopt niet", "Een naam heeft 2 tot 100 tekens op één regel.", "naam", 422);
        await using (var check = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM area_in_force WHERE code = $1 AND level IN ('gebied', 'wijk', 'buurt', 'dorp'))"))
        {
            check.Parameters.AddWithValue(areaCode ?? "");
            if (await check.ExecuteScalarAsync(ct) is not true)
                throw new RejectedException("Onbekend gebied", $"'{areaCode}' is geen gebied, wijk, buurt of dorp die nu geldt.", "code", 422);
        }
        await using var cmd = db.CreateCommand("INSERT INTO zoek_alias (naam, area_code, toelichting, updated_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING");
        cmd.Parameters.AddWithValue(naam);
        cmd.Parameters.AddWithValue(areaCode!);
        cmd.Parameters.Add(new NpgsqlParameter { Value = string.IsNullOrWhiteSpace(toelichting) ? DBNull.Value : toelichting.Trim(), NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(actor);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw new RejectedException("Bestaat al", $"De naam '{naam}' staat al in de lijst.", "naam", 409);
        await RebuildAsync(ct);
    }

    public async Task RemoveAliasAsync(long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("DELETE FROM zoek_alias WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await cmd.ExecuteNonQueryAsync(ct);
        await RebuildAsync(ct);
    }

    [GeneratedRegex(@"^(.+?)\s+(\d{1,5})\s*([a-z]?)(?:\s+\w{1,4})?$")] private static partial Regex AddressQuery();
    [GeneratedRegex(@"^([1-9]\d{3})\s?([a-z]{2})$")] private static partial Regex PostcodeQuery();
}

/// <summary>Builds the index when a server starts on a database without one.</summary>
public sealed class ZoekIndexStartup(ZoekIndex index, ILogger<ZoekIndexStartup> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try { await index.EnsureAsync(stoppingToken); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { log.LogWarning(e, "Building the search index failed; it is built again when the boundaries change"); }
    }
}
