using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Demo;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// Loads a generated year of DEMO meldingen (<see cref="DemoMeldingGenerator"/>) for dashboards and hotspot maps, routed
/// like real ones (areas, team, boundary version, Stadswerk072 forwarding) and stored with <c>source = 'demo'</c>, no text
/// and no person. Replaces an earlier demo set; real meldingen are never touched.
/// </summary>
public sealed partial class DemoMeldingen(NpgsqlDataSource db, AreaRepository areas, AreaLocatorProvider routing, IOptions<MeldingOptions> options,
    ILogger<DemoMeldingen> logger, MeldingDeadlines deadlines)
{
    /// <summary>What a bulk of meldingen fills (the rows, their routing, the disclosure grid's cells and the month counts).</summary>
    public static readonly string[] MeldingTables = ["melding", "melding_routing", "melding_cell", "melding_cell_day", "melding_cell_grid", "melding_buurt_maand"];

    /// <summary>A calendar year of DEMO meldingen.</summary>
    public Task<(int Count, IReadOnlyList<PlantedCluster> Planted)> GenerateAsync(int year, int count, CancellationToken ct = default) =>
        GenerateAsync(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31), count, ct);

    /// <summary>DEMO meldingen on the days <paramref name="first"/> to <paramref name="last"/> (e.g. the year up to yesterday).</summary>
    public async Task<(int Count, IReadOnlyList<PlantedCluster> Planted)> GenerateAsync(DateOnly first, DateOnly last, int count, CancellationToken ct = default)
    {
        var snapshot = await routing.GetAsync(ct) ?? throw new InvalidOperationException("Load the boundaries before generating demo meldingen.");
        var buurten = new List<Area>();
        await foreach (var a in areas.ListAsync(AreaLevel.Buurt, withGeometry: true, ct))
            buurten.Add(new Area(a.Level, a.Code, a.Name, a.ParentCode, (MultiPolygon)a.Geometry!));
        var o = options.Value;
        var (meldingen, planted) = DemoMeldingGenerator.Generate(buurten, o.Categories, first, last, count);

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM melding WHERE source = 'demo'", conn, tx)) await del.ExecuteNonQueryAsync(ct);
        var stored = 0;
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY melding (created_at, category, status, closed_at, geom, location_source, buurt_code, wijk_code, dorp_code, gebied_code, " +
            "routing_kind, routing_reason, distance_m, boundary_version_id, forwarded_to, source, handling_days, due_on, three_times_due_on) FROM STDIN (FORMAT BINARY)", ct))
        {
            // a million rows and their cells' triggers take minutes on a busy machine: the 30 s command timeout would end it
            copy.Timeout = TimeSpan.FromMinutes(30);
            foreach (var m in meldingen)
            {
                // each melding is routed on the boundaries in force at its own time
                var version = await routing.GetAtAsync(m.CreatedAt, ct) ?? snapshot;
                var at = version.Locator.Locate(m.X, m.Y);
                if (at.Gebied is null) continue; // outside: not a melding of this gemeente
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(m.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(m.Category, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.Status, NpgsqlDbType.Text, ct);
                if (m.Status == MeldingStatus.Afgehandeld.Code) await copy.WriteAsync(m.CreatedAt.UtcDateTime.AddDays(3), NpgsqlDbType.TimestampTz, ct);
                else await copy.WriteNullAsync(ct);
                await copy.WriteAsync(new Point(m.X, m.Y) { SRID = 28992 }, NpgsqlDbType.Geometry, ct);
                await copy.WriteAsync("rd", NpgsqlDbType.Text, ct);
                await Nullable(copy, at.Buurt?.Code, ct);
                await Nullable(copy, at.Wijk?.Code, ct);
                await Nullable(copy, at.Dorp?.Code, ct);
                await copy.WriteAsync(at.Gebied.Code, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(at.Kind == LocationKind.Inside ? "inside" : "near", NpgsqlDbType.Text, ct);
                await copy.WriteAsync("demo: gegenereerd en gerouteerd op de plek", NpgsqlDbType.Text, ct);
                if (at.Kind == LocationKind.Inside) await copy.WriteNullAsync(ct);
                else await copy.WriteAsync(at.DistanceM, NpgsqlDbType.Double, ct);
                await copy.WriteAsync(version.Locator.VersionId, NpgsqlDbType.Integer, ct);
                await Nullable(copy, o.OpenbareRuimteCategories.Contains(m.Category) ? o.ForwardTo : null, ct);
                await copy.WriteAsync("demo", NpgsqlDbType.Text, ct);
                var deadline = deadlines.For(m.Category, m.CreatedAt);
                await copy.WriteAsync((short)deadline.Days, NpgsqlDbType.Smallint, ct);
                await copy.WriteAsync(deadline.Due, NpgsqlDbType.Date, ct);
                await copy.WriteAsync(deadline.ThreeTimesDue, NpgsqlDbType.Date, ct);
                stored++;
            }
            await copy.CompleteAsync(ct);
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Generated {Count} DEMO meldingen from {First} to {Last} with {Clusters} planted clusters", stored, first, last, planted.Count);
        // the first request after a million is as fast as the thousandth: statistics and visibility maps refreshed now
        await Database.KaartDatabase.ReadyAfterImportAsync(db, MeldingTables, logger, ct);
        return (stored, planted);
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM melding");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Whether any generated meldingen are loaded (screens that show meldingen then say so).</summary>
    public async Task<bool> AnyDemoAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM melding WHERE source = 'demo')");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static Task Nullable(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);
}
