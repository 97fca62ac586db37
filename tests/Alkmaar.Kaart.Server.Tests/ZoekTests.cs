using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Zoeken;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Search by name (issue 34, part 1) against PostgreSQL: wijk, buurt and dorp names, the aliases from
/// data/boundaries/aliassen.json, woonplaatsen, postcodes and street + number — each with one typing error or without
/// accents and hyphens — answered with the place's areas and team (checked against PostGIS's point-in-polygon);
/// an alias added by a beheerder is found at once; bad input gets a problem.
/// </summary>
public class ZoekTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private T S<T>() where T : notnull => fx.Factory.Services.GetRequiredService<T>();

    [Fact]
    public async Task Names_aliases_postcodes_and_addresses_are_found_with_a_typing_error_and_carry_their_areas_and_team()
    {
        await TestData.EnsureDemoAddressesAsync(fx.Factory.Services);
        var index = S<ZoekIndex>();
        Assert.True(await index.RebuildAsync() > 1000);

        async Task<ZoekResultaat> First(string q) => (await index.SearchAsync(q)).FirstOrDefault() ?? throw new Xunit.Sdk.XunitException($"nothing for '{q}'");
        var overdie = await First("Overdei"); // one typing error
        Assert.Equal(("wijk", "Overdie"), (overdie.Kind, overdie.Label));
        Assert.NotNull(overdie.Gebiedsteam);
        Assert.Equal(("alias", "Nieuw Overdie", "Overdie"), ((await First("nieuw overdie")).Kind, (await First("nieuw overdie")).Label, (await First("nieuw overdie")).Wijk));
        Assert.Equal("Oudorp", (await First("Rivirenbuurt")).Wijk);
        Assert.Equal(("wijk", "Graft-De Rijp"), ((await First("graft de rijp")).Kind, (await First("graft de rijp")).Label));
        Assert.Equal(("woonplaats", "Alkmaar"), ((await First("Alkmar")).Kind, (await First("Alkmar")).Label));

        // postcodes and an address (street + number) from the loaded addresses
        await using var db = fx.Database.CreateDataSource();
        string straat, postcode;
        int nr;
        await using (var cmd = db.CreateCommand("SELECT straat, postcode, huisnummer FROM address WHERE toevoeging = '' AND woonplaats = 'Alkmaar' ORDER BY bag_id LIMIT 1"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            (straat, postcode, nr) = (r.GetString(0), r.GetString(1), r.GetInt32(2));
        }
        var pc6 = await First($"{postcode[..4]} {postcode[4..].ToLowerInvariant()}");
        Assert.Equal(("postcode", $"{postcode[..4]} {postcode[4..]}"), (pc6.Kind, pc6.Label));
        Assert.Contains(await index.SearchAsync(postcode[..4]), x => x.Kind == "postcode" && x.Label == postcode[..4]);
        var address = await First($"{straat.ToLowerInvariant()} {nr}");
        Assert.Equal(("adres", $"{straat} {nr}", postcode, nr), (address.Kind, address.Label, address.Postcode, address.Huisnummer));
        Assert.Equal(("adres", nr), ((await First($"{postcode} {nr}")).Kind, (await First($"{postcode} {nr}")).Huisnummer));
        // its areas are PostGIS's
        await using (var cmd = db.CreateCommand(
            "SELECT g.name FROM address a JOIN area_in_force g ON g.level = 'gebied' AND ST_Covers(g.geom, a.geom) WHERE a.postcode = $1 AND a.huisnummer = $2 AND a.toevoeging = ''"))
        {
            cmd.Parameters.AddWithValue(postcode);
            cmd.Parameters.AddWithValue(nr);
            Assert.Equal(await cmd.ExecuteScalarAsync() as string, address.Gebied);
        }

        // a beheerder's alias is found at once; the API answers the same and refuses nonsense
        await index.AddAliasAsync("test", "De Hoef", "WK036101", "test");
        Assert.Equal(("alias", "Zuid"), ((await First("de hoef")).Kind, (await First("de hoef")).Wijk));
        await Assert.ThrowsAsync<Features.RejectedException>(() => index.AddAliasAsync("test", "Nergens", "WK999999", null));
        var client = fx.Factory.CreateClient();
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/zoeken?q=Overdei"));
        Assert.Equal("Overdie", json.RootElement.GetProperty("results")[0].GetProperty("label").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/zoeken")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/zoeken?q=a&limit=99")).StatusCode);
        Assert.Empty(await index.SearchAsync("x"));
        Assert.Equal("sint pancras", ZoekIndex.Normalise("Sint-Pancras"));
        Assert.Equal("koedijk", ZoekIndex.Normalise("Kôedijk!"));
    }
}
