using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

public sealed record ActieUpdate(DateTimeOffset At, string Actor, string Text);

public sealed record AgendaActie(long Id, string Title, string? Owner, string? OwnerKind, DateOnly? Due, string Status, IReadOnlyList<ActieUpdate> Updates)
{
    /// <summary>When it became klaar or vervallen.</summary>
    public DateTimeOffset? AfgeslotenOp { get; init; }
    public bool Open => Status is Jaaragenda.Gepland or Jaaragenda.Bezig;
    /// <summary>Klaar after its date, or still open past it (on <paramref name="at"/>).</summary>
    public bool Late(DateOnly at) => Due is { } d && (Open ? d < at : Status == Jaaragenda.Klaar && AfgeslotenOp is { } k && DutchTime.Day(k) > d);
}

public sealed record AgendaSpeerpunt(long Id, string Title, string Bron, string? Indicator, double? Nulmeting, double? Streefwaarde, IReadOnlyList<AgendaActie> Acties)
{
    /// <summary>The team's verdict at the toetsing: behaald, deels, niet behaald (null: not yet judged).</summary>
    public string? Oordeel { get; init; }
    public string? OordeelToelichting { get; init; }
    /// <summary>The speerpunt of an earlier year this one carries over.</summary>
    public long? OvergenomenUit { get; init; }

    /// <summary>The share of its actions (those not dropped) that are done.</summary>
    public double Progress => Acties.Count(a => a.Status != Jaaragenda.Vervallen) is var n and > 0 ? (double)Acties.Count(a => a.Status == Jaaragenda.Klaar) / n : 0;
}

/// <summary>A gebied's or dorp's agenda of one year, with its state and speerpunten.</summary>
public sealed record Jaaragenda(long Id, string AreaCode, int Year, string Status, string? Doelen, DateOnly? VastgesteldOp, string? VastgesteldDoor,
    DateTimeOffset? GepubliceerdOp, int Version, IReadOnlyList<AgendaSpeerpunt> Speerpunten)
{
    public const string Concept = "concept", Vastgesteld = "vastgesteld", Gepubliceerd = "gepubliceerd";
    public const string Gepland = "gepland", Bezig = "bezig", Klaar = "klaar", Vervallen = "vervallen";
    public static readonly string[] ActieStatuses = [Gepland, Bezig, Klaar, Vervallen];
    public static readonly string[] Bronnen = ["analyse", "wijkaanzet", "overleg"];

    public static string BronLabel(string bron) => bron switch
    {
        "analyse" => "uit de gebiedsanalyse", "wijkaanzet" => "uit Wij(k) aan zet", "overleg" => "uit een overleg", _ => bron,
    };
}

