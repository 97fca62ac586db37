using Alkmaar.Kaart.Geo.Areas;

namespace Alkmaar.Kaart.Server.Features.Gebiedsteams;

/// <summary>A person in one of a team's roles. Name, e-mail and phone are personal data: staff only, except the name
/// when <see cref="NamePublic"/> is set (e.g. a wijkagent whose name the police publishes).</summary>
public sealed record TeamMember(string Role, string Name, string? Email = null, string? Phone = null, bool NamePublic = false);

/// <summary>A Gebiedsteam+ partner: an organisation (public) with an optional contact person (staff only).</summary>
public sealed record TeamPartner(string Organisation, string Kind, string? ContactName = null, string? ContactEmail = null, string? ContactPhone = null);

/// <summary>A gebiedsteam as staff and beheerders see it.</summary>
public sealed record Gebiedsteam(string GebiedCode, string GebiedName, string Name, string? Mailbox, string? Phone, string? Note,
    IReadOnlyList<TeamMember> Members, IReadOnlyList<TeamPartner> Partners, DateTimeOffset? UpdatedAt, string? UpdatedBy, int Version = 1)
{
    /// <summary>The HTTP entity tag of this version of the team.</summary>
    public string ETag => $"\"v{Version}\"";
}

/// <summary>A team edit that started from another version than the one stored (412), or named none (428).</summary>
public sealed class GebiedsteamConflictException(string message, int status)
    : RejectedException(status == 412 ? "Intussen gewijzigd" : "Versie ontbreekt", message, status: status);

/// <summary>What a beheerder sends to change a team: the whole team, replacing members and partners.</summary>
public sealed record GebiedsteamEdit(string Name, string? Mailbox, string? Phone, string? Note,
    IReadOnlyList<TeamMember> Members, IReadOnlyList<TeamPartner> Partners);

/// <summary>How to reach a role or a team: never a person's own e-mail or phone.</summary>
public sealed record PublicContact(string Organisation, string? Phone, string? Mailbox, string? Website);

/// <summary>A role as residents see it: the published names, or none, and how to reach it.</summary>
public sealed record PublicRole(string Key, string Title, string? Description, IReadOnlyList<string> Names, PublicContact Contact);

public sealed record PublicPartner(string Organisation, string Kind);

/// <summary>A gebiedsteam as anyone may see it: no personal data but the names published on purpose.</summary>
public sealed record PublicGebiedsteam(string GebiedCode, string GebiedName, string Name, PublicContact Contact, string? Note,
    IReadOnlyList<PublicRole> Roles, IReadOnlyList<PublicPartner> Partners)
{
    public static PublicGebiedsteam From(Gebiedsteam team, Gebiedsindeling indeling)
    {
        var generic = indeling.Contact;
        var contact = new PublicContact(generic?.Organisation ?? indeling.Gemeente.Name, team.Phone ?? generic?.Phone, team.Mailbox, generic?.Website);
        var roles = indeling.TeamRoles.Select(r => new PublicRole(r.Key, r.Title, r.Description,
            team.Members.Where(m => m.Role == r.Key && m.NamePublic).Select(m => m.Name).ToList(),
            r.Contact is { } own ? new PublicContact(own.Organisation, own.Phone, null, own.Website) : contact)).ToList();
        return new PublicGebiedsteam(team.GebiedCode, team.GebiedName, team.Name, contact, team.Note, roles,
            team.Partners.Select(p => new PublicPartner(p.Organisation, p.Kind)).ToList());
    }
}

/// <summary>A refused team change, with a Dutch message for the screen and the field it is about.</summary>
public sealed class GebiedsteamValidationException(string message, string field)
    : RejectedException(message, $"Het team is niet gewijzigd: '{field}' is afgewezen.", field, 422, "field")
{
    public string Field { get; } = field;
}
