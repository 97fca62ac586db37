using System.Globalization;
using Alkmaar.Kaart.Geo.Cql2;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>
/// OGC API Features under <c>/ogc</c>: Part 1 Core with GeoJSON and HTML, OpenAPI 3.0, and Part 2 (CRS by reference):
/// <c>crs</c> and <c>bbox-crs</c> take CRS84 or EPSG:28992 (their OGC URIs), answers carry <c>Content-Crs</c>, collections
/// list <c>crs</c> and <c>storageCrs</c>. Public: boundaries are open data, meldingen only as counts per grid cell; initiatives,
/// monitor scores and hotspots hold no personal data.
/// Handlers are thin; every query is in <see cref="OgcData"/>.
/// </summary>
public static class OgcEndpoints
{
    public static WebApplicationBuilder AddOgc(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<OgcOptions>(OgcOptions.Section);
        builder.Services.AddSingleton<OgcData>();
        return builder;
    }

    public const string GeoJson = GeoJsonResponse.ContentType;
    public static readonly string[] CrsList = [CrsNames.Crs84Uri, CrsNames.RdUri];

    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    ];


    public static void MapOgc(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/ogc").WithTags("OGC API Features").AllowAnonymous();
        group.MapGet("/", Landing).WithSummary("Landing page.");
        group.MapGet("/conformance", Conformance).WithSummary("Conformance classes.");
        group.MapGet("/api", Api).WithSummary("OpenAPI 3.0 definition of this API.");
        group.MapGet("/collections", CollectionsAsync).WithSummary("The collections.");
        group.MapGet("/collections/{collectionId}", CollectionAsync).WithSummary("One collection's metadata.");
        group.MapGet("/collections/{collectionId}/queryables", QueryablesAsync).WithSummary("The queryables of a collection (Part 3): a JSON Schema of the properties a filter may use.");
        group.MapGet("/collections/{collectionId}/items", ItemsAsync).WithSummary("Features of a collection: bbox, datetime, property filters, paging, crs.");
        group.MapGet("/collections/{collectionId}/items/{featureId}", ItemAsync).WithSummary("One feature.");
    }

    // ------------------------------------------------------------------------------------------------ format and links
    private static string Base(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/ogc";

    /// <summary>"json" or "html" from <c>f</c>, else from Accept (a browser asking for HTML gets HTML); null when f is unknown.</summary>
    private static string? Format(HttpContext http)
    {
        var f = http.Request.Query["f"].ToString();
        if (f.Length > 0) return f.ToLowerInvariant() switch { "json" or "geojson" => "json", "html" => "html", _ => null };
        var accept = http.Request.Headers.Accept.ToString();
        return accept.Contains("text/html") && !accept.Contains("json") ? "html" : "json";
    }

    private static IResult BadFormat() => Problems.BadRequest("Onbekend formaat", "f is json of html.", "f");

    public sealed record Link(
        [property: System.Text.Json.Serialization.JsonPropertyName("href")] string Href,
        [property: System.Text.Json.Serialization.JsonPropertyName("rel")] string Rel,
        [property: System.Text.Json.Serialization.JsonPropertyName("type")] string Type,
        [property: System.Text.Json.Serialization.JsonPropertyName("title"),
                   System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Title = null);

    private static Link[] SelfLinks(string url, string jsonType, string title) =>
    [
        new(url + "?f=json", "self", jsonType, title),
        new(url + "?f=html", "alternate", "text/html", title + " (HTML)"),
    ];

    // ------------------------------------------------------------------------------------------------ landing, conformance, api
    private static IResult Landing(HttpContext http)
    {
        var b = Base(http);
        if (Format(http) is not { } f) return BadFormat();
        var links = new List<Link>
        {
            new(b + "?f=json", f == "json" ? "self" : "alternate", "application/json", "Deze pagina als JSON"),
            new(b + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "OpenAPI-definitie"),
            new(b + "/conformance", "conformance", "application/json", "Conformiteitsklassen"),
            new(b + "/collections", "data", "application/json", "Collecties"),
        };
        const string title = "Alkmaar Kaart — OGC API Features";
        const string description = "Gebieden, wijken, buurten, dorpen, gegeneraliseerde meldingen, bewonersinitiatieven, monitorscores en hotspots van de gemeente Alkmaar, in CRS84 of RD New (EPSG:28992).";
        return f == "html"
            ? OgcHtml.Page(title, $"<p>{OgcHtml.E(description)}</p>" + OgcHtml.LinkList(links))
            : TypedResults.Json(new { title, description, links });
    }

    private static IResult Conformance(HttpContext http) => Format(http) switch
    {
        "html" => OgcHtml.Page("Conformiteit", OgcHtml.LinkList(ConformanceClasses.Select(c => new Link(c, "conformance", "text/html", c)))),
        "json" => TypedResults.Json(new { conformsTo = ConformanceClasses }),
        _ => BadFormat(),
    };

    private static IResult Api(HttpContext http, IOptions<OgcOptions> options) =>
        TypedResults.Json(OgcOpenApi.Document(Base(http), options.Value), contentType: "application/vnd.oai.openapi+json;version=3.0");

    // ------------------------------------------------------------------------------------------------ collections
    private static async Task<object> CollectionJsonAsync(HttpContext http, OgcData data, OgcCollection c, IOptions<MapOptions> map, CancellationToken ct)
    {
        var url = $"{Base(http)}/collections/{c.Id}";
        var (rd, start, end) = await data.ExtentAsync(c, ct);
        object? extent = null;
        if (rd is not null)
        {
            var (minLon, minLat) = RdNew.ToWgs84(rd.MinX, rd.MinY);
            var (maxLon, maxLat) = RdNew.ToWgs84(rd.MaxX, rd.MaxY);
            // the corners' transform is not the transformed box: widen a little so every feature lies inside
            extent = new
            {
                spatial = new
                {
                    bbox = new[] { new[] { R(minLon - 0.001), R(minLat - 0.001), R(maxLon + 0.001), R(maxLat + 0.001) } },
                    crs = CrsNames.Crs84Uri,
                },
                temporal = new { interval = new[] { new[] { start?.ToString("yyyy-MM-ddTHH:mm:ssZ"), end?.ToString("yyyy-MM-ddTHH:mm:ssZ") } }, trs = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian" },
            };
        }
        var links = new[]
        {
            new Link(url + "?f=json", "self", "application/json", c.Title),
            new Link(url + "?f=html", "alternate", "text/html", c.Title + " (HTML)"),
            new Link(url + "/items?f=json", "items", GeoJson, c.Title),
            new Link(url + "/items?f=html", "items", "text/html", c.Title + " (HTML)"),
        };
        // an empty collection (no initiatives yet) has no extent: the member is left out rather than null
        return extent is null
            ? new { id = c.Id, title = c.Title, description = c.Description, itemType = "feature", crs = CrsList, storageCrs = CrsNames.RdUri, attribution = map.Value.DataAttribution, links }
            : (object)new { id = c.Id, title = c.Title, description = c.Description, itemType = "feature", crs = CrsList, storageCrs = CrsNames.RdUri, extent, attribution = map.Value.DataAttribution, links };
    }

    private static double R(double v) => Math.Round(v, 6);

    private static async Task<IResult> CollectionsAsync(HttpContext http, OgcData data, IOptions<MapOptions> map, CancellationToken ct)
    {
        if (Format(http) is not { } f) return BadFormat();
        var b = Base(http) + "/collections";
        if (f == "html")
            return OgcHtml.Page("Collecties", OgcHtml.Table(["Collectie", "Beschrijving"],
                OgcCollections.All.Select(c => new[] { OgcHtml.A($"{b}/{c.Id}?f=html", c.Title), OgcHtml.E(c.Description) })));
        var collections = new List<object>();
        foreach (var c in OgcCollections.All) collections.Add(await CollectionJsonAsync(http, data, c, map, ct));
        return TypedResults.Json(new { links = SelfLinks(b, "application/json", "Collecties"), collections, crs = CrsList });
    }

    private static async Task<IResult> CollectionAsync(HttpContext http, OgcData data, IOptions<MapOptions> map, string collectionId, CancellationToken ct)
    {
        if (Format(http) is not { } f) return BadFormat();
        if (OgcCollections.Find(collectionId) is not { } c) return UnknownCollection(collectionId);
        if (f == "json") return TypedResults.Json(await CollectionJsonAsync(http, data, c, map, ct));
        var url = $"{Base(http)}/collections/{c.Id}";
        return OgcHtml.Page(c.Title, $"<p>{OgcHtml.E(c.Description)}</p><p>{OgcHtml.A(url + "/items?f=html", "Features bekijken")} · " +
            $"{OgcHtml.A(url + "/items?f=json", "GeoJSON")} · {OgcHtml.A(url + $"/items?f=json&crs={Uri.EscapeDataString(CrsNames.RdUri)}", "GeoJSON in RD New")}</p>" +
            $"<p>Filters: {OgcHtml.E(string.Join(", ", c.Parameters))}, bbox, datetime ({OgcHtml.E(c.TimeProperty)}); CQL2 (filter) op de " +
            $"{OgcHtml.A(url + "/queryables?f=html", "queryables")}. Bron: {OgcHtml.E(map.Value.DataAttribution)}.</p>");
    }

    private static IResult QueryablesAsync(HttpContext http, string collectionId)
    {
        if (OgcCollections.Find(collectionId) is not { } c) return UnknownCollection(collectionId);
        if (Format(http) is not { } f) return BadFormat();
        var url = $"{Base(http)}/collections/{c.Id}/queryables";
        if (f == "html")
            return OgcHtml.Page($"{c.Title}: queryables", "<p>Eigenschappen voor een CQL2-filter (<code>filter</code>), bijvoorbeeld " +
                $"<code>{OgcHtml.E(c.Queryables[0].Name)} = …</code> of <code>S_INTERSECTS(geometry, BBOX(4.72, 52.62, 4.76, 52.64))</code>.</p>" +
                OgcHtml.Table(["Eigenschap", "Type", "Omschrijving"],
                    c.Queryables.Select(q => new[] { OgcHtml.E(q.Name), OgcHtml.E(q.Format ?? q.Type), OgcHtml.E(q.Title) })
                        .Prepend([OgcHtml.E(OgcParameters.GeometryQueryable), "geometry", OgcHtml.E(c.GeometryType)])));
        var properties = new Dictionary<string, object>
        {
            [OgcParameters.GeometryQueryable] = new Dictionary<string, object>
            {
                ["format"] = c.GeometryType switch { "Point" => "geometry-point", "MultiPolygon" => "geometry-multipolygon", _ => "geometry-any" },
                ["x-ogc-role"] = "primary-geometry",
            },
        };
        foreach (var q in c.Queryables)
        {
            var schema = new Dictionary<string, object> { ["type"] = q.Type, ["title"] = q.Title };
            if (q.Format is not null) schema["format"] = q.Format;
            properties[q.Name] = schema;
        }
        return TypedResults.Json(new Dictionary<string, object>
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = url,
            ["type"] = "object",
            ["title"] = c.Title,
            ["properties"] = properties,
            ["additionalProperties"] = false,
        }, contentType: "application/schema+json");
    }

    private static IResult UnknownCollection(string id) =>
        Problems.NotFound("Collectie niet gevonden", $"Er is geen collectie '{id}'. Bekend zijn: {string.Join(", ", OgcCollections.All.Select(c => c.Id))}.");

    // ------------------------------------------------------------------------------------------------ items
    private static async Task ItemsAsync(HttpContext http, OgcData data, IOptions<OgcOptions> options, IOptions<MapOptions> map,
        Routing.BoundaryResponseCache responses, IOptions<ApiOptions> api, string collectionId, CancellationToken ct)
    {
        var result = await ItemsResultAsync(http, data, options.Value, map.Value, responses, api.Value, collectionId, ct);
        if (result is not null) await result.ExecuteAsync(http);
    }

    /// <summary>
    /// Writes the items (streamed; area collections as GeoJSON from <see cref="Routing.BoundaryResponseCache"/>, made once
    /// per boundary state and request) and returns null, or returns the problem to answer.
    /// </summary>
    private static async Task<IResult?> ItemsResultAsync(HttpContext http, OgcData data, OgcOptions o, MapOptions map,
        Routing.BoundaryResponseCache responses, ApiOptions api, string collectionId, CancellationToken ct)
    {
        if (OgcCollections.Find(collectionId) is not { } c) return UnknownCollection(collectionId);
        if (Format(http) is not { } f) return BadFormat();
        var (query, crs) = OgcParameters.ParseItems(http.Request.Query, c, o, http.RequestServices.GetRequiredService<Meldingen.DisclosureControl>()); // or a 400
        var contentCrs = GeoJsonResponse.ContentCrs(crs);
        if (f == "json" && c.ChangesWithBoundariesOnly)
        {
            var cached = await responses.GetAsync($"ogc {Base(http)}{http.Request.Path}{http.Request.QueryString}", GeoJson, contentCrs,
                (body, token) => WritePageAsync(http, data, c, query, f, crs, map, body, token), ct);
            await cached.WriteAsync(http, api.AreaCacheSeconds);
            return null;
        }
        http.Response.Headers["Content-Crs"] = contentCrs;
        await WritePageAsync(http, data, c, query, f, crs, map, http.Response.Body, ct);
        return null;
    }

    /// <summary>One page of items as GeoJSON to <paramref name="body"/>, or as HTML to the response.</summary>
    private static async Task WritePageAsync(HttpContext http, OgcData data, OgcCollection c, ItemsQuery query, string f, KnownCrs crs,
        MapOptions map, Stream body, CancellationToken ct)
    {
        var (limit, offset) = (query.Limit, query.Offset);
        var q = http.Request.Query;
        // a CQL2 filter is evaluated on the features the other parameters select (Cql2Text): the page is taken after it
        var matched = query.Filter is null ? await data.CountAsync(c, query, ct) : null;
        List<OgcFeature>? page = null;
        if (query.Filter is { } filter)
        {
            var selected = new List<OgcFeature>();
            await foreach (var feature in data.ItemsAsync(c, query with { Limit = int.MaxValue, Offset = 0 }, ct))
                if (filter.Matches(new OgcParameters.Cql2View(feature))) selected.Add(feature);
            matched = selected.Count;
            page = selected.Skip(offset).Take(limit).ToList();
        }
        // not counted (a scan): read one feature more to know whether a next page exists; numberMatched only on the last page
        else if (matched is null)
        {
            page = [];
            await foreach (var feature in data.ItemsAsync(c, query with { Limit = limit + 1 }, ct)) page.Add(feature);
            var hasNext = page.Count > limit;
            if (hasNext) page.RemoveAt(limit);
            else matched = offset + page.Count;
        }
        var more = matched is null || offset + limit < matched;
        var features = page is null ? data.ItemsAsync(c, query, ct) : page.ToAsyncEnumerable();

        var url = $"{Base(http)}/collections/{c.Id}/items";
        string Page(int newOffset, string format)
        {
            var pairs = q.Where(kv => kv.Key is not ("offset" or "f")).Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.ToString())).ToList();
            pairs.Add(new("f", format));
            if (newOffset > 0) pairs.Add(new("offset", newOffset.ToString(CultureInfo.InvariantCulture)));
            return url + QueryString.Create(pairs);
        }
        var links = new List<Link>
        {
            new(Page(offset, "json"), f == "json" ? "self" : "alternate", GeoJson, "Deze pagina"),
            new(Page(offset, "html"), f == "html" ? "self" : "alternate", "text/html", "Deze pagina (HTML)"),
            new($"{Base(http)}/collections/{c.Id}", "collection", "application/json", c.Title),
        };
        if (more) links.Add(new(Page(offset + limit, f), "next", f == "json" ? GeoJson : "text/html", "Volgende pagina"));
        if (offset > 0) links.Add(new(Page(Math.Max(0, offset - limit), f), "prev", f == "json" ? GeoJson : "text/html", "Vorige pagina"));

        if (f == "html")
        {
            var rows = new List<string[]>();
            await foreach (var feature in features)
                rows.Add([OgcHtml.A($"{url}/{Uri.EscapeDataString(feature.Id)}?f=html", feature.Id),
                          string.Join("; ", feature.Properties.Where(p => p.Name != "code").Select(p => $"{p.Name}: {OgcHtml.Value(p.Value)}"))]);
            var shown = rows.Count == 0 ? "Geen features." : $"Features {offset + 1}–{offset + rows.Count}{(matched is null ? "" : $" van {matched}")}.";
            await OgcHtml.Page($"{c.Title}: features", $"<p>{shown}</p>" + OgcHtml.Table(["Id", "Eigenschappen"], rows) +
                OgcHtml.LinkList(links.Where(l => l.Rel is "next" or "prev" or "alternate" or "collection"))).ExecuteAsync(http);
            return;
        }

        if (body == http.Response.Body) http.Response.ContentType = GeoJson;
        await using var writer = new GeoJsonFeatureCollectionWriter(body, crs);
        // A response made for the boundary-state cache is the same for the whole (local) day it is kept for, on every
        // server: its timeStamp is that day's start, so equal answers have equal bytes and ETags everywhere.
        var stamp = (body == http.Response.Body ? DateTimeOffset.UtcNow : DutchTime.StartOf(DateOnly.FromDateTime(DutchTime.Local(DateTimeOffset.UtcNow).DateTime))).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        writer.WriteStart(matched is null
            ? [new("timeStamp", stamp), new("attribution", map.DataAttribution)]
            : [new("timeStamp", stamp), new("numberMatched", matched.Value), new("attribution", map.DataAttribution)]);
        await foreach (var feature in features)
        {
            if (feature.Geometry is Point point) await writer.WritePointAsync(feature.Id, point.X, point.Y, feature.Properties, ct);
            else await writer.WriteFeatureAsync(ToFeature(feature), ct);
        }
        await writer.WriteEndAsync([new("numberReturned", writer.Count), new("links", links)], ct);
    }

    private static IFeature ToFeature(OgcFeature f) =>
        new Feature(f.Geometry, GeoJsonFeatureCollectionWriter.Attributes(f.Id, f.Properties.ToArray()));

    private static async Task ItemAsync(HttpContext http, OgcData data, IOptions<MapOptions> map, string collectionId, string featureId, CancellationToken ct)
    {
        IResult? problem = null;
        if (OgcCollections.Find(collectionId) is not { } c) problem = UnknownCollection(collectionId);
        else if (Format(http) is not { } f) problem = BadFormat();
        else if (http.Request.Query.Keys.FirstOrDefault(k => k is not ("crs" or "f")) is { } unknown)
            problem = Problems.BadRequest("Onbekende parameter", $"Onbekende parameter '{unknown}'. Toegestaan: crs, f.", unknown);
        else if (OgcParameters.Crs(http.Request.Query["crs"], "crs") is var crs && await data.GetAsync(c, featureId, ct) is not { } feature)
            problem = Problems.NotFound("Feature niet gevonden", $"Collectie '{c.Id}' heeft geen feature '{featureId}'.");
        else
        {
            var url = $"{Base(http)}/collections/{c.Id}/items/{Uri.EscapeDataString(feature.Id)}";
            http.Response.Headers["Content-Crs"] = GeoJsonResponse.ContentCrs(crs);
            if (f == "html")
            {
                await OgcHtml.Page($"{c.Title}: {feature.Id}", OgcHtml.Table(["Eigenschap", "Waarde"],
                    feature.Properties.Select(p => new[] { OgcHtml.E(p.Name), OgcHtml.Value(p.Value) })) +
                    OgcHtml.LinkList([new(url + "?f=json", "alternate", GeoJson, "GeoJSON"), new($"{Base(http)}/collections/{c.Id}?f=html", "collection", "text/html", c.Title)])).ExecuteAsync(http);
                return;
            }
            http.Response.ContentType = GeoJson;
            var props = feature.Properties.ToList();
            props.Add(("attribution", map.Value.DataAttribution));
            await GeoJsonFeatureCollectionWriter.WriteSingleAsync(http.Response.Body,
                new Feature(feature.Geometry, GeoJsonFeatureCollectionWriter.Attributes(feature.Id, props.ToArray())), crs, ct,
                [new("links", new[] { new Link(url + "?f=json", "self", GeoJson), new Link($"{Base(http)}/collections/{c.Id}", "collection", "application/json") })]);
            return;
        }
        await problem.ExecuteAsync(http);
    }

}
