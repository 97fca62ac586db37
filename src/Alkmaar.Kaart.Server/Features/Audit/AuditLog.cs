using System.Security.Claims;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Audit;

/// <summary>One audit entry: who did what to which subject. <see cref="Detail"/> never holds personal data itself.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string SubjectType, string? SubjectId, string? Detail)
{
    /// <summary>The detail as a person reads it: "naam: waarde · lijst: a, b" instead of the stored JSON.</summary>
    public string ReadableDetail => Readable(Detail);

    public static string Readable(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return "";
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            return Value(doc.RootElement);
        }
        catch (System.Text.Json.JsonException) { return json; }

        static string Value(System.Text.Json.JsonElement e) => e.ValueKind switch
        {
            System.Text.Json.JsonValueKind.Object => string.Join(" · ", e.EnumerateObject().Select(p => $"{p.Name}: {Value(p.Value)}")),
            System.Text.Json.JsonValueKind.Array => string.Join(", ", e.EnumerateArray().Select(Value)),
            System.Text.Json.JsonValueKind.String => e.GetString() ?? "",
            System.Text.Json.JsonValueKind.True => "ja",
            System.Text.Json.JsonValueKind.False => "nee",
            System.Text.Json.JsonValueKind.Null => "—",
            _ => e.GetRawText(),
        };
    }
}

/// <summary>
/// The audit log (table <c>audit_log</c>): views and changes of personal data, boundary changes, user and team changes.
/// Writes join the caller's transaction when one is given, so an audited change and its entry commit together.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db)
{
    public const string System = "systeem";

    public static string ActorOf(ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true, Name: { } name } ? name : "anoniem";

    public async Task WriteAsync(string actor, string action, string subjectType, string? subjectId, object? detail = null,
        NpgsqlConnection? conn = null, NpgsqlTransaction? tx = null, CancellationToken ct = default)
    {
        const string sql = "INSERT INTO audit_log (actor, action, subject_type, subject_id, detail) VALUES ($1, $2, $3, $4, $5)";
        await using var cmd = conn is null ? db.CreateCommand(sql) : new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = actor });
        cmd.Parameters.Add(new NpgsqlParameter { Value = action });
        cmd.Parameters.Add(new NpgsqlParameter { Value = subjectType });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)subjectId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Jsonb,
            Value = detail is null ? DBNull.Value : JsonSerializer.Serialize(detail, JsonSerializerOptions.Web),
        });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Repeated views of one subject by one person within this window are one entry.</summary>
    public static readonly TimeSpan ViewWindow = TimeSpan.FromMinutes(10);

    /// <summary>One entry per subject, in one statement (e.g. every melding whose personal data a list showed), unless the
    /// same person's same action on it is already logged within <see cref="ViewWindow"/>.</summary>
    public async Task WriteViewsAsync(string actor, string action, string subjectType, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default)
    {
        // The same person seeing the same subject again within ViewWindow (a page that re-reads after each change, a list
        // that refreshes itself) is one view, logged once: the log kept every re-read as a duplicate (issue 27, low).
        await using var cmd = db.CreateCommand(
            $"""
            INSERT INTO audit_log (actor, action, subject_type, subject_id)
            SELECT $1, $2, $3, s FROM unnest($4::text[]) AS s
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.subject_type = $3 AND a.subject_id = s AND a.actor = $1 AND a.action = $2
                              AND a.at > now() - interval '{(int)ViewWindow.TotalSeconds} seconds')
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = actor });
        cmd.Parameters.Add(new NpgsqlParameter { Value = action });
        cmd.Parameters.Add(new NpgsqlParameter { Value = subjectType });
        cmd.Parameters.Add(new NpgsqlParameter { Value = subjectIds.ToArray() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The newest entries first, optionally for one subject, one actor, one action kind and a period [from, to).</summary>
    public async Task<List<AuditEntry>> ListAsync(int limit = 500, string? subjectType = null, string? subjectId = null, CancellationToken ct = default,
        string? actor = null, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, at, actor, action, subject_type, subject_id, detail::text FROM audit_log
            WHERE ($1::text IS NULL OR subject_type = $1) AND ($2::text IS NULL OR subject_id = $2)
              AND ($4::text IS NULL OR actor ILIKE '%' || $4 || '%') AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
            ORDER BY id DESC LIMIT $3
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)subjectType ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)subjectId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)actor ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)from ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)to ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var list = new List<AuditEntry>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new AuditEntry(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)));
        return list;
    }

    /// <summary>The kinds of subject in the log (for the audit page's filter).</summary>
    public async Task<List<string>> SubjectTypesAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT DISTINCT subject_type FROM audit_log ORDER BY 1");
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }
}

public static class AuditFeature
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditLog>();
        return builder;
    }
}
