using Alkmaar.Kaart.Server.Features.Import;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Gebiedsteams;

/// <summary>Every gebied of a new boundary version has a team row (named from the gebiedsindeling) before anyone needs it;
/// an existing team is left as its beheerders made it. In the import's transaction (Gebiedsteams owns <c>gebiedsteam</c>).</summary>
public sealed class GebiedsteamSeeding : IBoundaryImportParticipant
{
    public async Task VersionImportedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ImportedVersion version, CancellationToken ct)
    {
        foreach (var g in version.Indeling.Gebieden)
        {
            await using var team = new NpgsqlCommand(
                "INSERT INTO gebiedsteam (gebied_code, name) VALUES ($1, $2) ON CONFLICT (gebied_code) DO NOTHING", conn, tx);
            team.Parameters.AddWithValue(g.Code);
            team.Parameters.AddWithValue(g.Team.Name);
            await team.ExecuteNonQueryAsync(ct);
        }
    }
}
