using System.Globalization;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Routing;
using Sylvan.Data.Csv;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Routing;

/// <summary>Limits of the batch routing API (section <c>Routing</c>).</summary>
public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>Most points in one request; rows past it are answered with an error.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000_000)] public int MaxBatchPoints { get; set; } = 100_000;

    /// <summary>Largest request body in bytes.</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 1L << 31)] public long MaxBatchBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>
/// <c>POST /api/route</c>: routes up to <see cref="RoutingOptions.MaxBatchPoints"/> points to their areas and gebiedsteam,
/// streamed both ways. Input: CSV with header <c>id,x,y</c> (RD New) or <c>id,lat,lon</c> (WGS84), or a JSON array of
/// objects with the same fields. Output: CSV <c>id,buurt,wijk,gebied,dorp,gebiedsteam,distance_m,error,kind,gemeente,gemeente_naam</c> with
/// <c>Accept: text/csv</c>, otherwise a JSON array of objects with those fields. Every input row gets one output row, in
/// order; a row that cannot be read gets its <c>error</c> and the rest go on.
/// Public (anonymous): the answer holds only public area codes and team names.
/// </summary>
public static class RouteBatchEndpoints
{
    /// <summary>One answer row. <see cref="Kind"/>: inside, near or outside; <see cref="Gemeente"/>: the municipality the
    /// point lies in (this gemeente for inside and near, the neighbouring one outside, empty where none is known).</summary>
    private sealed record Row(string Id, string? Buurt, string? Wijk, string? Gebied, string? Dorp, string? Gebiedsteam, double? DistanceM, string? Error,
        string? Kind = null, string? Gemeente = null, string? GemeenteNaam = null);

    public static RouteGroupBuilder MapRouteBatch(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/route").WithTags("Routing").AllowAnonymous();
        group.MapPost("/", RouteAsync).WithName("RouteBatch")
            .WithSummary("Routes a batch of points (CSV or JSON, RD or WGS84) to buurt, wijk, gebied, dorp and gebiedsteam.");
        return group;
    }

    private static async Task<IResult> RouteAsync(HttpContext http, AreaLocatorProvider provider,
        IOptions<RoutingOptions> options, CancellationToken ct)
    {
        var o = options.Value;
        if (Problems.CheckBody(http, o.MaxBatchBytes,
                "Stuur text/csv met de kopregel id,x,y of id,lat,lon, of application/json met een lijst van {id, x, y} of {id, lat, lon}.",
                "text/csv", "text/plain", "application/json") is { } bodyProblem)
            return bodyProblem;
        var isCsv = Problems.MediaType(http.Request) is "text/csv" or "text/plain";

        var snapshot = await provider.GetAsync(ct);
        if (snapshot is null)
            return Problems.NoBoundaries();

        var answerCsv = http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
        IAsyncEnumerable<(string Id, double? A, double? B, bool Wgs84, string? Error)> input;
        if (isCsv)
        {
            // Read the header before answering so a wrong header is a plain 400, not a stream of errors.
            CsvDataReader csv;
            try
            {
                csv = await CsvDataReader.CreateAsync(new StreamReader(http.Request.Body, Encoding.UTF8),
                    new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',', OwnsReader = true }, ct);
            }
            catch (Exception e) when (e is CsvFormatException or CsvMissingHeadersException or AmbiguousColumnException)
            {
                csv = null!;
            }
            var header = csv is null ? [] : Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToArray();
            if (csv is null || !TryHeader(header, out var wgs))
                return Problems.BadRequest("Onbekende kolommen",
                    "De CSV begint met de kopregel id,x,y (RD New) of id,lat,lon (WGS84).", "header");
            input = ReadCsv(csv, wgs, ct);
        }
        else
        {
            input = ReadJson(http.Request.Body, ct);
        }

