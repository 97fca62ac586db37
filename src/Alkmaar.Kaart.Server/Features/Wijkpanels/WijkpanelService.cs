using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.Notifications;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Wijkpanels;

/// <summary>A question of a round: multiple choice (<c>keuze</c>) or a 1–5 scale (<c>schaal</c>).</summary>
public sealed record WijkpanelVraag(long Id, int Nr, string Tekst, string Soort, IReadOnlyList<string> Opties);

/// <summary>A round: an invitation to a meeting and/or a few questions.</summary>
public sealed record WijkpanelRonde(long Id, string WijkCode, string Titel, string? Bijeenkomst, DateOnly SluitOp, int Verstuurd, DateTimeOffset At,
    IReadOnlyList<WijkpanelVraag> Vragen)
{
    public bool Open(DateOnly today) => today <= SluitOp;
}

/// <summary>A question's result: the answers per option, or null while fewer than the minimum answered.</summary>
public sealed record WijkpanelUitslag(WijkpanelVraag Vraag, int Antwoorden, IReadOnlyDictionary<string, int>? PerOptie);

/// <summary>A member as their own page sees them.</summary>
public sealed record WijkpanelLid(long Id, string WijkCode, string WijkNaam, bool Bevestigd, IReadOnlyList<WijkpanelRonde> Open, IReadOnlySet<long> Beantwoord);

public sealed class WijkpanelException(string title, string detail, int status = 422, string? field = null) : RejectedException(title, detail, field, status);

