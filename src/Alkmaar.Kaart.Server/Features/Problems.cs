namespace Alkmaar.Kaart.Server.Features;

/// <summary>problem+json answers: a Dutch <c>title</c> for people, an English <c>detail</c> for developers.</summary>
public static class Problems
{
    public static IResult BadRequest(string title, string detail, string? parameter = null) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest,
            extensions: parameter is null ? null : new Dictionary<string, object?> { ["parameter"] = parameter });

    public static IResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);
}
