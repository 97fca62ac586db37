using System.Globalization;
using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Kerncijfers;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// CBS Kerncijfers wijken en buurten (issue 30) against PostgreSQL and the CSV itself: every count of a wijk, gebied and the
/// gemeente is the sum of its buurten; a weighted figure is the hand computation; a secret value is null (never 0), shown
/// as "onbekend" and left out of an aggregate that says so; a kwb file of CBS (semicolons, decimal commas, "." and other
/// gemeenten) is read; a second year shows the change; a small area gets no averages.
/// </summary>
public class KerncijferStoreTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private static readonly string CsvFile = TestPaths.FullRes("cbs_kerncijfers_2022_buurten.csv");
    private readonly HttpClient _http = fx.Factory.CreateClient();
    private KerncijferStore Store => fx.Factory.Services.GetRequiredService<KerncijferStore>();

    public async Task InitializeAsync() => await Store.ImportFileAsync(CsvFile);

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The CSV as the oracle: buurt code → column → cell (read here, not by the importer).</summary>
    private static Dictionary<string, Dictionary<string, string>> Csv()
    {
        var lines = File.ReadAllLines(CsvFile);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0], c => header.Select((h, i) => (h, c[i])).ToDictionary(t => t.h, t => t.Item2));
    }

    private static double? Cell(string s) => s == "." ? null : double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>Buurten of an area by the area tree (parent codes), independent of the interior-point rule the store uses.</summary>
    private async Task<List<string>> BuurtenOfAsync(string code)
    {
        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(
            """
            WITH RECURSIVE t AS (SELECT code, level FROM area WHERE code = $1 AND valid_to IS NULL
                                 UNION SELECT a.code, a.level FROM area a JOIN t ON a.parent_code = t.code AND a.valid_to IS NULL)
            SELECT code FROM t WHERE level = 'buurt' UNION SELECT code FROM area WHERE level = 'buurt' AND valid_to IS NULL AND $1 LIKE 'GM%'
            """);
        cmd.Parameters.AddWithValue(code);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    private async Task<JsonElement> FiguresAsync(string code, string? level = null)
    {
        var response = await _http.GetAsync($"/api/areas/{code}/profiel" + (level is null ? "" : $"?level={level}"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("kerncijfers");
    }

    [Theory]
    [InlineData("WK036101", null)]
    [InlineData("WK036109", null)]
    [InlineData("GB0361-noord", null)]
    [InlineData("GB0361-oost", null)]
    [InlineData("GM0361", "gemeente")]
    public async Task Every_count_is_the_sum_of_its_buurten_in_the_CSV(string code, string? level)
    {
        var csv = Csv();
        var buurten = await BuurtenOfAsync(code);
        Assert.NotEmpty(buurten);
        var figures = await FiguresAsync(code, level);
        foreach (var column in new[] { "a_inw", "a_65_oo", "a_ste", "a_inkont", "a_opp_ha", "a_lan_ha", "a_wat_ha" })
        {
            var expected = buurten.Sum(b => Cell(csv[b][column]) ?? 0);
            Assert.Equal(expected, figures.GetProperty(column).GetProperty("value").GetDouble());
            Assert.Equal(2022, figures.GetProperty(column).GetProperty("year").GetInt32());
            Assert.Equal("Bron: CBS, Kerncijfers wijken en buurten 2022", figures.GetProperty(column).GetProperty("source").GetString());
        }
        // a sum over the whole gemeente: 110,795 inwoners (data/README)
        if (level == "gemeente") Assert.Equal(110_795, figures.GetProperty("a_inw").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task A_weighted_figure_is_the_hand_computation_and_a_secret_buurt_is_left_out_saying_so()
    {
        var csv = Csv();
        // wijk 09 (landelijk Oost) has buurten whose incomes CBS keeps secret
        var buurten = await BuurtenOfAsync("WK036109");
        var known = buurten.Where(b => Cell(csv[b]["g_ink_po"]) is not null).ToList();
        Assert.True(known.Count < buurten.Count, "the test needs a secret buurt in this wijk");
        var expected = known.Sum(b => Cell(csv[b]["g_ink_po"])!.Value * Cell(csv[b]["a_inkont"])!.Value) / known.Sum(b => Cell(csv[b]["a_inkont"])!.Value);
        var f = (await FiguresAsync("WK036109")).GetProperty("g_ink_po");
        Assert.Equal(Math.Round(expected, 2), f.GetProperty("value").GetDouble(), 2);
        Assert.Equal(buurten.Count - known.Count, f.GetProperty("unknownBuurten").GetInt32());
        Assert.Contains($"{buurten.Count - known.Count} onbekend, weggelaten", f.GetProperty("formed").GetString());
        Assert.Contains("gewicht: inkomensontvangers", f.GetProperty("formed").GetString());
        // per inwoner weighs by inwoners, over the same known buurten
        var perInwoner = known.Sum(b => Cell(csv[b]["g_ink_pi"])!.Value * Cell(csv[b]["a_inw"])!.Value) / known.Sum(b => Cell(csv[b]["a_inw"])!.Value);
        Assert.Equal(Math.Round(perInwoner, 2), (await FiguresAsync("WK036109")).GetProperty("g_ink_pi").GetProperty("value").GetDouble(), 2);
    }

    [Fact]
    public async Task A_secret_value_is_null_never_zero_and_a_share_of_households_is_not_formed_from_buurten()
    {
        // Noordeinde: CBS keeps its incomes secret
        var noordeinde = await FiguresAsync("BU03611000", "buurt");
        Assert.Equal(JsonValueKind.Null, noordeinde.GetProperty("g_ink_po").GetProperty("value").ValueKind);
        Assert.Equal(JsonValueKind.Null, noordeinde.GetProperty("p_hh_osm").GetProperty("value").ValueKind);
        Assert.Equal(90, noordeinde.GetProperty("a_inw").GetProperty("value").GetDouble());
        await using (var db = fx.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand("SELECT count(*) FROM kerncijfer WHERE code = 'BU03611000' AND variable = 'g_ink_po' AND value IS NULL"))
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        // a buurt's own share is CBS's; a wijk's share of households cannot be formed without the households: null, saying why
        Assert.Equal(11.8, (await FiguresAsync("BU03610100", "buurt")).GetProperty("p_hh_osm").GetProperty("value").GetDouble());
        var wijk = (await FiguresAsync("WK036101")).GetProperty("p_hh_osm");
        Assert.Equal(JsonValueKind.Null, wijk.GetProperty("value").ValueKind);
        Assert.Contains("huishoudens", wijk.GetProperty("formed").GetString());
        Assert.True(wijk.GetProperty("buurtOnly").GetBoolean());
        // a small buurt (145 inwoners) shows no averages even where CBS published one; its count stays
        var small = await FiguresAsync("BU03611004", "buurt");
        Assert.Equal(JsonValueKind.Null, small.GetProperty("g_ink_po").GetProperty("value").ValueKind);
        Assert.Contains("minder dan 250 inwoners", small.GetProperty("g_ink_po").GetProperty("formed").GetString());
        Assert.Equal(145, small.GetProperty("a_inw").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task A_kwb_file_of_CBS_with_a_second_year_and_its_own_wijk_rows_shows_the_change()
    {
        // CBS's own layout: semicolons, decimal commas, padded ".", rows of other gemeenten, and a row for a wijk
        var path = Path.Combine(Path.GetTempPath(), $"kwb-2023-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(path,
        [
            "gwb_code_10;regio;gm_naam;recs;a_inw;g_ink_po;p_hh_osm;a_inkont;a_nieuw_x",
            "GM0361;Alkmaar;Alkmaar;Gemeente;111300;37,2;8,9;90000;1",
            "WK036101;Wijk 01 Centrum;Alkmaar;Wijk;9100;38,4;10,2;7500;1",
            "BU03610100;Kooimeer;Alkmaar;Buurt;2230;32,0;       .;1650;1",
            "BU03630000;Burgwallen-Oude Zijde;Amsterdam;Buurt;4000;40,0;9,0;3000;1",
        ]);
        try
        {
            var report = await Store.ImportFileAsync(path);
            Assert.Equal(2023, report.Year);
            Assert.Equal((1, 1, 1), (report.Buurten, report.Wijken, report.Gemeenten));
            Assert.Equal(1, report.OtherRows);
            Assert.Equal(1, report.Secret);
            Assert.Contains("a_nieuw_x", report.IgnoredColumns);

            var kooimeer = await FiguresAsync("BU03610100", "buurt");
            var inw = kooimeer.GetProperty("a_inw");
            Assert.Equal(2023, inw.GetProperty("year").GetInt32());
            Assert.Equal(2230, inw.GetProperty("value").GetDouble());
            Assert.Equal(2022, inw.GetProperty("previous").GetProperty("year").GetInt32());
            Assert.Equal(100, inw.GetProperty("change").GetDouble());
            Assert.Equal("Bron: CBS, Kerncijfers wijken en buurten 2023", inw.GetProperty("source").GetString());
            // secret in 2023: null (not 0), and no change is made up
            var osm = kooimeer.GetProperty("p_hh_osm");
            Assert.Equal(JsonValueKind.Null, osm.GetProperty("value").ValueKind);
            Assert.Equal(JsonValueKind.Null, osm.GetProperty("change").ValueKind);
            // the wijk takes CBS's own row (its share of households too), and says so; the gemeente compares with CBS's gemeente row
            var wijk = await FiguresAsync("WK036101");
            Assert.Equal(10.2, wijk.GetProperty("p_hh_osm").GetProperty("value").GetDouble());
            Assert.Contains("CBS' eigen cijfer", wijk.GetProperty("p_hh_osm").GetProperty("formed").GetString());
            Assert.Equal(8.9, wijk.GetProperty("p_hh_osm").GetProperty("gemeente").GetDouble());
            Assert.Equal(9100, wijk.GetProperty("a_inw").GetProperty("value").GetDouble());
        }
        finally
        {
            await using var db = fx.Database.CreateDataSource();
            await using var cmd = db.CreateCommand("DELETE FROM kerncijfer WHERE year = 2023");
            await cmd.ExecuteNonQueryAsync();
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_choropleth_of_a_share_per_buurt_holds_the_CSV_values_with_secret_ones_grey_and_none_per_wijk()
    {
        var csv = Csv();
        var response = await _http.GetAsync("/api/kerncijfers/kaart?variabele=p_hh_osm&niveau=buurt&jaar=2022");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var fc = JsonDocument.Parse(body).RootElement;
        var classes = fc.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(5, classes.Count);
        var features = fc.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(66, features.Count);
        foreach (var f in features)
        {
            var p = f.GetProperty("properties");
            var expected = Cell(csv[p.GetProperty("code").GetString()!]["p_hh_osm"]);
            var inwoners = Cell(csv[p.GetProperty("code").GetString()!]["a_inw"])!.Value;
            if (expected is null || inwoners < 250)
            {
                // secret, or too few inwoners for a share: no value, the grey that is no class
                Assert.Equal(JsonValueKind.Null, p.GetProperty("value").ValueKind);
                Assert.Equal(KerncijferEndpoints.UnknownFill, p.GetProperty("fill").GetString());
            }
            else
            {
                Assert.Equal(expected.Value, p.GetProperty("value").GetDouble());
                var cls = classes[p.GetProperty("class").GetInt32()];
                Assert.InRange(expected.Value, cls.GetProperty("lower").GetDouble(), cls.GetProperty("upper").GetDouble());
                Assert.Equal(cls.GetProperty("color").GetString(), p.GetProperty("fill").GetString());
            }
        }
        // per wijk a share of households cannot be formed: every wijk without a value, none classed
        var wijken = JsonDocument.Parse(await _http.GetStringAsync("/api/kerncijfers/kaart?variabele=p_hh_osm&niveau=wijk")).RootElement;
        Assert.All(wijken.GetProperty("features").EnumerateArray(), f => Assert.Equal(JsonValueKind.Null, f.GetProperty("properties").GetProperty("value").ValueKind));
        Assert.Empty(wijken.GetProperty("classes").EnumerateArray());
        // bad input: problem+json naming the parameter
        foreach (var (query, parameter) in new[] { ("variabele=x_geheim", "variabele"), ("niveau=planeet", "niveau"), ("jaar=1800", "jaar"), ("jaar=2019", "jaar") })
        {
            var bad = await _http.GetAsync($"/api/kerncijfers/kaart?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains(parameter, await bad.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_table_of_all_wijken_as_CSV_holds_the_sums_and_leaves_unknown_empty()
    {
        var csv = Csv();
        var text = await _http.GetStringAsync("/api/kerncijfers/tabel?niveau=wijk&variabelen=a_inw,p_hh_osm&jaren=2022&format=csv");
        var lines = text.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("code,naam,a_inw_2022,p_hh_osm_2022", lines[0]);
        var rows = lines.Skip(1).Where(l => l.StartsWith("WK")).Select(l => l.Split(',')).ToList();
        Assert.Equal(11, rows.Count);
        foreach (var r in rows)
        {
            var expected = (await BuurtenOfAsync(r[0])).Sum(b => Cell(csv[b]["a_inw"]) ?? 0);
            Assert.Equal(expected, double.Parse(r[^2], CultureInfo.InvariantCulture));
            Assert.Equal("", r[^1]); // a share of households per wijk: not formed, left empty (never 0)
        }
        Assert.Contains("Bron: CBS, Kerncijfers wijken en buurten 2022", lines[^1]);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/kerncijfers/tabel?variabelen=a_inw,onzin")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/kerncijfers/tabel?jaren=2031")).StatusCode);
    }
}
