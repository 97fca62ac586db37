using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.CrossBoundary;
using Alkmaar.Kaart.Server.Features.WijkAanZet;

namespace Alkmaar.Kaart.Server.Features.AreaProfiles;

/// <summary>
/// What a gebiedsteam takes to its Gebiedsteam+ overleg (issue 30, "Na deze gebiedsanalyse wordt … een gebiedsagenda
/// gemaakt"): the area's profile (figures, meldingen, monitor, hotspots, initiatives), last year's meldingen to compare,
/// the agenda's speerpunten with their progress, the neighbours, and when it was made. Public data and aggregates only.
/// </summary>
public sealed record Gebiedsprofiel(AreaProfile Profile, MeldingenProfile? LastYear, IReadOnlyList<Speerpunt> Speerpunten,
    Neighbourhood? Neighbours, DateTimeOffset Made);

/// <summary>Puts a <see cref="Gebiedsprofiel"/> together from the features it shows.</summary>
public sealed class GebiedsprofielService(AreaProfileService profiles, GebiedsagendaService agenda, CrossBoundaryService neighbours, TimeProvider time)
{
    /// <summary>The profile of a gebied, wijk, dorp or buurt (null when there is no such area in force).</summary>
    public async Task<Gebiedsprofiel?> GetAsync(string code, AreaLevel? level, int? year, CancellationToken ct = default)
    {
        var p = await profiles.GetAsync(code, level, year, ct);
        if (p is null) return null;
        var area = p.Details.Area;
        MeldingenProfile? lastYear = p.Meldingen.Year is { } y && p.Meldingen.Years.Contains(y - 1) ? await profiles.MeldingenOfYearAsync(p, y - 1, ct) : null;
        var speerpunten = await agenda.AgendaAsync(area.Code, ct);
        var buren = area.Level is AreaLevel.Gebied or AreaLevel.Wijk or AreaLevel.Buurt or AreaLevel.Dorp ? await neighbours.NeighboursAsync(area.Code, area.Level, ct) : null;
        return new Gebiedsprofiel(p, lastYear, speerpunten, buren, time.GetUtcNow());
    }
}
