using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Notifications;

/// <summary>
/// Delivers the outbox by SMTP (MailKit) when <c>Mail:Smtp:Host</c> is set. Each round claims due messages in one short
/// statement (<c>FOR UPDATE SKIP LOCKED</c>, and a five-minute lease on them, so several servers never send one message
/// at the same time and no transaction stays open while the mail server is slow), sends them over one connection and
/// records each result: sent (address and text erased), or a later attempt with growing waits (1, 2, 4 … minutes, at most
/// an hour), failed after <see cref="MailOptions.MaxAttempts"/>. A crash between sending and recording sends that message
/// again when its lease ends: at least once, never lost. Without a server it only erases messages kept too long.
/// </summary>
public sealed class MailSender(NpgsqlDataSource db, MailOutbox outbox, IOptions<MailOptions> options, ILogger<MailSender> logger) : BackgroundService
{
    private readonly MailOptions o = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!o.Configured)
            logger.LogInformation("Mail: geen SMTP-server ingesteld (Mail:Smtp:Host); berichten aan inwoners wachten in de wachtrij.");
        var lastErase = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (DateTimeOffset.UtcNow - lastErase > TimeSpan.FromHours(1))
                {
                    var erased = await outbox.EraseStaleAsync(o.KeepDays, stoppingToken);
                    if (erased > 0) logger.LogWarning("Mail: {Count} niet verzonden berichten na {Days} dagen gewist.", erased, o.KeepDays);
                    lastErase = DateTimeOffset.UtcNow;
                }
                if (o.Configured) while (await SendRoundAsync(stoppingToken) > 0) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                logger.LogError(e, "Mail: ronde mislukt; volgende ronde over {Ms} ms.", o.PollMilliseconds);
            }
            try { await Task.Delay(o.PollMilliseconds, stoppingToken); } catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>One round: claims up to 20 due messages and tries each once. Returns how many were claimed (none without a server).</summary>
    public async Task<int> SendRoundAsync(CancellationToken ct)
    {
        if (!o.Configured) return 0;
        var due = new List<(long Id, string To, string Subject, string Body, int Attempts)>();
        await using (var claim = db.CreateCommand(
            """
            UPDATE mail_outbox SET next_attempt_at = now() + interval '5 minutes'
            WHERE id IN (SELECT id FROM mail_outbox
                         WHERE sent_at IS NULL AND failed_at IS NULL AND erased_at IS NULL AND next_attempt_at <= now()
                         ORDER BY next_attempt_at, id LIMIT 20 FOR UPDATE SKIP LOCKED)
            RETURNING id, to_address, subject, body, attempts
            """))
        await using (var r = await claim.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) due.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4)));
        if (due.Count == 0) return 0;
        due.Sort((a, b) => a.Id.CompareTo(b.Id));

        using var smtp = new SmtpClient { Timeout = 30_000 };
        string? connectError = null;
        try
        {
            var security = o.Smtp.Security switch
            {
                "StartTls" => SecureSocketOptions.StartTls, "SslOnConnect" => SecureSocketOptions.SslOnConnect, "None" => SecureSocketOptions.None,
                _ => SecureSocketOptions.Auto,
            };
            await smtp.ConnectAsync(o.Smtp.Host!, o.Smtp.Port, security, ct);
            if (!string.IsNullOrEmpty(o.Smtp.User)) await smtp.AuthenticateAsync(o.Smtp.User, o.Smtp.Password ?? "", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            connectError = $"verbinding met {o.Smtp.Host}:{o.Smtp.Port}: {e.Message}";
        }
        foreach (var m in due)
        {
            string? error = connectError;
            if (error is null)
            {
                try
                {
                    var message = new MimeMessage();
                    message.From.Add(MailboxAddress.Parse(o.From));
                    message.To.Add(MailboxAddress.Parse(m.To));
                    message.Subject = m.Subject;
                    message.Body = new TextPart("plain") { Text = m.Body };
                    await smtp.SendAsync(message, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    error = e.Message;
                }
            }
            await RecordAsync(m.Id, m.Attempts + 1, error, ct);
        }
        if (smtp.IsConnected) await smtp.DisconnectAsync(true, ct);
        if (connectError is not null) logger.LogWarning("Mail: {Error}", connectError);
        return due.Count;
    }

    private async Task RecordAsync(long id, int attempts, string? error, CancellationToken ct)
    {
        await using var cmd = error is null
            ? db.CreateCommand("UPDATE mail_outbox SET sent_at = now(), attempts = $2, last_error = NULL, to_address = NULL, body = NULL WHERE id = $1")
            : db.CreateCommand(
                """
                UPDATE mail_outbox SET attempts = $2, last_error = $3,
                       failed_at = CASE WHEN $2 >= $4 THEN now() END,
                       next_attempt_at = now() + least(interval '1 hour', interval '1 minute' * power(2, $2 - 1))
                WHERE id = $1
                """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(attempts);
        if (error is not null)
        {
            cmd.Parameters.AddWithValue(error.Length > 500 ? error[..500] : error);
            cmd.Parameters.AddWithValue(o.MaxAttempts);
        }
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
