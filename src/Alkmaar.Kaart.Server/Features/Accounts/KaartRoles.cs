namespace Alkmaar.Kaart.Server.Features.Accounts;

/// <summary>
/// The staff roles. Anonymous residents have no role; everything they may reach is marked <c>AllowAnonymous</c>
/// explicitly, and anything else is denied (see docs/access-matrix.md).
/// </summary>
public static class KaartRoles
{
    /// <summary>Member of one or more gebiedsteams, scoped by <see cref="KaartClaims.Gebied"/> claims.</summary>
    public const string Gebiedsteam = "gebiedsteam";
    /// <summary>Stadswerk072: sees the meldingen forwarded to it (no personal data).</summary>
    public const string Stadswerk = "stadswerk072";
    /// <summary>Changes boundaries.</summary>
    public const string Planner = "planner";
    /// <summary>Manages users, teams and configuration; sees all meldingen and the audit log.</summary>
    public const string Beheerder = "beheerder";
    /// <summary>
    /// A handling party outside the gemeente's staff (a Gebiedsteam+ partner such as a woningcorporatie, or a department
    /// working by task): sees only the tasks handed to its own party (<see cref="KaartClaims.Partij"/>) across gebieden,
    /// never a melding itself or the staff pages. Never combined with a staff role.
    /// </summary>
    public const string Partner = "partner";
    /// <summary>
    /// A member of a wijk's, dorp's or gebied's regiegroep (residents): judges the applications for bewonersinitiatieven in
    /// that one area (<see cref="KaartClaims.Gebied"/> holds its code) and records the group's advice or decision. Never
    /// combined with another role; sees nothing of meldingen or staff pages.
    /// </summary>
    public const string Regiegroep = "regiegroep";

    /// <summary>The municipality's own roles: what the <see cref="KaartPolicies.Staff"/> pages require.</summary>
    public static readonly IReadOnlyList<string> Staff = [Gebiedsteam, Stadswerk, Planner, Beheerder];
    public static readonly IReadOnlyList<string> All = [.. Staff, Partner, Regiegroep];

    public static string Label(string role) => role switch
    {
        Gebiedsteam => "Gebiedsteam",
        Stadswerk => "Stadswerk072",
        Planner => "Planner",
        Beheerder => "Beheerder",
        Partner => "Partner (taken)",
        Regiegroep => "Regiegroep",
        _ => role,
    };
}

public static class KaartClaims
{
    /// <summary>A gebied code (e.g. GB0361-noord) the user works for; one claim per gebied.</summary>
    public const string Gebied = "kaart:gebied";
    /// <summary>The handling party (its name in the Gebiedsteam+ register) a <see cref="KaartRoles.Partner"/> account acts for.</summary>
    public const string Partij = "kaart:partij";
}

/// <summary>Authorization policy names. Every endpoint and page names one of these, or <c>AllowAnonymous</c>.</summary>
public static class KaartPolicies
{
    /// <summary>Any signed-in staff member with at least one of the municipality's own roles (not a partner).</summary>
    public const string Staff = "staff";
    /// <summary>Reading and handling meldingen: gebiedsteam, Stadswerk072, beheerder (each sees its own share).</summary>
    public const string Meldingen = "meldingen";
    /// <summary>Overriding a melding's routing and changing its status: gebiedsteam (own gebieden) or beheerder.</summary>
    public const string MeldingenBehandelen = "meldingen-behandelen";
    /// <summary>Creating and changing bewonersinitiatieven: gebiedsteam (own gebieden) or beheerder.</summary>
    public const string Initiatieven = "initiatieven";
    /// <summary>Running Wij(k) aan zet and the gebiedsagenda: merging, checking, results, actions (gebiedsteam or beheerder).</summary>
    public const string WijkAanZet = "wijk-aan-zet";
    /// <summary>Changing boundaries.</summary>
    public const string Planner = "planner";
    /// <summary>Users, teams, configuration, audit log, bulk imports.</summary>
    public const string Beheerder = "beheerder";
    /// <summary>A handling party's account: its own tasks across gebieden.</summary>
    public const string Partner = "partner";
    /// <summary>A regiegroep member: the applications in its own area.</summary>
    public const string Regiegroep = "regiegroep";
}
