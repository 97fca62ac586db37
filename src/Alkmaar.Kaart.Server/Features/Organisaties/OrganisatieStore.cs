using System.Security.Claims;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Routing;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Organisaties;

/// <summary>A bewonersorganisatie: an organisation's public details and its place (RD New).</summary>
public sealed record Organisatie(long Id, string Soort, string Naam, string? Adres, string? Website, string? Email, string? Telefoon, string? Openingstijden,
    Point Geometry, string? BuurtCode, string? WijkCode, string GebiedCode, int Version, DateTimeOffset UpdatedAt);

/// <summary>What the team sends: the details and a place (lat/lon).</summary>
public sealed class OrganisatieInput
{
    public string? Soort { get; set; }
    public string? Naam { get; set; }
    public string? Adres { get; set; }
    public string? Website { get; set; }
    public string? Email { get; set; }
    public string? Telefoon { get; set; }
    public string? Openingstijden { get; set; }
    public double? Lat { get; set; }
    public double? Lon { get; set; }
}

public sealed class OrganisatieException(string message, string? field = null, int status = 422)
    : RejectedException(status switch { 403 => "Geen toegang", 404 => "Niet gevonden", 409 or 412 => "Intussen gewijzigd", _ => "Niet opgeslagen" }, message, field, status);

/// <summary>
/// The register of bewonersorganisaties (issue 33, part 4; table <c>bewonersorganisatie</c>): organisations, never persons.
/// Kept by the team of the gebied the place lies in (or a beheerder), each change with the version read; audited.
/// </summary>
public sealed class OrganisatieStore(NpgsqlDataSource db, AreaLocatorProvider routing, AuditLog audit, IServiceScopeFactory scopes)
{
    public static readonly string[] Soorten = ["wijkraad", "dorpsraad", "buurthuis", "bewonersonderneming", "wijkpost"];

    public static string SoortLabel(string soort) => soort switch
    {
        "wijkraad" => "Wijkraad", "dorpsraad" => "Dorpsraad", "buurthuis" => "Buurthuis", "bewonersonderneming" => "Bewonersonderneming", "wijkpost" => "Wijkpost", _ => soort,
    };

    private const string Columns = "id, soort, naam, adres, website, email, telefoon, openingstijden, geom, buurt_code, wijk_code, gebied_code, version, updated_at";

    private static Organisatie Read(NpgsqlDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new Organisatie(r.GetInt64(0), r.GetString(1), r.GetString(2), S(3), S(4), S(5), S(6), S(7), (Point)r.GetValue(8), S(9), S(10), r.GetString(11),
            r.GetInt32(12), r.GetFieldValue<DateTimeOffset>(13));
    }

