using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.WijkAanZet;

/// <summary>The phases of a campaign, in order (raadsinformatiebrief "Wij(k) aan zet!", 5 March 2024).</summary>
public enum Phase { Gepland, Indienen, Samenvoegen, Stemmen, Toetsen, Uitslag }

/// <summary>A Wij(k) aan zet campaign for one wijk or dorp, its phases by date.</summary>
public sealed record Campagne(int Id, string AreaCode, string AreaLevel, string AreaName, string Title, DateOnly IndienenFrom, DateOnly IndienenTo,
    DateOnly StemmenFrom, DateOnly StemmenTo, DateOnly UitslagOn, int VotesPerVoter)
{
    /// <summary>The phase on a day: submitting, then merging until voting starts, voting, checking, and the result.</summary>
    public Phase PhaseOn(DateOnly day) =>
        day < IndienenFrom ? Phase.Gepland
        : day <= IndienenTo ? Phase.Indienen
        : day < StemmenFrom ? Phase.Samenvoegen
        : day <= StemmenTo ? Phase.Stemmen
        : day < UitslagOn ? Phase.Toetsen
        : Phase.Uitslag;

    public static string PhaseNl(Phase p) => p switch
    {
        Phase.Gepland => "nog niet begonnen", Phase.Indienen => "indienen", Phase.Samenvoegen => "samenvoegen",
        Phase.Stemmen => "stemmen", Phase.Toetsen => "toetsen", _ => "uitslag",
    };
}

/// <summary>A verbeterpunt as anyone may see it (no submitter), with its votes that count.</summary>
public sealed record Verbeterpunt(long Id, int CampagneId, string Title, string Body, string Theme, string Status, long? MergedInto,
    bool? Feasible, bool? Affordable, string? FeasibilityNote, long Votes, DateTimeOffset CreatedAt, Point? Location);

/// <summary>A speerpunt of an area's agenda with its actions; progress is the share of actions done.</summary>
public sealed record Speerpunt(long Id, string AreaCode, string Title, long? VerbeterpuntId, string Owner, IReadOnlyList<Actie> Acties)
{
    public double Progress => Acties.Count == 0 ? 0 : (double)Acties.Count(a => a.Done) / Acties.Count;
    public string Status => Acties.Count == 0 ? "gepland" : Acties.All(a => a.Done) ? "gereed" : Acties.Any(a => a.Done) ? "in uitvoering" : "gepland";
}

public sealed record Actie(long Id, string Title, string? Owner, bool Done, DateOnly? Due);

/// <summary>A refusal of the campaign's rules, in Dutch (the phase, a code, a vote): answered as 422/409.</summary>
public sealed class WijkAanZetException(string message, int status = 422)
    : RejectedException(status switch { 403 => "Geen stemrecht hier", 404 => "Niet gevonden", 409 => "Niet mogelijk", _ => "Niet geaccepteerd" }, message, status: status);
