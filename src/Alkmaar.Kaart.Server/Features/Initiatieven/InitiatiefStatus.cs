namespace Alkmaar.Kaart.Server.Features.Initiatieven;

/// <summary>
/// The statuses of a bewonersinitiatief as a type (issue 28): the stored code, its label, how a message tells the applicant,
/// and which statuses may follow it (afgewezen and uitgevoerd are final).
/// </summary>
public sealed record InitiatiefStatus(string Code, string Label, string ToApplicant)
{
    public static readonly InitiatiefStatus Aangevraagd = new("aangevraagd", "Aangevraagd", "aangevraagd");
    public static readonly InitiatiefStatus Toegekend = new("toegekend", "Toegekend", "toegekend: de gemeente steunt uw initiatief");
    public static readonly InitiatiefStatus Uitgevoerd = new("uitgevoerd", "Uitgevoerd", "uitgevoerd");
    public static readonly InitiatiefStatus Afgewezen = new("afgewezen", "Afgewezen", "afgewezen");

    public static readonly IReadOnlyList<InitiatiefStatus> All = [Aangevraagd, Toegekend, Uitgevoerd, Afgewezen];

    /// <summary>The statuses that may follow this one.</summary>
    public IReadOnlyList<InitiatiefStatus> Next => Code switch
    {
        "aangevraagd" => [Toegekend, Afgewezen],
        "toegekend" => [Uitgevoerd, Afgewezen],
        _ => [],
    };

    public static InitiatiefStatus? Parse(string? code) => All.FirstOrDefault(s => s.Code == code);

    /// <summary>The label of a stored code (the code itself when unknown).</summary>
    public static string LabelOf(string code) => Parse(code)?.Label ?? code;

    public override string ToString() => Code;

    public static implicit operator string(InitiatiefStatus s) => s.Code;
}
