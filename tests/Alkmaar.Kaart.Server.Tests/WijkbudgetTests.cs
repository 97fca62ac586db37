using System.Net.Http.Json;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Wijkbudget (issue 33, part 1) against PostgreSQL: 50 concurrent grants of € 100 on a budget of € 2.000 grant exactly 20
/// and never more than the budget; a grant beyond what is left is refused in Dutch; the budget cannot drop below what is
/// granted; asked, granted and left equal direct sums; only the area's own team sets it.
/// </summary>
public class WijkbudgetTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private T S<T>() where T : notnull => fx.Factory.Services.GetRequiredService<T>();

    [Fact]
    public async Task The_budget_of_a_place_is_its_wijks_with_the_forms_sentence_and_a_bad_place_is_a_problem()
    {
        // a point inside a wijk of Centrum (no dorpen there; PostGIS picks the point), that wijk's budget for this year
        await using var db = fx.Database.CreateDataSource();
        string wijk;
        double lat, lon;
        await using (var cmd = db.CreateCommand(
            """
            SELECT code, ST_Y(p), ST_X(p) FROM (SELECT code, ST_Transform(ST_PointOnSurface(geom), 4326) p FROM area_in_force
              WHERE level = 'wijk' AND parent_code = 'GB0361-centrum' ORDER BY code DESC LIMIT 1) w
            """))
        {
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            (wijk, lat, lon) = (r.GetString(0), r.GetDouble(1), r.GetDouble(2));
        }
        var year = Features.DutchTime.Day(DateTimeOffset.UtcNow).Year;
        await S<WijkbudgetStore>().SetAsync(TestAccounts.TeamPrincipal("GB0361-centrum"), wijk, year, 123_456, "team");
        var stand = (await S<WijkbudgetStore>().StandAsync(year, wijk)).Single();
        var http = fx.Factory.CreateClient();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var answer = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/wijkbudget/plek?lat={lat.ToString(inv)}&lon={lon.ToString(inv)}");
        Assert.Equal(wijk, answer.GetProperty("code").GetString());
        Assert.Equal($"Wijkbudget {year} van {stand.AreaName}: nog {WijkbudgetStand.Euro(stand.Left)} over (van € 123.456).", answer.GetProperty("tekst").GetString());
        // outside every wijk: no budget, said so
        var sea = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/wijkbudget/plek?lat=52.8&lon=4.5");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, sea.GetProperty("code").ValueKind);
        Assert.Contains("nog geen wijkbudget", sea.GetProperty("tekst").GetString());
        var bad = await http.GetAsync("/api/wijkbudget/plek?lat=abc&lon=4.7");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Fifty_concurrent_grants_never_exceed_the_budget_and_asked_granted_left_equal_direct_sums()
    {
        const string gebied = "GB0361-centrum";
        await using var db = fx.Database.CreateDataSource();
        string wijk;
        double x, y;
        await using (var cmd = db.CreateCommand(
            "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) p FROM area_in_force WHERE level = 'wijk' AND parent_code = $1 ORDER BY code LIMIT 1) w"))
        {
            cmd.Parameters.AddWithValue(gebied);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            (wijk, x, y) = (r.GetString(0), r.GetDouble(1), r.GetDouble(2));
        }
        var team = TestAccounts.TeamPrincipal(gebied);
        var store = S<InitiatiefStore>();
        var budgets = S<WijkbudgetStore>();
        const int year = 2026;
        await Assert.ThrowsAsync<InitiatiefRejectedException>(() => budgets.SetAsync(TestAccounts.TeamPrincipal("GB0361-noord"), wijk, year, 2000, "team"));
        await budgets.SetAsync(team, wijk, year, 2000, "team");

        // 50 applications of € 100 each, then 50 grants at once
        var ids = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            var (created, _) = await store.ApplyAsync(new InitiatiefInput { Title = $"Buurtfeest {i}", Theme = "ontmoeten", X = x, Y = y, Requested = 100, Year = year }, null);
            ids.Add(created.Id);
        }
        var stand = (await budgets.StandAsync(year, wijk)).Single();
        Assert.Equal((2000m, 5000m, 0m, 2000m), (stand.Amount, stand.Requested, stand.Granted, stand.Left));
        var results = await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            try { await store.UpdateAsync(id, new InitiatiefInput { Status = "toegekend", Subsidy = 100 }, team); return 201; }
            catch (InitiatiefRejectedException e) { return e.Status; }
        })));
        Assert.Equal(20, results.Count(r => r == 201));
        Assert.Equal(30, results.Count(r => r == 409));
        await using (var cmd = db.CreateCommand("SELECT sum(subsidy_eur), count(*) FROM initiatief WHERE id = ANY($1) AND status = 'toegekend'"))
        {
            cmd.Parameters.AddWithValue(ids.ToArray());
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            Assert.Equal((2000m, 20L), (r.GetDecimal(0), r.GetInt64(1)));
        }
        stand = (await budgets.StandAsync(year, wijk)).Single();
        Assert.Equal((2000m, 3000m, 0m), (stand.Granted, stand.Requested, stand.Left));

        // lowering the budget below what is granted is refused; raising it lets one more through
        Assert.Equal(409, (await Assert.ThrowsAsync<InitiatiefRejectedException>(() => budgets.SetAsync(team, wijk, year, 1500, "team"))).Status);
        var refused = ids.First(id => results[ids.IndexOf(id)] == 409);
        var e = await Assert.ThrowsAsync<InitiatiefRejectedException>(() => store.UpdateAsync(refused, new InitiatiefInput { Status = "toegekend", Subsidy = 100 }, team));
        Assert.Contains("over € 0", e.Message);
        await budgets.SetAsync(team, wijk, year, 2100, "regiegroep");
        await store.UpdateAsync(refused, new InitiatiefInput { Status = "toegekend", Subsidy = 100 }, team);
        stand = (await budgets.StandAsync(year, wijk)).Single();
        Assert.Equal((2100m, 2100m, 0m, "regiegroep"), (stand.Amount, stand.Granted, stand.Left, stand.BeslistDoor));
    }
}
