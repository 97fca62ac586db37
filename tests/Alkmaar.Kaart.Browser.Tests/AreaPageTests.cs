using System.Globalization;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Server.Features.Population;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>A gebiedsteam opens the page of its wijk from the index and reads its team, meldingen, monitor scores,
/// initiatives and hotspots; a dorp's page takes its wijk's monitor scores; the dashboard's area panel links to the page.</summary>
public class AreaPageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly CultureInfo Nl = CultureInfo.GetCultureInfo("nl-NL");

    public async Task InitializeAsync()
    {
        await fx.App.Services.GetRequiredService<PopulationStore>().ImportPc4Async(Path.Combine(TestPaths.SharedData, "cbs-pc4-2021", "pc4_alkmaar_18xx_2021.geojson"));
        await fx.App.Services.GetRequiredService<MonitorStore>().GenerateDemoAsync();
        var kerncijfers = fx.App.Services.GetRequiredService<Server.Features.Kerncijfers.KerncijferStore>();
        if (await kerncijfers.IsEmptyAsync()) await kerncijfers.ImportFileAsync(TestPaths.FullRes("cbs_kerncijfers_2022_buurten.csv"));
        if (await fx.App.Services.GetRequiredService<DemoMeldingen>().CountAsync() == 0)
            await fx.App.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(2025, 25_000);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_wijk_page_shows_team_inwoners_meldingen_monitor_scores_and_hotspots_with_the_area_on_the_map()
    {
        var profiles = fx.App.Services.GetRequiredService<Server.Features.AreaProfiles.AreaProfileService>();
        var expected = (await profiles.GetAsync("WK036101", Geo.Areas.AreaLevel.Wijk, null))!;

        var page = await fx.NewPageAsync(1400, 1100);
        await page.GotoAsync(fx.BaseUrl + "/gebieden");
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.GetByRole(AriaRole.Link, new() { Name = "Wijk Zuid", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=area-title]")).ToHaveTextAsync("Wijk Zuid", new() { Timeout = 30000 });
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        var map = page.Locator("[data-testid=kaart-map]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-focus", "WK036101", new() { Timeout = 30000 });

        await Assertions.Expect(page.Locator("[data-testid=area-team]")).ToContainTextAsync("Gebiedsteam Zuid");
        await Assertions.Expect(page.Locator("[data-testid=area-inwoners]")).ToContainTextAsync(expected.Population!.Rounded.ToString("N0", Nl));
        await Assertions.Expect(page.Locator("[data-testid=area-inwoners-source]")).ToContainTextAsync("PC4");

        // meldingen: the count and its rate per 1,000 inwoners, DEMO-labelled, the month chart and top categories
        var meldingen = page.Locator("[data-testid=area-meldingen]");
        await Assertions.Expect(meldingen).ToContainTextAsync("DEMO");
        await Assertions.Expect(page.Locator("[data-testid=area-meldingen-count]"))
            .ToContainTextAsync($"{expected.Meldingen.Count!.Value.ToString("N0", Nl)} meldingen in 2025: {expected.Meldingen.Per1000!.Value.ToString("N0", Nl)} per 1.000 inwoners");
        // the month chart (Chart.js, drawn when it comes into view): a bar per month of 2025 with a count to release
        var chart = page.GetByTestId("area-month-chart");
        await chart.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-bars", expected.Meldingen.PerMonth.Take(expected.Meldingen.Months).Count(c => c is not null).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(12, expected.Meldingen.Months);
        var categories = page.Locator("[data-testid=area-categories] tbody tr");
        await Assertions.Expect(categories).ToHaveCountAsync(expected.Meldingen.TopCategories.Count);
        await Assertions.Expect(categories.First).ToContainTextAsync(expected.Meldingen.TopCategories[0].Category);

        // monitor scores against the gemeente, DEMO-labelled, with a verdict per indicator
        var monitor = page.Locator("[data-testid=area-monitor]");
        await Assertions.Expect(monitor).ToContainTextAsync("DEMO");
        var rows = page.Locator("[data-testid=area-monitor-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(expected.Monitor.Count);
        var first = expected.Monitor[0];
        await Assertions.Expect(rows.First).ToContainTextAsync(ChoroplethView.Format(first.Value, first.Unit));
        await Assertions.Expect(rows.First.Locator("[data-testid=monitor-verdict]")).ToHaveTextAsync(Alkmaar.Kaart.Server.Components.Pages.Gebied.Verdict(first).Text);

        // hotspots inside the wijk are listed and drawn
        Assert.NotEmpty(expected.Hotspots); // the demo set plants clusters in Zuid
        await Assertions.Expect(page.Locator("[data-testid=area-hotspot]")).ToHaveCountAsync(expected.Hotspots.Count);
        await Assertions.Expect(page.Locator("path[data-level=hotspot]")).Not.ToHaveCountAsync(0, new() { Timeout = 30000 });
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "area-page.png") });

        // the breadcrumb leads to the gebied, whose page lists its wijken
        await page.Locator(".area-breadcrumb").GetByRole(AriaRole.Link, new() { Name = "Gebied Zuid" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=area-title]")).ToHaveTextAsync("Gebied Zuid", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-testid=area-children]")).ToContainTextAsync("Overdie");
        await Assertions.Expect(page.Locator("[data-testid=area-monitor]")).ToContainTextAsync("gewogen naar respondenten");

        // a neighbouring area on the page's map opens its page (by keyboard: Enter on the focused area)
        await Assertions.Expect(map).ToHaveAttributeAsync("data-focus", "GB0361-zuid");
        await page.Locator("path[data-code='GB0361-west']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=area-title]")).ToHaveTextAsync("Gebied West");
    }

    [Fact]
    public async Task The_area_page_is_served_without_a_live_connection_keeps_what_was_typed_and_gives_staff_the_displacement_by_link()
    {
        // a resident: the page is HTML and plain forms; no Blazor script, no circuit
        var page = await fx.NewPageAsync(1280, 1000);
        var blazor = 0;
        page.Request += (_, r) => { if (r.Url.Contains("/_blazor") || r.Url.Contains("blazor.web.js")) Interlocked.Increment(ref blazor); };
        var served = await page.GotoAsync(fx.BaseUrl + "/gebied/GB0361-oost");
        Assert.False(served!.Headers.ContainsKey("server")); // the server does not name itself
        await page.Locator("[data-resident-page][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("kaart-map")).ToHaveAttributeAsync("data-focus", "GB0361-oost");
        Assert.Equal(0, blazor);
        await Assertions.Expect(page.GetByTestId("displacement-form")).ToHaveCountAsync(0); // staff only

        // following by e-mail: a refused address comes back as typed, with the reason; a good one is sent
        await page.GetByTestId("volgen-email").FillAsync("geen adres");
        await page.GetByTestId("volgen-knop").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=area-volgen] .form-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("volgen-email")).ToHaveValueAsync("geen adres");
        await page.GetByTestId("volgen-email").FillAsync("oost-volger@example.org");
        await page.GetByTestId("volgen-knop").ClickAsync();
        await Assertions.Expect(page.GetByTestId("volgen-verstuurd")).ToBeVisibleAsync();

        // staff: the displacement test is a form whose answer has a link of its own (the same figures as the service)
        var start = DateOnly.FromDateTime(DateTime.Today).AddDays(-70);
        var expected = (await fx.App.Services.GetRequiredService<Server.Features.CrossBoundary.CrossBoundaryService>()
            .DisplacementAsync("GB0361-oost", Geo.Areas.AreaLevel.Gebied, start, 4, null))!;
        var team = await fx.SignedInPageAsync("verplaatsing-oost", "GB0361-oost", "/gebied/GB0361-oost");
        await team.Locator("[data-testid=area-displacement] summary").ClickAsync();
        await team.Locator("#verplaatsing-datum").FillAsync(start.ToString("dd-MM-yyyy", CultureInfo.InvariantCulture));
        await team.Locator("#verplaatsing-weken").FillAsync("4");
        await team.GetByTestId("displacement-run").ClickAsync();
        var band = team.Locator("[data-testid=displacement-table] tbody tr").First;
        await Assertions.Expect(band).ToContainTextAsync($"{expected.Band.InsideBefore} / {expected.Band.InsideAfter}");
        Assert.Contains("aanpak=", team.Url);
        await team.Locator("#verplaatsing-datum").FillAsync("31-02-2026");
        await team.GetByTestId("displacement-run").ClickAsync();
        await Assertions.Expect(team.Locator("#verplaatsing-fout")).ToContainTextAsync("Geen geldige datum");
        await Assertions.Expect(team.Locator("#verplaatsing-datum")).ToHaveValueAsync("31-02-2026");
    }

    [Fact]
    public async Task The_gebiedsanalyse_shows_CBS_figures_against_the_gemeente_with_unknown_never_as_zero()
    {
        var profiles = fx.App.Services.GetRequiredService<Server.Features.AreaProfiles.AreaProfileService>();
        var expected = (await profiles.GetAsync("WK036109", Geo.Areas.AreaLevel.Wijk, null))!;
        var page = await fx.NewPageAsync(1280, 2800); // tall: the side panel scrolls, and the screenshot shows the whole table
        await page.GotoAsync(fx.BaseUrl + "/gebied/WK036109");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        var analyse = page.Locator("[data-testid=area-analyse]");
        await Assertions.Expect(page.Locator("[data-testid=area-analyse-source]")).ToContainTextAsync("Bron: CBS, Kerncijfers wijken en buurten 2022");
        // a count: the sum of the buurten, in Dutch notation, next to the gemeente's
        var inwoners = expected.Kerncijfers.Single(k => k.Definition.Column == "a_inw");
        var row = analyse.Locator("tr[data-variable=a_inw]");
        await Assertions.Expect(row.Locator("[data-testid=kerncijfer-value]")).ToContainTextAsync(inwoners.Latest.Value!.Value.ToString("N0", Nl));
        await Assertions.Expect(row).ToContainTextAsync("110.795");
        // an income weighted over the known buurten, saying how many were left out
        await Assertions.Expect(analyse.Locator("tr[data-variable=g_ink_po] [data-testid=kerncijfer-value]")).ToContainTextAsync("onbekend, weggelaten");
        // a share of households cannot be formed for a wijk: no row with a made-up number, but a note that it exists per buurt
        await Assertions.Expect(analyse.Locator("tr[data-variable=p_hh_osm]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=area-kerncijfers-buurt-only]")).ToContainTextAsync("huishoudens onder of rond het sociaal minimum");
        await analyse.ScrollIntoViewIfNeededAsync();
        await analyse.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "gebiedsanalyse-wijk.png") });

        // a buurt: CBS's own figures; a secret one reads "onbekend"
        await page.GotoAsync(fx.BaseUrl + "/gebied/BU03610100?niveau=buurt");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("tr[data-variable=p_hh_osm] [data-testid=kerncijfer-value]")).ToHaveTextAsync("11,8%");
        await page.GotoAsync(fx.BaseUrl + "/gebied/BU03611000?niveau=buurt");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("tr[data-variable=g_ink_po] [data-testid=kerncijfer-value]")).ToHaveTextAsync("onbekend");
    }

    [Fact]
    public async Task The_gebiedsprofiel_prints_on_two_A4_pages_and_its_PDF_holds_the_same_figures()
    {
        var profiles = fx.App.Services.GetRequiredService<Server.Features.AreaProfiles.AreaProfileService>();
        var expected = (await profiles.GetAsync("GB0361-zuid", Geo.Areas.AreaLevel.Gebied, null))!;
        var inwoners = expected.Kerncijfers.Single(k => k.Definition.Column == "a_inw").Latest.Value!.Value.ToString("N0", Nl);
        var page = await fx.NewPageAsync(1000, 1200);
        await page.GotoAsync(fx.BaseUrl + "/gebied/GB0361-zuid");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.Locator("[data-testid=area-profiel-link]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=profiel-title]")).ToHaveTextAsync("Gebiedsprofiel gebied Zuid");
        await Assertions.Expect(page.Locator("[data-testid=profiel-made]")).ToContainTextAsync(Server.Features.DutchTime.Date(DateTimeOffset.UtcNow));
        await Assertions.Expect(page.Locator("[data-testid=profiel-kerncijfers]")).ToContainTextAsync(inwoners);
        await Assertions.Expect(page.Locator("[data-testid=profiel-monitor]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=profiel-sources]")).ToContainTextAsync("Kerncijfers wijken en buurten 2022");

        // the browser's print: A4, at most two pages, the links and menu left out
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "gebiedsprofiel-print.png"), FullPage = true });
        var printed = await page.PdfAsync(new() { Format = "A4", PrintBackground = true });
        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(printed))
        {
            Assert.InRange(pdf.NumberOfPages, 1, 2);
            Assert.DoesNotContain("Wie is mijn gebiedsteam", string.Join(" ", pdf.GetPages().Select(p => p.Text)));
        }
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        // the server's PDF from the link: it opens and holds the same figures
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=profiel-pdf]").ClickAsync());
        var file = Path.Combine(BrowserFixture.ScreenshotFolder, "gebiedsprofiel-zuid.pdf");
        await download.SaveAsAsync(file);
        using var serverPdf = UglyToad.PdfPig.PdfDocument.Open(file);
        var words = string.Join(" ", serverPdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Contains(inwoners, words);
        Assert.Contains("Zuid", words);
        Assert.InRange(serverPdf.NumberOfPages, 1, 2);
    }

    [Fact]
    public async Task A_team_drafts_agrees_and_publishes_its_2027_agenda_which_residents_then_read_on_the_area_page()
    {
        await TestData.RegisterPartnerAsync(fx.App.Services, "GB0361-noord", "Jongerenwerk Noord", "Jongerenwerk");
        var team = await fx.SignedInPageAsync("agenda-noord", "GB0361-noord", "/agenda/GB0361-noord?jaar=2027");
        await team.Locator("[data-testid=agenda-page][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(team.Locator("[data-testid=agenda-title]")).ToHaveTextAsync("Gebiedsagenda 2027 — Noord");
        await team.Locator("[data-testid=agenda-create]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=agenda-status]")).ToHaveAttributeAsync("data-status", "concept");

        // a speerpunt from the team's own analysis, aimed at a monitor indicator, with its baseline and target
        await team.GetByLabel("Speerpunt", new() { Exact = true }).FillAsync("Minder overlast rond het winkelcentrum");
        await team.GetByLabel("Gericht op (optioneel)").SelectOptionAsync(new SelectOptionValue { Label = "Veiligheidsmonitor — Ervaart veel overlast in de buurt" });
        await team.GetByLabel("Nulmeting").FillAsync("13,9");
        await team.GetByLabel("Streefwaarde").FillAsync("11");
        await team.Locator("[data-testid=agenda-speerpunt-add]").ClickAsync();
        var speerpunt = team.Locator("[data-testid=agenda-speerpunt]");
        await Assertions.Expect(speerpunt).ToContainTextAsync("gericht op Veiligheidsmonitor — Ervaart veel overlast in de buurt: van 13,9 naar 11");

        // an action owned by a Gebiedsteam+ partner (from the register), with a date
        await speerpunt.Locator("[data-testid=agenda-actie-title]").FillAsync("Jongerenwerk op straat op vrijdagavond");
        await speerpunt.Locator("[data-testid=agenda-actie-kind]").SelectOptionAsync("partner");
        await speerpunt.Locator("[data-testid=agenda-actie-partner]").SelectOptionAsync("Jongerenwerk Noord");
        await speerpunt.Locator("input[placeholder=dd-mm-jjjj]").FillAsync("30-06-2027");
        await speerpunt.Locator("[data-testid=agenda-actie-add]").ClickAsync();
        await Assertions.Expect(speerpunt.Locator("[data-testid=agenda-actie]")).ToContainTextAsync("Jongerenwerk Noord (partner)");
        await Assertions.Expect(speerpunt.Locator("[data-testid=agenda-actie]")).ToContainTextAsync("30-06-2027");

        // agreed in the Gebiedsteam+ overleg, then published
        await team.Locator("#agenda-vastgesteld-op").FillAsync("12-01-2027");
        await team.Locator("[data-testid=agenda-agreed-by]").FillAsync("Overleg Gebiedsteam+ Noord");
        await team.Locator("[data-testid=agenda-agree]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=agenda-status]")).ToHaveAttributeAsync("data-status", "vastgesteld");
        await team.Locator("[data-testid=agenda-publish]").ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=agenda-status]")).ToHaveAttributeAsync("data-status", "gepubliceerd");
        await team.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "agenda-team.png"), FullPage = true });

        // a resident reads it on the area page, dated, with its progress
        var resident = await fx.NewPageAsync(1280, 1600);
        await resident.GotoAsync(fx.BaseUrl + "/gebied/GB0361-noord");
        await resident.Locator("[data-interactive=true]").WaitForAsync();
        var agenda = resident.Locator("[data-testid=area-agenda]");
        await Assertions.Expect(agenda.Locator("#agenda-title")).ToHaveTextAsync("Gebiedsagenda 2027");
        await Assertions.Expect(agenda.Locator("[data-testid=agenda-published]")).ToContainTextAsync("Vastgesteld op 12-01-2027 door Overleg Gebiedsteam+ Noord");
        await Assertions.Expect(agenda.Locator("[data-testid=published-speerpunt]")).ToContainTextAsync("Minder overlast rond het winkelcentrum");
        await Assertions.Expect(agenda.Locator("[data-testid=agenda-keep-link]")).ToHaveCountAsync(0); // residents do not keep it
        await agenda.ScrollIntoViewIfNeededAsync();
        await agenda.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "agenda-gebiedspagina.png") });
    }

    [Fact]
    public async Task The_grensoverleg_keeps_its_afspraken_for_the_team_and_prints_them_while_the_public_page_shows_none()
    {
        var team = await fx.SignedInPageAsync("grens-west", "GB0361-west", "/grensoverleg/GB0361-west/GM0399");
        var panel = team.Locator("[data-testid=grensband]");
        await team.Locator("[data-testid=grensband][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(team.Locator("[data-testid=afspraken-none]")).ToBeVisibleAsync();
        async Task AddAsync(string wat, string wie, string datum)
        {
            await team.Locator("[data-testid=afspraak-wat]").FillAsync(wat);
            await team.Locator("[data-testid=afspraak-wie]").FillAsync(wie);
            await team.Locator("#afspraak-uiterlijk").FillAsync(datum);
            await team.Locator("[data-testid=afspraak-add]").ClickAsync();
            await Assertions.Expect(team.Locator("[data-testid=afspraak]", new() { HasText = wat })).ToBeVisibleAsync();
        }
        await AddAsync("Samen schouwen langs de grens", "Gebiedsregisseur West", "01-03-2027");
        await AddAsync("Meldingen over de grens doorsturen", "Wijkagent", "01-02-2027");
        await team.Locator("[data-testid=afspraak]", new() { HasText = "Meldingen over de grens" }).GetByRole(AriaRole.Button, new() { Name = "gedaan" }).ClickAsync();
        await Assertions.Expect(team.Locator("[data-testid=afspraak][data-status=gedaan]")).ToContainTextAsync("Meldingen over de grens doorsturen");

        // the next meeting: the open one is still there
        await team.ReloadAsync();
        await team.Locator("[data-testid=grensband][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(team.Locator("[data-testid=afspraak][data-status=open]")).ToContainTextAsync("Samen schouwen langs de grens");
        await team.EmulateMediaAsync(new() { Media = Media.Print });
        await team.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "grensoverleg-afspraken-print.png"), FullPage = true });
        await team.EmulateMediaAsync(new() { Media = Media.Screen });

        // the public page: lines to write on, no stored afspraak
        var resident = await fx.NewPageAsync(1280, 900);
        await resident.GotoAsync(fx.BaseUrl + "/grensoverleg/GB0361-west/GM0399");
        await resident.Locator("[data-testid=grensband][data-interactive=true]").WaitForAsync();
        await Assertions.Expect(resident.Locator("ol.agenda-lines")).ToBeVisibleAsync();
        Assert.DoesNotContain("Samen schouwen", await resident.ContentAsync());
    }

    [Fact]
    public async Task A_dorp_page_uses_its_wijks_monitor_scores_and_the_dashboard_links_to_area_pages()
    {
        var page = await fx.NewPageAsync(1280, 900);
        await page.GotoAsync(fx.BaseUrl + "/gebieden");
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.GetByRole(AriaRole.Link, new() { Name = "Graft", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=area-title]")).ToHaveTextAsync("Dorp Graft", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-testid=area-monitor]")).ToContainTextAsync("wijk Graft-De Rijp");
        await Assertions.Expect(page.Locator("[data-testid=area-team]")).ToContainTextAsync("Gebiedsteam Oost");

        // an unknown code says so, as a 404 (the not-found page, which says what to do)
        var missing = await page.GotoAsync(fx.BaseUrl + "/gebied/WK999999");
        Assert.Equal(404, missing!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Gebied niet gevonden");

        // the live map (/kaart): click gebied Noord, follow the panel's link
        await page.GotoAsync(fx.BaseUrl + "/kaart");
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.Locator("path[data-code='GB0361-noord']").ClickAsync(new() { Force = true });
        await page.Locator("[data-testid=area-page-link]").ClickAsync(new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-testid=area-title]")).ToHaveTextAsync("Gebied Noord", new() { Timeout = 30000 });

        // the home page for a visitor: server-rendered, no live connection; a click on a wijk opens its page
        var blazor = 0;
        page.Request += (_, r) => { if (r.Url.Contains("/_blazor") || r.Url.Contains("blazor.web.js")) Interlocked.Increment(ref blazor); };
        await page.GotoAsync(fx.BaseUrl + "/");
        await page.Locator("[data-resident-page][data-interactive=true]").WaitForAsync();
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.Locator("path[data-code='GB0361-zuid']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=area-title]")).ToHaveTextAsync("Gebied Zuid", new() { Timeout = 30000 });
        Assert.Equal(0, blazor);
        await Assertions.Expect(page.GetByTestId("area-children")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_dorp_page_zooms_the_map_to_the_dorp()
    {
        // the dorp's extent in WGS84 (PostGIS) and its page
        double[] extent;
        string code;
        await using (var cmd = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            "SELECT code, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT code, ST_Transform(geom, 4326) e FROM area_in_force WHERE level = 'dorp' AND name = 'Graft') s"))
        {
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            code = r.GetString(0);
            extent = [r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4)];
        }
        var page = await fx.NewPageAsync(1280, 900);
        await page.GotoAsync(fx.BaseUrl + "/" + Server.Features.Areas.AreaPages.Link(code, Geo.Areas.AreaLevel.Dorp));
        var map = page.Locator("[data-testid=kaart-map]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-focus", code, new() { Timeout = 30000 });

        // zoomed in from the gemeente view, and the whole dorp in view
        var start = int.Parse((await map.GetAttributeAsync("data-start-zoom"))!);
        var zoom = int.Parse((await map.GetAttributeAsync("data-zoom"))!);
        Assert.True(zoom >= start + 2, $"the dorp page shows zoom {zoom}, the gemeente view is {start}: not zoomed to the dorp");
        var view = (await map.GetAttributeAsync("data-view"))!.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(view[0] <= extent[0] && view[1] <= extent[1] && view[2] >= extent[2] && view[3] >= extent[3],
            $"the view {string.Join(",", view)} does not hold the dorp {string.Join(",", extent)}");
        // and not the whole gemeente: the view is at most a few times the dorp's size
        Assert.True((view[2] - view[0]) < 8 * (extent[2] - extent[0]) + 0.02, $"the view {string.Join(",", view)} is far wider than the dorp");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "area-dorp-graft.png") });
    }
}
