using System.Net;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

public class AddressTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private AddressStore Store => fx.Factory.Services.GetRequiredService<AddressStore>();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();
    private readonly HttpClient _http = fx.Factory.CreateClient();

    public async Task InitializeAsync()
    {
        if (!await Store.HasPostcode4Async()) await Store.ImportPostcode4Async(TestPaths.Cbs("alkmaar_postcode4_2024.geojson"));
        if (await Store.CountAsync() == 0) await Store.GenerateDemoAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<T> Scalar<T>(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_demo_set_is_deterministic_inside_the_buurten_in_their_PC4_and_marked_demo()
    {
        var first = await Scalar<string>("SELECT md5(string_agg(bag_id || postcode || huisnummer || ST_AsText(geom), ',' ORDER BY bag_id)) FROM address");
        await Store.GenerateDemoAsync();
        Assert.Equal(first, await Scalar<string>("SELECT md5(string_agg(bag_id || postcode || huisnummer || ST_AsText(geom), ',' ORDER BY bag_id)) FROM address"));
        Assert.True(await Scalar<long>("SELECT count(*) FROM address") > 2000);
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM address WHERE NOT demo OR bag_id NOT LIKE 'DEMO%' OR straat NOT LIKE 'Demostraat %'"));
        // PostGIS as oracle: every address lies in a buurt and in the PC4 its postcode names.
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM address a WHERE NOT EXISTS (SELECT 1 FROM area b WHERE b.level = 'buurt' AND b.valid_to IS NULL AND ST_Covers(b.geom, a.geom))"));
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM address a WHERE NOT EXISTS (SELECT 1 FROM postcode4 p WHERE p.postcode = left(a.postcode, 4) AND ST_Covers(p.geom, a.geom))"));
    }

    [Fact]
    public async Task An_address_lookup_gives_areas_and_team_agreeing_with_PostGIS_and_says_demo()
    {
        var (postcode, nr, buurt) = await OneAddressAsync("");
        var json = JsonDocument.Parse(await _http.GetStringAsync($"/api/addresses?postcode={postcode[..4]}%20{postcode[4..].ToLowerInvariant()}&huisnummer={nr}")).RootElement;
        Assert.Equal(postcode, json.GetProperty("address").GetProperty("postcode").GetString());
        Assert.True(json.GetProperty("address").GetProperty("demo").GetBoolean());
        Assert.Equal(buurt, json.GetProperty("buurt").GetProperty("code").GetString());
        Assert.StartsWith("Gebiedsteam ", json.GetProperty("gebiedsteam").GetString());
    }

    [Fact]
    public async Task A_melding_given_as_an_address_is_routed_from_that_address()
    {
        var (postcode, nr, buurt) = await OneAddressAsync("");
        var response = await _http.PostAsync("/api/meldingen", new StringContent(
            $$"""{"category":"afval","description":"Bij mijn voordeur","postcode":"{{postcode}}","huisnummer":{{nr}}}""", Encoding.UTF8, "application/json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(buurt, json.GetProperty("routing").GetProperty("buurt").GetString());
        Assert.Equal("adres", await Scalar<string>($"SELECT location_source FROM melding WHERE id = {json.GetProperty("id").GetInt64()}"));
    }

    [Fact]
    public async Task Stadswerk072_gets_a_work_order_with_description_and_place_but_no_melder_and_no_override_reason()
    {
        var (postcode, nr, _) = await OneAddressAsync("");
        var created = JsonDocument.Parse(await (await _http.PostAsync("/api/meldingen", new StringContent(
            $$"""{"category":"verlichting","description":"Lamp bij mijn huis","postcode":"{{postcode}}","huisnummer":{{nr}},"naam":"Melder Geheim","email":"melder@example.org","telefoon":"0612345678"}""", Encoding.UTF8, "application/json")))
            .Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("id").GetInt64();
        var (x, y) = (await Scalar<double>($"SELECT ST_X(geom) FROM melding WHERE id = {id}"), await Scalar<double>($"SELECT ST_Y(geom) FROM melding WHERE id = {id}"));
        var team = created.GetProperty("routing").GetProperty("gebied").GetString()!;
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var other = team == "GB0361-zuid" ? "GB0361-noord" : "GB0361-zuid";
        const string reason = "Buurman Jansen op nummer 12 belde erover";
        Assert.Equal(HttpStatusCode.OK, (await beheerder.PostAsync($"/api/meldingen/{id}/routering",
            new StringContent($$"""{"gebied":"{{other}}","reason":"{{reason}}"}""", Encoding.UTF8, "application/json"))).StatusCode);

        var stadswerk = await fx.Factory.SignedInAsync("stadswerk");
        var text = await stadswerk.GetStringAsync($"/api/meldingen/{id}");
        var m = JsonDocument.Parse(text).RootElement.GetProperty("melding");
        Assert.DoesNotContain(reason, text);
        // issue 27, item 14: a work order it can act on — the description and the place the resident gave, never who
        Assert.Equal("Lamp bij mijn huis", m.GetProperty("workOrder").GetProperty("description").GetString());
        Assert.Contains(postcode, m.GetProperty("workOrder").GetProperty("address").GetString());
        Assert.Equal(x, m.GetProperty("x").GetDouble(), 1);
        Assert.Equal(y, m.GetProperty("y").GetDouble(), 1);
        foreach (var secret in new[] { "Melder Geheim", "melder@example.org", "0612345678" }) Assert.DoesNotContain(secret, text);
        Assert.Equal(JsonValueKind.Null, m.GetProperty("personal").ValueKind);
        // the team is named, not coded, in what the override says
        Assert.DoesNotContain($"aan {other}", text);
        Assert.DoesNotContain(reason, await stadswerk.GetStringAsync("/api/meldingen?limit=1000"));
        // the beheerder sees the exact place and the reason
        var full = await beheerder.GetStringAsync($"/api/meldingen/{id}");
        Assert.Contains(reason, full);
        Assert.Equal(x, JsonDocument.Parse(full).RootElement.GetProperty("melding").GetProperty("x").GetDouble(), 1);
    }

    [Theory]
    [InlineData("postcode=1811&huisnummer=1", 400, "postcode")]
    [InlineData("postcode=1811AB&huisnummer=nul", 400, "huisnummer")]
    [InlineData("postcode=1811ZZ&huisnummer=99999", 404, null)]
    public async Task Bad_or_unknown_addresses_get_a_clear_problem(string query, int status, string? parameter)
    {
        var response = await _http.GetAsync("/api/addresses?" + query);
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        if (parameter is not null) Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task A_PC6_spanning_two_buurten_is_flagged_with_its_counts()
    {
        var spanning = await Scalar<string>(
            """
            SELECT a.postcode FROM address a JOIN area b ON b.level = 'buurt' AND b.valid_to IS NULL AND ST_Covers(b.geom, a.geom)
            GROUP BY a.postcode HAVING count(DISTINCT b.code) = 2 ORDER BY a.postcode LIMIT 1
            """);
        var json = JsonDocument.Parse(await _http.GetStringAsync($"/api/postcodes/{spanning}")).RootElement;
        Assert.True(json.GetProperty("spansSeveralAreas").GetBoolean());
        var areas = json.GetProperty("areas").EnumerateArray().ToList();
        Assert.Equal(2, areas.Select(a => a.GetProperty("buurt").GetString()).Distinct().Count());
        Assert.Equal(json.GetProperty("addresses").GetInt32(), areas.Sum(a => a.GetProperty("count").GetInt32()));

        var single = await Scalar<string>(
            """
            SELECT a.postcode FROM address a JOIN area b ON b.level = 'buurt' AND b.valid_to IS NULL AND ST_Covers(b.geom, a.geom)
            GROUP BY a.postcode HAVING count(DISTINCT b.code) = 1 AND count(*) > 1 ORDER BY a.postcode LIMIT 1
            """);
        Assert.False(JsonDocument.Parse(await _http.GetStringAsync($"/api/postcodes/{single}")).RootElement.GetProperty("spansSeveralAreas").GetBoolean());
    }

    [Fact]
    public async Task A_PC4_lists_every_area_it_overlaps_with_shares_that_add_up_per_level()
    {
        var json = JsonDocument.Parse(await _http.GetStringAsync("/api/postcodes/1811")).RootElement;
        var areas = json.GetProperty("areas").EnumerateArray().ToList();
        foreach (var level in new[] { "gebied", "wijk", "buurt" })
        {
            var shares = areas.Where(a => a.GetProperty("level").GetString() == level).Select(a => a.GetProperty("share").GetDouble()).ToList();
            Assert.NotEmpty(shares);
            // The PC4 may stick out of the gemeente a little; inside, the levels tile it, so each level sums to the same total.
            Assert.InRange(shares.Sum(), 0.9, 1.0001);
        }
        var gebiedSum = areas.Where(a => a.GetProperty("level").GetString() == "gebied").Sum(a => a.GetProperty("share").GetDouble());
        var buurtSum = areas.Where(a => a.GetProperty("level").GetString() == "buurt").Sum(a => a.GetProperty("share").GetDouble());
        Assert.InRange(Math.Abs(gebiedSum - buurtSum), 0, 0.002);
        // PostGIS oracle for the biggest buurt share.
        var top = areas.Where(a => a.GetProperty("level").GetString() == "buurt").OrderByDescending(a => a.GetProperty("share").GetDouble()).First();
        var oracle = await Scalar<double>($"SELECT ST_Area(ST_Intersection(a.geom, p.geom)) / ST_Area(p.geom) FROM area a, postcode4 p WHERE a.code = '{top.GetProperty("code").GetString()}' AND a.level = 'buurt' AND a.valid_to IS NULL AND p.postcode = '1811'");
        Assert.Equal(oracle, top.GetProperty("share").GetDouble(), 3);

        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/postcodes/9999")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/postcodes/18")).StatusCode);
    }

    [Fact]
    public async Task A_BAG_style_csv_imports_good_rows_reports_bad_ones_and_replaces_the_demo_set()
    {
        await using var separate = await TestDatabase.CreateAsync();
        await using var factory = new KaartAppFactory(separate);
        await factory.ImportRealBuurtenAsync();
        var store = factory.Services.GetRequiredService<AddressStore>();
        await store.ImportPostcode4Async(TestPaths.Cbs("alkmaar_postcode4_2024.geojson"));
        await store.GenerateDemoAsync();
        const string csv = """
            nummeraanduiding,postcode,huisnummer,huisletter,toevoeging,straat,woonplaats,x,y
            0361200000000001,1811 AB,12,a,2,Teststraat,Alkmaar,111500,516700
            0361200000000002,1811AB,14,,,Teststraat,Alkmaar,111520,516700
            123,1811AB,16,,,Teststraat,Alkmaar,111540,516700
            0361200000000004,ABCD12,18,,,Teststraat,Alkmaar,111560,516700
            0361200000000005,1811AB,nul,,,Teststraat,Alkmaar,111580,516700
            0361200000000006,1811AB,20,,,Teststraat,Alkmaar,1,2
            """;
        var report = await store.ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        Assert.Equal(2, report.Imported);
        Assert.Equal([4, 5, 6, 7], report.Rejected.Select(r => r.Row));
        Assert.Equal(2L, await store.CountAsync());                     // the demo set is gone once real addresses arrive
        var found = await store.FindAsync("1811AB", 12, "A-2");
        Assert.NotNull(found);
        Assert.False(found.Demo);
        Assert.Equal("A2", found.Toevoeging);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.GenerateDemoAsync());
    }

    private async Task<(string Postcode, int Nr, string Buurt)> OneAddressAsync(string toevoeging)
    {
        await using var cmd = Db.CreateCommand(
            "SELECT a.postcode, a.huisnummer, b.code FROM address a JOIN area b ON b.level = 'buurt' AND b.valid_to IS NULL AND ST_Covers(b.geom, a.geom) WHERE a.toevoeging = $1 ORDER BY a.bag_id LIMIT 1");
        cmd.Parameters.AddWithValue(toevoeging);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return (r.GetString(0), r.GetInt32(1), r.GetString(2));
    }
}
