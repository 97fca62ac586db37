namespace Alkmaar.Kaart.Server.Features.Export;

/// <summary>
/// <c>GET /api/export/{layer}</c>: a download of a public layer (format, crs, area, from, to, category, status), streamed.
/// Public: the layers hold open boundaries and meldingen counted per cell only.
/// </summary>
public static class ExportEndpoints
{
    public static WebApplicationBuilder AddExport(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ExportService>();
        return builder;
    }

    public static void MapExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/export/{layer}", ExportAsync).WithTags("Export").AllowAnonymous()
            .WithSummary("Download a layer as GeoJSON, CSV with WKT or GeoPackage, in WGS84 or RD New, filtered by area, period, category, status.");
    }

    private static async Task ExportAsync(HttpContext http, ExportService exports, string layer, string? format, string? crs, string? area,
        string? from, string? to, string? category, string? status, CancellationToken ct)
    {
        ExportRequest request;
        try
        {
            request = exports.Parse(layer, format, crs, area, from, to, category, status);
            await exports.CountAsync(request, ct); // resolves the area: an unknown one is refused before anything is sent
        }
        catch (ExportRequestException e)
        {
            await (e.Parameter == "layer" ? Problems.NotFound(e.Reason, $"Unknown layer '{layer}'.")
                : Problems.BadRequest(e.Reason, $"The parameter '{e.Parameter}' is refused.", e.Parameter)).ExecuteAsync(http);
            return;
        }
        http.Response.ContentType = ExportService.ContentType(request.Format);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{ExportService.FileName(request)}\"";
        http.Response.Headers["Content-Crs"] = GeoJsonResponse.ContentCrs(request.Crs);
        await exports.WriteAsync(request, http.Response.Body, ct);
    }
}
