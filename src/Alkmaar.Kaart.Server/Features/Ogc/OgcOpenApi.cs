namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>The OpenAPI 3.0 definition of /ogc (conformance class oas30): paths, parameters and the collections' filters.</summary>
public static class OgcOpenApi
{
    public static object Document(string baseUrl, OgcOptions o)
    {
        static object Param(string name, string description, object schema, bool required = false, string @in = "query") =>
            new { name, @in, description, required, schema, style = "form", explode = false };
        object Ok(string description, params string[] types) => new
        {
            description,
            content = types.ToDictionary(t => t, _ => new { schema = new { type = "object" } }),
        };
        var problem = new { description = "Bad input or not found (application/problem+json).", content = new Dictionary<string, object> { ["application/problem+json"] = new { schema = new { type = "object" } } } };
        var f = Param("f", "Encoding: json (default) or html; Accept: text/html also gives html.", new { type = "string", @enum = new[] { "json", "html" } });
        var crs = Param("crs", "CRS of the answer (Part 2).", new { type = "string", format = "uri", @enum = OgcEndpoints.CrsList, @default = OgcEndpoints.CrsList[0] });
        var collectionId = Param("collectionId", "Collection id.", new { type = "string", @enum = OgcCollections.All.Select(c => c.Id).ToArray() }, true, "path");
        var featureId = Param("featureId", "Feature id: the CBS code for areas, cel-{i}-{j} for meldingen cells, the number of an initiative, monitor.indicator.area.year (lower case, dashes) for a monitor score, hotspot-{rank} for a hotspot of all meldingen.", new { type = "string" }, true, "path");
        var queryables = OgcCollections.All.SelectMany(c => c.Parameters).Distinct()
            .Select(q => Param(q, $"Equality filter on '{q}' (collections that have it: {string.Join(", ", OgcCollections.All.Where(c => c.Parameters.Contains(q)).Select(c => c.Id))}).", new { type = "string" }))
            .Concat([
                Param("filter", "CQL2 text filter (Part 3) on the collection's queryables (see /collections/{collectionId}/queryables): comparisons, AND/OR/NOT, LIKE, IN, BETWEEN, IS NULL, S_INTERSECTS with BBOX or a WKT geometry.", new { type = "string" }),
                Param("filter-lang", "Only cql2-text.", new { type = "string", @enum = new[] { "cql2-text" }, @default = "cql2-text" }),
                Param("filter-crs", "CRS of the geometries in filter.", new { type = "string", format = "uri", @enum = OgcEndpoints.CrsList, @default = OgcEndpoints.CrsList[0] }),
            ]);
        var items = new object[]
        {
            collectionId,
            Param("bbox", "minx,miny,maxx,maxy (or 6 numbers with heights) in bbox-crs.", new { type = "array", minItems = 4, maxItems = 6, items = new { type = "number" } }),
            Param("bbox-crs", "CRS of bbox (Part 2).", new { type = "string", format = "uri", @enum = OgcEndpoints.CrsList, @default = OgcEndpoints.CrsList[0] }),
            crs,
            Param("limit", $"Features per page (default {o.DefaultLimit}, at most {o.MaxLimit}).", new { type = "integer", minimum = 1, maximum = o.MaxLimit, @default = o.DefaultLimit }),
            Param("offset", "Features to skip (the next and prev links carry it).", new { type = "integer", minimum = 0, @default = 0 }),
            Param("datetime", "RFC 3339 instant or interval (a/b, '..' for an open end). Areas: the version in force then; meldingen: created in it; initiatives and monitor scores: their year in it; hotspots: the analysis of the meldingen in it.", new { type = "string" }),
            f,
        }.Concat(queryables).ToArray();
        return new
        {
            openapi = "3.0.3",
            info = new { title = "Alkmaar Kaart — OGC API Features", version = "1.0.0", description = "Boundaries (CBS), generalised meldingen, initiatives, monitor scores and hotspots of gemeente Alkmaar." },
            servers = new[] { new { url = baseUrl } },
            paths = new Dictionary<string, object>
            {
                ["/"] = new { get = new { summary = "Landing page", operationId = "getLandingPage", parameters = new[] { f }, responses = new Dictionary<string, object> { ["200"] = Ok("Landing page", "application/json", "text/html") } } },
                ["/conformance"] = new { get = new { summary = "Conformance classes", operationId = "getConformance", parameters = new[] { f }, responses = new Dictionary<string, object> { ["200"] = Ok("Conformance", "application/json", "text/html") } } },
                ["/api"] = new { get = new { summary = "This document", operationId = "getApi", responses = new Dictionary<string, object> { ["200"] = Ok("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0") } } },
                ["/collections"] = new { get = new { summary = "Collections", operationId = "getCollections", parameters = new[] { f }, responses = new Dictionary<string, object> { ["200"] = Ok("Collections", "application/json", "text/html") } } },
                ["/collections/{collectionId}"] = new { get = new { summary = "A collection", operationId = "describeCollection", parameters = new[] { collectionId, f }, responses = new Dictionary<string, object> { ["200"] = Ok("Collection", "application/json", "text/html"), ["404"] = problem } } },
                ["/collections/{collectionId}/queryables"] = new { get = new { summary = "The queryables of a collection (JSON Schema)", operationId = "getQueryables", parameters = new[] { collectionId, f }, responses = new Dictionary<string, object> { ["200"] = Ok("Queryables", "application/schema+json", "text/html"), ["404"] = problem } } },
                ["/collections/{collectionId}/items"] = new { get = new { summary = "Features", operationId = "getFeatures", parameters = items, responses = new Dictionary<string, object> { ["200"] = Ok("Features", OgcEndpoints.GeoJson, "text/html"), ["400"] = problem, ["404"] = problem } } },
                ["/collections/{collectionId}/items/{featureId}"] = new { get = new { summary = "A feature", operationId = "getFeature", parameters = new[] { collectionId, featureId, crs, f }, responses = new Dictionary<string, object> { ["200"] = Ok("Feature", OgcEndpoints.GeoJson, "text/html"), ["400"] = problem, ["404"] = problem } } },
            },
        };
    }
}
