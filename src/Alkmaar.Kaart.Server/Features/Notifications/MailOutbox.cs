using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Notifications;

/// <summary>A message to one resident about one thing (<paramref name="RefType"/> <paramref name="RefId"/>).</summary>
public sealed record OutgoingMail(string To, string Subject, string Body, string Kind, string RefType, string RefId)
{
    /// <summary>
    /// The one letter every message to a resident is (Dutch, plain text): greeting, <paramref name="text"/>, signature, and
    /// why they get it — they gave their address with <paramref name="about"/> (e.g. "uw melding").
    /// </summary>
    public static OutgoingMail ToResident(string to, string kind, string refType, string refId, string subject, string text, string about) => new(to, subject,
        $"""
        Beste inwoner,

        {text}

        Met vriendelijke groet,
        Gemeente Alkmaar

        U krijgt dit bericht omdat u bij {about} uw e-mailadres gaf. We gebruiken het alleen om u daarover te vertellen.
        """, kind, refType, refId);
}

/// <summary>What a beheerder sees of a message: never its address or text.</summary>
public sealed record MailRow(long Id, string Kind, string RefType, string RefId, string Subject, DateTimeOffset CreatedAt, int Attempts,
    string? LastError, DateTimeOffset? SentAt, DateTimeOffset? FailedAt, DateTimeOffset? ErasedAt)
{
    public string State => SentAt is not null ? "verzonden" : ErasedAt is not null ? "gewist (niet verzonden)" : FailedAt is not null ? "mislukt" : "wacht";
}

public sealed record MailCounts(long Waiting, long Sent, long Failed, long Erased, DateTimeOffset? OldestWaiting);

/// <summary>
/// The outbox of messages to residents (migration 0018). A feature writes its message with <see cref="EnqueueAsync"/> in the
/// transaction of the change it reports; <see cref="MailSender"/> delivers it. Addresses and texts are personal data: only
/// the sender reads them, and they are erased once sent.
/// </summary>
public sealed class MailOutbox(NpgsqlDataSource db)
{
    public static async Task EnqueueAsync(IEnumerable<OutgoingMail> mails, NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct = default)
    {
        foreach (var m in mails)
        {
            if (string.IsNullOrWhiteSpace(m.To)) continue;
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO mail_outbox (kind, ref_type, ref_id, to_address, subject, body) VALUES ($1, $2, $3, $4, $5, $6)", conn, tx);
            foreach (var v in new[] { m.Kind, m.RefType, m.RefId, m.To.Trim(), m.Subject, m.Body }) cmd.Parameters.AddWithValue(v);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The e-mail addresses given for these rows, distinct (a submitter of two merged points hears once).</summary>
    public static async Task<List<string>> AddressesAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, object[] args, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) if (!r.IsDBNull(0)) list.Add(r.GetString(0).Trim());
        return list.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<MailCounts> CountsAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL AND erased_at IS NULL),
                   count(*) FILTER (WHERE sent_at IS NOT NULL),
                   count(*) FILTER (WHERE failed_at IS NOT NULL AND sent_at IS NULL AND erased_at IS NULL),
                   count(*) FILTER (WHERE erased_at IS NOT NULL AND sent_at IS NULL),
                   min(created_at) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL AND erased_at IS NULL)
            FROM mail_outbox
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new MailCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4));
    }

    public async Task<List<MailRow>> RecentAsync(int limit = 200, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, kind, ref_type, ref_id, subject, created_at, attempts, last_error, sent_at, failed_at, erased_at
            FROM mail_outbox ORDER BY id DESC LIMIT $1
            """);
        cmd.Parameters.AddWithValue(limit);
        var list = new List<MailRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new MailRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5), r.GetInt32(6),
                r.IsDBNull(7) ? null : r.GetString(7), Ts(r, 8), Ts(r, 9), Ts(r, 10)));
        return list;

        static DateTimeOffset? Ts(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
    }

    /// <summary>Puts failed messages (still holding their address) back in the queue. Returns how many.</summary>
    public async Task<int> RetryFailedAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE mail_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = now() WHERE failed_at IS NOT NULL AND sent_at IS NULL AND erased_at IS NULL");
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Erases address and text of messages not sent within <paramref name="keepDays"/> days. Returns how many.</summary>
    public async Task<int> EraseStaleAsync(int keepDays, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE mail_outbox SET to_address = NULL, body = NULL, erased_at = now() WHERE sent_at IS NULL AND erased_at IS NULL AND created_at < now() - make_interval(days => $1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = keepDays, NpgsqlDbType = NpgsqlDbType.Integer });
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
