using Alkmaar.Kaart.Geo.Statistics;
using System.Globalization;
using System.Text;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Demo;
using Alkmaar.Kaart.Geo.Monitor;
using Npgsql;
using Sylvan.Data.Csv;

namespace Alkmaar.Kaart.Server.Features.Monitor;

/// <summary>A row of a monitor CSV that was refused, and why.</summary>
public sealed record MonitorRowError(int Row, string Error);

public sealed record MonitorImportReport(int Imported, IReadOnlyList<MonitorRowError> Rejected);

/// <summary>An indicator with the years that have scores; <see cref="Demo"/> when its scores are generated.</summary>
public sealed record MonitorIndicator(string Monitor, string Indicator, string Unit, bool HigherIsBetter, IReadOnlyList<int> Years, bool Demo);

/// <summary>A score of one area and year.</summary>
/// <summary>An indicator's latest score for an area (or the weighted mean of several), its previous year and the gemeente's.</summary>
public sealed record MonitorComparison(string Monitor, string Indicator, string Unit, bool HigherIsBetter, int Year, double Value, int Areas,
    bool Demo, double? Previous, double? Gemeente)
{
    /// <summary>Respondents behind <see cref="Value"/> (the sum over the areas; null when any is unknown).</summary>
    public int? Respondents { get; init; }
    /// <summary>The survey's published margin (one area only: margins of several areas do not add up).</summary>
    public double? Margin { get; init; }
    public int? PreviousRespondents { get; init; }
    public double? PreviousMargin { get; init; }

    /// <summary>The 95% interval of the score (Wilson for a share, the published margin otherwise), or null when untestable.</summary>
    public ScoreInterval? Interval => ScoreComparison.IntervalOf(Value, Unit, Respondents, Margin);

    /// <summary>Against the gemeente: opvallend hoger/lager only when the gemeente's score lies outside the interval; null
    /// without a gemeente score or an interval.</summary>
    public Opvallend? AgainstGemeente => Gemeente is { } g && Interval is { } i ? ScoreComparison.AgainstReference(Value, i, g) : null;

    /// <summary>Since the previous year: a change the intervals show, or none; null when untestable.</summary>
    public Opvallend? ChangeSincePrevious => Previous is { } p
        ? ScoreComparison.Change(Value, p, Unit, Respondents, PreviousRespondents, Margin, PreviousMargin)?.Result
        : null;

    /// <summary>+1 opvallend better than the gemeente, −1 opvallend worse, 0 no difference the intervals show, null untestable.</summary>
    public int? ComparedToGemeente => AgainstGemeente switch
    {
        null => null,
        Opvallend.GeenVerschil => 0,
        var o => (o == Opvallend.Hoger) == HigherIsBetter ? 1 : -1,
    };
}

public sealed record MonitorValue(string AreaCode, int Year, double Value, int? Respondents, bool Demo)
{
    /// <summary>The survey's published margin, when given.</summary>
    public double? Margin { get; init; }
}

/// <summary>
/// Monitor scores (table <c>monitor_score</c>): the CSV importer, the DEMO set and the queries behind the choropleth and
/// the trend chart. Scores are survey aggregates per area, never about a person.
/// </summary>
public sealed class MonitorStore(NpgsqlDataSource db)
{
    /// <summary>The columns of a monitor CSV (header required, comma-separated, UTF-8, decimal point).</summary>
    public static readonly string[] CsvColumns = ["monitor", "indicator", "area_code", "year", "value", "unit", "respondents", "higher_is_better", "margin"];

    public const int MaxRows = 100_000;

