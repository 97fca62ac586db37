using System.Security.Claims;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.WijkAanZet;

namespace Alkmaar.Kaart.Server.Features.Overleg;

/// <summary>What a partner organisation sees of the cycle: its actions and afspraken, the meetings it attended, and the
/// agreed or published agendas (this year and next) of the gebieden it works in. Names of areas and circles for showing them.</summary>
public sealed record SamenwerkingView(string Partij, DateOnly Today, IReadOnlyList<CycleActie> Acties, IReadOnlyList<Afspraak> Afspraken,
    IReadOnlyList<OverlegRow> Overleggen, IReadOnlyList<Jaaragenda> Agendas, IReadOnlyDictionary<string, string> Names)
{
    public string AreaName(string code) => Names.GetValueOrDefault(code, code);

    public string KringName(string kring)
    {
        var gebied = kring[(kring.IndexOf(':') + 1)..].Split('|')[0];
        return Kringen.Label(kring, AreaName(gebied), Kringen.Other(kring) is { } o ? AreaName(o) : null);
    }
}

/// <summary>
/// The partner's side of the yearly cycle (issue 31, part 3), read for the signed-in partner account only: by its
/// organisation (claim <c>kaart:partij</c>, checked against the account as stored now), never another organisation's, and
/// nothing of a melding (an overleg's agenda holds counts only).
/// </summary>
public sealed class SamenwerkingService(JaaragendaService agendas, AfspraakStore afspraken, OverlegStore overleggen, AreaRepository areas,
    IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task<SamenwerkingView?> ForAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (await scopes.ActorNowAsync(user) is not { } now || !now.IsInRole(KaartRoles.Partner) || now.Partij() is not { } partij) return null;
        var today = DutchTime.Day(time.GetUtcNow());
        var acties = await agendas.ActiesOfPartijAsync(partij, ct);
        var afspr = await afspraken.OfPartijAsync(partij, ct);
        var meetings = await overleggen.OfPartijAsync(partij, ct);
        // the gebieden it works in: those of its account, and those where it carries something
        var gebieden = now.Gebieden().Concat(afspr.Select(a => a.GebiedCode)).Concat(meetings.Select(m => m.GebiedCode)).ToHashSet();
        var names = new Dictionary<string, string>();
        foreach (var level in new[] { AreaLevel.Gebied, AreaLevel.Dorp })
            await foreach (var a in areas.ListAsync(level, withGeometry: false, ct: ct)) names.TryAdd(a.Code, a.Name);
        var areaCodes = new HashSet<string>(acties.Select(a => a.AreaCode));
        foreach (var g in gebieden) areaCodes.UnionWith(await agendas.AgendaAreasOfGebiedAsync(g, ct));
        var shown = new List<Jaaragenda>();
        foreach (var code in areaCodes.Order())
        foreach (var year in new[] { today.Year, today.Year + 1 }) // this year's, and next year's once agreed
            if (await agendas.GetAsync(code, year, ct) is { Status: not Jaaragenda.Concept } a) shown.Add(a);
        return new SamenwerkingView(partij, today, acties, afspr, meetings.Take(20).ToList(), shown, names);
    }
}
