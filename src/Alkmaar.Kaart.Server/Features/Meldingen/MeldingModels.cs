using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// A new melding as residents and partners send it: a category, a description, one location (RD x/y, WGS84 lat/lon, or a
/// Dutch address) and optional contact details of the melder.
/// </summary>
public sealed record NewMelding
{
    public string? Category { get; init; }
    public string? Description { get; init; }
    public double? X { get; init; }
    public double? Y { get; init; }
    public double? Lat { get; init; }
    public double? Lon { get; init; }
    public string? Postcode { get; init; }
    public int? Huisnummer { get; init; }
    public string? Toevoeging { get; init; }
    public string? Naam { get; init; }
    public string? Email { get; init; }
    public string? Telefoon { get; init; }
}

/// <summary>Where a melding was routed: areas, team, reason and boundary version.</summary>
public sealed record MeldingRouting(string Kind, string? Buurt, string? Wijk, string? Dorp, string Gebied, string? Gebiedsteam,
    string Reason, double? DistanceM, int BoundaryVersion);

/// <summary>The personal part of a melding; only for the routed team and beheerders.</summary>
public sealed record MeldingPersonal(string? Description, string? Address, string? Naam, string? Email, string? Telefoon, DateTimeOffset? RemovedAt);

/// <summary>
/// What the partner a melding was forwarded to (Stadswerk072) needs to act on it: the description, the place the resident
/// gave for the problem (address text; the exact point is in the view) and whether there is a photo — never the melder's
/// name, e-mail or phone. Null once the personal data were removed at retention.
/// </summary>
public sealed record MeldingWorkOrder(string? Description, string? Address);

/// <summary>A melding as staff see it. <see cref="Personal"/> is null unless the caller may see personal data.</summary>
public sealed record MeldingView(long Id, DateTimeOffset CreatedAt, string Category, string Status, DateTimeOffset? ClosedAt,
    double X, double Y, string LocationSource, MeldingRouting Routing, string? ForwardedTo, string Source, MeldingPersonal? Personal, int Version = 1)
{
    public string Reference => StatusLinks.Reference(Id);

    /// <summary>For the partner it was forwarded to (no personal data of the melder); null for others.</summary>
    public MeldingWorkOrder? WorkOrder { get; init; }

    /// <summary>The handling time promised when it arrived (null for a melding without one).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public Alkmaar.Kaart.Geo.Deadlines.HandlingDeadline? Deadline { get; init; }

    /// <summary>The last day of its handling time.</summary>
    public DateOnly? Due => Deadline?.Due;

    /// <summary>The team member it is assigned to (account name); only for its team and beheerders.</summary>
    public string? AssignedTo { get; init; }

    /// <summary>The clock stands still: the team waits for the melder's answer.</summary>
    public bool Paused => Deadline?.Paused == true;

    /// <summary>How often the melder had it reopened after closing.</summary>
    public int ReopenedCount { get; init; }

    /// <summary>The melder's answer to "Bent u tevreden?" after closing (null: not answered).</summary>
    public bool? Satisfied { get; init; }

    /// <summary>The melder's reason with that answer; only for its team and beheerders (the melder's own words).</summary>
    public string? SatisfactionReason { get; init; }
}

/// <summary>The outcome of a routing override; <see cref="StillVisible"/> says whether the caller can still open the melding.</summary>
public sealed record MeldingOverridden(long Id, string Gebied, string? Gebiedsteam, string FromGebied, string Reason, bool StillVisible);

public sealed record RoutingHistoryEntry(DateTimeOffset At, string Actor, string Kind, string? FromGebied, string? ToGebied, string Detail);

/// <summary>What a submitter gets back: the routing, never personal data; the reference and the token of the private
/// status link (<c>/melding/status/{token}</c>), which is given only this once.</summary>
public sealed record MeldingCreated(long Id, string Category, string Status, MeldingRouting Routing, string? ForwardedTo,
    string Reference, string StatusToken)
{
    public string StatusUrl => StatusLinks.PathOf(StatusToken);

    /// <summary>The last day of the handling time promised for its category, and that time in working days.</summary>
    public DateOnly? Due { get; init; }

    public int? HandlingDays { get; init; }
}

/// <summary>A refused melding: a Dutch title and detail, and the field at fault.</summary>
public sealed class MeldingRejectedException(string title, string detail, string? field = null, int status = 400)
    : RejectedException(title, detail, field, status, "field")
{
    public string? Field => Parameter;
}

public enum MeldingAccess { None, Basic, Personal }

/// <summary>Which meldingen a person may list: all (a beheerder), those routed to these gebieden (their gebiedsteams), and
/// those forwarded to a partner (Stadswerk072, without personal data).</summary>
public sealed record MeldingScope(bool All, string[] Gebieden, bool Forwarded);

/// <summary>Who may see which melding, and how much of it: the one place of the Meldingen feature's access rules (the
/// single melding, and the scope every list query is built from).</summary>
public static class MeldingAccessRules
{
    /// <summary>The meldingen <paramref name="user"/> may list (see <see cref="AccessTo"/> for one melding).</summary>
    public static MeldingScope ScopeOf(ClaimsPrincipal user) =>
        new(user.IsBeheerder(), user.IsInRole(KaartRoles.Gebiedsteam) ? user.Gebieden().ToArray() : [], user.IsInRole(KaartRoles.Stadswerk));

    /// <summary>
    /// Beheerders and the gebiedsteam the melding is routed to see everything; the partner it was forwarded to
    /// (Stadswerk072) sees the melding without personal data; everyone else sees nothing.
    /// </summary>
    public static MeldingAccess AccessTo(ClaimsPrincipal user, string gebied, string? forwardedTo, string forwardRole)
    {
        if (user.IsBeheerder()) return MeldingAccess.Personal;
        if (user.IsInRole(KaartRoles.Gebiedsteam) && user.Gebieden().Contains(gebied)) return MeldingAccess.Personal;
        if (forwardedTo is not null && user.IsInRole(forwardRole)) return MeldingAccess.Basic;
        return MeldingAccess.None;
    }
}
