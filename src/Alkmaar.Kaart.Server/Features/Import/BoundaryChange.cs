using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Routing;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>
/// What a new boundary file would change against the latest version: the gemeente's area, buurt codes that disappear or
/// appear, and how many addresses would get another gebiedsteam. <see cref="Exceeded"/> names the thresholds it passes.
/// </summary>
public sealed record BoundaryChange(int? LatestVersion, double GemeenteAreaKm2Before, double GemeenteAreaKm2After,
    IReadOnlyList<string> MissingBuurten, IReadOnlyList<string> NewBuurten, int Addresses, int AddressesChangingTeam,
    IReadOnlyList<string> Exceeded)
{
    public double GemeenteAreaChangePct => GemeenteAreaKm2Before <= 0 ? 0 : 100 * (GemeenteAreaKm2After - GemeenteAreaKm2Before) / GemeenteAreaKm2Before;
    public double AddressesChangingTeamPct => Addresses == 0 ? 0 : 100.0 * AddressesChangingTeam / Addresses;

    /// <summary>Compares derived areas with the latest stored version (null when there is none).</summary>
    public static async Task<BoundaryChange?> CompareAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AreaHierarchy next,
        BoundaryUploadOptions limits, CancellationToken ct)
    {
        int? version = null;
        var current = new List<Area>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT level, code, name, parent_code, geom, version_id FROM area
            WHERE version_id = (SELECT version_id FROM area WHERE valid_to IS NULL LIMIT 1)
            """, conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                current.Add(new Area(AreaLevels.Parse(r.GetString(0))!.Value, r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                    (NetTopologySuite.Geometries.MultiPolygon)r.GetValue(4)));
                version = r.GetInt32(5);
            }
        if (current.Count == 0) return null;

        var before = current.Where(a => a.Level == AreaLevel.Buurt).Select(a => a.Code).ToHashSet();
        var after = next.OfLevel(AreaLevel.Buurt).Select(a => a.Code).ToHashSet();
        var areaBefore = current.Where(a => a.Level == AreaLevel.Gemeente).Sum(a => a.Geometry.Area) / 1e6;
        var areaAfter = next.OfLevel(AreaLevel.Gemeente).Sum(a => a.Geometry.Area) / 1e6;

        // every address located on both: which gebied (team) it belongs to before and after
        var oldLocator = new AreaLocator(current, toleranceM: 0);
        var newLocator = new AreaLocator(next.Areas, toleranceM: 0);
        int addresses = 0, changing = 0;
        await using (var cmd = new NpgsqlCommand("SELECT ST_X(geom), ST_Y(geom) FROM address", conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                addresses++;
                var (x, y) = (r.GetDouble(0), r.GetDouble(1));
                if (oldLocator.Locate(x, y).Gebied?.Code != newLocator.Locate(x, y).Gebied?.Code) changing++;
            }

        var change = new BoundaryChange(version, Math.Round(areaBefore, 4), Math.Round(areaAfter, 4),
            before.Except(after).Order().ToList(), after.Except(before).Order().ToList(), addresses, changing, []);
        var exceeded = new List<string>();
        if (Math.Abs(change.GemeenteAreaChangePct) > limits.MaxGemeenteAreaChangePct)
            exceeded.Add($"the gemeente's area changes by {change.GemeenteAreaChangePct:0.##}% (more than {limits.MaxGemeenteAreaChangePct}%)");
        if (change.MissingBuurten.Count > limits.MaxMissingBuurten)
            exceeded.Add($"{change.MissingBuurten.Count} buurt(en) would disappear: {string.Join(", ", change.MissingBuurten.Take(20))}");
        if (change.NewBuurten.Count > limits.MaxNewBuurten)
            exceeded.Add($"{change.NewBuurten.Count} new buurt(en): {string.Join(", ", change.NewBuurten.Take(20))}");
        if (change.AddressesChangingTeamPct > limits.MaxAddressesChangingTeamPct)
            exceeded.Add($"{change.AddressesChangingTeam} of {change.Addresses} addresses ({change.AddressesChangingTeamPct:0.##}%) would get another gebiedsteam (more than {limits.MaxAddressesChangingTeamPct}%)");
        return change with { Exceeded = exceeded };
    }
}

/// <summary>A boundary file that changes more than the thresholds allow: refused unless confirmed after the preview.</summary>
public sealed class BoundaryConfirmationRequiredException(BoundaryChange change)
    : Exception("The new boundaries change more than the configured thresholds allow: " + string.Join("; ", change.Exceeded) +
                ". Nothing was written. Check the preview and confirm to import them anyway.")
{
    public BoundaryChange Change { get; } = change;
}
