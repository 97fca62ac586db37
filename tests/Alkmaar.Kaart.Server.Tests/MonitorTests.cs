using System.Net;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Choropleth;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>Monitor scores: the demo set, the CSV import with its report per row, the choropleth and trend APIs.</summary>
public class MonitorTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private readonly HttpClient _http = fx.Factory.CreateClient();
    private MonitorStore Store => fx.Factory.Services.GetRequiredService<MonitorStore>();

    public async Task InitializeAsync() => await Store.GenerateDemoAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task The_demo_set_covers_every_wijk_and_year_and_the_gemeente_is_the_respondent_weighted_mean()
    {
        await using var db = fx.Database.CreateDataSource();
        async Task<string> State()
        {
            await using var cmd = db.CreateCommand("SELECT count(*) || '/' || md5(string_agg(monitor || indicator || area_code || year || value || respondents, ',' ORDER BY monitor, indicator, area_code, year)) FROM monitor_score");
            return (string)(await cmd.ExecuteScalarAsync())!;
        }
        var first = await State();
        await Store.GenerateDemoAsync();
        Assert.Equal(first, await State()); // deterministic

        await using var cmd = db.CreateCommand(
            """
            SELECT (SELECT count(*) FROM area WHERE level = 'wijk' AND valid_to IS NULL),
                   count(DISTINCT area_code) FILTER (WHERE area_code LIKE 'WK%'), count(DISTINCT year), min(year), max(year),
                   count(DISTINCT (monitor, indicator)), bool_and(demo) FILTER (WHERE monitor = 'Leefbaarheid'),
                   count(DISTINCT indicator) FILTER (WHERE monitor = 'Leefbaarheid' AND indicator IN ('Schoon', 'Heel', 'Veilig', 'Sociaal', 'Ondernemend'))
            FROM monitor_score
            """);
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            Assert.Equal(r.GetInt64(0), r.GetInt64(1));
            Assert.Equal(5L, r.GetInt64(2));
            Assert.Equal(2020, r.GetInt32(3));
            Assert.Equal(2024, r.GetInt32(4));
            Assert.True(r.GetInt64(5) >= 8);
            Assert.True(r.GetBoolean(6));
            Assert.Equal(5L, r.GetInt64(7));
        }
        // the gemeente's score = Σ value·respondents / Σ respondents of its wijken (within rounding), computed by PostGIS
        await using var oracle = db.CreateCommand(
            """
            SELECT max(abs(g.value - w.mean)) FROM monitor_score g
            JOIN (SELECT monitor, indicator, year, sum(value * respondents) / sum(respondents) AS mean FROM monitor_score
                  WHERE area_code LIKE 'WK%' AND demo GROUP BY monitor, indicator, year) w USING (monitor, indicator, year)
            WHERE g.area_code = 'GM0361' AND g.demo
            """);
        Assert.InRange((double)(await oracle.ExecuteScalarAsync())!, 0, 0.05 + 1e-9);
    }

    [Fact]
    public async Task The_csv_import_keeps_good_rows_reports_bad_ones_and_replaces_the_demo_scores_of_that_indicator()
    {
        const string indicator = "Rapportcijfer veiligheid in de buurt";
        var csv = new StringBuilder("monitor,indicator,area_code,year,value,unit,respondents,higher_is_better\n")
            .Append($"Veiligheidsmonitor,{indicator},WK036101,2023,7.4,rapportcijfer,212,true\n")       // 2 good
            .Append($"Veiligheidsmonitor,{indicator},gm0361,2023,7.1,rapportcijfer,2400,true\n")        // 3 good (code case-insensitive)
            .Append($"Veiligheidsmonitor,{indicator},WK039999,2023,7.0,rapportcijfer,100,true\n")       // 4 unknown area
            .Append($"Veiligheidsmonitor,{indicator},WK036102,1850,7.0,rapportcijfer,100,true\n")       // 5 year
            .Append($"Veiligheidsmonitor,{indicator},WK036102,2023,zeven,rapportcijfer,100,true\n")     // 6 value
            .Append("Veiligheidsmonitor,Voelt zich onveilig,WK036102,2023,140,%,100,false\n")           // 7 not a percentage
            .Append($"Veiligheidsmonitor,{indicator},WK036102,2023,7.0,rapportcijfer,100,misschien\n")  // 8 direction
            .Append($"Veiligheidsmonitor,{indicator},WK036101,2023,7.9,rapportcijfer,99,true\n")        // 9 duplicate of 2
            .Append($"Veiligheidsmonitor,{indicator},WK036103,2023,70,%,100,true\n")                    // 10 other unit
            .Append($"Veiligheidsmonitor,{indicator},WK036103,2023,,rapportcijfer,100,true\n")          // 11 empty value
            .Append($"Veiligheidsmonitor,{indicator},WK036104,2022,6.8,rapportcijfer,,true\n");          // 12 good, no respondents
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var report = await Json(await beheerder.PostAsync("/api/monitor/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")));
        Assert.Equal(3, report.GetProperty("imported").GetInt32());
        var rejected = report.GetProperty("rejected").EnumerateArray().ToDictionary(e => e.GetProperty("row").GetInt32(), e => e.GetProperty("error").GetString()!);
        Assert.Equal([4, 5, 6, 7, 8, 9, 10, 11], rejected.Keys.Order());
        Assert.Contains("WK039999", rejected[4]);
        Assert.Contains("year", rejected[5]);
        Assert.Contains("value", rejected[6]);
        Assert.Contains("percentage", rejected[7]);
        Assert.Contains("higher_is_better", rejected[8]);
        Assert.Contains("row 2", rejected[9]);
        Assert.Contains("one unit", rejected[10]);
        Assert.Contains("value", rejected[11]);

        // the indicator is now real: its demo rows are gone, the other indicators keep theirs
        var values = await Store.ValuesAsync("Veiligheidsmonitor", indicator, null);
        Assert.Equal(3, values.Count);
        Assert.All(values, v => Assert.False(v.Demo));
        Assert.Equal(7.4, values.Single(v => v.AreaCode == "WK036101").Value);
        Assert.Null(values.Single(v => v.AreaCode == "WK036104").Respondents);
        Assert.NotEmpty(await Store.ValuesAsync("Leefbaarheid", "Schoon", 2024));
        var catalog = await Json(await _http.GetAsync("/api/monitor"));
        var real = catalog.GetProperty("indicators").EnumerateArray().Single(i => i.GetProperty("indicator").GetString() == indicator);
        Assert.False(real.GetProperty("demo").GetBoolean());
        Assert.Equal([2022, 2023], real.GetProperty("years").EnumerateArray().Select(y => y.GetInt32()));
        // a regenerated demo set leaves the real indicator alone
        await Store.GenerateDemoAsync();
        Assert.Equal(3, (await Store.ValuesAsync("Veiligheidsmonitor", indicator, null)).Count);

        // a wrong header is refused as a whole; a gebiedsteam member may not import
        var bad = await Json(await beheerder.PostAsync("/api/monitor/import", new StringContent("monitor,wijk,jaar\nx,y,z\n", Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest);
        Assert.Contains("Ontbreekt", bad.GetProperty("detail").GetString());
        var team = await fx.Factory.SignedInAsync("team-noord");
        Assert.Equal(HttpStatusCode.Forbidden, (await team.PostAsync("/api/monitor/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"))).StatusCode);
    }

    [Fact]
    public async Task The_choropleth_colours_every_wijk_by_its_quantile_class_and_states_the_breaks()
    {
        var json = await Json(await _http.GetAsync("/api/monitor/scores?monitor=Leefbaarheid&indicator=Schoon&year=2022"));
        Assert.True(json.GetProperty("demo").GetBoolean());
        Assert.Equal(2022, json.GetProperty("year").GetInt32());
        Assert.Equal([2020, 2021, 2022, 2023, 2024], json.GetProperty("years").EnumerateArray().Select(y => y.GetInt32()));
        var features = json.GetProperty("features").EnumerateArray().ToList();
        var expected = await Store.ValuesAsync("Leefbaarheid", "Schoon", 2022);
        var wijken = expected.Where(v => v.AreaCode.StartsWith("WK")).ToList();
        Assert.Equal(wijken.Count, features.Count);
        var classes = ClassBreaks.Quantiles(wijken.Select(v => v.Value), 5, higherIsBetter: true);
        var stated = json.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(classes.Count, stated.Count);
        Assert.Equal(classes.Select(c => c.Upper), stated.Select(c => c.GetProperty("upper").GetDouble()));
        foreach (var f in features)
        {
            var p = f.GetProperty("properties");
            var value = p.GetProperty("value").GetDouble();
            Assert.Equal(wijken.Single(v => v.AreaCode == p.GetProperty("code").GetString()).Value, value);
            Assert.Equal(ClassBreaks.ClassOf(classes, value)!.Color, p.GetProperty("fill").GetString());
            Assert.Contains("DEMO", p.GetProperty("tooltip").GetString());
            Assert.Equal("monitor", p.GetProperty("level").GetString());
        }
        Assert.Equal(expected.Single(v => v.AreaCode == "GM0361").Value, json.GetProperty("gemeente").GetDouble());
        // the best wijk is in the darkest class; where lower is better, the lowest value is
        var best = features.MaxBy(f => f.GetProperty("properties").GetProperty("value").GetDouble());
        Assert.Equal(ClassBreaks.Palette[^1], best.GetProperty("properties").GetProperty("fill").GetString());
        var onveilig = await Json(await _http.GetAsync("/api/monitor/scores?monitor=Veiligheidsmonitor&indicator=" + Uri.EscapeDataString("Voelt zich weleens onveilig in de buurt")));
        Assert.Equal(2024, onveilig.GetProperty("year").GetInt32()); // the latest year by default
        var safest = onveilig.GetProperty("features").EnumerateArray().MinBy(f => f.GetProperty("properties").GetProperty("value").GetDouble());
        Assert.Equal(ClassBreaks.Palette[^1], safest.GetProperty("properties").GetProperty("fill").GetString());
    }

    [Fact]
    public async Task The_trend_gives_an_area_and_the_gemeente_for_every_year()
    {
        var json = await Json(await _http.GetAsync("/api/monitor/trend?monitor=Leefbaarheid&indicator=Veilig&area=WK036103"));
        var series = json.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal([2020, 2021, 2022, 2023, 2024], series.Select(s => s.GetProperty("year").GetInt32()));
        var own = await Store.ValuesAsync("Leefbaarheid", "Veilig", null, "WK036103");
        var gemeente = await Store.ValuesAsync("Leefbaarheid", "Veilig", null, "GM0361");
        Assert.Equal(own.Select(v => v.Value), series.Select(s => s.GetProperty("value").GetDouble()));
        Assert.Equal(gemeente.Select(v => v.Value), series.Select(s => s.GetProperty("gemeente").GetDouble()));
        Assert.True(json.GetProperty("demo").GetBoolean());
    }

    [Theory]
    [InlineData("/api/monitor/scores?year=1850", 400, "year")]
    [InlineData("/api/monitor/scores?monitor=Leefbaarheid&indicator=Schoon&year=2019", 400, "year")]
    [InlineData("/api/monitor/scores?monitor=Leefbaarheid", 400, "indicator")]
    [InlineData("/api/monitor/scores?monitor=Leefbaarheid&indicator=Groen", 404, null)]
    [InlineData("/api/monitor/scores?level=dorp", 400, "level")]
    [InlineData("/api/monitor/scores?crs=EPSG:3857", 400, "crs")]
    [InlineData("/api/monitor/trend?monitor=Leefbaarheid&indicator=Schoon", 400, "area")]
    [InlineData("/api/monitor/trend?monitor=Leefbaarheid&indicator=Schoon&area=WK999999", 404, null)]
    public async Task Bad_questions_get_problem_json(string url, int status, string? parameter)
    {
        var response = await _http.GetAsync(url);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (parameter is not null) Assert.Equal(parameter, (await Json(response, response.StatusCode)).GetProperty("parameter").GetString());
    }
}
