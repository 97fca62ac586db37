using System.Net;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// More than a thousand malformed requests (seeded random and crafted: JSON, GeoJSON, CSV, query parameters) to the public
/// and staff endpoints. Every answer must be a clear client error (4xx problem+json, or for batch routing an error on every
/// row), never a 5xx, and nothing may be stored.
/// </summary>
public class FuzzTests(KaartAppFixture fx, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<KaartAppFixture>
{
    private static readonly string[] Nasty =
    [
        "", " ", "NaN", "Infinity", "-Infinity", "1e309", "-1e309", "0x10", "١٢٣", "null", "true", "' OR 1=1 --", "\"; DROP TABLE melding; --",
        "<script>alert(1)</script>", "%00", "\u0000", "\uFFFF", new string('9', 5000), "🦆", "52,6", "--", "{}", "[]", "1/0", "../../etc/passwd",
        "${jndi:ldap://x}", "%s%s%s", "\r\n", "GB0361-", "BU99999999", "-0", "+-1", "1e", ".", "e5", "2026-13-45", "0000-00-00", "9999999999999999999999",
    ];

    private sealed record Case(string Name, HttpClient Client, HttpMethod Method, string Path, HttpContent? Content, Func<HttpResponseMessage, string, string?>? Extra = null);

    [Fact]
    public async Task A_thousand_malformed_inputs_get_clear_4xx_answers_no_5xx_and_store_nothing()
    {
        var rng = new Random(20261123);
        var anonymous = fx.Factory.CreateNoRedirectClient();
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var noord = await fx.Factory.SignedInAsync("team-noord");
        var planner = await fx.Factory.SignedInAsync("planner");
        var meldingId = await ExistingMeldingAsync(anonymous);
        var before = await StateAsync();

        string N() => Nasty[rng.Next(Nasty.Length)];
        string Q(string s) => Uri.EscapeDataString(s);
        StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");
        StringContent Csv(string s) => new(s, Encoding.UTF8, "text/csv");

        var cases = new List<Case>();
        for (var i = 0; i < 80; i++)
        {
            // Query parameters: every value is invalid for its parameter. (A NUL in a path is refused by Kestrel before us;
            // the in-memory test server cannot even send it, so paths get none.)
            cases.Add(new("locate rd", anonymous, HttpMethod.Get, $"/api/locate?x={Q(N())}&y={Q(N())}", null));
            cases.Add(new("locate wgs84 out of range", anonymous, HttpMethod.Get, $"/api/locate?lat={rng.Next(-90, 50)}.{rng.Next(100)}&lon={rng.Next(8, 180)}", null));
            cases.Add(new("areas level", anonymous, HttpMethod.Get, $"/api/areas?level={Q("x" + N())}", null));
            cases.Add(new("areas crs", anonymous, HttpMethod.Get, $"/api/areas?level=buurt&crs={Q("EPSG:" + rng.Next(1, 99999) + N())}", null));
            cases.Add(new("area code", anonymous, HttpMethod.Get, $"/api/areas/{Q(("Z" + N()).Replace("\0", "0"))}", null));
            cases.Add(new("public meldingen period", anonymous, HttpMethod.Get, $"/api/meldingen/openbaar?from={Q("x" + N())}", null));
            cases.Add(new("staff meldingen filters", beheerder, HttpMethod.Get,
                rng.Next(3) switch
                {
                    0 => $"/api/meldingen?from={Q("x" + N())}",
                    1 => $"/api/meldingen?status={Q("x" + N())}",
                    _ => $"/api/meldingen?limit={-rng.Next(1, 1000)}",
                }, null));
            cases.Add(new("staff melding id", noord, HttpMethod.Get, $"/api/meldingen/{rng.NextInt64(10_000_000, long.MaxValue)}", null));

            // JSON bodies of a new melding, each broken in one way.
            cases.Add(new("melding json", anonymous, HttpMethod.Post, "/api/meldingen", BrokenMelding(rng, N)));
            cases.Add(new("melding json", anonymous, HttpMethod.Post, "/api/meldingen", BrokenMelding(rng, N)));
            // Staff changes with broken bodies.
            cases.Add(new("override", noord, HttpMethod.Post, $"/api/meldingen/{meldingId}/routering",
                rng.Next(3) switch
                {
                    0 => Json($$"""{"gebied":"{{JsonEncode("GB" + N())}}","reason":"geldige reden"}"""),
                    1 => Json("""{"gebied":"GB0361-zuid","reason":""}"""),
                    _ => Json("{\"gebied\":" + Truncated(rng, "\"GB0361-zuid\",\"reason\":\"x\"}")),
                }));
            cases.Add(new("status", noord, HttpMethod.Post, $"/api/meldingen/{meldingId}/status", Json($$"""{"status":"{{JsonEncode("x" + N())}}"}""")));

            // Batch routing: every row is unreadable, so every output row must carry an error.
            cases.Add(new("route csv", anonymous, HttpMethod.Post, "/api/route", Csv(BrokenRouteCsv(rng, N)), RouteRowsAllErrors));
            cases.Add(new("route json", anonymous, HttpMethod.Post, "/api/route", Json(BrokenRouteJson(rng, N)), RouteRowsAllErrors));

            // CSV import of meldingen: only rejected rows (or a refused file).
            cases.Add(new("melding import", beheerder, HttpMethod.Post, "/api/meldingen/import", Csv(BrokenImportCsv(rng, N)), ImportRejectedAll));

            // OGC API and export parameters: each value invalid for its parameter.
            cases.Add(new("ogc items", anonymous, HttpMethod.Get, rng.Next(7) switch
            {
                0 => $"/ogc/collections/buurten/items?bbox={Q(N() + "," + N())}",
                1 => $"/ogc/collections/buurten/items?crs={Q("x" + N())}",
                2 => $"/ogc/collections/wijken/items?limit={Q("x" + N())}",
                3 => $"/ogc/collections/buurten/items?datetime={Q("x" + N())}",
                4 => $"/ogc/collections/meldingen/items?bbox=1,2,3,4&bbox-crs={Q("x" + N())}",
                5 => $"/ogc/collections/{Q(("x" + N()).Replace("\0", "0"))}/items",
                _ => $"/ogc/collections/buurten/items?{Q("x" + N())}=1",
            }, null));
            cases.Add(new("export", anonymous, HttpMethod.Get, rng.Next(5) switch
            {
                0 => $"/api/export/buurten?format={Q("x" + N())}",
                1 => $"/api/export/buurten?crs={Q("x" + N())}",
                2 => $"/api/export/meldingen?from={Q("x" + N())}",
                3 => $"/api/export/meldingen?status={Q("x" + N())}",
                _ => $"/api/export/buurten?area={Q("x" + N())}",
            }, null));
            // A beheerder's team change with one broken field: refused, nothing changed.
            cases.Add(new("gebiedsteam", beheerder, HttpMethod.Put, "/api/gebiedsteams/GB0361-noord", Json(rng.Next(4) switch
            {
                0 => $$"""{"name":"Team","mailbox":"{{JsonEncode("x" + N())}}","members":[],"partners":[]}""",
                1 => $$"""{"name":"Team","members":[{"role":"{{JsonEncode("x" + N())}}","name":"A"}],"partners":[]}""",
                2 => $$"""{"name":"Team","phone":"{{JsonEncode("x" + N())}}","members":[],"partners":[]}""",
                _ => "{\"name\":" + Truncated(rng, "\"Team\",\"members\":[]}"),
            })));

            // GeoJSON boundaries from a planner: crafted invalid geometry or structure.
            cases.Add(new("boundaries geojson", planner, HttpMethod.Post, "/api/boundaries",
                new StringContent(BrokenGeoJson(rng, N), Encoding.UTF8, "application/geo+json")));
        }
        // Crafted one-offs.
        cases.Add(new("deep json", anonymous, HttpMethod.Post, "/api/meldingen", Json(new string('[', 5000) + new string(']', 5000))));
        cases.Add(new("huge json", anonymous, HttpMethod.Post, "/api/meldingen", Json("{\"description\":\"" + new string('a', 200_000) + "\"}")));
        cases.Add(new("form post", anonymous, HttpMethod.Post, "/api/meldingen", new FormUrlEncodedContent(new Dictionary<string, string> { ["category"] = "afval" })));
        cases.Add(new("wrong method", anonymous, HttpMethod.Delete, "/api/meldingen/openbaar", null));
        cases.Add(new("binary csv", anonymous, HttpMethod.Post, "/api/route", new ByteArrayContent([0xFF, 0xFE, 0x00, 0x01, 0x02]) { Headers = { ContentType = new("text/csv") } }, RouteRowsAllErrors));
        cases.Add(new("xml boundaries", planner, HttpMethod.Post, "/api/boundaries", new StringContent("<gml/>", Encoding.UTF8, "application/xml")));

        Assert.True(cases.Count >= 1000, $"{cases.Count} cases");
        var failures = new List<string>();
        var statuses = new SortedDictionary<string, int>();
        foreach (var c in cases)
        {
            var response = await c.Client.SendAsync(new HttpRequestMessage(c.Method, c.Path) { Content = c.Content });
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[$"{c.Name} {status}"] = statuses.GetValueOrDefault($"{c.Name} {status}") + 1;
            string? problem = null;
            if (c.Extra is not null && status == 200) problem = c.Extra(response, body);
            else if (status is < 400 or >= 500) problem = $"status {status}";
            else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") problem = $"{status} without problem+json";
            else if (!JsonDocument.Parse(body).RootElement.TryGetProperty("title", out var t) || string.IsNullOrWhiteSpace(t.GetString())) problem = "problem without title";
            if (problem is not null) failures.Add($"{c.Name} {c.Method} {Truncate(c.Path)}: {problem} {Truncate(body)}");
        }
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "kaart-fuzz-statuses.txt"), statuses.Select(kv => $"{kv.Key}: {kv.Value}"));
        output.WriteLine($"{cases.Count} cases: " + string.Join(", ", statuses.Select(kv => $"{kv.Key}×{kv.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} failed:\n" + string.Join("\n", failures.Take(30)));
        Assert.Equal(before, await StateAsync());
    }

    private static string? RouteRowsAllErrors(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json") return "route answer is not JSON";
        var rows = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        return rows.Count > 0 && rows.All(r => r.GetProperty("error").ValueKind == JsonValueKind.String) ? null : "a row without an error";
    }

    private static string? ImportRejectedAll(HttpResponseMessage response, string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("imported").GetInt32() == 0 ? null : "a broken row was imported";

    private static StringContent BrokenMelding(Random rng, Func<string> n)
    {
        const string valid = """{"category":"afval","description":"Zak naast container","lat":52.6366,"lon":4.7393,"naam":"A"}""";
        var json = rng.Next(10) switch
        {
            0 => Truncated(rng, valid),
            1 => valid.Replace("\"afval\"", rng.Next(2) == 0 ? "42" : "{\"a\":1}"),
            2 => valid.Replace("52.6366", $"\"{JsonEncode(n())}\""),
            3 => valid.Replace("}", ",\"" + JsonEncode("onbekend" + n()) + "\":1}"),
            4 => valid.Replace("52.6366", rng.Next(2) == 0 ? "91" : "-52.6"),
            5 => valid.Replace("afval", JsonEncode("cat" + n())),
            6 => valid.Replace("\"lat\"", "\"x\":111000,\"y\":515000,\"lat\""),
            7 => valid.Replace("Zak naast container", new string('x', 2001 + rng.Next(500))),
            8 => valid.Replace("\"naam\":\"A\"", $"\"email\":\"{JsonEncode("geen-mail" + n())}\""),
            _ => Encoding.Latin1.GetString(Enumerable.Range(0, rng.Next(1, 200)).Select(_ => (byte)rng.Next(256)).ToArray()),
        };
        return new StringContent(json, Encoding.UTF8, "application/json");
    }

    private static string BrokenRouteCsv(Random rng, Func<string> n) => rng.Next(4) switch
    {
        0 => "id,x\n1,2\n",                                                          // wrong header → 400
        1 => "id,x,y\n" + string.Join("\n", Enumerable.Range(0, rng.Next(1, 20)).Select(i => $"{i},{Csv(n())},{Csv("q" + n())}")),
        2 => "id,lat,lon\n" + string.Join("\n", Enumerable.Range(0, rng.Next(1, 20)).Select(i => $"{i},{rng.Next(-90, 50)},{rng.Next(8, 180)}")),
        _ => "id,x,y\n1,\"unterminated,2\n3,4,5\n",
    };

    private static string BrokenRouteJson(Random rng, Func<string> n) => rng.Next(4) switch
    {
        0 => "[" + string.Join(",", Enumerable.Range(0, rng.Next(1, 20)).Select(i => $"{{\"id\":\"{i}\",\"x\":\"{JsonEncode(n())}\",\"y\":1}}")) + "]",
        1 => "[1,\"a\",null,[],true]",
        2 => "[{\"id\":\"a\",\"lat\":95,\"lon\":4.7}," + Truncated(rng, "{\"id\":\"b\",\"lat\":52.6,\"lon\":4.7}]"),
        _ => "[{\"id\":\"x\",\"x\":1e400,\"y\":515000}]",
    };

    private static string BrokenImportCsv(Random rng, Func<string> n) => rng.Next(4) switch
    {
        0 => "wat,dan\n1,2\n",
        1 => "category,description,lat,lon\n" + string.Join("\n", Enumerable.Range(0, rng.Next(1, 10)).Select(_ => $"{Csv("q" + n())},x,52.63,4.74")),
        2 => "category,description,x,y\n" + string.Join("\n", Enumerable.Range(0, rng.Next(1, 10)).Select(_ => $"afval,x,{Csv("q" + n())},515000")),
        _ => "category,description,lat,lon\nafval,\"kapot,52.63,4.74\n",
    };

    private static string BrokenGeoJson(Random rng, Func<string> n)
    {
        static string Fc(string geometry, string props = "\"buurtcode\":\"BU03610001\",\"buurtnaam\":\"X\"") =>
            $$"""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{{{props}}},"geometry":{{geometry}}}]}""";
        return rng.Next(10) switch
        {
            0 => Fc("""{"type":"Polygon","coordinates":[[[110000,515000],[111000,516000],[111000,515000],[110000,516000],[110000,515000]]]}"""), // bow-tie
            1 => Fc("""{"type":"Polygon","coordinates":[]}"""),
            2 => Fc("""{"type":"Point","coordinates":[110000,515000]}"""),
            3 => Fc("""{"type":"Polygon","coordinates":[[[1e300,1e300],[1e301,1],[1,1e302],[1e300,1e300]]]}"""),
            4 => Fc("null"),
            5 => Fc("""{"type":"Polygon","coordinates":[[[110000,515000],[111000,515000],[111000,516000],[110000,516000],[110000,515000]]]}""", "\"naam\":1"),
            6 => """{"type":"FeatureCollection","features":null}""",
            7 => """{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}""",
            8 => Truncated(rng, Fc("""{"type":"Polygon","coordinates":[[[110000,515000],[111000,515000],[111000,516000],[110000,515000]]]}""")),
            _ => "{\"type\":\"" + JsonEncode(n()) + "\"}",
        };
    }

    /// <summary>Text with a NUL byte and other control characters, as a query value or a JSON string.</summary>
    private static readonly string[] ControlTexts = ["\u0000", "a\u0000b", "\u0001\u0002", "x\u001b[31m", "\u007f", "\u0085", "\u0000%00"];

    [Fact]
    public async Task Every_query_parameter_of_every_endpoint_with_NUL_and_control_characters_gets_no_5xx()
    {
        var anonymous = fx.Factory.CreateNoRedirectClient();
        var beheerder = await fx.Factory.SignedInAsync("beheerder");
        var meldingId = await ExistingMeldingAsync(anonymous);
        var before = await StateAsync();
        var endpoints = fx.Factory.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(d => d.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Where(e => e.RoutePattern.RawText is { } t && (t.StartsWith("/api") || t.StartsWith("/ogc") || t.StartsWith("api") || t.StartsWith("ogc")))
            .ToList();
        Assert.True(endpoints.Count > 20, $"only {endpoints.Count} GET endpoints found");
        var problems = new List<string>();
        var requests = 0;
        foreach (var e in endpoints)
        {
            var path = "/" + e.RoutePattern.RawText!.TrimStart('/');
            foreach (var p in e.RoutePattern.Parameters)
                path = path.Replace("{" + p.Name + "}", p.Name switch
                {
                    "code" => "WK036101", "id" => meldingId.ToString(), "gebied" => "GB0361-noord", "collectionId" => "buurten",
                    "featureId" => "BU03610100", "layer" => "meldingen", "pc6" or "postcode" => "1811AB", _ => "x",
                }, StringComparison.Ordinal).Replace("{" + p.Name + ":long}", meldingId.ToString()).Replace("{*" + p.Name + "}", "x");
            // every parameter the endpoint binds (route ones aside), plus ones it does not know
            var names = e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IParameterBindingMetadata>()
                .Where(m => e.RoutePattern.GetParameter(m.Name) is null && IsSimple(m.ParameterInfo.ParameterType))
                .Select(m => m.Name).Concat(["onbekend", "f", "crs", "bbox", "datetime", "limit"]).Distinct().ToList();
            foreach (var name in names)
            foreach (var text in ControlTexts)
            {
                var url = $"{path}?{name}={Uri.EscapeDataString(text)}";
                foreach (var client in new[] { anonymous, beheerder })
                {
                    requests++;
                    var response = await client.GetAsync(url);
                    if ((int)response.StatusCode >= 500) problems.Add($"{(int)response.StatusCode} {url}");
                    else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        problems.Add($"{(int)response.StatusCode} without problem+json {url}");
                }
            }
        }
        // JSON bodies with NUL and control characters in every text field
        var bodies = new (HttpClient Client, HttpMethod Method, string Path, Func<string, string> Body)[]
        {
            (anonymous, HttpMethod.Post, "/api/meldingen", t => $$"""{"category":"afval","description":"{{JsonEncode(t)}}","lat":52.6366,"lon":4.7393,"naam":"{{JsonEncode(t)}}"}"""),
            (anonymous, HttpMethod.Post, "/api/meldingen", t => $$"""{"category":"{{JsonEncode(t)}}","description":"x","lat":52.6366,"lon":4.7393}"""),
            (beheerder, HttpMethod.Post, $"/api/meldingen/{meldingId}/routering", t => $$"""{"gebied":"GB0361-zuid","reason":"{{JsonEncode("reden " + t)}}"}"""),
            (beheerder, HttpMethod.Put, "/api/gebiedsteams/GB0361-noord", t => $$"""{"name":"{{JsonEncode("Team " + t)}}","members":[],"partners":[]}"""),
            (beheerder, HttpMethod.Put, "/api/gebiedsteams/GB0361-noord", _ => """{"name":"Team","members":[null],"partners":[]}"""),
        };
        foreach (var (client, method, path, body) in bodies)
        foreach (var text in ControlTexts)
        {
            requests++;
            var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body(text), Encoding.UTF8, "application/json") });
            if ((int)response.StatusCode >= 500 || (int)response.StatusCode < 400)
                problems.Add($"{(int)response.StatusCode} {method} {path} {JsonEncode(text)}");
            else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                problems.Add($"{(int)response.StatusCode} without problem+json {method} {path}");
        }
        output.WriteLine($"{requests} requests over {endpoints.Count} GET endpoints");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(40)));
        Assert.Equal(before, await StateAsync());
    }

    private static bool IsSimple(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTimeOffset) || t == typeof(DateOnly) || t == typeof(string[]);
    }

    private static string Truncated(Random rng, string s) => s[..rng.Next(0, s.Length - 1)];
    private static string JsonEncode(string s) => JsonEncodedText.Encode(s).ToString();
    private static string Csv(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
    private static string Truncate(string s) => s.Length > 160 ? s[..160] + "…" : s;

    private async Task<long> ExistingMeldingAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/meldingen", new StringContent(
            """{"category":"afval","description":"Fuzz-basis","lat":52.6366,"lon":4.7393}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Counts of everything a malformed request could have written.</summary>
    private async Task<string> StateAsync()
    {
        await using var cmd = fx.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "SELECT (SELECT count(*) FROM melding) || '/' || (SELECT count(*) FROM melding_routing) || '/' || (SELECT count(*) FROM boundary_version) || '/' || (SELECT count(*) FROM area)" +
            " || '/' || (SELECT md5(string_agg(t::text, ',' ORDER BY gebied_code)) FROM gebiedsteam t) || '/' || (SELECT count(*) FROM gebiedsteam_member)");
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
