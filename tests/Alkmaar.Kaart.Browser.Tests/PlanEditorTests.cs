using System.Globalization;
using System.Net.Http.Json;
using Alkmaar.Kaart.Geo.Plans;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Plans;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Issue 18 as a planner does it: a plan from the version in force; a buurt to another team by clicking (and by lasso);
/// a shared border dragged on the map; the impact and the balance change; compared with the version in force; published
/// from a future date; routing of a point in the moved buurt answers the old team before that date and the new one from it;
/// a colleague reads the plan through its read-only link.
/// </summary>
public class PlanEditorTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static string Shot(string name) => Path.Combine(BrowserFixture.ScreenshotFolder, name);

    /// <summary>A buurt that can go to the neighbouring team's wijk with the plan still valid, found on a scratch plan with
    /// the editor's own engine (the first in code order), and two buurten sharing a border with well-spaced vertices.</summary>
    private async Task<((string Buurt, string Wijk, string From, string To) Move, (string A, string B) Border)> ChooseAsync()
    {
        var services = fx.App.Services;
        var plans = services.GetRequiredService<PlanService>();
        var workspace = services.GetRequiredService<PlanWorkspace>();
        var scratch = await plans.CreateFromVersionAsync("kladplan (test)", null, "test");
        var state = (await workspace.OpenAsync(scratch))!;
        var plan = state.Tally.Plan;
        (string, string, string, string)? move = null;
        foreach (var b in plan.WijkOfBuurt.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var n in state.Adjacency.NeighboursOf(b).Order(StringComparer.Ordinal))
            {
                if (plan.GebiedOf(n) == plan.GebiedOf(b)) continue;
                var wijk = plan.WijkOfBuurt[n];
                await workspace.MoveBuurtenAsync(scratch, state.Info.Version, [b], wijk, "test");
                state = (await workspace.OpenAsync(scratch))!;
                var ok = (await plans.CheckAsync(state)).Count == 0;
                await workspace.UndoAsync(scratch, state.Info.Version, "test");
                state = (await workspace.OpenAsync(scratch))!;
                if (ok) { move = (b, wijk, plan.GebiedOf(b), plan.GebiedOf(n)); break; }
            }
            if (move is not null) break;
        }
        (string, string)? border = null;
        foreach (var a in plan.WijkOfBuurt.Keys.Order(StringComparer.Ordinal))
            foreach (var b in state.Adjacency.NeighboursOf(a).Where(b => string.CompareOrdinal(a, b) < 0 && b != move?.Item1 && a != move?.Item1).Order(StringComparer.Ordinal))
            {
                var edge = BorderReshape.SharedEdge(state.Buurten[a].Geometry, state.Buurten[b].Geometry);
                if (edge is null || edge.NumPoints < 4 || edge.NumPoints > 40 || edge.Length < 400) continue;
                var c = edge.Coordinates;
                var mid = c.Length / 2;
                if (c[mid].Distance(c[mid - 1]) < 40 || c[mid].Distance(c[mid + 1]) < 40) continue;
                border ??= (a, b);
            }
        return (move ?? throw new InvalidOperationException("no valid move"), border ?? throw new InvalidOperationException("no border"));
    }

    [Fact]
    public async Task A_planner_moves_a_buurt_and_a_border_sees_the_impact_compares_publishes_from_a_date_and_routing_follows()
    {
        if (await fx.App.Services.GetRequiredService<DemoMeldingen>().CountAsync() == 0)
            await fx.App.Services.GetRequiredService<DemoMeldingen>().GenerateAsync(2026, 5_000);
        await TestData.EnsureDemoAddressesAsync(fx.App.Services);
        var (move, border) = await ChooseAsync();
        await fx.App.EnsureUserAsync("browser-planner", ["planner"], []);
        var page = await fx.NewPageAsync(1440, 1000);
        await page.GotoAsync(fx.BaseUrl + "/beheer/indeling");
        await page.GetByLabel("Gebruikersnaam").FillAsync("browser-planner");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Plannen voor de gebiedsindeling");
        await page.Locator("[data-interactive=true]").WaitForAsync();

        // a new plan from the version in force
        await page.GetByTestId("plan-name").FillAsync("Balans tussen de teams");
        await page.GetByTestId("plan-create").ClickAsync();
        var editor = page.GetByTestId("plan-editor");
        await Assertions.Expect(editor).ToHaveAttributeAsync("data-interactive", "true");
        var map = page.GetByTestId("kaart-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-plan", "66");
        var planId = int.Parse(page.Url.Split('/').Last(), CultureInfo.InvariantCulture);

        async Task<long> Cell(string gebied, string measure, string attr = "data-count") =>
            long.Parse((await page.Locator($"[data-testid=plan-impact] tr[data-gebied='{gebied}'] td[data-measure={measure}]").GetAttributeAsync(attr))!, CultureInfo.InvariantCulture);
        var fromBefore = await Cell(move.From, "adressen");
        var toBefore = await Cell(move.To, "adressen");
        async Task EditedAsync(int version) => await Assertions.Expect(editor).ToHaveAttributeAsync("data-plan-version", (version + 1).ToString(CultureInfo.InvariantCulture));
        async Task<int> VersionAsync() => int.Parse((await editor.GetAttributeAsync("data-plan-version"))!, CultureInfo.InvariantCulture);

        // 1. the buurt by keyboard/click on the map, to the neighbouring team's wijk
        await map.Locator($"path[data-code={move.Buurt}]").PressAsync("Enter");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-selected-plan", "1");
        await page.GetByTestId("plan-to-wijk").SelectOptionAsync(move.Wijk);
        var v = await VersionAsync();
        await page.GetByTestId("plan-move-buurten").ClickAsync();
        await EditedAsync(v);
        await Assertions.Expect(page.GetByTestId("plan-message")).ToContainTextAsync("Buurten verplaatst");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-url-plan", new System.Text.RegularExpressions.Regex($"v={v + 1}$"));
        var moved = await Cell(move.From, "adressen", "data-change");
        Assert.True(moved < 0, $"{move.From} loses addresses");
        Assert.Equal(-moved, await Cell(move.To, "adressen", "data-change"));
        Assert.Equal(fromBefore + moved, await Cell(move.From, "adressen"));
        Assert.Equal(toBefore - moved, await Cell(move.To, "adressen"));
        Assert.True(await page.Locator(".plan-balance-chart").IsVisibleAsync());
        // the moved buurt is drawn dashed (changed)
        Assert.Contains("6 4", await map.Locator($"path[data-code={move.Buurt}]").GetAttributeAsync("stroke-dasharray") ?? "");

        // undo and redo are one click each and give the same counts back
        v = await VersionAsync();
        await page.GetByTestId("plan-undo").ClickAsync();
        await EditedAsync(v);
        Assert.Equal(0, await Cell(move.From, "adressen", "data-change"));
        await page.GetByTestId("plan-redo").ClickAsync();
        await EditedAsync(v + 1);
        Assert.Equal(moved, await Cell(move.From, "adressen", "data-change"));

        // 2. the lasso: drawn around the moved buurt, it chooses it
        var box = (await map.Locator($"path[data-code={move.Buurt}]").BoundingBoxAsync())!;
        await page.GetByTestId("plan-lasso").ClickAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-lasso", "on");
        var (x0, y0, x1, y1) = (box.X - 6, box.Y - 6, box.X + box.Width + 6, box.Y + box.Height + 6);
        await page.Mouse.MoveAsync((float)x0, (float)y0);
        await page.Mouse.DownAsync();
        foreach (var (px, py) in new[] { (x1, y0), (x1, y1), (x0, y1), (x0, y0 + 1) })
            await page.Mouse.MoveAsync((float)px, (float)py, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-lasso", "off");
        await Assertions.Expect(page.GetByTestId("plan-selection")).ToContainTextAsync(
            (await page.Locator($"path[data-code={move.Buurt}]").GetAttributeAsync("aria-label"))!.Split(": ").Last().Split(" — ")[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Keuze wissen" }).ClickAsync();

        // 3. drag a vertex of the shared border of two buurten
        await map.Locator($"path[data-code={border.A}]").PressAsync("Enter");
        await map.Locator($"path[data-code={border.B}]").PressAsync("Enter");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-selected-plan", "2");
        await page.GetByTestId("plan-border-edit").ClickAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-edge-vertices", new System.Text.RegularExpressions.Regex("^[0-9]+$"));
        var vertices = map.Locator(".leaflet-vertex-icon");
        var count = await vertices.CountAsync();
        Assert.True(count >= 4);
        var (p, q, r) = ((await vertices.Nth(count / 2 - 1).BoundingBoxAsync())!, (await vertices.Nth(count / 2).BoundingBoxAsync())!, (await vertices.Nth(count / 2 + 1).BoundingBoxAsync())!);
        var (dx, dy) = (r.Y - p.Y, -(r.X - p.X));
        var len = Math.Sqrt(dx * dx + dy * dy);
        var (cx, cy) = (q.X + q.Width / 2, q.Y + q.Height / 2);
        await page.Mouse.MoveAsync((float)cx, (float)cy);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(cx + 30 * dx / len), (float)(cy + 30 * dy / len), new() { Steps = 10 });
        await page.Mouse.UpAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-edge-moves", "1");
        await page.ScreenshotAsync(new() { Path = Shot("plan-grens-slepen.png") });
        v = await VersionAsync();
        await page.GetByTestId("plan-border-save").ClickAsync();
        await EditedAsync(v);
        await Assertions.Expect(page.GetByTestId("plan-message")).ToContainTextAsync("is verlegd");
        await Assertions.Expect(page.GetByTestId("plan-edit-time")).ToContainTextAsync("Bijgewerkt in");

        // 3b. a new wijk, named and placed in a gebied, becomes the target for chosen buurten (left empty here: not published)
        v = await VersionAsync();
        await page.GetByTestId("plan-new-wijk-name").FillAsync("Overstad-Noord");
        await page.GetByTestId("plan-new-wijk-gebied").SelectOptionAsync(move.To);
        await page.GetByTestId("plan-new-wijk").ClickAsync();
        await EditedAsync(v);
        await Assertions.Expect(page.GetByTestId("plan-message")).ToContainTextAsync("Wijk Overstad-Noord gemaakt");
        await Assertions.Expect(page.GetByTestId("plan-to-wijk").Locator("option:checked")).ToContainTextAsync("Overstad-Noord");
        Assert.Matches("^WK0361[0-9]{2}$", await page.GetByTestId("plan-to-wijk").InputValueAsync());

        // 4. the check finds nothing wrong; the comparison with the version in force lists the buurt and the moved ground
        await page.GetByTestId("plan-check").ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-valid")).ToBeVisibleAsync();
        await page.GetByTestId("plan-compare").ClickAsync();
        var diff = page.GetByTestId("plan-diff");
        await Assertions.Expect(diff.Locator($"tr[data-kind=buurt][data-buurt={move.Buurt}]")).ToHaveCountAsync(1);
        await Assertions.Expect(diff.Locator("tr[data-kind=grond]")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(map).ToHaveAttributeAsync("data-loaded-verschil", new System.Text.RegularExpressions.Regex("^[1-9]"));
        await Assertions.Expect(map).ToHaveAttributeAsync("data-fitted", "verschil");
        await Assertions.Expect(page.GetByTestId("plan-demo-note")).ToContainTextAsync("DEMO");
        await page.ScreenshotAsync(new() { Path = Shot("plan-editor.png"), FullPage = true });

        // 5. publish from 1 January next year
        var next = new DateOnly(DateTime.Today.Year + 1, 1, 1);
        await page.Locator("#ingangsdatum").FillAsync(next.ToString("dd-MM-yyyy", CultureInfo.InvariantCulture));
        await page.GetByTestId("plan-reason").FillAsync("Werklast gelijker verdelen over de teams");
        await page.GetByTestId("plan-publish").ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-message")).ToContainTextAsync($"in werking vanaf {next:dd-MM-yyyy}");
        await Assertions.Expect(page.GetByTestId("plan-status")).ToContainTextAsync("gepubliceerd als versie 2");
        // published: the editing controls are gone
        await Assertions.Expect(page.GetByTestId("plan-move-buurten")).ToHaveCountAsync(0);
        await page.GetByTestId("plan-message").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Shot("plan-gepubliceerd.png") });

        // routing of a point in the moved buurt: the old team until the day before, the new team from that day
        var (x, y) = await TestData.InsideAsync(fx.App.Services.GetRequiredService<NpgsqlDataSource>(), move.Buurt);
        var http = fx.App.CreateClient();
        async Task<string> On(DateOnly d) => (await (await http.GetAsync(FormattableString.Invariant($"/api/locate?x={x}&y={y}&date={d:yyyy-MM-dd}"))).JsonAsync())
            .GetProperty("gebied").GetProperty("code").GetString()!;
        Assert.Equal(move.From, await On(next.AddDays(-1)));
        Assert.Equal(move.To, await On(next));

        // 6. a colleague of a gebiedsteam reads the plan through the read-only link
        await fx.App.EnsureUserAsync("browser-team", ["gebiedsteam"], ["GB0361-noord"]);
        var colleague = await fx.NewPageAsync(1280, 900);
        await colleague.GotoAsync(fx.BaseUrl + $"/indeling/{planId}");
        await colleague.GetByLabel("Gebruikersnaam").FillAsync("browser-team");
        await colleague.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await colleague.GetByLabel("Wachtwoord").PressAsync("Enter");
        await Assertions.Expect(colleague.GetByTestId("plan-view")).ToContainTextAsync("Alleen lezen");
        await Assertions.Expect(colleague.GetByTestId("kaart-map")).ToHaveAttributeAsync("data-loaded-plan", "66");
        await Assertions.Expect(colleague.GetByTestId("plan-move-buurten")).ToHaveCountAsync(0);
        await colleague.ScreenshotAsync(new() { Path = Shot("plan-alleen-lezen.png") });
        Assert.Empty(fx.ConsoleErrors.GetOrCreateValue(page));
    }
}
