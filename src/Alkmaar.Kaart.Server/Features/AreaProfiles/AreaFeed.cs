using System.ServiceModel.Syndication;
using System.Xml;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server.Features.WijkAanZet;

namespace Alkmaar.Kaart.Server.Features.AreaProfiles;

/// <summary>
/// An Atom feed per area (issue 33, part 6: <c>/gebied/{code}/atom</c>): what changes for its residents — the published
/// gebiedsagenda's speerpunten and their dated progress, the bewonersinitiatieven in the area (public ones, by their last
/// change) and the Wij(k) aan zet campaigns of the area and its wijken. Public data only (the same as the area page);
/// written by the framework's Atom formatter.
/// </summary>
public static class AreaFeed
{
    public const int MaxEntries = 100;

    public static void MapAreaFeed(this IEndpointRouteBuilder app) =>
        app.MapGet("/gebied/{code}/atom", FeedAsync).AllowAnonymous().WithTags("Areas")
            .WithSummary("Atom feed of an area: published speerpunten and their progress, initiatives in the area, Wij(k) aan zet campaigns; newest first.");

    private static async Task<IResult> FeedAsync(HttpContext http, AreaProfileService profiles, JaaragendaService agendas, WijkAanZetService campagnes,
        string code, string? niveau, CancellationToken ct)
    {
        var level = AreaLevels.Parse(niveau);
        if (niveau is not null && level is null) return Problems.BadRequest("Onbekend niveau", "Kies gebied, wijk, buurt of dorp.", "niveau");
        if (await profiles.GetAsync(code, level, null, ct) is not { } p)
            return Problems.NotFound("Gebied niet gevonden", $"Geen gebied dat nu geldt heeft de code '{code}'.");
        var area = p.Details.Area;
        var site = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        var page = new Uri($"{site}/{Areas.AreaPages.Link(area.Code, area.Level)}");
        var items = new List<SyndicationItem>();

        // the agenda the area's residents were promised: the gebied's (or the dorp's own)
        var agendaArea = area.Level is AreaLevel.Gebied or AreaLevel.Dorp ? area.Code : p.Details.Chain.FirstOrDefault(c => c.Level == AreaLevel.Gebied)?.Code;
        if (agendaArea is not null && await agendas.LatestPublishedAsync(agendaArea, ct) is { } agenda)
            foreach (var s in agenda.Speerpunten)
            {
                items.Add(Item($"speerpunt-{s.Id}", $"Speerpunt {agenda.Year}: {s.Title}",
                    $"Op de gebiedsagenda {agenda.Year} (vastgesteld {DutchTime.Date(agenda.VastgesteldOp!.Value)} door {agenda.VastgesteldDoor}); {s.Progress * 100:0}% van de acties klaar.",
                    agenda.GepubliceerdOp!.Value, page));
                foreach (var a in s.Acties)
                foreach (var u in a.Updates)
                    items.Add(Item($"voortgang-{a.Id}-{u.At.ToUnixTimeSeconds()}", $"Voortgang: {a.Title}", $"{u.Text} (speerpunt: {s.Title})", u.At, page));
            }
        foreach (var i in p.Initiatieven)
            items.Add(Item($"initiatief-{i.Id}", $"Bewonersinitiatief: {i.Title} ({Initiatieven.InitiatiefStatus.LabelOf(i.Status).ToLowerInvariant()})",
                string.IsNullOrWhiteSpace(i.Description) ? $"{i.Theme}, {i.Year}." : i.Description, i.UpdatedAt, new Uri($"{site}/initiatieven")));
        var codes = p.Children.Select(c => c.Code).Append(area.Code).ToHashSet();
        foreach (var c in (await campagnes.CampagnesAsync(ct)).Where(c => codes.Contains(c.AreaCode)))
            items.Add(Item($"campagne-{c.Id}", $"Wij(k) aan zet: {c.Title}",
                $"Indienen van {DutchTime.Date(c.IndienenFrom)} tot en met {DutchTime.Date(c.IndienenTo)}, stemmen van {DutchTime.Date(c.StemmenFrom)} tot en met {DutchTime.Date(c.StemmenTo)}, uitslag {DutchTime.Date(c.UitslagOn)}.",
                DutchTime.StartOf(c.IndienenFrom), new Uri($"{site}/wijkaanzet/{c.Id}")));

        var entries = items.OrderByDescending(i => i.LastUpdatedTime).Take(MaxEntries).ToList();
        var feed = new SyndicationFeed($"Alkmaar Kaart — {area.Name}", $"Wat er verandert in {area.Name}: gebiedsagenda, bewonersinitiatieven en Wij(k) aan zet.",
            page, $"{site}/gebied/{area.Code}/atom", entries.Count > 0 ? entries.Max(e => e.LastUpdatedTime) : DateTimeOffset.UnixEpoch, entries)
        { Language = "nl" };
        await using var buffer = new MemoryStream();
        await using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Async = true, Encoding = new System.Text.UTF8Encoding(false) }))
        {
            feed.SaveAsAtom10(xml);
            await xml.FlushAsync();
        }
        return TypedResults.File(buffer.ToArray(), "application/atom+xml; charset=utf-8");

        static SyndicationItem Item(string id, string title, string text, DateTimeOffset updated, Uri link) =>
            new(title, text, link, $"tag:alkmaar-kaart,{updated:yyyy}:{id}", updated);
    }
}
