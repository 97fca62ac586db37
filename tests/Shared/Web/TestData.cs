using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.Meldingen;
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

    /// <summary>
    /// A melding in <paramref name="gebied"/> (the melder leaves a name, e-mail and phone) handed by its team to
    /// <paramref name="party"/>, which is put in the gebied's Gebiedsteam+ register first; answers both ids.
    /// </summary>
    /// <summary>Puts an organisation in a gebied's Gebiedsteam+ register (once).</summary>
    public static Task RegisterPartnerAsync(IServiceProvider services, string gebied, string organisation, string kind = "Woningcorporatie") =>
        services.GetRequiredService<NpgsqlDataSource>().ExecAsync(
            """
            INSERT INTO gebiedsteam_partner (gebied_code, organisation, kind, contact_email)
            SELECT $1, $2, $3, 'partner@example.org'
            WHERE NOT EXISTS (SELECT 1 FROM gebiedsteam_partner WHERE gebied_code = $1 AND organisation = $2)
            """, gebied, organisation, kind);

    public static async Task<(long Melding, long Taak)> HandedToPartyAsync(IServiceProvider services, string gebied, string party,
        string description, string question)
    {
        var db = services.GetRequiredService<NpgsqlDataSource>();
        await RegisterPartnerAsync(services, gebied, party);
        var (x, y) = await InsideAsync(db, gebied);
        var made = await services.GetRequiredService<MeldingService>().CreateAsync(new NewMelding
        {
            Category = "overlast", Description = description, X = x, Y = y, Naam = "Bram Melder", Email = "bram.melder@example.nl", Telefoon = "06 55667788",
        }, "api", "test");
        var team = TestAccounts.TeamPrincipal(gebied);
        var task = await services.GetRequiredService<MeldingTaken>().HandOffAsync(team, made.Id, party, question, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7));
        return (made.Id, task.Taak.Id);
    }
}

/// <summary>Plain SQL in tests (setting data up, PostGIS as the oracle): positional parameters $1, $2, … in order.</summary>
public static class TestSql
{
    public static async Task ExecAsync(this NpgsqlDataSource db, string sql, params object[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Time passing for meldingen made in a test: every melding of the last day is moved <paramref name="days"/> days back
    /// (the cell counts follow through their triggers). Public numbers end at yesterday (the release rule), so a test that
    /// reads its own new meldingen from a public answer lets them age first.
    /// </summary>
    public static Task AgeRecentMeldingenAsync(this NpgsqlDataSource db, int days = 2) =>
        db.ExecAsync("UPDATE melding SET created_at = created_at - make_interval(days => $1) WHERE created_at > now() - interval '1 day'", days);

    public static async Task<T> ScalarAsync<T>(this NpgsqlDataSource db, string sql, params object[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>Reading API answers in tests: the status must be the expected one (the body is shown when it is not).</summary>
public static class TestHttp
{
    /// <summary>The JSON answer (default for an empty body), after checking its status.</summary>
    public static async Task<System.Text.Json.JsonElement> JsonAsync(this HttpResponseMessage response,
        System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : System.Text.Json.JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Submits a melding through the API as anyone may, and returns the answer.</summary>
    public static async Task<System.Text.Json.JsonElement> SubmitMeldingAsync(this HttpClient client, object body,
        System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.Created) =>
        await (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(client, "/api/meldingen", body)).JsonAsync(expected);
}
