namespace Alkmaar.Kaart.Server.Features;

/// <summary>problem+json answers in Dutch: a short <c>title</c> and a <c>detail</c> that says what to send instead.</summary>
public static class Problems
{
    public static IResult BadRequest(string title, string detail, string? parameter = null) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest,
            extensions: parameter is null ? null : new Dictionary<string, object?> { ["parameter"] = parameter });

    public static IResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>The one answer when no boundaries are loaded (nothing to route or count on): 503, what to do.</summary>
    public const string NoBoundariesTitle = "Geen gebiedsindeling geladen";
    public const string NoBoundariesDetail = "Er is geen gebiedsindeling geladen; een beheerder importeert die eerst (./kaart import boundaries, of start de server op een lege database).";

    public static IResult NoBoundaries() =>
        TypedResults.Problem(title: NoBoundariesTitle, detail: NoBoundariesDetail, statusCode: StatusCodes.Status503ServiceUnavailable);

    public static IResult TooLarge(long maxBytes) =>
        TypedResults.Problem(title: "Verzoek te groot", detail: $"Het verzoek is ten hoogste {maxBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>The media type of the request body, lower case without parameters ("text/csv"), or null.</summary>
    public static string? MediaType(HttpRequest request) => request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>
    /// Caps the request body at <paramref name="maxBytes"/> (also for chunked bodies, through the server's limit) and checks
    /// its declared length and media type: a 413 or 415 problem, or null when the body may be read.
    /// </summary>
    public static IResult? CheckBody(HttpContext http, long maxBytes, string expected, params string[] mediaTypes)
    {
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = maxBytes;
        if (http.Request.ContentLength > maxBytes) return TooLarge(maxBytes);
        return mediaTypes.Contains(MediaType(http.Request))
            ? null
            : TypedResults.Problem(title: "Onbekend formaat", detail: expected, statusCode: StatusCodes.Status415UnsupportedMediaType);
    }

    /// <summary>The property name whose string value holds a NUL or another C0/C1 control character (not tab, CR, LF),
    /// or null. Invalid JSON is left to the deserializer to report.</summary>
    private static string? ControlCharacterIn(ReadOnlySpan<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        var property = "(waarde)";
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName) property = reader.GetString() ?? property;
                else if (reader.TokenType == System.Text.Json.JsonTokenType.String)
                    foreach (var c in reader.GetString() ?? "")
                        if ((c < 0x20 && c is not ('\t' or '\r' or '\n')) || c is >= '\u007f' and <= '\u009f') return property;
            }
        }
        catch (System.Text.Json.JsonException) { }
        catch (InvalidOperationException) { }
        return null;
    }

    /// <summary>Largest JSON body an API reads by default.</summary>
    public const int MaxJsonBytes = 64 * 1024;

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerOptions.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    /// <summary>Reads a JSON body strictly: size cap, application/json only, unknown members and wrong types refused;
    /// the value, or a 400/413/415 problem.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpContext http, CancellationToken ct, int maxBytes = MaxJsonBytes) where T : class
    {
        if (Problems.CheckBody(http, maxBytes, "Send application/json.", "application/json") is { } bodyProblem)
            return (null, bodyProblem);
        try
        {
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int n;
            while ((n = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > maxBytes) return (null, Problems.TooLarge(maxBytes));
            }
            if (ControlCharacterIn(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } field)
                return (null, BadRequest("Ongeldige tekens",
                    $"De tekst van '{field}' bevat een NUL-byte of een ander stuurteken; stuur leesbare tekst (tabs en regeleinden mogen).", field));
            buffer.Position = 0;
            var value = await System.Text.Json.JsonSerializer.DeserializeAsync<T>(buffer, Json, ct);
            return value is null
                ? (null, Problems.BadRequest("Ongeldige JSON", "De inhoud moet een JSON-object zijn."))
                : (value, null);
        }
        catch (System.Text.Json.JsonException e)
        {
            return (null, Problems.BadRequest("Ongeldige JSON", $"De inhoud kon niet gelezen worden (JSON): {e.Message}"));
        }
    }
}

/// <summary>
/// A request a feature refuses (bad input, a conflict): the one exception type for that. The error handler
/// (<c>ErrorHandling</c>) answers it as problem+json with its status, Dutch title, detail and the parameter at fault
/// (<paramref name="member"/> names that member: <c>parameter</c> for query parameters, <c>field</c> for body fields), so
/// endpoints need no try/catch for it.
/// </summary>
public class RejectedException(string title, string detail, string? parameter = null, int status = 400, string member = "parameter") : Exception(detail)
{
    public string Title { get; } = title;
    public string? Parameter { get; } = parameter;
    public int Status { get; } = status;
    public string Member { get; } = member;

    /// <summary>What the answer carries besides the parameter at fault (a version to reload, the change to confirm, …).</summary>
    protected virtual IEnumerable<KeyValuePair<string, object?>> MoreExtensions => [];

    /// <summary>The problem+json answer.</summary>
    public IResult ToResult()
    {
        var extensions = new Dictionary<string, object?>(MoreExtensions);
        if (Parameter is not null) extensions[Member] = Parameter;
        return TypedResults.Problem(title: Title, detail: Message, statusCode: Status, extensions: extensions.Count == 0 ? null : extensions);
    }
}
