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

    /// <summary>One piece of news of an area; <see cref="Path"/> is a site-relative link.</summary>
    public sealed record NewsItem(string Id, string Title, string Text, DateTimeOffset Updated, string Path);

    /// <summary>What changes for an area's residents (the feed's and the e-mail digest's content), newest first; null for an unknown area.</summary>
    public static async Task<(Areas.AreaRecord Area, List<NewsItem> Items)?> NewsAsync(AreaProfileService profiles, JaaragendaService agendas,
        WijkAanZetService campagnes, string code, AreaLevel? level, CancellationToken ct)
    {
        if (await profiles.GetAsync(code, level, null, ct) is not { } p) return null;
        var area = p.Details.Area;
        var page = Areas.AreaPages.Link(area.Code, area.Level);
        var items = new List<NewsItem>();
        // the agenda the area's residents were promised: the gebied's (or the dorp's own)
        var agendaArea = area.Level is AreaLevel.Gebied or AreaLevel.Dorp ? area.Code : p.Details.Chain.FirstOrDefault(c => c.Level == AreaLevel.Gebied)?.Code;
        if (agendaArea is not null && await agendas.LatestPublishedAsync(agendaArea, ct) is { } agenda)
            foreach (var s in agenda.Speerpunten)
            {
                items.Add(new($"speerpunt-{s.Id}", $"Speerpunt {agenda.Year}: {s.Title}",
                    $"Op de gebiedsagenda {agenda.Year} (vastgesteld {DutchTime.Date(agenda.VastgesteldOp!.Value)} door {agenda.VastgesteldDoor}); {s.Progress * 100:0}% van de acties klaar.",
                    agenda.GepubliceerdOp!.Value, page));
                foreach (var a in s.Acties)
                foreach (var u in a.Updates)
                    items.Add(new($"voortgang-{a.Id}-{u.At.ToUnixTimeSeconds()}", $"Voortgang: {a.Title}", $"{u.Text} (speerpunt: {s.Title})", u.At, page));
            }
        foreach (var i in p.Initiatieven)
            items.Add(new($"initiatief-{i.Id}", $"Bewonersinitiatief: {i.Title} ({Initiatieven.InitiatiefStatus.LabelOf(i.Status).ToLowerInvariant()})",
                string.IsNullOrWhiteSpace(i.Description) ? $"{i.Theme}, {i.Year}." : i.Description, i.UpdatedAt, "initiatieven"));
        var codes = p.Children.Select(c => c.Code).Append(area.Code).ToHashSet();
        foreach (var c in (await campagnes.CampagnesAsync(ct)).Where(c => codes.Contains(c.AreaCode)))
            items.Add(new($"campagne-{c.Id}", $"Wij(k) aan zet: {c.Title}",
                $"Indienen van {DutchTime.Date(c.IndienenFrom)} tot en met {DutchTime.Date(c.IndienenTo)}, stemmen van {DutchTime.Date(c.StemmenFrom)} tot en met {DutchTime.Date(c.StemmenTo)}, uitslag {DutchTime.Date(c.UitslagOn)}.",
                DutchTime.StartOf(c.IndienenFrom), $"wijkaanzet/{c.Id}"));
        return (area, items.OrderByDescending(i => i.Updated).Take(MaxEntries).ToList());
    }

    private static async Task<IResult> FeedAsync(HttpContext http, AreaProfileService profiles, JaaragendaService agendas, WijkAanZetService campagnes,
        string code, string? niveau, CancellationToken ct)
    {
        var level = AreaLevels.Parse(niveau);
        if (niveau is not null && level is null) return Problems.BadRequest("Onbekend niveau", "Kies gebied, wijk, buurt of dorp.", "niveau");
        if (await NewsAsync(profiles, agendas, campagnes, code, level, ct) is not var (area, news))
            return Problems.NotFound("Gebied niet gevonden", $"Geen gebied dat nu geldt heeft de code '{code}'.");
        var site = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        var page = new Uri($"{site}/{Areas.AreaPages.Link(area.Code, area.Level)}");
        var entries = news.Select(n => new SyndicationItem(n.Title, n.Text, new Uri($"{site}/{n.Path}"), $"tag:alkmaar-kaart,{n.Updated:yyyy}:{n.Id}", n.Updated)).ToList();
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
    }
}
