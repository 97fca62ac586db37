namespace Alkmaar.Kaart.Server.Features.Notifications;

/// <summary>
/// Messages to residents by e-mail (section <c>Mail</c>). Without <c>Smtp:Host</c> nothing is sent: messages wait in the
/// outbox (shown to beheerders on /beheer/berichten) until a server is configured or they are erased after
/// <see cref="KeepDays"/>.
/// </summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>The sender, e.g. <c>Gemeente Alkmaar &lt;noreply@alkmaar.nl&gt;</c>.</summary>
    public string From { get; set; } = "Gemeente Alkmaar <noreply@alkmaar.nl>";

    /// <summary>
    /// The public address of this site (e.g. <c>https://kaart.alkmaar.nl</c>), for links in messages. Configured, never taken
    /// from a request's Host header (which a sender of a request chooses). Required once a mail server is configured.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How often the sender looks for messages to send.</summary>
    public int PollMilliseconds { get; set; } = 5000;

    /// <summary>Attempts before a message is marked failed (a beheerder can try it again).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Days an unsent (waiting or failed) message is kept before its address and text are erased.</summary>
    public int KeepDays { get; set; } = 30;

    public bool Configured => !string.IsNullOrWhiteSpace(Smtp.Host);

    /// <summary>A full link to <paramref name="path"/> on this site, or null when no public address is configured.</summary>
    public string? Link(string path) => string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : PublicBaseUrl.TrimEnd('/') + path;

    /// <summary>The sentence of a first message that hands over a private status link (or points to the one on the screen).</summary>
    public string FollowLinkSentence(string path) => Link(path) is { } link
        ? $"Hier ziet u hoe het ermee staat (bewaar deze link; hij is alleen voor u):\n{link}"
        : "Met de link die u op het scherm kreeg, ziet u hoe het ermee staat.";
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>Auto (STARTTLS when offered; TLS on port 465), StartTls (required), SslOnConnect or None.</summary>
    public string Security { get; set; } = "Auto";
    public string? User { get; set; }
    public string? Password { get; set; }
}
