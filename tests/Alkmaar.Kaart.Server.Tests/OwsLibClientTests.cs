using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Ogc;
using Alkmaar.Kaart.Testing;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// OGC API Features Part 3 with a real client: OWSLib (Debian's python3-owslib, installed by ./kaart test) reads every
/// collection's queryables and sends CQL2 text filters; the features it gets equal the same selection made in PostGIS.
/// </summary>
public class OwsLibClientTests(KestrelAppFixture fx) : IClassFixture<KestrelAppFixture>
{
    private const string Script =
        """
        import json, sys
        from owslib.ogcapi.features import Features
        api = Features(sys.argv[1])
        request = json.load(sys.stdin)
        out = {"queryables": {}, "filters": []}
        for c in api.collections()["collections"]:
            out["queryables"][c["id"]] = sorted(api.collection_queryables(c["id"])["properties"].keys())
        for f in request:
            params = {"filter": f["filter"], "limit": 1000}
            if f.get("crs"): params["filter-crs"] = f["crs"]
            items = api.collection_items(f["collection"], **params)
            out["filters"].append(sorted(str(x["id"]) for x in items["features"]))
        print(json.dumps(out))
        """;

    private sealed record Case(string Collection, string Filter, string Oracle, string? Crs = null);

    private async Task<JsonElement> OwsLib(IEnumerable<Case> cases)
    {
        // Debian's Python, where python3-owslib lives (not whatever python3 comes first on the PATH)
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(fx.BaseUrl + "/ogc");
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(JsonSerializer.Serialize(cases.Select(c => new { collection = c.Collection, filter = c.Filter, crs = c.Crs })));
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"OWSLib failed (./kaart test installs python3-owslib): {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement;
    }

    private async Task<List<string>> PostGis(string sql)
    {
        await using var db = fx.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(sql);
        var ids = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(Convert.ToString(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return ids.Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task OwsLib_reads_every_queryable_and_its_cql2_filters_select_what_postgis_selects()
    {
        // a point inside a buurt, in CRS84 (PostGIS), for a spatial filter in the default filter-crs
        var inside = (await PostGis(
            "SELECT round(ST_X(p)::numeric, 7) || ' ' || round(ST_Y(p)::numeric, 7) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 4326) p " +
            "FROM area_in_force WHERE level = 'buurt' AND code = 'BU03610401') s")).Single();
        const string Buurt = "SELECT code FROM area_in_force WHERE level = 'buurt'";
        const string Cells = "SELECT 'cel-' || floor(ST_X(geom) / 50) || '-' || floor(ST_Y(geom) / 50) FROM melding GROUP BY floor(ST_X(geom) / 50), floor(ST_Y(geom) / 50)";
        Case[] cases =
        [
            new("buurten", "name LIKE 'De %' AND areaKm2 > 0.5", $"{Buurt} AND name LIKE 'De %' AND round((ST_Area(geom) / 1e6)::numeric, 4) > 0.5"),
            new("buurten", "S_INTERSECTS(geometry, BBOX(110000, 515000, 112000, 517000))",
                $"{Buurt} AND ST_Intersects(geom, ST_MakeEnvelope(110000, 515000, 112000, 517000, 28992))", Crs: "http://www.opengis.net/def/crs/EPSG/0/28992"),
            new("buurten", $"S_INTERSECTS(geometry, POINT({inside}))", $"{Buurt} AND code = 'BU03610401'"),
            new("wijken", "code IN ('WK036101', 'WK036102') OR parentCode = 'GB0361-noord'",
                "SELECT code FROM area_in_force WHERE level = 'wijk' AND (code IN ('WK036101', 'WK036102') OR parent_code = 'GB0361-noord')"),
            new("dorpen", "NOT (name BETWEEN 'D' AND 'M')", "SELECT code FROM area_in_force WHERE level = 'dorp' AND NOT (name COLLATE \"C\" BETWEEN 'D' AND 'M')"),
            new("initiatieven", "status IN ('toegekend', 'uitgevoerd') AND year >= 2024", "SELECT id FROM initiatief WHERE status IN ('toegekend', 'uitgevoerd') AND year >= 2024"),
            new("monitorscores", "year = 2024 AND value > 6.5 AND areaCode LIKE 'WK%'",
                "SELECT lower(regexp_replace(monitor || '.' || indicator, '[^A-Za-z0-9.]+', '-', 'g')) || '.' || area_code || '.' || year FROM monitor_score WHERE year = 2024 AND value > 6.5 AND area_code LIKE 'WK%'"),
            new("meldingen", "count >= 5 AND demo = false", $"{Cells} HAVING count(*) >= 5 AND NOT bool_or(source = 'demo')"),
        ];
        var result = await OwsLib(cases);

        // every collection's queryables: the geometry and the typed properties the collection declares
        foreach (var c in OgcCollections.All)
            Assert.Equal(c.Queryables.Select(q => q.Name).Append("geometry").Order(StringComparer.Ordinal),
                result.GetProperty("queryables").GetProperty(c.Id).EnumerateArray().Select(x => x.GetString()!).Order(StringComparer.Ordinal));

        var filters = result.GetProperty("filters").EnumerateArray().ToList();
        for (var i = 0; i < cases.Length; i++)
        {
            var expected = await PostGis(cases[i].Oracle);
            Assert.True(expected.Count > 0, $"{cases[i].Filter}: the oracle selects nothing; the test would prove little");
            Assert.Equal(expected, filters[i].EnumerateArray().Select(x => x.GetString()!).ToList());
        }
    }

    [Theory]
    [InlineData("buurten", "nam = 'x'")]
    [InlineData("buurten", "name = ")]
    [InlineData("buurten", "S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 1, 1 0, 0 0)))")]
    public async Task A_bad_filter_is_a_problem_naming_the_parameter(string collection, string filter)
    {
        using var http = new HttpClient();
        var response = await http.GetAsync($"{fx.BaseUrl}/ogc/collections/{collection}/items?filter={Uri.EscapeDataString(filter)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("filter", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("parameter").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"{fx.BaseUrl}/ogc/collections/{collection}/items?filter=code%3D'x'&filter-lang=cql2-json")).StatusCode);
    }

    [Fact]
    public async Task Conformance_declares_part_3()
    {
        using var http = new HttpClient();
        var conformance = JsonDocument.Parse(await http.GetStringAsync($"{fx.BaseUrl}/ogc/conformance")).RootElement.GetProperty("conformsTo")
            .EnumerateArray().Select(x => x.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", conformance);
        Assert.Contains("http://www.opengis.net/spec/cql2/1.0/conf/cql2-text", conformance);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables", conformance);
    }
}
