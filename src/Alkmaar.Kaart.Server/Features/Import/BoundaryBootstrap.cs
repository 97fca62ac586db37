using Microsoft.Extensions.Options;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>
/// A server started on a database without boundaries (<c>dotnet run</c>, no arguments) imports the configured buurten —
/// by default the municipality's full-resolution file — and the neighbouring municipalities before it serves (issue 28:
/// a server started without <c>./kaart</c> must not route on the wrong map, or on none). Off with
/// <c>Boundaries:LoadOnEmptyDatabase=false</c>; a missing file is logged, the server still starts (pages say no boundaries
/// are loaded).
/// </summary>
public static class BoundaryBootstrap
{
    public static async Task EnsureLoadedAsync(WebApplication app, CancellationToken ct = default)
    {
        var options = app.Services.GetRequiredService<IOptions<BoundaryOptions>>().Value;
        if (!options.LoadOnEmptyDatabase) return;
        await using (var cmd = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT EXISTS (SELECT 1 FROM boundary_version)"))
            if ((bool)(await cmd.ExecuteScalarAsync(ct))!) return;
        var buurten = options.DataFile(options.BuurtenFile, app.Environment.ContentRootPath);
        if (!File.Exists(buurten))
        {
            app.Logger.LogWarning("No boundaries in the database and the boundary file {File} is not there: nothing to route on until one is imported", buurten);
            return;
        }
        var result = await app.Services.GetRequiredService<BoundaryImporter>().ImportAsync(buurten, ct);
        app.Logger.LogInformation("Empty database: imported {File} as boundary version {Version}", buurten, result.VersionId);
        var municipalities = options.DataFile(options.MunicipalitiesFile, app.Environment.ContentRootPath);
        var m = app.Services.GetRequiredService<MunicipalityImporter>();
        if (File.Exists(municipalities) && await m.IsEmptyAsync())
            app.Logger.LogInformation("Imported {Count} municipalities from {File}", await m.ImportAsync(municipalities), municipalities);
    }
}
