using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Disclosure control on the public aggregates: a query for one second (the defect reproduced: it returned one cell with
/// count 1 and its category) is refused; no public answer shows a cell or category below the minimum count.
/// </summary>
public class DisclosureTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Theory]
    [InlineData("/api/meldingen/openbaar?from=2026-03-01T06:34:55Z&to=2026-03-01T06:34:56Z")]
    [InlineData("/api/meldingen/openbaar?from=2026-03-01&to=2026-03-05")]   // four days (five once widened to whole days)
    [InlineData("/ogc/collections/meldingen/items?datetime=2026-03-01T06:34:55Z")]
    [InlineData("/api/export/meldingen?from=2026-03-01&to=2026-03-02")]
    [InlineData("/api/hotspots?from=2026-03-01&to=2026-03-01")]
    [InlineData("/api/hotspots?cellSize=25")]
    public async Task A_period_shorter_than_seven_days_or_a_cell_finer_than_the_grid_is_refused(string url)
    {
        var response = await fx.Factory.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_single_melding_is_never_shown_and_small_categories_are_merged()
    {
        var client = fx.Factory.CreateClient();
        // a lonely melding far from the others, and a cell of 5 afval + 1 groen
        async Task Post(string category, double x, double y) => Assert.Equal(HttpStatusCode.Created,
            (await client.PostAsJsonAsync("/api/meldingen", new { category, description = "d", x, y })).StatusCode);
        async Task<(double X, double Y)> CellIn(string buurt)
        {
            await using var cmd = fx.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                "SELECT floor(ST_X(p) / 50) * 50, floor(ST_Y(p) / 50) * 50 FROM (SELECT ST_PointOnSurface(ST_Buffer(geom, -60)) p FROM area_in_force WHERE level = 'buurt' AND code = $1) s");
            cmd.Parameters.AddWithValue(buurt);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            return (r.GetDouble(0), r.GetDouble(1));
        }
        var (lx, ly) = await CellIn("BU03610905");
        var (cx, cy) = await CellIn("BU03610801");
        await Post("verlichting", lx + 10, ly + 10);
        for (var i = 0; i < 5; i++) await Post("afval", cx + 10 + i, cy + 10);
        await Post("groen", cx + 20, cy + 20);
        // a cell of 3 afval + 3 groen: published as 6 'overig' with no top category (this once broke the answer mid-stream)
        var (ox, oy) = await CellIn("BU03610100");
        for (var i = 0; i < 3; i++) { await Post("afval", ox + 10 + i, oy + 10); await Post("groen", ox + 20 + i, oy + 20); }
        await fx.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().AgeRecentMeldingenAsync(); // public numbers end at yesterday
        var now = DateTimeOffset.UtcNow;
        var week = $"from={now.AddDays(-7):yyyy-MM-dd}&to={now.AddDays(1):yyyy-MM-dd}";
        foreach (var url in new[] { $"/api/meldingen/openbaar?{week}", "/api/meldingen/openbaar", "/api/meldingen/openbaar?cell=400",
                     $"/ogc/collections/meldingen/items?limit=1000&datetime={now.AddDays(-7):yyyy-MM-dd}T00:00:00Z/..", "/api/export/meldingen" })
        {
            var json = JsonDocument.Parse(await client.GetStringAsync(url)).RootElement;
            foreach (var f in json.GetProperty("features").EnumerateArray())
            {
                var p = f.GetProperty("properties");
                Assert.True(p.GetProperty("count").GetInt32() >= 5, $"{url}: a cell of {p.GetProperty("count")}");
                foreach (var c in p.EnumerateObject().Where(c => c.Name.StartsWith("categorie_")))
                    Assert.True(c.Value.GetInt32() >= 5, $"{url}: {c.Name} = {c.Value}");
                if (p.TryGetProperty("categories", out var cats) && cats.ValueKind == JsonValueKind.Object)
                    foreach (var c in cats.EnumerateObject()) Assert.True(c.Value.GetInt32() >= 5, $"{url}: {c.Name} = {c.Value}");
            }
        }
        // the 5 + 1 cell is published with its total only (1 groen would be too few to show, even as 'overig')
        var cells = await fx.Factory.Services.GetRequiredService<MeldingStatistics>().PublicCellsAsync(null, null, null, bbox: new(cx, cx + 50, cy, cy + 50));
        var cell = Assert.Single(cells);
        Assert.Equal(6, cell.Count);
        Assert.Null(cell.Categories);
        // the lonely melding is in no public answer
        Assert.Empty(await fx.Factory.Services.GetRequiredService<MeldingStatistics>().PublicCellsAsync(null, null, null, bbox: new(lx, lx + 50, ly, ly + 50)));
    }

    [Fact]
    public void Categories_below_the_minimum_merge_into_overig_or_leave_only_the_total()
    {
        var d = fx.Factory.Services.GetRequiredService<DisclosureControl>();
        Assert.Equal(new Dictionary<string, int> { ["afval"] = 7, ["overig"] = 5 }, d.Categories(new Dictionary<string, int> { ["afval"] = 7, ["groen"] = 3, ["verlichting"] = 2 }));
        Assert.Null(d.Categories(new Dictionary<string, int> { ["afval"] = 7, ["groen"] = 3 }));
        Assert.Equal(new Dictionary<string, int> { ["afval"] = 5 }, d.Categories(new Dictionary<string, int> { ["afval"] = 5 }));
        // a cell whose categories are all small but together enough: only 'overig', and no top category
        var onlyOther = d.Categories(new Dictionary<string, int> { ["afval"] = 3, ["groen"] = 3 });
        Assert.Equal(new Dictionary<string, int> { ["overig"] = 6 }, onlyOther);
        Assert.Null(DisclosureControl.Top(onlyOther));
    }
}
