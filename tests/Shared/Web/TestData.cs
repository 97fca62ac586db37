using Alkmaar.Kaart.Server.Features.Addresses;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Testing;

/// <summary>Data the tests place meldingen with: demo addresses, and points and addresses inside an area (by PostGIS).</summary>
public static class TestData
{
    /// <summary>The PC4 areas and the DEMO addresses, loaded once per test database.</summary>
    public static async Task EnsureDemoAddressesAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<AddressStore>();
        if (!await store.HasPostcode4Async()) await store.ImportPostcode4Async(TestPaths.Cbs("alkmaar_postcode4_2024.geojson"));
        if (await store.CountAsync() == 0) await store.GenerateDemoAsync();
    }

    /// <summary>An interior point of an area in force (PostGIS ST_PointOnSurface), in RD.</summary>
    public static async Task<(double X, double Y)> InsideAsync(NpgsqlDataSource db, string code)
    {
        await using var cmd = db.CreateCommand("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area WHERE code = $1 AND valid_to IS NULL LIMIT 1) s");
        cmd.Parameters.AddWithValue(code);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) throw new InvalidOperationException($"no area {code} in force");
        return (r.GetDouble(0), r.GetDouble(1));
    }

    /// <summary>A demo address (without toevoeging) inside gebied <paramref name="gebied"/>, by PostGIS.</summary>
    public static async Task<(string Postcode, int Nr)> AddressInGebiedAsync(NpgsqlDataSource db, string gebied)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT a.postcode, a.huisnummer FROM address a
            JOIN area_in_force g ON g.level = 'gebied' AND g.code = $1 AND ST_Covers(g.geom, a.geom)
            WHERE a.toevoeging = '' ORDER BY a.bag_id LIMIT 1
            """);
        cmd.Parameters.AddWithValue(gebied);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) throw new InvalidOperationException($"no demo address in {gebied}");
        return (r.GetString(0), r.GetInt32(1));
    }
}
