using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Organisaties;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>The register of bewonersorganisaties (issue 33, part 4) against PostgreSQL: the gebied's own team keeps it,
/// bad input is refused in Dutch, a stale change is 412; it is public as GeoJSON, inside an area, and in OGC API Features.</summary>
public class OrganisatieTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Fact]
    public async Task The_gebieds_team_keeps_its_organisations_and_everyone_reads_them_on_the_map_the_area_and_in_ogc()
    {
        var store = fx.Factory.Services.GetRequiredService<OrganisatieStore>();
        // a place in gebied Noord (PostGIS names it), in WGS84
        await using var db = fx.Database.CreateDataSource();
        double lat, lon;
        string wijk;
        await using (var cmd = db.CreateCommand(
            "SELECT ST_Y(p), ST_X(p), code FROM (SELECT code, ST_Transform(ST_PointOnSurface(geom), 4326) p FROM area_in_force WHERE level = 'wijk' AND parent_code = 'GB0361-noord' ORDER BY code LIMIT 1) w"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            (lat, lon, wijk) = (r.GetDouble(0), r.GetDouble(1), r.GetString(2));
        }
        var input = new OrganisatieInput { Soort = "buurthuis", Naam = "Buurthuis De Horst (test)", Adres = "Horstweg 1", Openingstijden = "ma–vr 9–17 uur",
            Telefoon = "072 000 0000", Website = "https://example.org/horst", Lat = lat, Lon = lon };
        Assert.Equal(403, (await Assert.ThrowsAsync<OrganisatieException>(() => store.AddAsync(TestAccounts.TeamPrincipal("GB0361-zuid"), input))).Status);
        Assert.Equal("website", (await Assert.ThrowsAsync<OrganisatieException>(() =>
            store.AddAsync(TestAccounts.TeamPrincipal("GB0361-noord"), new OrganisatieInput { Soort = "wijkraad", Naam = "X-raad", Website = "javascript:alert(1)", Lat = lat, Lon = lon }))).Parameter);
        await Assert.ThrowsAsync<OrganisatieException>(() => store.AddAsync(TestAccounts.TeamPrincipal("GB0361-noord"), new OrganisatieInput { Soort = "kerk", Naam = "Iets", Lat = lat, Lon = lon }));
        var o = await store.AddAsync(TestAccounts.TeamPrincipal("GB0361-noord"), input);
        Assert.Equal(("GB0361-noord", wijk), (o.GebiedCode, o.WijkCode));

        // a stale change is refused and changes nothing; the right version changes it
        input.Openingstijden = "ma–za 9–17 uur";
        var changed = await store.UpdateAsync(TestAccounts.TeamPrincipal("GB0361-noord"), o.Id, o.Version, input);
        Assert.Equal(412, (await Assert.ThrowsAsync<OrganisatieException>(() => store.UpdateAsync(TestAccounts.TeamPrincipal("GB0361-noord"), o.Id, o.Version, input))).Status);
        Assert.Equal("ma–za 9–17 uur", (await store.GetAsync(o.Id))!.Openingstijden);

        // public: GeoJSON, inside its wijk and not inside Zuid, and an OGC item
        var http = fx.Factory.CreateClient();
        using var all = JsonDocument.Parse(await http.GetStringAsync("/api/bewonersorganisaties"));
        var feature = all.RootElement.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("properties").GetProperty("id").GetInt64() == o.Id);
        Assert.Equal("Buurthuis", feature.GetProperty("properties").GetProperty("soort").GetString());
        Assert.Single(await store.ListAsync(wijk), x => x.Id == o.Id);
        Assert.DoesNotContain(await store.ListAsync("GB0361-zuid"), x => x.Id == o.Id);
        var item = await http.GetAsync($"/ogc/collections/bewonersorganisaties/items/{o.Id}?f=json");
        Assert.Equal(HttpStatusCode.OK, item.StatusCode);
        Assert.Contains("Buurthuis De Horst (test)", await item.Content.ReadAsStringAsync());

        await store.DeleteAsync(TestAccounts.TeamPrincipal("GB0361-noord"), changed.Id);
        Assert.Null(await store.GetAsync(o.Id));
        await using var audit = db.CreateCommand("SELECT count(*) FROM audit_log WHERE subject_type = 'bewonersorganisatie' AND subject_id = $1");
        audit.Parameters.AddWithValue(o.Id.ToString());
        Assert.Equal(3L, await audit.ExecuteScalarAsync());
    }
}
