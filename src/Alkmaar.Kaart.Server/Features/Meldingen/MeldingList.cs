using System.Security.Claims;
using System.Text;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Npgsql;
using NpgsqlTypes;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>
/// Filters of the workspace list. <see cref="Area"/> matches a buurt, wijk, dorp or gebied code; <see cref="From"/> and
/// <see cref="To"/> are local days (Europe/Amsterdam), both included; <see cref="Open"/> leaves out afgehandelde meldingen.
/// </summary>
public sealed record WorkspaceFilter
{
    public string? Status { get; init; }
    public bool Open { get; init; }
    /// <summary>Open and past its handling deadline ("te laat").</summary>
    public bool Overdue { get; init; }

    /// <summary>Open and past three times its handling time ("3× te laat").</summary>
    public bool ThreeTimesLate { get; init; }

    /// <summary>Only those assigned to this account ("Mijn meldingen").</summary>
    public string? AssignedTo { get; init; }
    public string? Category { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public string? Area { get; init; }
    public IReadOnlyList<string>? Gebieden { get; init; }
    public bool? Forwarded { get; init; }
}
/// <summary>How the workspace list is ordered (always with the number as the last key, so pages never overlap).</summary>
public enum MeldingSort { Newest, Oldest, Category, Status, Gebied }
/// <summary>A row of the workspace list: no personal data (no description, address or contact), so listing is not a view
/// of personal data; opening the melding is, and is audited. X/Y in RD, generalised for partners like every basic view.</summary>
public sealed record MeldingRow(long Id, string Reference, DateTimeOffset CreatedAt, string Category, string Status, string Gebied,
    string? Wijk, string? Buurt, string? Dorp, string? ForwardedTo, string RoutingKind, double X, double Y, bool Overdue, int Version)
{
    /// <summary>The last day of its handling time (null: none stored).</summary>
    public DateOnly? Due { get; init; }

    /// <summary>"te laat" or "3× te laat" while open past its deadline; null otherwise.</summary>
    public string? Late { get; init; }

    /// <summary>The team member it is assigned to (account name); only in its own team's and a beheerder's list.</summary>
    public string? AssignedTo { get; init; }
}
public sealed record MeldingPage(IReadOnlyList<MeldingRow> Rows, int Total);
/// <summary>What the private status link shows: no personal data, no location, no staff names.</summary>
/// <summary>The team's week: counts for the overleg (aggregates of the team's own meldingen, no personal data).</summary>
public sealed record WeekOverview(DateOnly From, DateOnly To, int New, int Open, int Overdue, int Closed,
    IReadOnlyList<(string Category, int Count)> TopCategories, IReadOnlyList<MeldingRow> OldestOverdue)
{
    /// <summary>Open now and past three times their handling time (Signalen's mark for escalation), the clock running.</summary>
    public int ThreeTimesLate { get; init; }
}

/// <summary>
/// The team's workspace list and week overview: pages of the meldingen a person may see (<see cref="MeldingAccessRules"/>),
/// filtered and sorted, and the week's counts for the overleg. Rows without personal data, so listing is not a view.
/// </summary>
public sealed class MeldingList(NpgsqlDataSource db, IOptions<MeldingOptions> options, TimeProvider time)
{
    private MeldingOptions O => options.Value;