    /// <summary>
    /// Imports a monitor CSV: valid rows are upserted on (monitor, indicator, area_code, year) in one transaction; rows
    /// that can't be used are reported and skipped. Real scores of an indicator replace its demo scores.
    /// </summary>
    public async Task<MonitorImportReport> ImportCsvAsync(Stream stream, CancellationToken ct = default)
    {
        var (csv, header) = await CsvUpload.OpenAsync(stream, ct);
        await using var _ = csv;
        var missing = CsvColumns.Except(["respondents", "margin"]).Where(c => !header.Contains(c)).ToList();
        var unknown = header.Except(CsvColumns).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
            throw new FormatException($"Verwacht de kolommen {string.Join(",", CsvColumns)} (respondents mag ontbreken)." +
                                      (missing.Count > 0 ? $" Ontbreekt: {string.Join(",", missing)}." : "") +
                                      (unknown.Count > 0 ? $" Onbekend: {string.Join(",", unknown.Take(5))}." : ""));

        var areaCodes = await AreaCodesAsync(ct);
        var known = await RealIndicatorsAsync(ct);
        var rows = new List<MonitorScore>();
        var seen = new Dictionary<(string, string, string, int), int>();
        var rejected = new List<MonitorRowError>();
        var n = 1; // the header is row 1
        while (true)
        {
            bool more;
            try { more = await csv.ReadAsync(ct); }
            catch (CsvFormatException e)
            {
                rejected.Add(new MonitorRowError(n + 1, $"onleesbare CSV vanaf hier: {e.Message}"));
                break;
            }
            if (!more) break;
            n++;
            if (n - 1 > MaxRows)
            {
                rejected.Add(new MonitorRowError(n, $"meer dan {MaxRows} regels; deze regel en de rest zijn niet gelezen"));
                break;
            }
            string Cell(string name) => Array.IndexOf(header, name) is var i and >= 0 && i < csv.RowFieldCount ? csv.GetString(i).Trim() : "";
            var error = Parse(Cell, areaCodes, known, out var score);
            if (error is null && seen.TryGetValue((score!.Monitor, score.Indicator, score.AreaCode, score.Year), out var first))
                error = $"the same monitor, indicator, area and year as row {first}";
            if (error is not null)
            {
                rejected.Add(new MonitorRowError(n, error));
                continue;
            }
            seen[(score!.Monitor, score.Indicator, score.AreaCode, score.Year)] = n;
            known[(score.Monitor, score.Indicator)] = (score.Unit, score.HigherIsBetter);
            rows.Add(score);
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var pair in rows.Select(r => (r.Monitor, r.Indicator)).Distinct())
        {
            await using var del = new NpgsqlCommand("DELETE FROM monitor_score WHERE demo AND monitor = $1 AND indicator = $2", conn, tx);
            del.Parameters.AddWithValue(pair.Monitor);
            del.Parameters.AddWithValue(pair.Indicator);
            await del.ExecuteNonQueryAsync(ct);
        }
        await UpsertAsync(conn, tx, rows, ct);
        await tx.CommitAsync(ct);
        return new MonitorImportReport(rows.Count, rejected);
    }

