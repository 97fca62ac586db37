using Alkmaar.Kaart.Server.Features.Accounts;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Notifications;

/// <summary>
/// Messages to residents: the outbox, its SMTP sender, and for beheerders <c>/api/beheer/berichten</c> (what waits, what
/// went, what failed; never an address or a text) with a retry of failed ones.
/// </summary>
public static class NotificationsEndpoints
{
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().Bind(builder.Configuration.GetSection(MailOptions.Section))
            .Validate(o => !o.Configured || Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "https" or "http",
                "Mail:Smtp:Host is set but Mail:PublicBaseUrl (the site's public address, for the links in messages) is missing or not a URL.")
            .Validate(o => MimeKit.MailboxAddress.TryParse(o.From, out _), "Mail:From is not an e-mail address.")
            .Validate(o => o.Smtp.Security is "Auto" or "StartTls" or "SslOnConnect" or "None", "Mail:Smtp:Security is one of Auto, StartTls, SslOnConnect, None.")
            .ValidateOnStart();
        builder.Services.AddSingleton<MailOutbox>();
        builder.Services.AddSingleton<MailSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MailSender>());
        return builder;
    }

    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/beheer/berichten").WithTags("Beheer").RequireAuthorization(KaartPolicies.Beheerder);
        g.MapGet("/", async (MailOutbox outbox, IOptions<MailOptions> o, CancellationToken ct) => Results.Ok(new
        {
            configured = o.Value.Configured,
            counts = await outbox.CountsAsync(ct),
            messages = (await outbox.RecentAsync(200, ct)).Select(m => new { m.Id, m.Kind, m.RefType, m.RefId, m.Subject, m.CreatedAt, m.Attempts, m.LastError, m.SentAt, state = m.State }),
        })).WithSummary("The outbox of messages to residents: counts and the latest 200 (no addresses, no texts).");
        g.MapPost("/opnieuw", async (MailOutbox outbox, HttpContext http, Audit.AuditLog audit, CancellationToken ct) =>
        {
            var n = await outbox.RetryFailedAsync(ct);
            await audit.WriteAsync(Audit.AuditLog.ActorOf(http.User), "berichten opnieuw verzonden", "mail_outbox", "*", new { count = n }, ct: ct);
            return Results.Ok(new { retried = n });
        }).WithSummary("Puts failed messages back in the queue.");
    }
}
