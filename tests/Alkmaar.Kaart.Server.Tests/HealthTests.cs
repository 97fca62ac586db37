using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

public class HealthTests
{
    [Fact]
    public async Task Health_is_degraded_without_boundaries_and_unhealthy_when_PostGIS_is_gone()
    {
        var db = await TestDatabase.CreateAsync();
        await using var app = new KaartAppFactory(db);
        var http = app.CreateClient();
        var degraded = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
        Assert.Equal("Degraded", degraded.GetProperty("status").GetString());

        await db.DisposeAsync(); // drops the database under the running server
        var response = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("Unhealthy", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
        Assert.DoesNotContain("Exception", body);
    }
}
