namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

/// <summary>
/// The statuses of a verbeterpunt as a type (issue 28): the stored code, its label, and whether it is still open (it may be
/// voted for, merged and checked). Samengevoegd points live on in the point they were merged into; niet_uitvoerbaar and
/// doorgestuurd (made a melding) leave the ballot.
/// </summary>
public sealed record VerbeterpuntStatus(string Code, string Label, bool Open)
{
    public static readonly VerbeterpuntStatus Ingediend = new("ingediend", "ingediend", true);
    public static readonly VerbeterpuntStatus Uitvoerbaar = new("uitvoerbaar", "uitvoerbaar", true);
    public static readonly VerbeterpuntStatus NietUitvoerbaar = new("niet_uitvoerbaar", "niet uitvoerbaar", false);
    public static readonly VerbeterpuntStatus Gekozen = new("gekozen", "gekozen", false);
    public static readonly VerbeterpuntStatus Samengevoegd = new("samengevoegd", "samengevoegd", false);
    public static readonly VerbeterpuntStatus Doorgestuurd = new("doorgestuurd", "doorgestuurd als melding", false);

    public static readonly IReadOnlyList<VerbeterpuntStatus> All = [Ingediend, Uitvoerbaar, NietUitvoerbaar, Gekozen, Samengevoegd, Doorgestuurd];

    public static VerbeterpuntStatus? Parse(string? code) => All.FirstOrDefault(s => s.Code == code);

    /// <summary>Whether a point with this stored status is still open (on the ballot, to merge or to check).</summary>
    public static bool IsOpen(string code) => Parse(code)?.Open == true;

    public override string ToString() => Code;

    public static implicit operator string(VerbeterpuntStatus s) => s.Code;
}