    private static string? Parse(Func<string, string> cell, Dictionary<string, string> areaCodes, Dictionary<(string, string), (string Unit, bool Hib)> known,
        out MonitorScore? score)
    {
        score = null;
        var monitor = cell("monitor");
        var indicator = cell("indicator");
        var unit = cell("unit");
        if (monitor.Length is 0 or > 100) return "monitor is verplicht (ten hoogste 100 tekens)";
        if (indicator.Length is 0 or > 200) return "indicator is verplicht (ten hoogste 200 tekens)";
        if (unit.Length is 0 or > 50) return "unit is verplicht (ten hoogste 50 tekens), bijvoorbeeld % of rapportcijfer";
        if (!areaCodes.TryGetValue(cell("area_code"), out var area))
            return $"area_code '{Short(cell("area_code"))}' is geen code van een gemeente, gebied, wijk, buurt of dorp die nu geldt";
        if (!int.TryParse(cell("year"), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 1990 or > 2100)
            return $"year '{Short(cell("year"))}' is geen jaar van 1990 tot 2100";
        if (!double.TryParse(cell("value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            return $"value '{Short(cell("value"))}' is geen getal (gebruik een decimale punt)";
        if (unit == "%" && value is < 0 or > 100) return $"value {value.ToString(CultureInfo.InvariantCulture)} is geen percentage (0–100)";
        if (unit == "rapportcijfer" && value is < 1 or > 10) return $"value {value.ToString(CultureInfo.InvariantCulture)} is geen rapportcijfer (1–10)";
        int? respondents = null;
        if (cell("respondents") is { Length: > 0 } rs)
        {
            if (!int.TryParse(rs, NumberStyles.None, CultureInfo.InvariantCulture, out var r)) return $"respondents '{Short(rs)}' is geen geheel getal ≥ 0";
            respondents = r;
        }
        bool hib;
        switch (cell("higher_is_better").ToLowerInvariant())
        {
            case "true" or "1" or "ja" or "yes": hib = true; break;
            case "false" or "0" or "nee" or "no": hib = false; break;
            default: return $"higher_is_better '{Short(cell("higher_is_better"))}' is niet true of false";
        }
        if (known.TryGetValue((monitor, indicator), out var k) && (k.Unit != unit || k.Hib != hib))
            return $"{monitor} / {indicator} is already in '{k.Unit}' with higher_is_better {k.Hib.ToString().ToLowerInvariant()}; one indicator has one unit and direction";
        double? margin = null;
        if (cell("margin") is { Length: > 0 } ms)
        {
            if (!double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var mv) || !double.IsFinite(mv) || mv <= 0)
                return $"margin '{Short(ms)}' is geen getal > 0 (de helft van het 95%-betrouwbaarheidsinterval)";
            margin = mv;
        }
        score = new MonitorScore(monitor, indicator, area, year, value, unit, respondents, hib, false) { Margin = margin };
        return null;
    }

    private static string Short(string s) => s.Length > 30 ? s[..30] + "…" : s;

    /// <summary>Replaces the demo scores by a freshly generated set for every wijk in force and the gemeente (2020–2024).</summary>
    public async Task<int> GenerateDemoAsync(CancellationToken ct = default)
    {
        var wijken = new List<string>();
        string? gemeente = null;
        await using (var cmd = db.CreateCommand("SELECT level, code FROM area_in_force WHERE level IN ('wijk', 'gemeente') ORDER BY code"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                if (r.GetString(0) == "wijk") wijken.Add(r.GetString(1)); else gemeente = r.GetString(1);
        if (wijken.Count == 0 || gemeente is null) throw new InvalidOperationException("Load the boundaries before generating demo monitor scores.");
        var real = await RealIndicatorsAsync(ct);
        var set = DemoMonitorGenerator.Generate(wijken, gemeente).Where(s => !real.ContainsKey((s.Monitor, s.Indicator))).ToList();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM monitor_score WHERE demo", conn, tx)) await del.ExecuteNonQueryAsync(ct);
        await UpsertAsync(conn, tx, set, ct);
        await tx.CommitAsync(ct);
        return set.Count;
    }

    private static async Task UpsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<MonitorScore> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO monitor_score (monitor, indicator, area_code, year, value, unit, respondents, higher_is_better, demo, margin)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::text[], $7::int[], $8::bool[], $9::bool[], $10::float8[])
            ON CONFLICT (monitor, indicator, area_code, year) DO UPDATE SET value = EXCLUDED.value, unit = EXCLUDED.unit,
              respondents = EXCLUDED.respondents, higher_is_better = EXCLUDED.higher_is_better, demo = EXCLUDED.demo, margin = EXCLUDED.margin
            """, conn, tx);
        cmd.Parameters.AddWithValue(rows.Select(r => r.Monitor).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.Indicator).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.AreaCode).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.Year).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.Value).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.Unit).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.Respondents).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.HigherIsBetter).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.Demo).ToArray());
        cmd.Parameters.AddWithValue(rows.Select(r => r.Margin).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The codes in force, found whatever their case: "GB0361-ZUID" in a file is our gebied "GB0361-zuid".</summary>
    private async Task<Dictionary<string, string>> AreaCodesAsync(CancellationToken ct)
    {
        var codes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        await using var cmd = db.CreateCommand("SELECT DISTINCT code FROM area_in_force");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) codes.TryAdd(r.GetString(0), r.GetString(0));
        return codes;
    }

    private async Task<Dictionary<(string, string), (string Unit, bool Hib)>> RealIndicatorsAsync(CancellationToken ct)
    {
        var result = new Dictionary<(string, string), (string, bool)>();
        await using var cmd = db.CreateCommand("SELECT DISTINCT monitor, indicator, unit, higher_is_better FROM monitor_score WHERE NOT demo");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) result[(r.GetString(0), r.GetString(1))] = (r.GetString(2), r.GetBoolean(3));
        return result;
    }

    /// <summary>
    /// Per indicator, its latest year with a score in any of <paramref name="areaCodes"/>: the respondent-weighted mean of those
    /// areas (one area: its score), the previous year's, and the <paramref name="gemeenteCode"/> score of the same year.
    /// </summary>
    public async Task<List<MonitorComparison>> CompareAsync(IReadOnlyList<string> areaCodes, string gemeenteCode, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            WITH agg AS (
                SELECT monitor, indicator, unit, higher_is_better, year,
                       sum(value * coalesce(respondents, 1)) / sum(coalesce(respondents, 1)) AS value, count(*)::int AS areas, bool_or(demo) AS demo,
                       CASE WHEN bool_and(respondents IS NOT NULL) THEN sum(respondents)::int END AS respondents,
                       CASE WHEN count(*) = 1 THEN max(margin) END AS margin
                FROM monitor_score WHERE area_code = ANY($1) GROUP BY 1, 2, 3, 4, 5
            ), ranked AS (
                SELECT *, row_number() OVER (PARTITION BY monitor, indicator ORDER BY year DESC) AS n FROM agg
            )
            SELECT l.monitor, l.indicator, l.unit, l.higher_is_better, l.year, l.value, l.areas, l.demo, p.value,
                   (SELECT g.value FROM monitor_score g WHERE g.monitor = l.monitor AND g.indicator = l.indicator AND g.year = l.year AND g.area_code = $2),
                   l.respondents, l.margin, p.respondents, p.margin
            FROM ranked l LEFT JOIN ranked p ON p.monitor = l.monitor AND p.indicator = l.indicator AND p.n = 2 AND p.year = l.year - 1
            WHERE l.n = 1 ORDER BY l.monitor, l.indicator
            """);
        cmd.Parameters.AddWithValue(areaCodes.ToArray());
        cmd.Parameters.AddWithValue(gemeenteCode);
        var result = new List<MonitorComparison>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(new MonitorComparison(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetInt32(4), r.GetDouble(5),
                r.GetInt32(6), r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9))
            {
                Respondents = r.IsDBNull(10) ? null : r.GetInt32(10), Margin = r.IsDBNull(11) ? null : r.GetDouble(11),
                PreviousRespondents = r.IsDBNull(12) ? null : r.GetInt32(12), PreviousMargin = r.IsDBNull(13) ? null : r.GetDouble(13),
            });
        return result;
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM monitor_score");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Every indicator with its years, monitors and indicators in alphabetical order.</summary>
    public async Task<IReadOnlyList<MonitorIndicator>> IndicatorsAsync(CancellationToken ct = default)
    {
        var result = new List<MonitorIndicator>();
        await using var cmd = db.CreateCommand(
            """
            SELECT monitor, indicator, min(unit), bool_and(higher_is_better), array_agg(DISTINCT year ORDER BY year), bool_or(demo)
            FROM monitor_score GROUP BY monitor, indicator ORDER BY monitor, indicator
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(new MonitorIndicator(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetFieldValue<int[]>(4), r.GetBoolean(5)));
        return result;
    }

    /// <summary>
    /// The scores of an indicator: one year, or every year when <paramref name="year"/> is null; one area or all; only areas
    /// of <paramref name="level"/> in force when given (the gemeente's own score: <see cref="AreaLevel.Gemeente"/>).
    /// </summary>
    public async Task<IReadOnlyList<MonitorValue>> ValuesAsync(string monitor, string indicator, int? year, string? areaCode = null,
        AreaLevel? level = null, CancellationToken ct = default)
    {
        var result = new List<MonitorValue>();
        await using var cmd = db.CreateCommand(
            """
            SELECT area_code, year, value, respondents, demo, margin FROM monitor_score m
            WHERE monitor = $1 AND indicator = $2 AND ($3::int IS NULL OR year = $3) AND ($4::text IS NULL OR area_code = $4)
              AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM area_in_force a WHERE a.code = m.area_code AND a.level = $5))
            ORDER BY year, area_code
            """);
        cmd.Parameters.AddWithValue(monitor);
        cmd.Parameters.AddWithValue(indicator);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Integer, (object?)year ?? DBNull.Value);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)areaCode ?? DBNull.Value);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)level?.Name() ?? DBNull.Value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(new MonitorValue(r.GetString(0), r.GetInt32(1), r.GetDouble(2), r.IsDBNull(3) ? null : r.GetInt32(3), r.GetBoolean(4))
            { Margin = r.IsDBNull(5) ? null : r.GetDouble(5) });
        return result;
    }
}
