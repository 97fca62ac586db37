using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Server.Features.Routing;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>AreaLocator against PostGIS as the oracle, on the real buurten.</summary>
public class RoutingDifferentialTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    /// <summary>
    /// 100,000 points: random ones over the gemeente's bounding box (with a margin, so the 25 m tolerance and the outside
    /// are exercised), every buurt vertex (shared by two or more buurten on inner borders), the midpoint and the third
    /// points of every buurt edge, and points 10 m and 30 m off the outer border.
    /// </summary>
    private static List<(int Id, double X, double Y)> Points(IReadOnlyList<Geometry> buurten, Envelope extent)
    {
        var points = new List<(int, double, double)>();
        var id = 0;
        foreach (var b in buurten)
        {
            var coords = b.Coordinates;
            for (var i = 0; i + 1 < coords.Length; i++)
            {
                var (a, c) = (coords[i], coords[i + 1]);
                points.Add((id++, a.X, a.Y));
                points.Add((id++, (a.X + c.X) / 2, (a.Y + c.Y) / 2));
                points.Add((id++, a.X + (c.X - a.X) / 3, a.Y + (c.Y - a.Y) / 3));
                // off the segment, perpendicular, 10 m and 30 m on both sides
                var len = Math.Sqrt((c.X - a.X) * (c.X - a.X) + (c.Y - a.Y) * (c.Y - a.Y));
                if (len == 0) continue;
                var (nx, ny) = (-(c.Y - a.Y) / len, (c.X - a.X) / len);
                var (mx, my) = ((a.X + c.X) / 2, (a.Y + c.Y) / 2);
                foreach (var d in new[] { -30.0, -10.0, 10.0, 30.0 }) points.Add((id++, mx + nx * d, my + ny * d));
            }
        }
        var random = new Random(20261123);
        var box = new Envelope(extent);
        box.ExpandBy(200);
        while (points.Count < 100_000)
            points.Add((id++, box.MinX + random.NextDouble() * box.Width, box.MinY + random.NextDouble() * box.Height));
        return points;
    }

    [Fact]
    public async Task AreaLocator_and_PostGIS_give_identical_answers_on_100000_points_border_points_included()
    {
        var provider = fx.Factory.Services.GetRequiredService<AreaLocatorProvider>();
        var locator = (await provider.GetAsync())!.Locator;
        await using var ds = fx.Database.CreateDataSource();

        var buurten = new List<Geometry>();
        await using (var cmd = ds.CreateCommand("SELECT geom FROM area WHERE level = 'buurt' AND valid_to IS NULL"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) buurten.Add((Geometry)r.GetValue(0));
        var extent = new Envelope();
        foreach (var b in buurten) extent.ExpandToInclude(b.EnvelopeInternal);
        var points = Points(buurten, extent);
        Assert.Equal(100_000, points.Count);

        var expected = new Dictionary<int, (string? Inside, string? Near)>();
        await using (var conn = await ds.OpenConnectionAsync())
        {
            await using (var create = new NpgsqlCommand("CREATE TEMP TABLE pts (id int PRIMARY KEY, geom geometry(Point, 28992))", conn))
                await create.ExecuteNonQueryAsync();
            await using (var copy = await conn.BeginBinaryImportAsync("COPY pts (id, geom) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (pid, x, y) in points)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(pid, NpgsqlDbType.Integer);
                    await copy.WriteAsync(new Point(x, y) { SRID = 28992 }, NpgsqlDbType.Geometry);
                }
                await copy.CompleteAsync();
            }
            // The contract, in SQL: covering buurt with the smallest code; else the nearest within 25 m, ties by code.
            await using var query = new NpgsqlCommand(
                """
                SELECT p.id,
                  (SELECT a.code FROM area a WHERE a.level = 'buurt' AND a.valid_to IS NULL AND ST_Covers(a.geom, p.geom)
                   ORDER BY a.code COLLATE "C" LIMIT 1),
                  (SELECT a.code FROM area a WHERE a.level = 'buurt' AND a.valid_to IS NULL AND ST_DWithin(a.geom, p.geom, 25)
                   ORDER BY ST_Distance(a.geom, p.geom), a.code COLLATE "C" LIMIT 1)
                FROM pts p
                """, conn) { CommandTimeout = 600 };
            await using var r = await query.ExecuteReaderAsync();
            while (await r.ReadAsync())
                expected[r.GetInt32(0)] = (r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2));
        }

        var mismatches = new List<string>();
        int inside = 0, near = 0, outside = 0, onBorder = 0;
        foreach (var (pid, x, y) in points)
        {
            var got = locator.Locate(x, y);
            var (ins, nr) = expected[pid];
            var want = ins ?? nr;
            var wantKind = ins is not null ? LocationKind.Inside : nr is not null ? LocationKind.NearGemeente : LocationKind.Outside;
            if (got.Kind != wantKind || got.Buurt?.Code != want)
                mismatches.Add($"#{pid} ({x:0.###} {y:0.###}): locator {got.Kind} {got.Buurt?.Code}, PostGIS {wantKind} {want}");
            switch (wantKind)
            {
                case LocationKind.Inside: inside++; break;
                case LocationKind.NearGemeente: near++; break;
                default: outside++; break;
            }
            if (ins is not null && buurten.Count(b => b.Covers(new Point(x, y))) > 1 && pid < 20_000) onBorder++;
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(20)));
        // the sample really exercises every branch of the contract
        Assert.True(inside > 35_000, $"inside {inside}"); // the gemeente fills ~43 % of its bounding box
        Assert.True(near > 400, $"near {near}"); // 10 m off the outer border, and random points in the 25 m band
        Assert.True(outside > 10_000, $"outside {outside}");
        Assert.True(onBorder > 500, $"points on shared borders {onBorder}");
    }
}
