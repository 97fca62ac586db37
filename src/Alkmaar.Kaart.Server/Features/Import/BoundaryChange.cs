using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Routing;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>
/// What a new boundary file would change against the latest version: the gemeente's area, buurt codes that disappear or
/// appear, buurten whose boundary moved (mean displacement, <see cref="BoundaryDisplacement"/>), and how many addresses would
/// get another gebiedsteam. <see cref="Exceeded"/> names the thresholds it passes, in Dutch.
/// </summary>
public sealed record BoundaryChange(int? LatestVersion, double GemeenteAreaKm2Before, double GemeenteAreaKm2After,
    IReadOnlyList<string> MissingBuurten, IReadOnlyList<string> NewBuurten, int Addresses, int AddressesChangingTeam,
    IReadOnlyList<string> Exceeded)
{
    /// <summary>Buurten (by code, in both versions) whose boundary moved more than <see cref="BoundaryUploadOptions.MovedBuurtM"/>
    /// on average, with that displacement in metres, largest first.</summary>
    public IReadOnlyList<MovedBuurt> MovedBuurten { get; init; } = [];

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

        // Every buurt in both versions: how far its boundary moved. A whole set shifted 25 m or scaled 0.2 % keeps the
        // gemeente's area within 1 % and most addresses with their team, but moves every buurt; a yearly redraw moves a few.
        var old = current.Where(a => a.Level == AreaLevel.Buurt).ToDictionary(a => a.Code);
        var moved = next.OfLevel(AreaLevel.Buurt).Where(a => old.ContainsKey(a.Code))
            .Select(a => new MovedBuurt(a.Code, Math.Round(BoundaryDisplacement.Mean(old[a.Code].Geometry, a.Geometry), 2)))
            .Where(m => m.MeanDisplacementM > limits.MovedBuurtM).OrderByDescending(m => m.MeanDisplacementM).ToList();

        var change = new BoundaryChange(version, Math.Round(areaBefore, 4), Math.Round(areaAfter, 4),
            before.Except(after).Order().ToList(), after.Except(before).Order().ToList(), addresses, changing, []) { MovedBuurten = moved };
        var nl = System.Globalization.CultureInfo.GetCultureInfo("nl-NL");
        var exceeded = new List<string>();
        if (Math.Abs(change.GemeenteAreaChangePct) > limits.MaxGemeenteAreaChangePct)
            exceeded.Add(string.Format(nl, "de oppervlakte van de gemeente verandert {0:0.##}% (meer dan {1}%)", change.GemeenteAreaChangePct, limits.MaxGemeenteAreaChangePct));
        if (change.MissingBuurten.Count > limits.MaxMissingBuurten)
            exceeded.Add($"{change.MissingBuurten.Count} buurt(en) zouden verdwijnen: {string.Join(", ", change.MissingBuurten.Take(20))}");
        if (change.NewBuurten.Count > limits.MaxNewBuurten)
            exceeded.Add($"{change.NewBuurten.Count} nieuwe buurt(en): {string.Join(", ", change.NewBuurten.Take(20))}");
        if (moved.Count > limits.MaxMovedBuurten)
            exceeded.Add(string.Format(nl, "van {0} buurten verschuift de grens gemiddeld meer dan {1} m (tot {2:0.#} m): {3}", moved.Count,
                limits.MovedBuurtM, moved[0].MeanDisplacementM, string.Join(", ", moved.Take(10).Select(m => m.Code))));
        if (change.AddressesChangingTeamPct > limits.MaxAddressesChangingTeamPct)
            exceeded.Add(string.Format(nl, "{0} van {1} adressen ({2:0.##}%) krijgen een ander gebiedsteam (meer dan {3}%)", change.AddressesChangingTeam,
                change.Addresses, change.AddressesChangingTeamPct, limits.MaxAddressesChangingTeamPct));
        return change with { Exceeded = exceeded };
    }
}

/// <summary>A buurt whose boundary moved: its code and the mean displacement of its boundary in metres.</summary>
public sealed record MovedBuurt(string Code, double MeanDisplacementM);

/// <summary>A boundary file that changes more than the thresholds allow: refused unless confirmed after the preview.</summary>
public sealed class BoundaryConfirmationRequiredException(BoundaryChange change)
    : RejectedException("Grote wijziging: bevestiging nodig", "De nieuwe grenzen veranderen meer dan de drempels toestaan: " + string.Join("; ", change.Exceeded) +
                ". Er is niets opgeslagen. Bekijk eerst het voorbeeld (preview=true) en bevestig dan met de bevestigingscode daaruit.", status: 409)
{
    public BoundaryChange Change { get; } = change;
}
