using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// docs/access-matrix.md is the contract: every endpoint of the running app has a row, every row an endpoint, and every
/// role gets exactly what its cell says.
/// </summary>
public partial class AccessMatrixTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private static readonly string[] Roles = ["anoniem", "gebiedsteam", "stadswerk072", "planner", "beheerder", "partner", "regiegroep"];
    private static readonly Dictionary<string, string> Accounts = new()
    {
        ["gebiedsteam"] = "team-noord", ["stadswerk072"] = "stadswerk", ["planner"] = "planner", ["beheerder"] = "beheerder",
        ["partner"] = "partner", ["regiegroep"] = "regiegroep",
    };

    private static Dictionary<string, Dictionary<string, string>> Matrix()
    {
        var rows = new Dictionary<string, Dictionary<string, string>>();
        foreach (var line in File.ReadLines(Path.Combine(TestPaths.RepoRoot, "docs", "access-matrix.md")))
        {
            var m = MatrixRow().Match(line);
            if (!m.Success) continue;
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            rows.Add(m.Groups[1].Value, Roles.Select((r, i) => (r, cells[2 + i])).ToDictionary(t => t.r, t => t.Item2));
        }
        return rows;
    }

    /// <summary>"METHOD /path" for every endpoint: pages as GET (their form posts share the page's policy), static assets as one key.</summary>
    private IEnumerable<string> EndpointKeys()
    {
        fx.Factory.CreateClient().Dispose(); // make sure the app is built
        foreach (var e in fx.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (e.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor")) { yield return "GET /{static asset}"; continue; }
            var path = "/" + Constraint().Replace(e.RoutePattern.RawText!.Trim('/'), "{$1}");
            if (e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null) { yield return $"GET {path}"; continue; }
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Where(m => m != "HEAD").ToList();
            if (methods is null || methods.Count == 0) yield return $"* {path}";
            else foreach (var method in methods) yield return $"{method} {path}";
        }
    }

    [Fact]
    public void Every_endpoint_has_a_row_in_the_access_matrix_and_every_row_an_endpoint()
    {
        var endpoints = EndpointKeys().ToHashSet();
        var matrix = Matrix();
        var missing = endpoints.Where(k => !matrix.ContainsKey(k)).Order().ToList();
        var stale = matrix.Keys.Where(k => !endpoints.Contains(k)).Order().ToList();
        Assert.True(missing.Count == 0, "Endpoints without a row in docs/access-matrix.md: " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "Rows in docs/access-matrix.md without an endpoint: " + string.Join(", ", stale));
        Assert.True(matrix.Values.All(cells => cells.Values.All(v => v is "ja" or "nee" or "eigen")), "Cells are ja, nee or eigen.");
    }

    [Fact]
    public async Task Every_role_gets_what_the_matrix_says_on_every_endpoint()
    {
        var meldingId = await SampleMeldingAsync();
        var clients = new Dictionary<string, HttpClient> { ["anoniem"] = fx.Factory.CreateNoRedirectClient() };
        foreach (var (role, account) in Accounts) clients[role] = await fx.Factory.SignedInAsync(account);

        var wrong = new List<string>();
        foreach (var (key, cells) in Matrix())
        foreach (var role in Roles)
        {
            var expectAllowed = cells[role] != "nee";
            var (allowed, status) = await CallAsync(clients[role], key, meldingId);
            if (allowed != expectAllowed) wrong.Add($"{key} as {role}: {status}, matrix says {cells[role]}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private async Task<long> SampleMeldingAsync()
    {
        var response = await fx.Factory.CreateClient().PostAsync("/api/meldingen", new StringContent(
            """{"category":"verlichting","description":"Lamp kapot (matrix-test)","lat":52.6366,"lon":4.7393,"naam":"Test Persoon"}""",
            Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    private static async Task<(bool Allowed, string Status)> CallAsync(HttpClient client, string key, long meldingId)
    {
        var space = key.IndexOf(' ');
        var method = key[..space] == "*" ? "GET" : key[..space];
        var path = key[(space + 1)..] switch
        {
            "/{static asset}" => "/css/site.css",
            "/{**path:file}" => "/niet-bestaand-bestand.txt",
            var p => p.Replace("{code}", "GB0361-noord").Replace("{id}", meldingId.ToString()).Replace("{Id}", meldingId.ToString())
                      .Replace("{token}", new string('A', 43)).Replace("{Token}", new string('A', 43))
                      .Replace("{point}", "1").Replace("{noteId}", "1").Replace("{taakId}", "1").Replace("{stap}", "accepteren").Replace("{collectionId}", "buurten").Replace("{layer}", "gebieden").Replace("{featureId}", "BU03610800").Replace("{version}", "1").Replace("{jaar}", "2026").Replace("{bevinding}", "1"),
        };
        if (path == "/api/locate") path += "?lat=52.63&lon=4.74";
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
            request.Content = path.StartsWith("/account/")
                ? new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }) // no antiforgery token: refused with 400
                : new StringContent("{}", Encoding.UTF8, "application/json");
        var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var location = response.Headers.Location?.ToString() ?? "";
        var denied = status is 401 or 403 ||
                     (status is 301 or 302 && (location.Contains("/inloggen") || location.Contains("/geen-toegang")));
        Assert.True(status < 500, $"{key}: {status} {await response.Content.ReadAsStringAsync()}");
        return (!denied, $"{status} {location}".Trim());
    }

    [GeneratedRegex(@"^\| `([A-Z*]+ /[^`]*)` \|")] private static partial Regex MatrixRow();
    [GeneratedRegex(@"\{(\w+):[^}]+\}")] private static partial Regex Constraint();
}
