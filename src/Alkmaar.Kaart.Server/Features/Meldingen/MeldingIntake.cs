using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// Intake for someone else (issue 29): a team member or beheerder records a melding received by phone (14 072), at the
/// counter or a wijkpost/spreekuur — routed exactly like the resident's own, with the channel kept (the figures count per
/// channel) and the resident's contact when they want updates (an e-mail address gets the status link, as the form does).
/// The history names the staff member who recorded it on the melder's behalf; audited.
/// </summary>
public sealed partial class MeldingService
{
    public static readonly IReadOnlyList<(string Code, string Label)> IntakeChannels =
        [("telefoon", "Telefoon (14 072)"), ("balie", "Balie"), ("wijkpost", "Wijkpost of spreekuur")];

    public async Task<MeldingCreated> IntakeAsync(ClaimsPrincipal user, NewMelding melding, string? channel, CancellationToken ct = default)
    {
        if (!user.IsBeheerder() && !user.IsInRole(KaartRoles.Gebiedsteam))
            throw new MeldingRejectedException("Geen toegang", "Alleen een gebiedsteam of beheerder neemt meldingen op.", null, StatusCodes.Status403Forbidden);
        var (code, label) = IntakeChannels.FirstOrDefault(c => c.Code == channel);
        if (code is null)
            throw new MeldingRejectedException("Kanaal ontbreekt", "Kies hoe de melding binnenkwam: telefoon, balie of wijkpost.", "kanaal");
        var actor = AuditLog.ActorOf(user);
        var created = await CreateAsync(melding, "medewerker", $"{actor} (namens de melder, {label.ToLowerInvariant()})", ct, channel: code);
        await audit.WriteAsync(actor, "melding opgenomen voor melder", "melding", created.Id.ToString(), new { channel = code }, ct: ct);
        return created;
    }
}
