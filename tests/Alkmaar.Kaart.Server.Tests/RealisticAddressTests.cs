using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Addresses;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.Gebiedsteams;
using Alkmaar.Kaart.Server.Features.Population;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The DEMO address set as large and spread as the real BAG (about as many per buurt as its households), and
/// postcodes without a huisnummer answered with what is known.</summary>
public class RealisticAddressTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private AddressStore Store => fx.Factory.Services.GetRequiredService<AddressStore>();

    public async Task InitializeAsync()
    {
        if (!await Store.HasPostcode4Async()) await Store.ImportPostcode4Async(TestPaths.Cbs("alkmaar_postcode4_2024.geojson"));
        await using (var s = File.OpenRead(TestPaths.FullRes("cbs_kerncijfers_2022_buurten.csv")))
            await fx.Factory.Services.GetRequiredService<PopulationStore>().ImportCsvAsync(s, default, 2022);
        await Store.GenerateDemoAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_demo_set_has_about_as_many_addresses_per_buurt_as_households()
    {
        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(
            """
            SELECT p.buurt_code, p.inwoners, count(a.*) FROM population p JOIN area_in_force b ON b.level = 'buurt' AND b.code = p.buurt_code
            LEFT JOIN address a ON ST_Covers(b.geom, a.geom) GROUP BY 1, 2
            """);
        var rows = new List<(string Code, double Inwoners, long Addresses)>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) rows.Add((r.GetString(0), r.GetDouble(1), r.GetInt64(2)));
        Assert.Equal(66, rows.Count);
        var total = rows.Sum(r => r.Addresses);
        Assert.InRange(total, 54_000, 58_000); // Alkmaar has about 56,000 addresses
        // per buurt as its households; a few points may fall outside every PC4 polygon and are skipped
        foreach (var (code, inwoners, addresses) in rows)
            Assert.True(addresses >= DemoAddressGenerator.ForInwoners(inwoners) * 0.97 && addresses <= DemoAddressGenerator.ForInwoners(inwoners),
                $"{code}: {addresses} addresses for {inwoners} inwoners");
    }

    [Fact]
    public async Task A_postcode_without_huisnummer_answers_with_its_areas_and_an_unknown_PC6_of_an_Alkmaar_PC4_with_the_PC4()
    {
        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("SELECT postcode FROM address GROUP BY postcode ORDER BY count(*) DESC LIMIT 1");
        var pc6 = (string)(await cmd.ExecuteScalarAsync())!;
        var client = fx.Factory.CreateClient();
        var known = JsonDocument.Parse(await client.GetStringAsync($"/api/addresses?postcode={pc6}")).RootElement;
        Assert.Equal("pc6", known.GetProperty("kind").GetString());
        Assert.True(known.GetProperty("addresses").GetInt32() > 1);

        var unknownPc6 = pc6[..4] + "ZZ";
        var viaPc4 = await client.GetAsync($"/api/postcodes/{unknownPc6}");
        Assert.Equal(HttpStatusCode.OK, viaPc4.StatusCode);
        var body = JsonDocument.Parse(await viaPc4.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("pc4", body.GetProperty("kind").GetString());
        Assert.Contains(body.GetProperty("areas").EnumerateArray(), a => a.GetProperty("level").GetString() == "gebied");

        // the resident page's answer for a postcode alone
        var answer = await fx.Factory.Services.GetRequiredService<TeamFinder>().ByAddressAsync(unknownPc6, null, null);
        Assert.Equal(TeamAnswerKind.PostcodeOnly, answer.Kind);
        Assert.NotEmpty(answer.PostcodeHint!.Gebieden);
        Assert.Equal(TeamAnswerKind.PostcodeOnly, (await fx.Factory.Services.GetRequiredService<TeamFinder>().ByAddressAsync(pc6, "", null)).Kind);
        // outside Alkmaar's PC4s it stays "unknown"
        Assert.Equal(TeamAnswerKind.AddressNotFound, (await fx.Factory.Services.GetRequiredService<TeamFinder>().ByAddressAsync("9999ZZ", null, null)).Kind);
    }
}