    /// <summary>All organisations, or those inside an area in force (its geometry, boundary included).</summary>
    public async Task<List<Organisatie>> ListAsync(string? areaCode = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT {Columns} FROM bewonersorganisatie o
            WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM area_in_force a WHERE a.code = $1 AND ST_Intersects(a.geom, o.geom))
            ORDER BY gebied_code, soort, naam
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)areaCode ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var list = new List<Organisatie>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(Read(r));
        return list;
    }

    public async Task<Organisatie?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM bewonersorganisatie WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    private async Task<ClaimsPrincipal> MayKeepAsync(ClaimsPrincipal user, string gebied)
    {
        var now = await scopes.ActorNowAsync(user) ?? throw new OrganisatieException("Log opnieuw in.", null, 403);
        if (now.IsBeheerder() || (now.IsInRole(KaartRoles.Gebiedsteam) && now.Gebieden().Contains(gebied))) return now;
        throw new OrganisatieException("Alleen het gebiedsteam van dit gebied (of een beheerder) houdt deze organisaties bij.", null, 403);
    }

    private static (string Soort, string Naam, string? Adres, string? Website, string? Email, string? Telefoon, string? Open) Validate(OrganisatieInput i)
    {
        string? T(string? s, int max, string field, string what)
        {
            s = s?.Trim();
            if (string.IsNullOrEmpty(s)) return null;
            if (s.Length > max || !TextFields.IsSingleLine(s) && field != "openingstijden") throw new OrganisatieException($"{what}: ten hoogste {max} tekens.", field);
            return s;
        }
        if (i.Soort is null || !Soorten.Contains(i.Soort)) throw new OrganisatieException($"Kies de soort: {string.Join(", ", Soorten)}.", "soort");
        var naam = T(i.Naam, 200, "naam", "Naam") ?? throw new OrganisatieException("Geef de naam van de organisatie.", "naam");
        var website = T(i.Website, 300, "website", "Website");
        if (website is not null && !(Uri.TryCreate(website, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"))
            throw new OrganisatieException("De website is een adres dat begint met https://.", "website");
        var email = T(i.Email, 200, "email", "E-mailadres");
        if (email is not null && !email.Contains('@')) throw new OrganisatieException("Het e-mailadres klopt niet.", "email");
        return (i.Soort, naam, T(i.Adres, 200, "adres", "Adres"), website, email, T(i.Telefoon, 40, "telefoon", "Telefoon"), T(i.Openingstijden, 500, "openingstijden", "Openingstijden"));
    }

    private async Task<(Point Geom, string? Buurt, string? Wijk, string Gebied)> PlaceAsync(OrganisatieInput i, CancellationToken ct)
    {
        if (i.Lat is not { } lat || i.Lon is not { } lon) throw new OrganisatieException("Kies op de kaart waar de organisatie zit.", "location");
        var (x, y) = RdNew.FromWgs84(lon, lat);
        var snapshot = await routing.GetAsync(ct) ?? throw new OrganisatieException(Problems.NoBoundariesDetail, null, 503);
        var where = snapshot.Locator.Locate(x, y);
        if (where.Gebied is null) throw new OrganisatieException("Die plek ligt niet in de gemeente Alkmaar.", "location");
        return (new Point(x, y) { SRID = 28992 }, where.Buurt?.Code, where.Wijk?.Code, where.Gebied.Code);
    }

    public async Task<Organisatie> AddAsync(ClaimsPrincipal user, OrganisatieInput input, CancellationToken ct = default)
    {
        var v = Validate(input);
        var (geom, buurt, wijk, gebied) = await PlaceAsync(input, ct);
        await MayKeepAsync(user, gebied);
        var actor = AuditLog.ActorOf(user);
        await using var cmd = db.CreateCommand(
            """
            INSERT INTO bewonersorganisatie (soort, naam, adres, website, email, telefoon, openingstijden, geom, buurt_code, wijk_code, gebied_code, updated_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id
            """);
        foreach (var o in new object?[] { v.Soort, v.Naam, v.Adres, v.Website, v.Email, v.Telefoon, v.Open, geom, buurt, wijk, gebied, actor })
            cmd.Parameters.Add(new NpgsqlParameter { Value = o ?? DBNull.Value });
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await audit.WriteAsync(actor, "bewonersorganisatie toegevoegd", "bewonersorganisatie", id.ToString(), new { v.Soort, v.Naam, gebied }, ct: ct);
        return (await GetAsync(id, ct))!;
    }

    public async Task<Organisatie> UpdateAsync(ClaimsPrincipal user, long id, int version, OrganisatieInput input, CancellationToken ct = default)
    {
        var current = await GetAsync(id, ct) ?? throw new OrganisatieException("Deze organisatie bestaat niet.", null, 404);
        await MayKeepAsync(user, current.GebiedCode);
        var v = Validate(input);
        var (geom, buurt, wijk, gebied) = input.Lat is null ? (current.Geometry, current.BuurtCode, current.WijkCode, current.GebiedCode) : await PlaceAsync(input, ct);
        await MayKeepAsync(user, gebied);
        var actor = AuditLog.ActorOf(user);
        await using var cmd = db.CreateCommand(
            """
            UPDATE bewonersorganisatie SET soort = $3, naam = $4, adres = $5, website = $6, email = $7, telefoon = $8, openingstijden = $9, geom = $10,
                   buurt_code = $11, wijk_code = $12, gebied_code = $13, updated_by = $14, updated_at = now(), version = version + 1
            WHERE id = $1 AND version = $2
            """);
        foreach (var o in new object?[] { id, version, v.Soort, v.Naam, v.Adres, v.Website, v.Email, v.Telefoon, v.Open, geom, buurt, wijk, gebied, actor })
            cmd.Parameters.Add(new NpgsqlParameter { Value = o ?? DBNull.Value });
        if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            throw new OrganisatieException("Iemand anders heeft deze organisatie intussen gewijzigd; er is niets opgeslagen. Laad opnieuw.", null, 412);
        await audit.WriteAsync(actor, "bewonersorganisatie gewijzigd", "bewonersorganisatie", id.ToString(), new { v.Naam }, ct: ct);
        return (await GetAsync(id, ct))!;
    }

    public async Task DeleteAsync(ClaimsPrincipal user, long id, CancellationToken ct = default)
    {
        var current = await GetAsync(id, ct) ?? throw new OrganisatieException("Deze organisatie bestaat niet.", null, 404);
        await MayKeepAsync(user, current.GebiedCode);
        await using var cmd = db.CreateCommand("DELETE FROM bewonersorganisatie WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await cmd.ExecuteNonQueryAsync(ct);
        await audit.WriteAsync(AuditLog.ActorOf(user), "bewonersorganisatie verwijderd", "bewonersorganisatie", id.ToString(), new { current.Naam }, ct: ct);
    }
}
