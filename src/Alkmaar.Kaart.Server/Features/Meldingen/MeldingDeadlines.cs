using System.Collections.Concurrent;
using Alkmaar.Kaart.Geo.Deadlines;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// The handling time promised per category (<see cref="MeldingOptions.HandlingDays"/>, working days with Dutch public
/// holidays) and the deadline of a melding received at a moment: its local day plus that many working days. Stored with
/// the melding when it arrives (<c>due_on</c>, <c>three_times_due_on</c>), so lists filter and sort on it in SQL.
/// </summary>
public sealed class MeldingDeadlines(IOptions<MeldingOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(DateOnly, int, int), HandlingDeadline> _cache = new();

    /// <summary>The working days promised for <paramref name="category"/>.</summary>
    public int DaysFor(string category) => DaysFor(options.Value, category);

    private static int DaysFor(MeldingOptions o, string category) =>
        o.HandlingDays.TryGetValue(category, out var d) ? d : o.DefaultHandlingDays;

    /// <summary>The deadline of a melding of <paramref name="category"/> received at <paramref name="receivedAt"/>.</summary>
    public HandlingDeadline For(string category, DateTimeOffset receivedAt) => Of(DayOf(receivedAt), DaysFor(category));

    /// <summary>The deadline as stored with a melding (null for a melding without one): its clock from the day it arrived
    /// (or <paramref name="clockFrom"/>, the day it was reopened), moved on by the working days it was paused, and whether
    /// it is paused now.</summary>
    public HandlingDeadline? Stored(DateTimeOffset receivedAt, int? days, DateOnly? clockFrom = null, int pausedDays = 0, bool paused = false)
    {
        if (days is not { } n) return null;
        var d = Of(clockFrom ?? DayOf(receivedAt), n, pausedDays);
        return paused ? d with { Paused = true } : d;
    }

    private HandlingDeadline Of(DateOnly day, int days, int pausedDays = 0) =>
        _cache.GetOrAdd((day, days, pausedDays), k => new HandlingDeadline(k.Item1, k.Item2, k.Item3));

    /// <summary>Today as people here count days (Europe/Amsterdam).</summary>
    public DateOnly Today => DayOf(time.GetUtcNow());

    public static DateOnly DayOf(DateTimeOffset t) => DateOnly.FromDateTime(DutchTime.Local(t).DateTime);

    /// <summary>Dutch words for how late an open melding is ("te laat", "3× te laat"), or null.</summary>
    public static string? Words(Lateness l) => l switch { Lateness.Late => "te laat", Lateness.ThreeTimesLate => "3× te laat", _ => null };

    /// <summary>
    /// Fills the deadline of every melding that has none (those from before deadlines existed), from its local day of receipt
    /// and its category's configured days: one UPDATE over the distinct (day, category) pairs, not a row at a time.
    /// </summary>
    public static async Task<int> FillMissingAsync(string connectionString, MeldingOptions o, ILogger logger, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var pairs = new List<(DateOnly Day, string Category)>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT DISTINCT (created_at AT TIME ZONE 'Europe/Amsterdam')::date, category FROM melding WHERE due_on IS NULL", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) pairs.Add((r.GetFieldValue<DateOnly>(0), r.GetString(1)));
        if (pairs.Count == 0) return 0;
        var days = pairs.Select(p => new HandlingDeadline(p.Day, DaysFor(o, p.Category))).ToList();
        await using var update = new NpgsqlCommand(
            """
            UPDATE melding m SET handling_days = v.days, due_on = v.due, three_times_due_on = v.due3
            FROM unnest($1::date[], $2::text[], $3::smallint[], $4::date[], $5::date[]) AS v(day, category, days, due, due3)
            WHERE m.due_on IS NULL AND m.category = v.category AND (m.created_at AT TIME ZONE 'Europe/Amsterdam')::date = v.day
            """, conn);
        update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date, Value = pairs.Select(p => p.Day).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = pairs.Select(p => p.Category).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint, Value = days.Select(d => (short)d.Days).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date, Value = days.Select(d => d.Due).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date, Value = days.Select(d => d.ThreeTimesDue).ToArray() });
        update.CommandTimeout = 600;
        var n = await update.ExecuteNonQueryAsync(ct);
        logger.LogInformation("Gave {Count} meldingen their handling deadline", n);
        return n;
    }
}