/// <summary>
/// The yearly gebiedsagenda / dorpsagenda (issue 31, part 1): made by the area's team (or a beheerder) — drafted, agreed
/// (on a date, by whom) and published; the public area page shows only a published agenda. Every change is audited; the
/// agenda's own changes carry its version (a second editor gets a Dutch refusal instead of overwriting).
/// </summary>
public sealed partial class JaaragendaService(NpgsqlDataSource db, AuditLog audit, WijkAanZetService campagnes, IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>The level of an area that has an agenda (a gebied or a dorp), or null.</summary>
    public async Task<string?> AgendaLevelAsync(string code, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT level FROM area_in_force WHERE code = $1 AND level IN ('gebied', 'dorp') ORDER BY level = 'dorp' DESC LIMIT 1");
        cmd.Parameters.AddWithValue(code);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Whether the user (as stored now) keeps this area's agenda: a beheerder, or the area's gebiedsteam.</summary>
    public async Task<bool> MayKeepAsync(ClaimsPrincipal user, string code, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now) return false;
        if (now.IsBeheerder()) return true;
        if (!now.IsInRole(KaartRoles.Gebiedsteam) || await AgendaLevelAsync(code, ct) is not { } level) return false;
        return level == "gebied" ? now.Gebieden().Contains(code) : await campagnes.GebiedOfAsync(code, level, ct) is { } g && now.Gebieden().Contains(g);
    }

    private async Task<string> RequireAsync(ClaimsPrincipal user, string code, CancellationToken ct) =>
        await MayKeepAsync(user, code, ct) ? AuditLog.ActorOf(user)
            : throw new WijkAanZetException("Alleen het gebiedsteam van dit gebied (of een beheerder) houdt deze agenda bij.", 403);

    /// <summary>The agenda of an area and year in any state (for its team), or null.</summary>
    public Task<Jaaragenda?> GetAsync(string code, int year, CancellationToken ct = default) => ReadAsync("area_code = $1 AND year = $2", [code, year], ct);

    /// <summary>The published agenda of an area and year (what residents see), or null.</summary>
    public Task<Jaaragenda?> PublishedAsync(string code, int year, CancellationToken ct = default) =>
        ReadAsync("area_code = $1 AND year = $2 AND status = 'gepubliceerd'", [code, year], ct);

    /// <summary>The newest published agenda of an area (the public area page), or null.</summary>
    public Task<Jaaragenda?> LatestPublishedAsync(string code, CancellationToken ct = default) =>
        ReadAsync("area_code = $1 AND status = 'gepubliceerd' ORDER BY year DESC LIMIT 1", [code], ct);

    public async Task<Jaaragenda> CreateAsync(ClaimsPrincipal user, string code, int year, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, code, ct);
        if (year is < 2000 or > 2100) throw new WijkAanZetException("Kies een jaar van 2000 tot 2100.");
        await using var cmd = db.CreateCommand("INSERT INTO gebiedsagenda (area_code, year, created_by) VALUES ($1, $2, $3) ON CONFLICT (area_code, year) DO NOTHING RETURNING id");
        cmd.Parameters.AddWithValue(code);
        cmd.Parameters.AddWithValue(year);
        cmd.Parameters.AddWithValue(actor);
        if (await cmd.ExecuteScalarAsync(ct) is not long id) throw new WijkAanZetException($"Er is al een agenda {year} voor dit gebied.", 409);
        await audit.WriteAsync(actor, "agenda aangemaakt", "gebiedsagenda", id.ToString(), new { code, year }, ct: ct);
        return (await GetAsync(code, year, ct))!;
    }

    /// <summary>Changes the agenda itself (its goals, or its state) when its version is still <paramref name="version"/>.</summary>
    private async Task ChangeAsync(ClaimsPrincipal user, Jaaragenda agenda, int version, string set, object?[] args, string action, object? detail, CancellationToken ct)
    {
        var actor = await RequireAsync(user, agenda.AreaCode, ct);
        await using var cmd = db.CreateCommand($"UPDATE gebiedsagenda SET {set}, version = version + 1, updated_at = now() WHERE id = $1 AND version = $2");
        cmd.Parameters.AddWithValue(agenda.Id);
        cmd.Parameters.AddWithValue(version);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            throw new WijkAanZetException("Iemand anders heeft deze agenda intussen gewijzigd; er is niets opgeslagen. Laad de pagina opnieuw.", 409);
        await audit.WriteAsync(actor, action, "gebiedsagenda", agenda.Id.ToString(), detail, ct: ct);
    }

    public Task SaveDoelenAsync(ClaimsPrincipal user, Jaaragenda agenda, int version, string? doelen, CancellationToken ct = default) =>
        (doelen?.Trim().Length ?? 0) > 4000 ? throw new WijkAanZetException("Ten hoogste 4000 tekens.")
            : ChangeAsync(user, agenda, version, "doelen = $3", [string.IsNullOrWhiteSpace(doelen) ? null : doelen.Trim()], "agendadoelen gewijzigd", null, ct);

    /// <summary>Agreed: on a date, by whom (e.g. "Gebiedsteam+ Noord, overleg van 12-01-2027"); a concept only.</summary>
    public Task AgreeAsync(ClaimsPrincipal user, Jaaragenda agenda, int version, DateOnly? on, string? by, CancellationToken ct = default)
    {
        if (agenda.Status != Jaaragenda.Concept) throw new WijkAanZetException("Deze agenda is al vastgesteld.", 409);
        if (agenda.Speerpunten.Count == 0) throw new WijkAanZetException("Een agenda zonder speerpunten kan niet worden vastgesteld.");
        if (on is null || string.IsNullOrWhiteSpace(by) || by.Trim().Length > 200)
            throw new WijkAanZetException("Vul in op welke datum en door wie (bijvoorbeeld het overleg van het Gebiedsteam+) de agenda is vastgesteld.");
        return ChangeAsync(user, agenda, version, "status = 'vastgesteld', vastgesteld_op = $3, vastgesteld_door = $4", [on, by.Trim()], "agenda vastgesteld", new { on, by }, ct);
    }

    public Task PublishAsync(ClaimsPrincipal user, Jaaragenda agenda, int version, CancellationToken ct = default) =>
        agenda.Status != Jaaragenda.Vastgesteld
            ? throw new WijkAanZetException(agenda.Status == Jaaragenda.Concept ? "Stel de agenda eerst vast; daarna kunt u haar publiceren." : "Deze agenda is al gepubliceerd.", 409)
            : ChangeAsync(user, agenda, version, "status = 'gepubliceerd', gepubliceerd_op = $3", [time.GetUtcNow()], "agenda gepubliceerd", null, ct);

    public async Task<long> AddSpeerpuntAsync(ClaimsPrincipal user, Jaaragenda agenda, string? title, string bron, string? indicator, double? nulmeting,
        double? streefwaarde, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, agenda.AreaCode, ct);
        title = title?.Trim() ?? "";
        if (title.Length is < 3 or > 200) throw new WijkAanZetException("Geef het speerpunt een titel (3 tot 200 tekens).");
        if (!Jaaragenda.Bronnen.Contains(bron)) throw new WijkAanZetException("Kies waar het speerpunt vandaan komt.");
        if ((nulmeting is not null || streefwaarde is not null) && string.IsNullOrWhiteSpace(indicator))
            throw new WijkAanZetException("Een nulmeting en streefwaarde horen bij een cijfer of monitorindicator: kies die ook.");
        await using var cmd = db.CreateCommand(
            "INSERT INTO speerpunt (area_code, title, owner, agenda_id, bron, indicator, nulmeting, streefwaarde) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id");
        foreach (var v in new object?[] { agenda.AreaCode, title, actor, agenda.Id, bron, string.IsNullOrWhiteSpace(indicator) ? null : indicator, nulmeting, streefwaarde })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await audit.WriteAsync(actor, "speerpunt toegevoegd", "gebiedsagenda", agenda.Id.ToString(), new { speerpunt = id, title, bron, indicator }, ct: ct);
        return id;
    }

    public async Task<long> AddActieAsync(ClaimsPrincipal user, Jaaragenda agenda, long speerpunt, string? title, string? owner, string? ownerKind, DateOnly? due,
        CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, agenda.AreaCode, ct);
        title = title?.Trim() ?? "";
        if (title.Length is < 2 or > 200) throw new WijkAanZetException("Geef de actie een titel (2 tot 200 tekens).");
        if (ownerKind is not (null or "lid" or "partner")) throw new WijkAanZetException("De trekker is een teamlid of een partner.");
        await using var cmd = db.CreateCommand(
            "INSERT INTO speerpunt_actie (speerpunt_id, title, owner, eigenaar_soort, due) SELECT id, $2, $3, $4, $5 FROM speerpunt WHERE id = $1 AND agenda_id = $6 RETURNING id");
        foreach (var v in new object?[] { speerpunt, title, string.IsNullOrWhiteSpace(owner) ? null : owner.Trim(), ownerKind, due, agenda.Id })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        var id = await cmd.ExecuteScalarAsync(ct) as long? ?? throw new WijkAanZetException("Dit speerpunt hoort niet bij deze agenda.", 404);
        await audit.WriteAsync(actor, "actie toegevoegd", "gebiedsagenda", agenda.Id.ToString(), new { speerpunt, actie = id, title, owner, due }, ct: ct);
        return id;
    }

    public async Task SetActieStatusAsync(ClaimsPrincipal user, Jaaragenda agenda, long actie, string status, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, agenda.AreaCode, ct);
        if (!Jaaragenda.ActieStatuses.Contains(status)) throw new WijkAanZetException("Een actie is gepland, bezig, klaar of vervallen.");
        await using var cmd = db.CreateCommand("UPDATE speerpunt_actie a SET status = $2 FROM speerpunt s WHERE a.id = $1 AND s.id = a.speerpunt_id AND s.agenda_id = $3");
        cmd.Parameters.AddWithValue(actie);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue(agenda.Id);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw new WijkAanZetException("Deze actie hoort niet bij deze agenda.", 404);
        await audit.WriteAsync(actor, "actiestatus gewijzigd", "gebiedsagenda", agenda.Id.ToString(), new { actie, status }, ct: ct);
    }

    public async Task AddUpdateAsync(ClaimsPrincipal user, Jaaragenda agenda, long actie, string? text, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, agenda.AreaCode, ct);
        text = text?.Trim() ?? "";
        if (text.Length is < 2 or > 1000) throw new WijkAanZetException("Schrijf kort wat er is gebeurd (2 tot 1000 tekens).");
        await using var cmd = db.CreateCommand(
            "INSERT INTO speerpunt_actie_update (actie_id, actor, text) SELECT a.id, $2, $3 FROM speerpunt_actie a JOIN speerpunt s ON s.id = a.speerpunt_id WHERE a.id = $1 AND s.agenda_id = $4 RETURNING id");
        foreach (var v in new object[] { actie, actor, text, agenda.Id }) cmd.Parameters.AddWithValue(v);
        if (await cmd.ExecuteScalarAsync(ct) is null) throw new WijkAanZetException("Deze actie hoort niet bij deze agenda.", 404);
        await audit.WriteAsync(actor, "voortgang gemeld", "gebiedsagenda", agenda.Id.ToString(), new { actie }, ct: ct);
    }

    private async Task<Jaaragenda?> ReadAsync(string where, object[] args, CancellationToken ct)
    {
        Jaaragenda? agenda;
        await using (var cmd = db.CreateCommand(
            $"SELECT id, area_code, year, status, doelen, vastgesteld_op, vastgesteld_door, gepubliceerd_op, version FROM gebiedsagenda WHERE {where}"))
        {
            foreach (var a in args) cmd.Parameters.AddWithValue(a);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            agenda = new Jaaragenda(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5), r.IsDBNull(6) ? null : r.GetString(6),
                r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7), r.GetInt32(8), []);
        }
        var updates = new Dictionary<long, List<ActieUpdate>>();
        await using (var cmd = db.CreateCommand(
            """
            SELECT u.actie_id, u.at, u.actor, u.text FROM speerpunt_actie_update u JOIN speerpunt_actie a ON a.id = u.actie_id
            JOIN speerpunt s ON s.id = a.speerpunt_id WHERE s.agenda_id = $1 ORDER BY u.at, u.id
            """))
        {
            cmd.Parameters.AddWithValue(agenda.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (!updates.TryGetValue(r.GetInt64(0), out var l)) updates[r.GetInt64(0)] = l = [];
                l.Add(new ActieUpdate(r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3)));
            }
        }
        var acties = new Dictionary<long, List<AgendaActie>>();
        var speerpunten = new List<(long Id, string Title, string Bron, string? Indicator, double? Nul, double? Streef, string? Oordeel, string? Why, long? From)>();
        await using (var cmd = db.CreateCommand(
            """
            SELECT s.id, s.title, s.bron, s.indicator, s.nulmeting, s.streefwaarde, a.id, a.title, a.owner, a.eigenaar_soort, a.due, a.status,
                   a.afgesloten_op, s.oordeel, s.oordeel_toelichting, s.overgenomen_uit
            FROM speerpunt s LEFT JOIN speerpunt_actie a ON a.speerpunt_id = s.id WHERE s.agenda_id = $1 ORDER BY s.id, a.id
            """))
        {
            cmd.Parameters.AddWithValue(agenda.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var sid = r.GetInt64(0);
                if (speerpunten.Count == 0 || speerpunten[^1].Id != sid)
                    speerpunten.Add((sid, r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetDouble(4), r.IsDBNull(5) ? null : r.GetDouble(5),
                        r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14), r.IsDBNull(15) ? null : r.GetInt64(15)));
                if (r.IsDBNull(6)) continue;
                if (!acties.TryGetValue(sid, out var l)) acties[sid] = l = [];
                var aid = r.GetInt64(6);
                l.Add(new AgendaActie(aid, r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
                    r.IsDBNull(10) ? null : r.GetFieldValue<DateOnly>(10), r.GetString(11), updates.GetValueOrDefault(aid) ?? [])
                { AfgeslotenOp = r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12) });
            }
        }
        return agenda with
        {
            Speerpunten = speerpunten.Select(s => new AgendaSpeerpunt(s.Id, s.Title, s.Bron, s.Indicator, s.Nul, s.Streef, acties.GetValueOrDefault(s.Id) ?? [])
            { Oordeel = s.Oordeel, OordeelToelichting = s.Why, OvergenomenUit = s.From }).ToList(),
        };
    }
}
