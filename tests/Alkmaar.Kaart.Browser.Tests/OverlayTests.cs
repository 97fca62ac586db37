using System.Globalization;
using Alkmaar.Kaart.Geo.Choropleth;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Monitor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>The overlays of the dashboard as a gebiedsteam uses them: monitor scores with year slider and wijk trend.</summary>
public class OverlayTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fx.App.Services.GetRequiredService<MonitorStore>().GenerateDemoAsync();
        var kerncijfers = fx.App.Services.GetRequiredService<Alkmaar.Kaart.Server.Features.Kerncijfers.KerncijferStore>();
        if (await kerncijfers.IsEmptyAsync()) await kerncijfers.ImportFileAsync(Alkmaar.Kaart.Testing.TestPaths.FullRes("cbs_kerncijfers_2022_buurten.csv"));
        if (await fx.App.Services.GetRequiredService<DemoMeldingen>().CountAsync() == 0)
            await fx.App.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(2025, 25_000);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<IPage> OpenDashboardAsync()
    {
        var page = await fx.NewPageAsync(1280, 900);
        await page.GotoAsync(fx.BaseUrl + "/kaart"); // the live map (/ is server-rendered for visitors)
        await page.Locator("[data-testid=kaart-map][data-loaded=true]").WaitForAsync(new() { Timeout = 30000 });
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30000 });
        return page;
    }

    private static ILocator Layer(IPage page, string title) =>
        page.Locator(".leaflet-control-layers-overlays").GetByLabel(title, new() { Exact = true });

    [Fact]
    public async Task The_monitor_layer_colours_the_wijken_moves_through_the_years_and_opens_a_wijk_trend()
    {
        var store = fx.App.Services.GetRequiredService<MonitorStore>();
        var page = await OpenDashboardAsync();
        var control = page.Locator("[data-testid=monitor-control]");
        await Assertions.Expect(control).ToBeHiddenAsync();
        await Layer(page, "Gebieden").UncheckAsync();
        await Layer(page, "Monitorscores per wijk").CheckAsync();
        await Assertions.Expect(control).ToBeVisibleAsync();
        await Assertions.Expect(control.Locator("[data-testid=monitor-demo]")).ToContainTextAsync("DEMO");
        var wijken = page.Locator("path.leaflet-interactive[data-level=monitor]");
        await Assertions.Expect(wijken).ToHaveCountAsync(11);

        // the first indicator, latest year: every wijk has the fill of its class, and the legend states the classes
        var first = (await store.IndicatorsAsync())[0];
        await Assertions.Expect(control.Locator("[data-testid=monitor-year]")).ToHaveTextAsync(first.Years[^1].ToString());
        async Task AssertColoursAsync(int year)
        {
            var values = (await store.ValuesAsync(first.Monitor, first.Indicator, year)).Where(v => v.AreaCode.StartsWith("WK")).ToList();
            var classes = ClassBreaks.Quantiles(values.Select(v => v.Value), 5, first.HigherIsBetter);
            await Assertions.Expect(control.Locator("[data-testid=monitor-legend] li")).ToHaveCountAsync(classes.Count);
            foreach (var v in values)
            {
                var path = page.Locator($"path[data-level=monitor][data-code={v.AreaCode}]");
                await Assertions.Expect(path).ToHaveAttributeAsync("fill", ClassBreaks.ClassOf(classes, v.Value)!.Color, new() { Timeout = 30000 });
            }
            await Assertions.Expect(control.Locator("[data-testid=monitor-legend]")).ToContainTextAsync(classes[^1].Upper.ToString("0.0", CultureInfo.GetCultureInfo("nl-NL")));
        }
        await AssertColoursAsync(first.Years[^1]);

        // hovering a wijk shows its value
        var someWijk = (await store.ValuesAsync(first.Monitor, first.Indicator, first.Years[^1])).First(v => v.AreaCode.StartsWith("WK"));
        await page.Locator($"path[data-level=monitor][data-code={someWijk.AreaCode}]").HoverAsync(new() { Force = true });
        await Assertions.Expect(page.Locator(".leaflet-tooltip")).ToContainTextAsync(someWijk.Value.ToString("0.0", CultureInfo.GetCultureInfo("nl-NL")));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overlay-monitor.png") });

        // the year slider, by keyboard: two years back
        var slider = control.Locator("#monitor-year");
        await slider.FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("ArrowLeft");
        var year = first.Years[^1] - 2;
        await Assertions.Expect(control.Locator("[data-testid=monitor-year]")).ToHaveTextAsync(year.ToString(), new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-testid=kaart-map]")).ToHaveAttributeAsync("data-url-monitor", new System.Text.RegularExpressions.Regex($"year={year}$"), new() { Timeout = 30000 });
        await AssertColoursAsync(year);

        // another indicator, where lower is better
        var onveilig = (await store.IndicatorsAsync()).First(i => !i.HigherIsBetter);
        await control.Locator("#monitor-indicator").SelectOptionAsync($"{onveilig.Monitor}|{onveilig.Indicator}");
        await Assertions.Expect(control).ToContainTextAsync("bij deze indicator is lager beter", new() { Timeout = 30000 });

        // a click on a wijk opens its trend against the gemeente in a chart
        await page.Locator($"path[data-level=monitor][data-code={someWijk.AreaCode}]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var trend = page.Locator("[data-testid=monitor-trend]");
        await Assertions.Expect(trend.Locator("[data-testid=monitor-trend-title]")).ToBeVisibleAsync(new() { Timeout = 30000 });
        await Assertions.Expect(trend.Locator(".rz-chart svg path.rz-line")).ToHaveCountAsync(2);
        var series = await store.ValuesAsync(onveilig.Monitor, onveilig.Indicator, null, someWijk.AreaCode);
        await Assertions.Expect(trend.Locator("[data-testid=monitor-trend-table] tbody tr")).ToHaveCountAsync(series.Count);
        await Assertions.Expect(trend.Locator("[data-testid=monitor-trend-table]")).ToContainTextAsync(series[0].Value.ToString("0.0", CultureInfo.GetCultureInfo("nl-NL")));
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overlay-monitor-trend.png") });
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));
    }

    /// <summary>PostGIS's count of the meldingen in the published cells of a public cells request: whole cells (of its
    /// cell size) whose centre lies in its bbox, of its category, of at least 5 meldingen.</summary>
    private async Task<int> PublishedCountAsync(string request, string? category)
    {
        var q = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri(fx.BaseUrl), request).Query);
        var b = q["bbox"].ToString().Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var requested = double.Parse(q["cell"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var cell = requested > 50 ? Math.Round(requested / 50) * 50 : 50;
        await using var cmd = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            """
            SELECT coalesce(sum(n), 0)::int FROM (SELECT count(*) n FROM melding WHERE $6::text IS NULL OR category = $6
              GROUP BY floor(ST_X(geom) / $1), floor(ST_Y(geom) / $1)
              HAVING count(*) >= 5 AND (floor(ST_X(geom) / $1) + 0.5) * $1 BETWEEN $2 AND $4 AND (floor(ST_Y(geom) / $1) + 0.5) * $1 BETWEEN $3 AND $5) s
            """);
        cmd.Parameters.AddWithValue(cell);
        foreach (var v in b) cmd.Parameters.AddWithValue(v);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (object?)category ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return (int)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until the layer's drawn count (data-loaded-{id}, set when a request is drawn) equals PostGIS's count for the
    /// request it drew (data-request-{id}); when the view moved on meanwhile, checks the newer request.
    /// </summary>
    private async Task ExpectPublishedAsync(ILocator map, string id, string? category)
    {
        await Assertions.Expect(map).ToHaveAttributeAsync($"data-request-{id}", new System.Text.RegularExpressions.Regex("cell="), new() { Timeout = 30000 });
        for (var attempt = 0; ; attempt++)
        {
            var request = (await map.GetAttributeAsync($"data-request-{id}"))!;
            var expected = await PublishedCountAsync(request, category);
            try
            {
                await Assertions.Expect(map).ToHaveAttributeAsync($"data-loaded-{id}", expected.ToString());
                return;
            }
            catch (PlaywrightException)
            {
                // a newer view was drawn meanwhile: check that one; otherwise the count is wrong
                if (attempt >= 5 || await map.GetAttributeAsync($"data-request-{id}") == request) throw;
            }
        }
    }

    [Fact]
    public async Task The_meldingen_layers_count_every_melding_in_view_follow_the_filters_and_a_hotspot_opens()
    {
        var page = await OpenDashboardAsync();
        var map = page.Locator("[data-testid=kaart-map]");

        await Layer(page, "Meldingen (clusters)").CheckAsync();
        await Assertions.Expect(page.Locator("[data-testid=meldingen-control]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=meldingen-demo]")).ToContainTextAsync("DEMO");
        // the whole gemeente is in view: the clusters together count every melding PostGIS counts in the cells of the
        // view's request that disclosure control publishes (5 or more), each cell drawn as one numbered marker
        try { await Assertions.Expect(map).ToHaveAttributeAsync("data-request-meldingen", new System.Text.RegularExpressions.Regex("cell="), new() { Timeout = 30000 }); }
        catch (PlaywrightException e) { throw new Exception(string.Join("\n", fx.ConsoleErrors.GetOrCreateValue(page)), e); }
        var all = await PublishedCountAsync((await map.GetAttributeAsync("data-request-meldingen"))!, null);
        Assert.True(all > 20_000, $"only {all} of the 25,000 demo meldingen are in published cells at gemeente scale");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-meldingen", all.ToString(), new() { Timeout = 30000 });
        var cells = int.Parse((await map.GetAttributeAsync("data-cells-meldingen"))!);
        Assert.InRange(cells, 2, 5000);
        await Assertions.Expect(page.Locator(".kaart-cell")).ToHaveCountAsync(cells);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overlay-meldingen.png") });

        // one category
        await page.Locator("#ml-category").SelectOptionAsync("verlichting");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-request-meldingen", new System.Text.RegularExpressions.Regex("category=verlichting"), new() { Timeout = 30000 });
        var verlichting = await PublishedCountAsync((await map.GetAttributeAsync("data-request-meldingen"))!, "verlichting");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-meldingen", verlichting.ToString(), new() { Timeout = 30000 });
        // zooming in gives finer cells, only those in view
        await page.Locator(".leaflet-control-zoom-in").ClickAsync();
        await page.Locator(".leaflet-control-zoom-in").ClickAsync();
        await Assertions.Expect(map).Not.ToHaveAttributeAsync("data-loaded-meldingen", verlichting.ToString(), new() { Timeout = 30000 });

        // the density view of the same selection
        await Layer(page, "Meldingen (clusters)").UncheckAsync();
        await Layer(page, "Meldingen (dichtheid)").CheckAsync();
        await Assertions.Expect(page.Locator("canvas.leaflet-heatmap-layer")).ToHaveCountAsync(1, new() { Timeout = 30000 });
        await Assertions.Expect(map).ToHaveAttributeAsync("data-url-dichtheid", "/api/meldingen/openbaar?category=verlichting");
        // back out past the start (a click during a zoom animation can be lost): the whole gemeente in view again
        for (var i = 0; i < 3; i++)
        {
            await page.Locator(".leaflet-control-zoom-out").ClickAsync();
            await BrowserFixture.AnimationsDoneAsync(page);
        }
        await ExpectPublishedAsync(map, "dichtheid", "verlichting");
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overlay-dichtheid.png") });

        // and the hotspots over it, one opened in the side panel
        await Layer(page, "Hotspots meldingen").CheckAsync();
        await page.Locator("path[data-level=hotspot][data-code='hotspot-1']").FocusAsync(new() { Timeout = 30000 });
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=hotspot-panel] [data-testid=hotspot-team]")).ToContainTextAsync("Gebiedsteam ", new() { Timeout = 30000 });
        await BrowserFixture.AnimationsDoneAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overlay-hotspot.png") });
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));
    }

    [Fact]
    public async Task The_neighbouring_municipalities_layer_comes_from_the_catalogue_and_names_them()
    {
        int neighbours;
        await using (var cmd = fx.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            "SELECT count(*)::int FROM municipality WHERE code NOT IN (SELECT code FROM area_in_force WHERE level = 'gemeente')"))
            neighbours = (int)(await cmd.ExecuteScalarAsync())!;
        Assert.True(neighbours >= 5, $"only {neighbours} neighbouring municipalities loaded");
        var page = await OpenDashboardAsync();
        var map = page.Locator("[data-testid=kaart-map]");
        await Layer(page, "Buurgemeenten").CheckAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-buurgemeenten", neighbours.ToString(), new() { Timeout = 30000 });
        // labels from a low zoom level on, and a click shows the catalogue's popup (name, CBS code)
        await Assertions.Expect(page.Locator(".kaart-label-buurgemeenten", new() { HasText = "Heiloo" })).ToHaveCountAsync(1, new() { Timeout = 30000 });
        // dispatched on the shape itself: its middle may lie outside the gemeente view
        await page.Locator("path[data-code='GM0399']").DispatchEventAsync("click");
        var popup = page.Locator(".leaflet-popup-content");
        await Assertions.Expect(popup).ToContainTextAsync("Heiloo", new() { Timeout = 30000 });
        await Assertions.Expect(popup).ToContainTextAsync("CBS-code GM0399");
        await Assertions.Expect(popup).ToContainTextAsync("Gemeente Heiloo");
        await Assertions.Expect(popup).ToContainTextAsync("https://www.heiloo.nl");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overlay-buurgemeenten.png") });
    }

    /// <summary>JS: how many pairs of shown labels overlap on the map (the browser's own layout).</summary>
    private const string OverlappingLabels =
        """
        () => {
          const r = [...document.querySelectorAll('.kaart-label')].filter(e => !e.classList.contains('kaart-label-hidden'))
            .map(e => e.getBoundingClientRect()).filter(b => b.width > 0);
          let n = 0;
          for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++)
            if (r[i].left < r[j].right && r[i].right > r[j].left && r[i].top < r[j].bottom && r[i].bottom > r[j].top) n++;
          return n;
        }
        """;

    /// <summary>Waits until the map has placed its labels without overlap (it does so after every load and zoom).</summary>
    private static async Task ExpectNoOverlappingLabelsAsync(IPage page)
    {
        try { await page.WaitForFunctionAsync($"() => ({OverlappingLabels})() === 0", null, new() { Timeout = 30000 }); }
        catch (TimeoutException)
        {
            var pairs = await page.EvaluateAsync<string>(
                """
                () => {
                  const e = [...document.querySelectorAll('.kaart-label')].filter(e => !e.classList.contains('kaart-label-hidden'));
                  const out = [];
                  for (let i = 0; i < e.length; i++) for (let j = i + 1; j < e.length; j++) {
                    const a = e[i].getBoundingClientRect(), b = e[j].getBoundingClientRect();
                    if (a.width > 0 && b.width > 0 && a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top)
                      out.push(`${e[i].className}:${e[i].textContent} / ${e[j].className}:${e[j].textContent}`);
                  }
                  return out.join('; ');
                }
                """);
            Assert.Fail($"labels still overlap: {pairs}");
        }
    }

    [Fact]
    public async Task Labels_of_the_area_layers_never_overlap()
    {
        var page = await OpenDashboardAsync();
        var map = page.Locator("[data-testid=kaart-map]");
        foreach (var (title, id) in new[] { ("Wijken", "wijken"), ("Dorpen", "dorpen"), ("Buurten", "buurten") })
        {
            await Layer(page, title).CheckAsync();
            await Assertions.Expect(map).Not.ToHaveAttributeAsync($"data-loaded-{id}", "0", new() { Timeout = 30000 });
            await Assertions.Expect(map).ToHaveAttributeAsync($"data-loaded-{id}", new System.Text.RegularExpressions.Regex("^[1-9]"), new() { Timeout = 30000 });
        }
        // at the gemeente view (WEST and West, De Mare and Vroonermeer meet here) and two levels closer
        for (var zoomIn = 0; zoomIn <= 2; zoomIn++)
        {
            if (zoomIn > 0)
            {
                var zoom = int.Parse((await map.GetAttributeAsync("data-view-zoom"))!);
                await page.Locator(".leaflet-control-zoom-in").ClickAsync();
                await Assertions.Expect(map).ToHaveAttributeAsync("data-view-zoom", (zoom + 1).ToString(), new() { Timeout = 30000 });
            }
            await ExpectNoOverlappingLabelsAsync(page);
            Assert.True(int.Parse((await map.GetAttributeAsync("data-labels-shown"))!) >= 5, "hardly any labels are shown");
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "labels-no-overlap.png") });
    }

    [Fact]
    public async Task The_kerncijfers_layer_colours_the_buurten_by_the_share_at_the_social_minimum_with_secret_ones_grey()
    {
        var store = fx.App.Services.GetRequiredService<Alkmaar.Kaart.Server.Features.Kerncijfers.KerncijferStore>();
        var expected = await store.ChoroplethAsync(Alkmaar.Kaart.Geo.Kerncijfers.KerncijferCatalog.Find("p_hh_osm")!, 2022, Alkmaar.Kaart.Geo.Areas.AreaLevel.Buurt);
        var page = await OpenDashboardAsync();
        var control = page.Locator("[data-testid=kerncijfer-control]");
        await Layer(page, "Gebieden").UncheckAsync();
        await Layer(page, "CBS-kerncijfers").CheckAsync();
        await Assertions.Expect(control).ToBeVisibleAsync();
        await Assertions.Expect(control.Locator("#kerncijfer-variabele")).ToHaveValueAsync("p_hh_osm");
        await Assertions.Expect(page.Locator("path.leaflet-interactive[data-level=kerncijfers]")).ToHaveCountAsync(66, new() { Timeout = 30000 });
        foreach (var (code, v) in expected.Values)
        {
            var fill = v.Value is { } x ? ClassBreaks.ClassOf(expected.Classes, x)!.Color : Alkmaar.Kaart.Server.Features.Kerncijfers.KerncijferEndpoints.UnknownFill;
            await Assertions.Expect(page.Locator($"path[data-level=kerncijfers][data-code={code}]")).ToHaveAttributeAsync("fill", fill);
        }
        // the legend: five classes and the buurten without a value
        await Assertions.Expect(control.Locator("[data-testid=kerncijfer-legend] li")).ToHaveCountAsync(expected.Classes.Count + 1);
        await Assertions.Expect(control.Locator("[data-testid=kerncijfer-legend-unknown]")).ToContainTextAsync($"{expected.Unknown} buurten");
        Assert.True(expected.Unknown >= 9); // CBS keeps 9 buurten secret; the small-number rule adds the buurten under 250 inwoners
        await page.Locator("path[data-level=kerncijfers][data-code=BU03610100]").HoverAsync(new() { Force = true });
        await Assertions.Expect(page.Locator(".leaflet-tooltip")).ToContainTextAsync("11,8%");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "kerncijfers-p_hh_osm-buurt.png") });

        // per wijk a share of households does not exist: the control says so and no wijk gets a colour of a class
        await control.GetByLabel("wijk", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(control.Locator("[data-testid=kerncijfer-none]")).ToContainTextAsync("niet uit buurten op te tellen");
        await Assertions.Expect(page.Locator("[data-testid=kaart-map]")).ToHaveAttributeAsync("data-url-kerncijfers", new System.Text.RegularExpressions.Regex("niveau=wijk"));
        // another figure per wijk: an income, classed
        await control.Locator("#kerncijfer-variabele").SelectOptionAsync("g_ink_pi");
        await Assertions.Expect(control.Locator("[data-testid=kerncijfer-legend] li")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator("path.leaflet-interactive[data-level=kerncijfers]")).ToHaveCountAsync(11, new() { Timeout = 30000 });
    }

    [Fact]
    public async Task The_table_of_all_wijken_sorts_and_downloads_as_CSV_with_the_choice_in_the_address()
    {
        var page = await fx.NewPageAsync(1400, 1000);
        await page.GotoAsync(fx.BaseUrl + "/gebiedsanalyse?niveau=wijk&cijfers=a_inw,g_ink_pi");
        await page.Locator("[data-testid=analyse-tabel-page][data-interactive=true]").WaitForAsync();
        var grid = page.Locator("[data-testid=analyse-tabel]");
        await Assertions.Expect(grid.Locator("tbody tr")).ToHaveCountAsync(11);
        // sort by inwoners: the smallest wijk first, then the largest
        var store = fx.App.Services.GetRequiredService<Alkmaar.Kaart.Server.Features.Kerncijfers.KerncijferStore>();
        var wijken = (await store.OfLevelAsync(Alkmaar.Kaart.Geo.Areas.AreaLevel.Wijk)).Select(w => (Code: w.Key, Inwoners: w.Value[2022]["a_inw"].Value!.Value)).OrderBy(w => w.Inwoners).ToList();
        await grid.GetByText("Inwoners 2022").ClickAsync();
        await Assertions.Expect(grid.Locator("tbody tr").First).ToContainTextAsync(wijken[0].Inwoners.ToString("N0", CultureInfo.GetCultureInfo("nl-NL")));
        await grid.GetByText("Inwoners 2022").ClickAsync();
        await Assertions.Expect(grid.Locator("tbody tr").First).ToContainTextAsync(wijken[^1].Inwoners.ToString("N0", CultureInfo.GetCultureInfo("nl-NL")));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "gebiedsanalyse-tabel.png"), FullPage = true });

        // the CSV is the same table
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=analyse-csv]").ClickAsync());
        var path = await download.PathAsync();
        var lines = (await File.ReadAllTextAsync(path!)).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("code,naam,a_inw_2022,g_ink_pi_2022", lines[0]);
        Assert.Equal(11, lines.Count(l => l.StartsWith("WK")));

        // another level: the choice goes into the address
        await page.Locator("[data-testid=analyse-niveau]").SelectOptionAsync("buurt");
        // Blazor changes the address in the page (no new document, so no load event to wait for): poll the address itself
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("niveau=buurt"));
        await Assertions.Expect(grid.Locator("tbody tr")).Not.ToHaveCountAsync(11);
    }
}