        http.Response.ContentType = answerCsv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        var pipe = http.Response.BodyWriter;
        var count = 0;
        if (answerCsv)
        {
            await using var writer = new StreamWriter(pipe.AsStream(leaveOpen: true), new UTF8Encoding(false)) { NewLine = "\r\n" };
            await writer.WriteLineAsync("id,buurt,wijk,gebied,dorp,gebiedsteam,distance_m,error,kind,gemeente,gemeente_naam");
            await foreach (var item in input)
            {
                var row = Route(snapshot, item, ++count, o.MaxBatchPoints);
                await writer.WriteLineAsync(string.Join(',', new[]
                {
                    row.Id, row.Buurt, row.Wijk, row.Gebied, row.Dorp, row.Gebiedsteam,
                    row.DistanceM?.ToString("0.##", CultureInfo.InvariantCulture), row.Error, row.Kind, row.Gemeente, row.GemeenteNaam,
                }.Select(Csv.Field)));
                if (count % 2000 == 0) await writer.FlushAsync(ct);
            }
            await writer.FlushAsync(ct);
        }
        else
        {
            await using var json = new Utf8JsonWriter(pipe);
            json.WriteStartArray();
            await foreach (var item in input)
            {
                var row = Route(snapshot, item, ++count, o.MaxBatchPoints);
                json.WriteStartObject();
                json.WriteString("id", row.Id);
                Write(json, "buurt", row.Buurt); Write(json, "wijk", row.Wijk); Write(json, "gebied", row.Gebied);
                Write(json, "dorp", row.Dorp); Write(json, "gebiedsteam", row.Gebiedsteam);
                if (row.DistanceM is { } d) json.WriteNumber("distance_m", Math.Round(d, 2)); else json.WriteNull("distance_m");
                Write(json, "error", row.Error);
                Write(json, "kind", row.Kind); Write(json, "gemeente", row.Gemeente); Write(json, "gemeente_naam", row.GemeenteNaam);
                json.WriteEndObject();
                if (count % 2000 == 0) { await json.FlushAsync(ct); await pipe.FlushAsync(ct); }
            }
            json.WriteEndArray();
            await json.FlushAsync(ct);
        }
        await pipe.FlushAsync(ct);
        return TypedResults.Empty;
    }

    private static Row Route(BoundarySnapshot snapshot, (string Id, double? A, double? B, bool Wgs84, string? Error) item, int index, int max)
    {
        if (index > max) return new Row(item.Id, null, null, null, null, null, null, $"boven de grens van {max} punten per verzoek");
        if (item.Error is not null) return new Row(item.Id, null, null, null, null, null, null, item.Error);
        if (PointInput.ToRd(item.A!.Value, item.B!.Value, item.Wgs84, out var x, out var y) is { } error)
            return new Row(item.Id, null, null, null, null, null, null, error);
        var r = snapshot.Locator.Locate(x, y);
        KaartTelemetry.RoutedPoints.Add(1, new KeyValuePair<string, object?>("via", "batch"));
        if (r.Kind == LocationKind.Outside) // named, so that a partner knows whom to send it to
            return new Row(item.Id, null, null, null, null, null, null, null, "outside", r.Municipality?.Code, r.Municipality?.Name);
        return new Row(item.Id, r.Buurt?.Code, r.Wijk?.Code, r.Gebied?.Code, r.Dorp?.Code, snapshot.TeamOf(r), r.DistanceM, null,
            r.Kind == LocationKind.Inside ? "inside" : "near", r.Gemeente?.Code, r.Gemeente?.Name);
    }

    private static bool TryHeader(string[] header, out bool wgs84)
    {
        var h = header.Select(c => c.Trim().ToLowerInvariant()).ToArray();
        wgs84 = h.SequenceEqual(["id", "lat", "lon"]);
        return wgs84 || h.SequenceEqual(["id", "x", "y"]);
    }

    private static async IAsyncEnumerable<(string, double?, double?, bool, string?)> ReadCsv(CsvDataReader csv, bool wgs84,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var _ = csv;
        var line = 1;
        while (true)
        {
            bool more;
            string? broken = null;
            try { more = await csv.ReadAsync(ct); }
            catch (Exception e) when (e is CsvFormatException or CsvRecordTooLargeException)
            {
                more = false;
                broken = e.GetType().Name;
            }
            if (broken is not null)
            {
                // A broken quote swallows the rest of the input: answer it once and stop.
                yield return ($"line {line + 1}", null, null, wgs84, $"regel {line + 1}: onleesbare CSV vanaf hier ({broken})");
                yield break;
            }
            if (!more) yield break;
            line++;
            var id = csv.GetString(0);
            if (csv.RowFieldCount != 3) { yield return (id, null, null, wgs84, $"regel {line}: 3 velden verwacht, {csv.RowFieldCount} gevonden"); continue; }
            if (!TryNumber(csv.GetString(1), out var a) || !TryNumber(csv.GetString(2), out var b))
            {
                yield return (id, null, null, wgs84, $"regel {line}: {(wgs84 ? "lat en lon" : "x en y")} moeten getallen zijn");
                continue;
            }
            yield return (id, a, b, wgs84, null);
        }
    }

    private static async IAsyncEnumerable<(string, double?, double?, bool, string?)> ReadJson(Stream body,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var items = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, cancellationToken: ct).GetAsyncEnumerator(ct);
        var index = 0;
        while (true)
        {
            JsonElement e;
            string? fatal = null;
            try
            {
                if (!await items.MoveNextAsync()) yield break;
                e = items.Current;
            }
            catch (JsonException ex)
            {
                e = default;
                fatal = $"item {index + 1}: de JSON-lijst is vanaf hier onleesbaar ({ex.Message.Split('.')[0]})";
            }
            index++;
            if (fatal is not null) { yield return ($"item {index}", null, null, false, fatal); yield break; }
            if (e.ValueKind != JsonValueKind.Object) { yield return ($"item {index}", null, null, false, $"item {index}: geen object"); continue; }
            var id = e.TryGetProperty("id", out var idEl) ? (idEl.ValueKind == JsonValueKind.String ? idEl.GetString()! : idEl.GetRawText()) : $"item {index}";
            if (Number(e, "x") is { } x && Number(e, "y") is { } y) yield return (id, x, y, false, null);
            else if (Number(e, "lat") is { } lat && Number(e, "lon") is { } lon) yield return (id, lat, lon, true, null);
            else yield return (id, null, null, false, $"item {index}: heeft getallen x en y nodig, of lat en lon");
        }
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    private static bool TryNumber(string? s, out double d) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d) && double.IsFinite(d);

    private static void Write(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }
}