    /// <summary>
    /// A page of the meldingen the user may see (<see cref="MeldingAccessRules"/>), filtered and sorted, with the total.
    /// One query on the team's index (gebied, status, created_at) and one count; stays fast at 100,000 meldingen.
    /// </summary>
    public async Task<MeldingPage> ListPageAsync(ClaimsPrincipal user, WorkspaceFilter f, MeldingSort sort, int skip, int take, CancellationToken ct = default)
    {
        take = Math.Clamp(take, 1, O.MaxPageSize);
        skip = Math.Max(0, skip);
        var (where, parameters) = WorkspaceWhere(user, f);
        var order = sort switch
        {
            MeldingSort.Oldest => "m.created_at, m.id",
            MeldingSort.Category => "m.category, m.created_at DESC, m.id DESC",
            MeldingSort.Status => "m.status, m.created_at DESC, m.id DESC",
            MeldingSort.Gebied => "m.gebied_code, m.created_at DESC, m.id DESC",
            _ => "m.created_at DESC, m.id DESC",
        };
        var rows = new List<MeldingRow>();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT m.id, m.created_at, m.category, m.status, m.gebied_code, m.wijk_code, m.buurt_code, m.dorp_code, m.forwarded_to,
              m.routing_kind, ST_X(m.geom), ST_Y(m.geom), m.location_source, m.version, m.due_on, m.three_times_due_on, m.assigned_to,
              m.paused_since IS NOT NULL
            FROM melding m WHERE {where} ORDER BY {order} LIMIT @take OFFSET @skip
            """, conn))
        {
            cmd.Parameters.AddRange(parameters.Select(Clone).ToArray());
            cmd.Parameters.AddWithValue("take", take);
            cmd.Parameters.AddWithValue("skip", skip);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var today = MeldingDeadlines.DayOf(time.GetUtcNow());
            var scope = MeldingAccessRules.ScopeOf(user);
            while (await r.ReadAsync(ct))
                rows.Add(ReadRow(r, today, scope));
        }
        int total;
        await using (var count = new NpgsqlCommand($"SELECT count(*)::int FROM melding m WHERE {where}", conn))
        {
            count.Parameters.AddRange(parameters.Select(Clone).ToArray());
            total = (int)(await count.ExecuteScalarAsync(ct))!;
        }
        return new MeldingPage(rows, total);
    }

    private static MeldingRow ReadRow(NpgsqlDataReader r, DateOnly today, MeldingScope scope)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var (gebied, forwarded) = (r.GetString(4), S(8));
        var (x, y) = (r.GetDouble(10), r.GetDouble(11)); // the place of the problem: the partner it was forwarded to needs it too
        var created = r.GetFieldValue<DateTimeOffset>(1);
        var status = r.GetString(3);
        DateOnly? due = r.IsDBNull(14) ? null : r.GetFieldValue<DateOnly>(14), due3 = r.IsDBNull(15) ? null : r.GetFieldValue<DateOnly>(15);
        var open = MeldingStatus.Parse(status)?.Open != false;
        var paused = r.GetBoolean(17); // the clock stands still while the team waits for the melder: not late
        var late = !open || due is null || paused ? null : today > due3 ? "3× te laat" : today > due ? "te laat" : null;
        return new MeldingRow(r.GetInt64(0), StatusLinks.Reference(r.GetInt64(0)), created, r.GetString(2), status, gebied, S(5), S(6), S(7),
            forwarded, r.GetString(9), Math.Round(x, 2), Math.Round(y, 2), late is not null, r.GetInt32(13))
        {
            Due = due, Late = late,
            AssignedTo = scope.All || scope.Gebieden.Contains(gebied) ? S(16) : null, // a colleague's name: not for partners
        };
    }

    private static NpgsqlParameter Clone(NpgsqlParameter p) => p.Clone();

    /// <summary>The scope of the user (as <see cref="MeldingAccessRules"/>) and the filters, as one WHERE with named parameters.</summary>
    private (string Where, List<NpgsqlParameter> Parameters) WorkspaceWhere(ClaimsPrincipal user, WorkspaceFilter f)
    {
        var sql = new StringBuilder();
        var ps = new List<NpgsqlParameter>();
        void P(string name, NpgsqlDbType type, object value) => ps.Add(new NpgsqlParameter(name, type) { Value = value });

        var (all, gebieden, partner) = MeldingAccessRules.ScopeOf(user);
        if (all) sql.Append("true");
        else
        {
            var scope = new List<string>();
            if (gebieden.Length > 0) { P("scope", NpgsqlDbType.Array | NpgsqlDbType.Text, gebieden); scope.Add("m.gebied_code = ANY (@scope)"); }
            if (partner) scope.Add("m.forwarded_to IS NOT NULL");
            sql.Append(scope.Count == 0 ? "false" : "(" + string.Join(" OR ", scope) + ")");
        }
        if (f.Gebieden is { Count: > 0 } g) { P("gebieden", NpgsqlDbType.Array | NpgsqlDbType.Text, g.ToArray()); sql.Append(" AND m.gebied_code = ANY (@gebieden)"); }
        if (f.Status is { } status) { P("status", NpgsqlDbType.Text, status); sql.Append(" AND m.status = @status"); }
        else if (f.Open || f.Overdue || f.ThreeTimesLate) sql.Append(" AND m.status <> 'afgehandeld'");
        if (f.Overdue || f.ThreeTimesLate) sql.Append(" AND m.paused_since IS NULL");
        if (f.ThreeTimesLate) { P("today3", NpgsqlDbType.Date, MeldingDeadlines.DayOf(time.GetUtcNow())); sql.Append(" AND m.three_times_due_on < @today3"); }
        if (f.Overdue) { P("today", NpgsqlDbType.Date, MeldingDeadlines.DayOf(time.GetUtcNow())); sql.Append(" AND m.due_on < @today"); }
        if (f.Category is { } category) { P("category", NpgsqlDbType.Text, category); sql.Append(" AND m.category = @category"); }
        if (f.From is { } from) { P("from", NpgsqlDbType.Date, from); sql.Append(" AND m.created_at >= (@from::timestamp AT TIME ZONE 'Europe/Amsterdam')"); }
        if (f.To is { } to) { P("to", NpgsqlDbType.Date, to.AddDays(1)); sql.Append(" AND m.created_at < (@to::timestamp AT TIME ZONE 'Europe/Amsterdam')"); }
        if (f.Area is { } area)
        {
            P("area", NpgsqlDbType.Text, area);
            sql.Append(" AND (m.buurt_code = @area OR m.wijk_code = @area OR m.dorp_code = @area OR m.gebied_code = @area)");
        }
        if (f.Forwarded is { } fw) sql.Append(fw ? " AND m.forwarded_to IS NOT NULL" : " AND m.forwarded_to IS NULL");
        if (f.AssignedTo is { } assigned) { P("assigned", NpgsqlDbType.Text, assigned); sql.Append(" AND m.assigned_to = @assigned"); }
        return (sql.ToString(), ps);
    }

    /// <summary>The team's week for the overleg: new in the week, open and overdue now, closed in the week, top categories of
    /// the week's new meldingen, and the oldest overdue ones.</summary>
    public async Task<WeekOverview> WeekAsync(ClaimsPrincipal user, IReadOnlyList<string>? gebieden, DateOnly monday, CancellationToken ct = default)
    {
        var scope = new WorkspaceFilter { Gebieden = gebieden };
        var (where, parameters) = WorkspaceWhere(user, scope);
        var sunday = monday.AddDays(6);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"""
            SELECT count(*) FILTER (WHERE m.created_at >= w.a AND m.created_at < w.b)::int,
                   count(*) FILTER (WHERE m.status <> 'afgehandeld')::int,
                   count(*) FILTER (WHERE m.status <> 'afgehandeld' AND m.due_on < @today AND m.paused_since IS NULL)::int,
                   count(*) FILTER (WHERE m.closed_at >= w.a AND m.closed_at < w.b)::int,
                   count(*) FILTER (WHERE m.status <> 'afgehandeld' AND m.three_times_due_on < @today AND m.paused_since IS NULL)::int
            FROM melding m, (SELECT (@monday::timestamp AT TIME ZONE 'Europe/Amsterdam') a, (@next::timestamp AT TIME ZONE 'Europe/Amsterdam') b) w
            WHERE {where}
            """, conn);
        cmd.Parameters.AddRange(parameters.Select(Clone).ToArray());
        cmd.Parameters.Add(new NpgsqlParameter("monday", NpgsqlDbType.Date) { Value = monday });
        cmd.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.Date) { Value = monday.AddDays(7) });
        cmd.Parameters.Add(new NpgsqlParameter("today", NpgsqlDbType.Date) { Value = MeldingDeadlines.DayOf(time.GetUtcNow()) });
        int n, open, overdue, closed, late3;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (n, open, overdue, closed, late3) = (r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4));
        }
        var top = new List<(string, int)>();
        await using (var c = new NpgsqlCommand(
            $"""
            SELECT m.category, count(*)::int FROM melding m
            WHERE {where} AND m.created_at >= (@monday::timestamp AT TIME ZONE 'Europe/Amsterdam') AND m.created_at < (@next::timestamp AT TIME ZONE 'Europe/Amsterdam')
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5
            """, conn))
        {
            c.Parameters.AddRange(parameters.Select(Clone).ToArray());
            c.Parameters.Add(new NpgsqlParameter("monday", NpgsqlDbType.Date) { Value = monday });
            c.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.Date) { Value = monday.AddDays(7) });
            await using var r = await c.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) top.Add((r.GetString(0), r.GetInt32(1)));
        }
        var oldest = await ListPageAsync(user, scope with { Overdue = true }, MeldingSort.Oldest, 0, 10, ct);
        return new WeekOverview(monday, sunday, n, open, overdue, closed, top, oldest.Rows) { ThreeTimesLate = late3 };
    }
}

/// <summary>The workspace's filters as query parameters (the API and the page's URL use the same names).</summary>
public static class WorkspaceQuery
{
    /// <summary>The filter, or null when a value is invalid (unknown status, a date that is not yyyy-MM-dd).</summary>
    public static WorkspaceFilter? Parse(string? status, bool? open, bool? overdue, string? category, string? from, string? to,
        string? area, string? gebied, bool? forwarded, bool? threeTimesLate = null, string? assignedTo = null)
    {
        if (status is not null && !MeldingService.Statuses.Contains(status)) return null;
        DateOnly? f = null, t = null;
        if (from is not null) { if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", out var d)) return null; f = d; }
        if (to is not null) { if (!DateOnly.TryParseExact(to, "yyyy-MM-dd", out var d)) return null; t = d; }
        return new WorkspaceFilter
        {
            Status = status, Open = open ?? false, Overdue = overdue ?? false, Category = category?.Trim().ToLowerInvariant() is { Length: > 0 } c ? c : null,
            From = f, To = t, Area = area is { Length: > 0 } ? area : null, Gebieden = gebied is { Length: > 0 } ? [gebied] : null, Forwarded = forwarded,
            ThreeTimesLate = threeTimesLate ?? false, AssignedTo = assignedTo is { Length: > 0 } ? assignedTo : null,
        };
    }

    /// <summary>The filter as a query string (for the map layer's URL and the page's own address).</summary>
    public static string ToQuery(WorkspaceFilter f)
    {
        var q = new List<string>();
        void A(string k, string? v) { if (v is not null) q.Add($"{k}={Uri.EscapeDataString(v)}"); }
        A("status", f.Status);
        if (f.Open) A("open", "true");
        if (f.Overdue) A("overdue", "true");
        if (f.ThreeTimesLate) A("late3", "true");
        A("assignedTo", f.AssignedTo);
        A("category", f.Category);
        A("from", f.From?.ToString("yyyy-MM-dd"));
        A("to", f.To?.ToString("yyyy-MM-dd"));
        A("area", f.Area);
        A("gebied", f.Gebieden is [var g] ? g : null);
        if (f.Forwarded is { } fw) A("forwarded", fw ? "true" : "false");
        return string.Join("&", q);
    }
}
