using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// Merging duplicates (issue 29): the team closes a melding as a duplicate of another open one of its own; the duplicate's
/// melder (when they left an address) and its followers follow the one it was merged into and hear of each of its steps;
/// both histories say so. Audited.
/// </summary>
public sealed partial class MeldingService
{
    public async Task MergeAsync(ClaimsPrincipal user, long id, long into, CancellationToken ct = default, int? expectedVersion = null)
    {
        if (id == into) throw new MeldingRejectedException("Zelfde melding", "Een melding kan niet met zichzelf worden samengevoegd.", "met", 422);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // both locked in id order (no deadlock with a merge the other way round), both the caller's to handle
        var (first, second) = id < into ? (id, into) : (into, id);
        var a = await LockForChangeAsync(conn, tx, user, first, MeldingAccess.Personal, first == id ? expectedVersion : null, ct);
        var b = await LockForChangeAsync(conn, tx, user, second, MeldingAccess.Personal, second == id ? expectedVersion : null, ct);
        var (dup, target) = first == id ? (a, b) : (b, a);
        if (dup.Status == MeldingStatus.Afgehandeld)
            throw new MeldingRejectedException("Al afgehandeld", "Deze melding is al afgehandeld.", "id", StatusCodes.Status409Conflict);
        if (target.Status == MeldingStatus.Afgehandeld)
            throw new MeldingRejectedException("Doel al afgehandeld", $"{StatusLinks.Reference(into)} is al afgehandeld; voeg samen met een open melding.", "met", StatusCodes.Status409Conflict);
        var now = time.GetUtcNow();
        var actor = AuditLog.ActorOf(user);
        var note = $"Uw melding gaat over hetzelfde als melding {StatusLinks.Reference(into)}; wij hebben ze samengevoegd. U hoort van ons hoe die wordt afgehandeld.";
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE melding SET status = 'afgehandeld', closed_at = $2, version = version + 1, updated_at = $2 WHERE id = $1;
            """, conn, tx))
        {
            Add(cmd, id, now);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await SyncClockAsync(conn, tx, id, now, O, ct);
        // the duplicate's melder and followers now follow the melding it was merged into
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO melding_volger (melding_id, email, via)
            SELECT $2, e, 'samengevoegd' FROM (
              SELECT melder_email AS e FROM melding WHERE id = $1 AND melder_email IS NOT NULL AND personal_removed_at IS NULL
              UNION SELECT email FROM melding_volger WHERE melding_id = $1) s
            ON CONFLICT DO NOTHING
            """, conn, tx))
        {
            Add(cmd, id, into);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await AddHistoryAsync(conn, tx, id, actor, "status", dup.Gebied, dup.Gebied, $"{StatusPrefix}{MeldingStatus.Afgehandeld.Code}", null, ct);
        await InsertNoteAsync(conn, tx, id, actor, NotePubliek, note, now, ct);
        await InsertNoteAsync(conn, tx, into, actor, NoteIntern, $"{StatusLinks.Reference(id)} is hiermee samengevoegd (dubbele melding); de melder volgt deze melding nu.", now, ct);
        await using (var touch = new NpgsqlCommand("UPDATE melding SET version = version + 1, updated_at = $2 WHERE id = $1", conn, tx))
        {
            Add(touch, into, now);
            await touch.ExecuteNonQueryAsync(ct);
        }
        var to = await Notifications.MailOutbox.AddressesAsync(conn, tx, "SELECT melder_email FROM melding WHERE id = $1 AND personal_removed_at IS NULL", [id], ct);
        await Notifications.MailOutbox.EnqueueAsync(to.Select(x => ToMelder(x, id, "melding samengevoegd", $"Uw melding {StatusLinks.Reference(id)} is samengevoegd", note)), conn, tx, ct);
        await audit.WriteAsync(actor, "melding samengevoegd", "melding", id.ToString(), new { into }, conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Tells the followers of a melding its new status (no details, no answers: those are for its melder).</summary>
    private static async Task TellFollowersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string status, CancellationToken ct)
    {
        var to = await Notifications.MailOutbox.AddressesAsync(conn, tx, "SELECT email FROM melding_volger WHERE melding_id = $1", [id], ct);
        await Notifications.MailOutbox.EnqueueAsync(to.Select(a => Notifications.OutgoingMail.ToResident(a, "melding volger", "melding", id.ToString(),
            $"Een melding die u volgt is {StatusNl(status)}",
            $"Een melding die u volgt ({StatusLinks.Reference(id)}) is nu: {StatusNl(status)}.", "meldingen die u volgt")), conn, tx, ct);
    }
}
