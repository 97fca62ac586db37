using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Notifications;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.AreaProfiles;

/// <summary>
/// Following an area by e-mail (issue 33, part 6; table <c>abonnement</c>): double opt-in, a daily digest of the area's
/// news (<see cref="AreaFeed.NewsAsync"/>) through the outbox, one-click leave that erases the address. Whether an
/// address already follows an area is never revealed. Unconfirmed subscriptions get nothing but the confirmation and are
/// erased after seven days.
/// </summary>
public sealed class AbonnementService(NpgsqlDataSource db, AreaProfileService profiles, JaaragendaService agendas, WijkAanZetService campagnes,
    IOptions<MailOptions> mail, TimeProvider time, IDataProtectionProvider protection, Initiatieven.InitiatiefStore initiatieven,
    Initiatieven.RegiegroepService regiegroepen)
{
    /// <summary>What can be followed besides an area: one initiative or one verbeterpunt.</summary>
    public static readonly string[] Things = ["initiatief", "verbeterpunt"];

    /// <summary>
    /// The public state of a followed initiative or verbeterpunt as lines for a mail (status, subsidy, the regiegroep's
    /// conclusion; a verbeterpunt's status and the team's check), its title and page; null when it is not (or no longer) public.
    /// </summary>
    public async Task<(string Title, List<string> Lines, string Path)?> StateAsync(string kind, long id, CancellationToken ct = default)
    {
        if (kind == "initiatief")
        {
            if (await initiatieven.GetAsync(id, ct, publicOnly: true) is not { } i) return null;
            var lines = new List<string> { $"Status: {Initiatieven.InitiatiefStatus.LabelOf(i.Status)}" };
            if (i.Subsidy is { } s) lines.Add($"Subsidie: {Initiatieven.WijkbudgetStand.Euro(s)}");
            if ((await regiegroepen.ConclusionsAsync([id], ct)).GetValueOrDefault(id) is { } b)
                lines.Add($"{(b.Soort == "besluit" ? "Besluit" : "Advies")} van de regiegroep: {b.Uitkomst} — {b.Reden}");
            return (i.Title, lines, $"/initiatief/{id}/steunen");
        }
        if (kind == "verbeterpunt" && await campagnes.PointAsync(id, ct) is { } p && p.Status != "samengevoegd")
        {
            var lines = new List<string> { $"Status: {VerbeterpuntStatus.Parse(p.Status)?.Label ?? p.Status}" };
            if (p.FeasibilityNote is { Length: > 0 } note) lines.Add($"Toets van het gebiedsteam: {note}");
            return (p.Title, lines, $"/wijkaanzet/{p.CampagneId}");
        }
        return null;
    }

    /// <summary>
    /// Asks to follow one initiative or verbeterpunt: as an area (double opt-in, nothing but the confirmation before it), with
    /// its public state of now remembered, so the first digest comes when that changes.
    /// </summary>
    public async Task SubscribeToAsync(string? email, string kind, long id, CancellationToken ct = default)
    {
        email = ValidEmail(email);
        if (!Things.Contains(kind) || await StateAsync(kind, id, ct) is not { } state)
            throw new RejectedException("Niet gevonden", "Dit initiatief of verbeterpunt bestaat niet (of is nog niet openbaar).", "id", 404);
        await SubscribeRowAsync(email, $"{kind}-{id}", kind, string.Join("\n", state.Lines), $"'{state.Title}'",
            $"de stand van '{state.Title}' (status, besluiten)", ct);
    }

    private static string ValidEmail(string? email)
    {
        email = email?.Trim();
        if (email is null || email.Length is < 3 or > 200 || !email.Contains('@') || !TextFields.IsSingleLine(email))
            throw new RejectedException("E-mailadres klopt niet", "Vul een geldig e-mailadres in.", "email", 422);
        return email;
    }
    public const int UnconfirmedDays = 7;

    // the leave link names the subscription, signed with the shared key ring (nothing more to store; works on every server)
    private IDataProtector Leave => protection.CreateProtector("Kaart.Abonnement.Afmelden");

    /// <summary>The site-relative one-click leave link of a subscription.</summary>
    public string LeavePath(long id) => $"/volgen/afmelden/{Leave.Protect(id.ToString(System.Globalization.CultureInfo.InvariantCulture))}";

    private string LeaveLink(long id) => mail.Value.Link(LeavePath(id)) ?? LeavePath(id);

    /// <summary>Leaves by the signed link: the row and its address are erased. False for a link that is not ours (or already used).</summary>
    public async Task<bool> LeaveAsync(string signed, CancellationToken ct = default)
    {
        long id;
        try { id = long.Parse(Leave.Unprotect(signed), System.Globalization.CultureInfo.InvariantCulture); }
        catch (System.Security.Cryptography.CryptographicException) { return false; }
        catch (FormatException) { return false; }
        await using var cmd = db.CreateCommand("DELETE FROM abonnement WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    private static OutgoingMail Letter(string to, string kind, string code, string subject, string text) =>
        OutgoingMail.ToResident(to, kind, "abonnement", code, subject, text, "het volgen van een gebied");

    /// <summary>Asks to follow an area: stores the address unconfirmed (or renews the link of an unconfirmed one) and
    /// sends the confirmation. A confirmed subscription is left as it is (and nothing tells the asker).</summary>
    public async Task SubscribeAsync(string? email, string code, AreaLevel? level, CancellationToken ct = default)
    {
        email = ValidEmail(email);
        var area = (await profiles.GetAsync(code, level, null, ct))?.Details.Area ?? throw new RejectedException("Gebied niet gevonden", $"Geen gebied met code '{code}'.", "code", 404);
        await SubscribeRowAsync(email, area.Code, area.Level.Name(), null, area.Name,
            $"wat er verandert in {area.Name}: de gebiedsagenda, bewonersinitiatieven en Wij(k) aan zet", ct);
    }

    private async Task SubscribeRowAsync(string email, string code, string level, string? state, string name, string what, CancellationToken ct)
    {
        var token = StatusLinks.NewToken();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long? id;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO abonnement (email, area_code, area_level, token_hash, seen_state) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (lower(email), area_code) DO UPDATE SET token_hash = excluded.token_hash, created_at = now(), seen_state = excluded.seen_state
                WHERE abonnement.confirmed_at IS NULL
            RETURNING id
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(email);
            cmd.Parameters.AddWithValue(code);
            cmd.Parameters.AddWithValue(level);
            cmd.Parameters.AddWithValue(StatusLinks.Hash(token));
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)state ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            id = await cmd.ExecuteScalarAsync(ct) as long?;
        }
        if (id is { } made)
            await MailOutbox.EnqueueAsync([Letter(email, "abonnement bevestigen", code, $"Bevestig dat u {name} wilt volgen",
                $"Iemand (hopelijk u) wil per e-mail horen {what}. " +
                $"Bevestig dat met deze link; zonder bevestiging krijgt u niets meer van ons en wissen we uw adres na {UnconfirmedDays} dagen:\n" +
                (mail.Value.Link($"/volgen/{token}") ?? $"/volgen/{token}") + $"\n\nWas u het niet, of wilt u later niet meer volgen? Met deze link wissen we uw adres meteen:\n{LeaveLink(made)}")], conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A followed initiative's or verbeterpunt's digest: only when its public state changed since the last one told.</summary>
    private async Task<int> ThingDigestAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string email, string code, string kind, DateTimeOffset now, CancellationToken ct)
    {
        string? seen;
        await using (var cmd = new NpgsqlCommand("SELECT seen_state FROM abonnement WHERE id = $1", conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            seen = await cmd.ExecuteScalarAsync(ct) as string;
        }
        var state = long.TryParse(code[(kind.Length + 1)..], out var thing) ? await StateAsync(kind, thing, ct) : null;
        var text = state is { } st ? string.Join("\n", st.Lines) : null;
        var sent = 0;
        if (state is { } now_ && text != seen)
        {
            await MailOutbox.EnqueueAsync([Letter(email, "abonnement overzicht", code, $"Nieuws over '{now_.Title}'",
                $"Er is iets veranderd aan '{now_.Title}':\n\n{string.Join("\n", now_.Lines.Select(l => "- " + l))}\n\n" +
                $"Meer op {mail.Value.Link(now_.Path) ?? now_.Path}.\nNiet meer volgen? Met één klik op deze link wissen we uw adres meteen:\n{LeaveLink(id)}")], conn, tx, ct);
            sent = 1;
        }
        await using (var mark = new NpgsqlCommand("UPDATE abonnement SET last_digest_at = $2, seen_state = coalesce($3, seen_state) WHERE id = $1", conn, tx))
        {
            mark.Parameters.AddWithValue(id);
            mark.Parameters.AddWithValue(now);
            mark.Parameters.Add(new NpgsqlParameter { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await mark.ExecuteNonQueryAsync(ct);
        }
        return sent;
    }

    /// <summary>Confirms by the link's token; the area's name, or null for an unknown (or erased) link.</summary>
    public async Task<(string Code, string Level)?> ConfirmAsync(string token, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE abonnement SET confirmed_at = coalesce(confirmed_at, now()), last_digest_at = coalesce(last_digest_at, now()) WHERE token_hash = $1 RETURNING area_code, area_level");
        cmd.Parameters.AddWithValue(StatusLinks.Hash(token));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.GetString(1)) : null;
    }

    /// <summary>
    /// The digests due now: every confirmed subscription whose last digest is a day old gets the area's news since then
    /// (nothing when there is none); unconfirmed ones older than <see cref="UnconfirmedDays"/> days are erased. One server
    /// at a time (advisory lock). Returns how many digests were queued.
    /// </summary>
    public async Task<int> SendDigestsAsync(TimeSpan? every = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var interval = every ?? TimeSpan.FromDays(1);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(hashtext('kaart.abonnement.digest'))", conn, tx))
            if (await take.ExecuteScalarAsync(ct) is not true) return 0;
        await using (var purge = new NpgsqlCommand("DELETE FROM abonnement WHERE confirmed_at IS NULL AND created_at < $1", conn, tx))
        {
            purge.Parameters.AddWithValue(now.AddDays(-UnconfirmedDays));
            await purge.ExecuteNonQueryAsync(ct);
        }
        var due = new List<(long Id, string Email, string Code, string Level, DateTimeOffset Since)>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT id, email, area_code, area_level, last_digest_at FROM abonnement WHERE confirmed_at IS NOT NULL AND last_digest_at <= $1 FOR UPDATE SKIP LOCKED", conn, tx))
        {
            cmd.Parameters.AddWithValue(now - interval);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) due.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4)));
        }
        var sent = 0;
        var news = new Dictionary<string, (Areas.AreaRecord Area, List<AreaFeed.NewsItem> Items)?>();
        foreach (var s in due)
        {
            if (Things.Contains(s.Level))
            {
                sent += await ThingDigestAsync(conn, tx, s.Id, s.Email, s.Code, s.Level, now, ct);
                continue;
            }
            if (!news.TryGetValue(s.Code, out var n)) news[s.Code] = n = await AreaFeed.NewsAsync(profiles, agendas, campagnes, s.Code, AreaLevels.Parse(s.Level), ct);
            var fresh = n?.Items.Where(i => i.Updated > s.Since).ToList() ?? [];
            if (fresh.Count > 0 && n is { } found)
            {
                var lines = string.Join("\n", fresh.Select(i => $"- {i.Title} ({DutchTime.Date(i.Updated)})\n  {i.Text}"));
                await MailOutbox.EnqueueAsync([Letter(s.Email, "abonnement overzicht", s.Code, $"Nieuw in {found.Area.Name}",
                    $"Dit is er nieuw in {found.Area.Name}:\n\n{lines}\n\nMeer op {mail.Value.Link("/" + Areas.AreaPages.Link(found.Area.Code, found.Area.Level)) ?? "de pagina van het gebied"}.\n" +
                    $"Niet meer volgen? Met één klik op deze link wissen we uw adres meteen:\n{LeaveLink(s.Id)}")], conn, tx, ct);
                sent++;
            }
            await using var mark = new NpgsqlCommand("UPDATE abonnement SET last_digest_at = $2 WHERE id = $1", conn, tx);
            mark.Parameters.AddWithValue(s.Id);
            mark.Parameters.AddWithValue(now);
            await mark.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return sent;
    }
}

/// <summary>Queues the due digests every hour (each server tries; one does it).</summary>
public sealed class AbonnementDigestJob(AbonnementService service, ILogger<AbonnementDigestJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromHours(1), stop); } catch (OperationCanceledException) { return; }
            try
            {
                var n = await service.SendDigestsAsync(null, stop);
                if (n > 0) log.LogInformation("Queued {Count} area digests", n);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException) { log.LogWarning(e, "Area digests: database not reachable; next hour again"); }
        }
    }
}
