using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Routing;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

public class RouteBatchApiTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _http = fx.Factory.CreateClient();

    private async Task<HttpResponseMessage> Post(string body, string contentType, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/route") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return await _http.SendAsync(request);
    }

    private static string[][] ParseCsv(string text) =>
        text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToArray();

    [Fact]
    public async Task Csv_in_RD_and_CSV_out_answers_every_row_in_order_with_errors_per_row()
    {
        var csv = "id,x,y\r\n" +
                  "a,111500,516000\r\n" +          // in the city
                  "b,155000,463000\r\n" +          // Amersfoort: outside, empty codes
                  "c,not-a-number,516000\r\n" +    // unreadable
                  "d,111500\r\n" +                 // too few fields
                  "e,9999999,516000\r\n" +         // out of RD range
                  "\"f,with comma\",118000,507500\r\n" + // quoted id, De Rijp area
                  "g,106500,512000\r\n";         // Bergen (NH.), outside: named
        var response = await Post(csv, "text/csv", "text/csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,buurt,wijk,gebied,dorp,gebiedsteam,distance_m,error,kind,gemeente,gemeente_naam", lines[0]);
        Assert.Equal(8, lines.Length);

        var locator = (await fx.Factory.Services.GetRequiredService<AreaLocatorProvider>().GetAsync())!.Locator;
        var a = locator.Locate(111500, 516000);
        Assert.Equal($"a,{a.Buurt!.Code},{a.Wijk!.Code},{a.Gebied!.Code},,Gebiedsteam {a.Gebied.Name},0,,inside,GM0361,Alkmaar", lines[1]);
        Assert.Equal("b,,,,,,,,outside,,", lines[2]); // Amersfoort: no neighbouring municipality known
        Assert.StartsWith("c,,,,,,,regel 4: x en y moeten getallen zijn", lines[3]);
        Assert.StartsWith("d,,,,,,,\"regel 5: 3 velden verwacht, 2 gevonden\"", lines[4]); // a field with a comma is quoted
        Assert.EndsWith("x/y ligt buiten het RD New-bereik,,,", lines[5]);
        var f = locator.Locate(118000, 507500);
        Assert.StartsWith($"\"f,with comma\",{f.Buurt!.Code},", lines[6]);
        Assert.Equal("g,,,,,,,,outside,GM0373,Bergen (NH.)", lines[7]); // a point in a neighbouring municipality names it (it came back blank)
    }

    [Fact]
    public async Task Json_in_WGS84_gives_json_out_with_the_same_answers_as_the_locator()
    {
        var random = new Random(7);
        var points = Enumerable.Range(0, 500).Select(i => (id: $"p{i}", x: 104000 + random.NextDouble() * 20000, y: 500000 + random.NextDouble() * 22000)).ToList();
        var body = JsonSerializer.Serialize(points.Select(p =>
        {
            var (lon, lat) = RdNew.ToWgs84(p.x, p.y);
            return new { id = p.id, lat, lon };
        }).Append(new { id = "bad", lat = 200.0, lon = 4.7 }));
        var response = await Post(body, "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(501, rows.Count);
        var locator = (await fx.Factory.Services.GetRequiredService<AreaLocatorProvider>().GetAsync())!.Locator;
        var agree = 0;
        for (var i = 0; i < points.Count; i++)
        {
            Assert.Equal(points[i].id, rows[i].GetProperty("id").GetString());
            var expected = locator.Locate(points[i].x, points[i].y).Buurt?.Code;
            var got = rows[i].GetProperty("buurt").ValueKind == JsonValueKind.Null ? null : rows[i].GetProperty("buurt").GetString();
            if (expected == got) agree++;
        }
        // the WGS84 round trip moves points by well under a millimetre: only a point within that of a border could differ
        Assert.True(agree >= 499, $"{agree} of 500 agree");
        Assert.Equal("lat/lon ligt buiten Nederland", rows[500].GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_wrong_header_or_media_type_is_a_clear_problem()
    {
        var header = await Post("name,lat,lng\r\nx,1,2\r\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, header.StatusCode);
        Assert.Equal("application/problem+json", header.Content.Headers.ContentType?.MediaType);
        var media = await Post("<points/>", "application/xml");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, media.StatusCode);
    }

    [Fact]
    public async Task Broken_json_answers_the_good_items_and_then_one_error()
    {
        var response = await Post("""[{"id":"1","x":111500,"y":516000},{"id":"2","x":"oops","y":1},{"id":"3","x":11""", "application/json");
        var rows = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("error").ValueKind);
        Assert.Contains("heeft getallen x en y nodig", rows[1].GetProperty("error").GetString());
        Assert.Contains("onleesbaar", rows[2].GetProperty("error").GetString());
    }

    [Fact]
    public async Task One_hundred_thousand_points_stream_through()
    {
        var sb = new StringBuilder("id,x,y\n");
        var random = new Random(1);
        for (var i = 0; i < 100_000; i++)
            sb.Append(i).Append(',').Append((104000 + random.NextDouble() * 20000).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture))
              .Append(',').Append((500000 + random.NextDouble() * 22000).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("100000,111500,516000\n"); // one over the limit
        var response = await Post(sb.ToString(), "text/csv", "text/csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100_002, lines.Length);
        var routed = lines.Skip(1).Count(l => l.Split(',')[1].StartsWith("BU0361"));
        Assert.True(routed > 20_000, $"{routed} routed to a buurt");
        Assert.EndsWith("boven de grens van 100000 punten per verzoek,,,", lines[^1]);
    }
}
