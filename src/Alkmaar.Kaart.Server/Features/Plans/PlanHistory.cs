using System.Text.Json;
using Alkmaar.Kaart.Geo.Plans;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Plans;

/// <summary>What a save does to the plan's undo history: a new edit (the redo part is dropped), an undo or a redo.</summary>
public enum StepAction { New, Undo, Redo }

public sealed record StepRecord(StepAction Action, PlanStep? Step = null);

/// <summary>
/// The undo history of a plan in the database (migration 0020), written in the transaction of each save, so that any
/// server — or the same one after a restart — undoes and redoes the same edits. A step keeps the plan before and after,
/// the counts a border move shifted, and the shapes it changed (WKB).
/// </summary>
public static class PlanHistory
{
    private sealed record PlanJson(Dictionary<string, string> W, Dictionary<string, string> G, Dictionary<string, string> N);
    private sealed record MoveJson(string From, string To, long[] Counts);
    private sealed record ShapesJson(Dictionary<string, string> Before, Dictionary<string, string> After);

    private static string Write(Plan p) => JsonSerializer.Serialize(new PlanJson(p.WijkOfBuurt.ToDictionary(), p.GebiedOfWijk.ToDictionary(), p.NewWijkNames.ToDictionary()));

    private static Plan ReadPlan(string json)
    {
        var p = JsonSerializer.Deserialize<PlanJson>(json)!;
        return new Plan(p.W, p.G) { NewWijkNames = p.N };
    }

    private static Dictionary<string, string> Wkb(IReadOnlyDictionary<string, MultiPolygon> shapes) =>
        shapes.ToDictionary(kv => kv.Key, kv => Convert.ToBase64String(new WKBWriter().Write(kv.Value)));

    private static Dictionary<string, MultiPolygon> Shapes(Dictionary<string, string> wkb) =>
        wkb.ToDictionary(kv => kv.Key, kv => (MultiPolygon)new WKBReader().Read(Convert.FromBase64String(kv.Value)).With(28992));

    private static T With<T>(this T g, int srid) where T : Geometry { g.SRID = srid; return g; }

    public static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int planId, StepRecord record, CancellationToken ct)
    {
        var sql = record.Action switch
        {
            StepAction.Undo => "UPDATE boundary_plan_step SET undone = true WHERE plan_id = $1 AND seq = (SELECT max(seq) FROM boundary_plan_step WHERE plan_id = $1 AND NOT undone)",
            StepAction.Redo => "UPDATE boundary_plan_step SET undone = false WHERE plan_id = $1 AND seq = (SELECT min(seq) FROM boundary_plan_step WHERE plan_id = $1 AND undone)",
            _ => "DELETE FROM boundary_plan_step WHERE plan_id = $1 AND undone",
        };
        await using (var cmd = new NpgsqlCommand(sql, conn, tx))
        {
            cmd.Parameters.AddWithValue(planId);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (record is not { Action: StepAction.New, Step: { } step }) return;
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO boundary_plan_step (plan_id, seq, before_plan, after_plan, moves, shapes)
            VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM boundary_plan_step WHERE plan_id = $1), $2, $3, $4, $5)
            """, conn, tx);
        insert.Parameters.AddWithValue(planId);
        insert.Parameters.AddWithValue(NpgsqlDbType.Jsonb, Write(step.Before));
        insert.Parameters.AddWithValue(NpgsqlDbType.Jsonb, Write(step.After));
        insert.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(step.Moves.Select(m => new MoveJson(m.FromBuurt, m.ToBuurt, m.Counts))));
        insert.Parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Jsonb,
            Value = step.Payload is ShapeChange sc ? JsonSerializer.Serialize(new ShapesJson(Wkb(sc.Before), Wkb(sc.After))) : DBNull.Value,
        });
        await insert.ExecuteNonQueryAsync(ct);
    }

    public static async Task ClearAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int planId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM boundary_plan_step WHERE plan_id = $1", conn, tx);
        cmd.Parameters.AddWithValue(planId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The stored history: the edits that led to the plan as it stands (oldest first) and those undone (next to redo first).</summary>
    public static async Task<(List<PlanStep> Done, List<PlanStep> Undone)> LoadAsync(NpgsqlDataSource db, int planId, CancellationToken ct)
    {
        var (done, undone) = (new List<PlanStep>(), new List<PlanStep>());
        await using var cmd = db.CreateCommand(
            "SELECT undone, before_plan::text, after_plan::text, moves::text, shapes::text FROM boundary_plan_step WHERE plan_id = $1 ORDER BY seq");
        cmd.Parameters.AddWithValue(planId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var moves = JsonSerializer.Deserialize<List<MoveJson>>(r.GetString(3))!.Select(m => new CountMove(m.From, m.To, m.Counts)).ToList();
            ShapeChange? shapes = null;
            if (!r.IsDBNull(4))
            {
                var s = JsonSerializer.Deserialize<ShapesJson>(r.GetString(4))!;
                shapes = new ShapeChange(Shapes(s.Before), Shapes(s.After));
            }
            var step = new PlanStep(ReadPlan(r.GetString(1)), ReadPlan(r.GetString(2)), moves, shapes);
            (r.GetBoolean(0) ? undone : done).Add(step);
        }
        return (done, undone);
    }
}
