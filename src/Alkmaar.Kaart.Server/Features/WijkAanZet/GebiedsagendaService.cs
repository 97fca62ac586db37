using Alkmaar.Kaart.Server.Features.Accounts;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

/// <summary>
/// The gebiedsagenda (issue 20; split from <see cref="WijkAanZetService"/>, issue 28): the speerpunten an area's team chose
/// from a campaign's result (<see cref="WijkAanZetService.ChooseAsync"/>) and their actions, kept by that team.
/// </summary>
public sealed class GebiedsagendaService(NpgsqlDataSource db, Audit.AuditLog audit, WijkAanZetService campagnes, IServiceScopeFactory scopes)
{
    /// <summary>Whether <paramref name="user"/> may keep the actions of a speerpunt: a beheerder, or its area's gebiedsteam.</summary>
    public async Task<bool> MayActOnSpeerpuntAsync(System.Security.Claims.ClaimsPrincipal user, long speerpunt, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now) return false;
        user = now;
        if (user.IsInRole(Accounts.KaartRoles.Beheerder)) return true;
        if (!user.IsInRole(Accounts.KaartRoles.Gebiedsteam)) return false;
        await using var cmd = db.CreateCommand("SELECT area_code, (SELECT level FROM area_in_force a WHERE a.code = s.area_code ORDER BY level = 'dorp' LIMIT 1) FROM speerpunt s WHERE s.id = $1");
        cmd.Parameters.AddWithValue(speerpunt);
        string? area = null, level = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct)) if (await r.ReadAsync(ct)) (area, level) = (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
        return area is not null && level is not null && await campagnes.GebiedOfAsync(area, level, ct) is { } g && Accounts.ClaimsPrincipalExtensions.Gebieden(user).Contains(g);
    }

    /// <summary>The speerpunt an action belongs to, or null.</summary>
    public async Task<long?> SpeerpuntOfActieAsync(long actie, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT speerpunt_id FROM speerpunt_actie WHERE id = $1");
        cmd.Parameters.AddWithValue(actie);
        return await cmd.ExecuteScalarAsync(ct) as long?;
    }

    public async Task<bool> AgendaExistsAsync(long speerpunt, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM speerpunt WHERE id = $1)");
        cmd.Parameters.AddWithValue(speerpunt);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }


    /// <summary>The speerpunten of an area chosen from a campaign's result outside a yearly agenda, with their actions.</summary>
    public async Task<List<Speerpunt>> AgendaAsync(string areaCode, CancellationToken ct = default)
    {
        var list = new List<(long Id, string Area, string Title, long? Vp, string Owner)>();
        await using (var cmd = db.CreateCommand("SELECT id, area_code, title, verbeterpunt_id, owner FROM speerpunt WHERE area_code = $1 AND agenda_id IS NULL ORDER BY id"))
        {
            cmd.Parameters.AddWithValue(areaCode);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) list.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetString(4)));
        }
        var acties = new Dictionary<long, List<Actie>>();
        await using (var cmd = db.CreateCommand("SELECT speerpunt_id, id, title, owner, done, due FROM speerpunt_actie WHERE speerpunt_id = ANY($1) ORDER BY id"))
        {
            cmd.Parameters.AddWithValue(list.Select(s => s.Id).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (!acties.TryGetValue(r.GetInt64(0), out var a)) acties[r.GetInt64(0)] = a = [];
                a.Add(new Actie(r.GetInt64(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetBoolean(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5)));
            }
        }
        return list.Select(s => new Speerpunt(s.Id, s.Area, s.Title, s.Vp, s.Owner, acties.GetValueOrDefault(s.Id) ?? [])).ToList();
    }

    public async Task<long> AddActieAsync(long speerpunt, string title, string? owner, DateOnly? due, string actor, CancellationToken ct = default)
    {
        title = (title ?? "").Trim();
        if (title.Length is < 2 or > 200) throw new WijkAanZetException("Geef de actie een titel (2 tot 200 tekens).");
        await using var cmd = db.CreateCommand("INSERT INTO speerpunt_actie (speerpunt_id, title, owner, due) SELECT id, $2, $3, $4 FROM speerpunt WHERE id = $1 RETURNING id");
        cmd.Parameters.AddWithValue(speerpunt);
        cmd.Parameters.AddWithValue(title);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)due ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        var id = await cmd.ExecuteScalarAsync(ct) as long? ?? throw new WijkAanZetException($"Er is geen speerpunt {speerpunt}.", 404);
        await audit.WriteAsync(actor, "actie toegevoegd", "speerpunt", speerpunt.ToString(), new { title }, ct: ct);
        return id;
    }

    public async Task SetActieDoneAsync(long actie, bool done, string actor, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("UPDATE speerpunt_actie SET done = $2 WHERE id = $1");
        cmd.Parameters.AddWithValue(actie);
        cmd.Parameters.AddWithValue(done);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw new WijkAanZetException($"Er is geen actie {actie}.", 404);
        await audit.WriteAsync(actor, done ? "actie gereed" : "actie heropend", "actie", actie.ToString(), ct: ct);
    }
}
