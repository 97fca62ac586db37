using Alkmaar.Kaart.Server.Features.Import;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Plans;

/// <summary>A plan that became a boundary version is marked published with it, in the import's transaction (Plans owns
/// <c>boundary_plan</c>).</summary>
public sealed class PlanPublished : IBoundaryImportParticipant
{
    public async Task VersionImportedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ImportedVersion version, CancellationToken ct)
    {
        if (version.Plan is not { } plan) return;
        await using var mark = new NpgsqlCommand("UPDATE boundary_plan SET published_version_id = $1, published_at = now() WHERE id = $2", conn, tx);
        mark.Parameters.AddWithValue(version.VersionId);
        mark.Parameters.AddWithValue(plan.PlanId);
        await mark.ExecuteNonQueryAsync(ct);
    }
}
