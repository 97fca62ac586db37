namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// The statuses of a melding as a type (issue 28): its stored code, how staff and the resident read it, and whether it is
/// still open. The one list the pages, the API's validation, the exports and the messages to residents take them from.
/// </summary>
public sealed record MeldingStatus(string Code, string StaffLabel, string ResidentLabel, bool Open)
{
    public static readonly MeldingStatus Nieuw = new("nieuw", "Nieuw", "Ontvangen", true);
    public static readonly MeldingStatus InBehandeling = new("in_behandeling", "In behandeling", "In behandeling", true);
    /// <summary>The team asked the melder a question and waits for the answer (the clock stands still, where that is the rule).</summary>
    public static readonly MeldingStatus ReactieGevraagd = new("reactie_gevraagd", "Reactie gevraagd", "Wacht op uw reactie", true);
    public static readonly MeldingStatus Afgehandeld = new("afgehandeld", "Afgehandeld", "Afgehandeld", false);

    public static readonly IReadOnlyList<MeldingStatus> All = [Nieuw, InBehandeling, ReactieGevraagd, Afgehandeld];

    /// <summary>The codes in Dutch prose for an error message: "nieuw, in_behandeling, reactie_gevraagd of afgehandeld".</summary>
    public static string CodesInWords => string.Join(", ", All.SkipLast(1).Select(s => s.Code)) + " of " + All[^1].Code;

    /// <summary>The status with this stored code, or null.</summary>
    public static MeldingStatus? Parse(string? code) => All.FirstOrDefault(s => s.Code == code);

    /// <summary>How staff read a stored code (the code itself when unknown).</summary>
    public static string Staff(string code) => Parse(code)?.StaffLabel ?? code;

    /// <summary>How the resident reads a stored code (the code itself when unknown).</summary>
    public static string Resident(string code) => Parse(code)?.ResidentLabel ?? code;

    public override string ToString() => Code;

    public static implicit operator string(MeldingStatus s) => s.Code;
}