/// <summary>
/// Wijkpanels (issue 33, part 5; tables <c>wijkpanel_lid</c>, <c>wijkpanel_ronde</c>, <c>wijkpanel_vraag</c>,
/// <c>wijkpanel_antwoord</c>): a resident joins the panel of the wijk their address lies in (the address is checked, not
/// kept) with an e-mail address that must be confirmed; the team of the wijk's gebied sends a round — an invitation to a
/// meeting and/or up to five short questions — to every confirmed member through the outbox; members answer once per
/// question on their own page; results per wijk are shown only from <see cref="MinimumAnswers"/> answers. A member's page
/// and leave link are signed with the shared key ring (nothing to store); leaving erases the member and the salt that
/// tied their answers to them.
/// </summary>
public sealed class WijkpanelService(NpgsqlDataSource db, AddressStore addresses, Audit.AuditLog audit, IServiceScopeFactory scopes,
    IOptions<MailOptions> mail, IDataProtectionProvider protection, TimeProvider time)
{
    /// <summary>No result of a question is shown before this many members answered it.</summary>
    public const int MinimumAnswers = 10;
    public const int UnconfirmedDays = 7;

    private IDataProtector Links => protection.CreateProtector("Kaart.Wijkpanel.Lid");

    /// <summary>The member's own page (confirm, answer, leave), signed: no token stored.</summary>
    public string MemberPath(long id) => $"/wijkpanel/lid/{Links.Protect(id.ToString(CultureInfo.InvariantCulture))}";

    private string MemberLink(long id) => mail.Value.Link(MemberPath(id)) ?? MemberPath(id);

    private long? MemberId(string? link)
    {
        if (string.IsNullOrEmpty(link)) return null;
        try { return long.Parse(Links.Unprotect(link), CultureInfo.InvariantCulture); }
        catch (CryptographicException) { return null; }
        catch (FormatException) { return null; }
    }

    private static OutgoingMail Letter(string to, string kind, string wijk, string subject, string text) =>
        OutgoingMail.ToResident(to, kind, "wijkpanel", wijk, subject, text, "het wijkpanel");

    /// <summary>
    /// Joins the panel of the wijk the address lies in: stores the e-mail address unconfirmed (not the address) and sends the
    /// confirmation. A confirmed member is left as they are and nothing tells the asker. Returns the wijk's name.
    /// </summary>
    public async Task<string> JoinAsync(string? email, string? postcode, string? huisnummer, string? toevoeging, CancellationToken ct = default)
    {
        email = email?.Trim();
        if (email is null || email.Length is < 3 or > 200 || !email.Contains('@') || !TextFields.IsSingleLine(email))
            throw new WijkpanelException("E-mailadres klopt niet", "Vul een geldig e-mailadres in.", field: "email");
        var pc = AddressStore.NormalisePostcode(postcode);
        if (pc is null || !int.TryParse(huisnummer?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var nr))
            throw new WijkpanelException("Adres onvolledig", "Vul uw postcode (1234 AB) en huisnummer in: daarmee zoeken we uw wijk.", field: "postcode");
        var address = await addresses.FindAsync(pc, nr, toevoeging, ct)
            ?? throw new WijkpanelException("Adres niet gevonden", $"{pc[..4]} {pc[4..]} {nr}{toevoeging} is geen adres in de gemeente; het wijkpanel is voor inwoners.", field: "postcode");
        string wijk, wijkNaam;
        await using (var cmd = db.CreateCommand(
            "SELECT code, name FROM area_in_force WHERE level = 'wijk' AND ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 28992)) LIMIT 1"))
        {
            cmd.Parameters.AddWithValue(address.X);
            cmd.Parameters.AddWithValue(address.Y);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new WijkpanelException("Geen wijk gevonden", "Bij dit adres vonden we geen wijk.", field: "postcode");
            (wijk, wijkNaam) = (r.GetString(0), r.GetString(1));
        }
        await PurgeUnconfirmedAsync(ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long? id;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO wijkpanel_lid (wijk_code, email, salt) VALUES ($1, $2, $3)
            ON CONFLICT (lower(email), wijk_code) DO UPDATE SET created_at = now() WHERE wijkpanel_lid.confirmed_at IS NULL
            RETURNING id
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(wijk);
            cmd.Parameters.AddWithValue(email);
            cmd.Parameters.AddWithValue(RandomNumberGenerator.GetBytes(32));
            id = await cmd.ExecuteScalarAsync(ct) as long?;
        }
        if (id is { } made)
            await MailOutbox.EnqueueAsync([Letter(email, "wijkpanel bevestigen", wijk, $"Bevestig uw aanmelding voor het wijkpanel {wijkNaam}",
                $"Iemand (hopelijk u) meldde zich aan voor het wijkpanel van {wijkNaam}: het gebiedsteam nodigt u af en toe uit voor een bijeenkomst " +
                $"en stelt een paar korte vragen. Bevestig met deze link; zonder bevestiging krijgt u niets meer van ons en wissen we uw adres na {UnconfirmedDays} dagen:\n" +
                MemberLink(made) + "\n\nOp die pagina stapt u ook met één klik weer uit het panel.")], conn, tx, ct);
        await tx.CommitAsync(ct);
        return wijkNaam;
    }

    /// <summary>A member's page by its signed link: confirms on the first visit; null for a link that is not (or no longer) a member.</summary>
    public async Task<WijkpanelLid?> MemberAsync(string? link, CancellationToken ct = default)
    {
        if (MemberId(link) is not { } id) return null;
        string wijk, naam;
        bool confirmed;
        await using (var cmd = db.CreateCommand(
            """
            UPDATE wijkpanel_lid l SET confirmed_at = coalesce(confirmed_at, now()) WHERE id = $1
            RETURNING wijk_code, (SELECT name FROM area_in_force a WHERE a.code = l.wijk_code AND a.level = 'wijk'), true
            """))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            (wijk, naam, confirmed) = (r.GetString(0), r.IsDBNull(1) ? r.GetString(0) : r.GetString(1), r.GetBoolean(2));
        }
        var today = DutchTime.Day(time.GetUtcNow());
        var open = (await RoundsAsync(wijk, ct)).Where(r => r.Open(today)).ToList();
        var answered = new HashSet<long>();
        await using (var cmd = db.CreateCommand(
            """
            SELECT a.vraag_id FROM wijkpanel_antwoord a JOIN wijkpanel_vraag v ON v.id = a.vraag_id, wijkpanel_lid l
            WHERE l.id = $1 AND a.lid_key = sha256(l.salt || int8send(v.ronde_id))
            """))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) answered.Add(r.GetInt64(0));
        }
        return new WijkpanelLid(id, wijk, naam, confirmed, open, answered);
    }

    /// <summary>A member answers the questions of an open round of their wijk, once per question (a second time: refused).</summary>
    public async Task AnswerAsync(string? link, long ronde, IReadOnlyDictionary<long, string?> keuzes, CancellationToken ct = default)
    {
        if (MemberId(link) is not { } id) throw new WijkpanelException("Link onbekend", "Deze link hoort bij geen lid van een wijkpanel (meer).", 404);
        var round = (await RoundAsync(ronde, ct)) ?? throw new WijkpanelException("Ronde niet gevonden", "Deze vragen bestaan niet (meer).", 404);
        if (!round.Open(DutchTime.Day(time.GetUtcNow()))) throw new WijkpanelException("Gesloten", $"Antwoorden kon tot en met {DutchTime.Date(round.SluitOp)}.", 409);
        var chosen = round.Vragen.Select(v => (v, keuzes.GetValueOrDefault(v.Id))).Where(x => x.Item2 is not null).ToList();
        if (chosen.Count == 0) throw new WijkpanelException("Niets gekozen", "Kies bij minstens één vraag een antwoord.");
        if (chosen.FirstOrDefault(x => !x.v.Opties.Contains(x.Item2!)) is { v: not null } bad)
            throw new WijkpanelException("Onbekend antwoord", $"Bij vraag {bad.v.Nr} kan dat antwoord niet.");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        byte[] salt;
        await using (var cmd = new NpgsqlCommand("SELECT salt FROM wijkpanel_lid WHERE id = $1 AND wijk_code = $2 AND confirmed_at IS NOT NULL FOR SHARE", conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(round.WijkCode);
            salt = await cmd.ExecuteScalarAsync(ct) as byte[] ?? throw new WijkpanelException("Geen lid", "U bent (nog) geen lid van het panel van deze wijk.", 403);
        }
        // sha256(salt || int8send(ronde)), as MemberAsync reads it back in SQL
        var round8 = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(round8, ronde);
        var key = SHA256.HashData([.. salt, .. round8]);
        var written = 0;
        foreach (var (v, keuze) in chosen)
        {
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO wijkpanel_antwoord (vraag_id, lid_key, keuze) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", conn, tx);
            cmd.Parameters.AddWithValue(v.Id);
            cmd.Parameters.AddWithValue(key);
            cmd.Parameters.AddWithValue(keuze!);
            written += await cmd.ExecuteNonQueryAsync(ct);
        }
        if (written == 0) throw new WijkpanelException("Al beantwoord", "U hebt deze vragen al beantwoord; elk lid antwoordt één keer.", 409);
        await tx.CommitAsync(ct);
    }

    /// <summary>Leaves the panel by the member's link: the member (e-mail address, wijk, salt) is erased. False for an unknown link.</summary>
    public async Task<bool> LeaveAsync(string? link, CancellationToken ct = default)
    {
        if (MemberId(link) is not { } id) return false;
        await using var cmd = db.CreateCommand("DELETE FROM wijkpanel_lid WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>Confirmed members of a wijk's panel (a count: the team never sees who).</summary>
    public async Task<int> MembersAsync(string wijk, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM wijkpanel_lid WHERE wijk_code = $1 AND confirmed_at IS NOT NULL");
        cmd.Parameters.AddWithValue(wijk);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The rounds of a wijk, newest first, with their questions.</summary>
    public async Task<List<WijkpanelRonde>> RoundsAsync(string wijk, CancellationToken ct = default) => await ReadRoundsAsync("r.wijk_code = $1", wijk, ct);

    private async Task<WijkpanelRonde?> RoundAsync(long id, CancellationToken ct) => (await ReadRoundsAsync("r.id = $1", id, ct)).SingleOrDefault();

    private async Task<List<WijkpanelRonde>> ReadRoundsAsync(string where, object arg, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"""
            SELECT r.id, r.wijk_code, r.titel, r.bijeenkomst, r.sluit_op, r.verstuurd, r.created_at, v.id, v.nr, v.tekst, v.soort, v.opties
            FROM wijkpanel_ronde r LEFT JOIN wijkpanel_vraag v ON v.ronde_id = r.id
            WHERE {where} ORDER BY r.created_at DESC, r.id DESC, v.nr
            """);
        cmd.Parameters.AddWithValue(arg);
        var rounds = new List<(WijkpanelRonde Round, List<WijkpanelVraag> Vragen)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (rounds.Count == 0 || rounds[^1].Round.Id != r.GetInt64(0))
            {
                var vragen = new List<WijkpanelVraag>();
                rounds.Add((new WijkpanelRonde(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                    r.GetFieldValue<DateOnly>(4), r.GetInt32(5), r.GetFieldValue<DateTimeOffset>(6), vragen), vragen));
            }
            if (!r.IsDBNull(7)) rounds[^1].Vragen.Add(new WijkpanelVraag(r.GetInt64(7), r.GetInt32(8), r.GetString(9), r.GetString(10), r.GetFieldValue<string[]>(11)));
        }
        return rounds.Select(x => x.Round).ToList();
    }

    /// <summary>A round's results: per question the number of answers and, only from <see cref="MinimumAnswers"/>, the count per option.</summary>
    public async Task<List<WijkpanelUitslag>> ResultsAsync(WijkpanelRonde round, CancellationToken ct = default)
    {
        var counts = new Dictionary<long, Dictionary<string, int>>();
        await using (var cmd = db.CreateCommand(
            "SELECT vraag_id, keuze, count(*) FROM wijkpanel_antwoord WHERE vraag_id = ANY($1) GROUP BY vraag_id, keuze"))
        {
            cmd.Parameters.AddWithValue(round.Vragen.Select(v => v.Id).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (!counts.TryGetValue(r.GetInt64(0), out var d)) counts[r.GetInt64(0)] = d = [];
                d[r.GetString(1)] = (int)r.GetInt64(2);
            }
        }
        return round.Vragen.Select(v =>
        {
            var d = counts.GetValueOrDefault(v.Id) ?? [];
            var total = d.Values.Sum();
            return new WijkpanelUitslag(v, total, total >= MinimumAnswers ? v.Opties.ToDictionary(o => o, o => d.GetValueOrDefault(o)) : null);
        }).ToList();
    }

    /// <summary>
    /// The team of the wijk's gebied (or a beheerder) sends a round to every confirmed member: an invitation to a meeting
    /// and/or up to five questions (choices: 2–8 options; a scale: 1 to 5). Returns how many members were mailed.
    /// </summary>
    public async Task<(long Id, int Sent)> SendRoundAsync(ClaimsPrincipal user, string wijk, string? titel, string? bijeenkomst, DateOnly? sluitOp,
        IReadOnlyList<(string? Tekst, string? Soort, string? Opties)> vragen, CancellationToken ct = default)
    {
        var now = await scopes.ActorNowAsync(user) ?? throw new WijkpanelException("Geen toegang", "Log opnieuw in.", 403);
        await RequireTeamAsync(now, wijk, ct);
        titel = titel?.Trim();
        bijeenkomst = string.IsNullOrWhiteSpace(bijeenkomst) ? null : bijeenkomst.Trim();
        if (string.IsNullOrEmpty(titel) || titel.Length > 200) throw new WijkpanelException("Titel ontbreekt", "Geef de ronde een titel (hooguit 200 tekens).", field: "titel");
        if (bijeenkomst is { Length: > 500 }) throw new WijkpanelException("Te lang", "Beschrijf de bijeenkomst in hooguit 500 tekens.", field: "bijeenkomst");
        var today = DutchTime.Day(time.GetUtcNow());
        if (sluitOp is not { } closes || closes < today || closes > today.AddDays(90))
            throw new WijkpanelException("Sluitdatum", "Kies een sluitdatum van vandaag tot 90 dagen vooruit.", field: "sluit");
        var items = new List<(string Tekst, string Soort, string[] Opties)>();
        foreach (var (tekst, soort, opties) in vragen.Where(v => !string.IsNullOrWhiteSpace(v.Tekst)))
        {
            var t = tekst!.Trim();
            if (t.Length > 300) throw new WijkpanelException("Vraag te lang", "Houd elke vraag onder 300 tekens.", field: "vraag");
            string[] o = soort == "schaal" ? ["1", "2", "3", "4", "5"]
                : (opties ?? "").Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
            if (soort is not ("keuze" or "schaal")) throw new WijkpanelException("Soort vraag", "Een vraag is meerkeuze of een schaal van 1 tot 5.", field: "vraag");
            if (o.Length is < 2 or > 8 || o.Any(x => x.Length > 80)) throw new WijkpanelException("Antwoorden", $"Geef bij '{t}' 2 tot 8 korte antwoorden, gescheiden door komma's.", field: "vraag");
            items.Add((t, soort, o));
        }
        if (items.Count > 5) throw new WijkpanelException("Te veel vragen", "Stel hooguit vijf korte vragen per ronde.", field: "vraag");
        if (items.Count == 0 && bijeenkomst is null) throw new WijkpanelException("Leeg", "Nodig uit voor een bijeenkomst, stel een vraag, of allebei.", field: "vraag");
        var actor = Audit.AuditLog.ActorOf(user);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id;
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO wijkpanel_ronde (wijk_code, titel, bijeenkomst, sluit_op, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id", conn, tx))
        {
            cmd.Parameters.AddWithValue(wijk);
            cmd.Parameters.AddWithValue(titel);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)bijeenkomst ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.AddWithValue(closes);
            cmd.Parameters.AddWithValue(actor);
            id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        for (var i = 0; i < items.Count; i++)
        {
            await using var cmd = new NpgsqlCommand("INSERT INTO wijkpanel_vraag (ronde_id, nr, tekst, soort, opties) VALUES ($1, $2, $3, $4, $5)", conn, tx);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(i + 1);
            cmd.Parameters.AddWithValue(items[i].Tekst);
            cmd.Parameters.AddWithValue(items[i].Soort);
            cmd.Parameters.AddWithValue(items[i].Opties);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var members = new List<(long Id, string Email)>();
        await using (var cmd = new NpgsqlCommand("SELECT id, email FROM wijkpanel_lid WHERE wijk_code = $1 AND confirmed_at IS NOT NULL", conn, tx))
        {
            cmd.Parameters.AddWithValue(wijk);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) members.Add((r.GetInt64(0), r.GetString(1)));
        }
        var body = (bijeenkomst is null ? "" : $"Het gebiedsteam nodigt u uit: {bijeenkomst}\n\n") +
                   (items.Count == 0 ? "" : $"Het gebiedsteam stelt {items.Count} korte {(items.Count == 1 ? "vraag" : "vragen")} (tot en met {DutchTime.Date(closes)}). ");
        await MailOutbox.EnqueueAsync(members.Select(m => Letter(m.Email, "wijkpanel ronde", wijk, $"Wijkpanel: {titel}",
            body + $"Op uw eigen pagina antwoordt u, of stapt u met één klik uit het panel:\n{MemberLink(m.Id)}")), conn, tx, ct);
        await using (var cmd = new NpgsqlCommand("UPDATE wijkpanel_ronde SET verstuurd = $2 WHERE id = $1", conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(members.Count);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await audit.WriteAsync(actor, "wijkpanel: ronde verstuurd", "wijkpanel", wijk, new { id, titel, vragen = items.Count, leden = members.Count }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return (id, members.Count);
    }

    /// <summary>The wijken whose panels the user runs (a beheerder: all), with their names.</summary>
    public async Task<List<(string Code, string Name)>> WijkenOfAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var now = await scopes.ActorNowAsync(user);
        if (now is null) return [];
        await using var cmd = db.CreateCommand("SELECT code, name, parent_code FROM area_in_force WHERE level = 'wijk' ORDER BY name");
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (now.IsBeheerder() || (now.IsInRole(KaartRoles.Gebiedsteam) && !r.IsDBNull(2) && now.Gebieden().Contains(r.GetString(2))))
                list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    private async Task RequireTeamAsync(ClaimsPrincipal now, string wijk, CancellationToken ct)
    {
        if (!(await WijkenOfAsync(now, ct)).Any(w => w.Code == wijk))
            throw new WijkpanelException("Geen toegang", $"Het panel van {wijk} hoort niet bij uw gebieden.", 403);
    }

    /// <summary>Erases members who never confirmed within <see cref="UnconfirmedDays"/> days.</summary>
    public async Task<int> PurgeUnconfirmedAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("DELETE FROM wijkpanel_lid WHERE confirmed_at IS NULL AND created_at < $1");
        cmd.Parameters.AddWithValue(time.GetUtcNow().AddDays(-UnconfirmedDays));
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}

public static class WijkpanelSetup
{
    public static WebApplicationBuilder AddWijkpanels(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WijkpanelService>();
        return builder;
    }
}
