using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Kerncijfers;
using Alkmaar.Kaart.Server.Features.Population;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Kerncijfers;

/// <summary>What an import of kerncijfers did.</summary>
public sealed record KerncijferImportReport(int Year, int Buurten, int Wijken, int Gemeenten, IReadOnlyList<string> Columns, int Secret,
    int OtherRows, IReadOnlyList<string> IgnoredColumns, IReadOnlyList<(int Row, string Error)> Rejected);

/// <summary>One figure of an area in one year: its value (null: unknown, secret, not formable or too few inwoners) and how
/// it was formed (null: CBS's own figure for exactly this area).</summary>
public sealed record KerncijferValue(int Year, double? Value, string? Formed, int UnknownBuurten)
{
    /// <summary>True when the figure cannot rightly be formed from buurten (a share of households, a median) and CBS's own
    /// row for the area was not imported: it exists per buurt only.</summary>
    public bool BuurtOnly { get; init; }
}

/// <summary>A choropleth of one figure and year over a level: each area's value, the quantile classes of the known ones,
/// the gemeente's value and how many areas have none.</summary>
public sealed record KerncijferChoropleth(KerncijferDefinition Definition, int Year, AreaLevel Level, IReadOnlyDictionary<string, KerncijferValue> Values,
    IReadOnlyList<Alkmaar.Kaart.Geo.Choropleth.ChoroplethClass> Classes, double? Gemeente)
{
    public int Unknown => Values.Values.Count(v => v.Value is null);
}

/// <summary>One figure of an area over the years, with the gemeente's figure of the same year to compare.</summary>
public sealed record AreaKerncijfer(KerncijferDefinition Definition, KerncijferValue Latest, KerncijferValue? Previous, double? Gemeente)
{
    /// <summary>The change since the previous year, when both are known.</summary>
    public double? Change => Latest.Value is { } now && Previous?.Value is { } before ? now - before : null;

    public string Source => KerncijferCatalog.Source(Latest.Year);
}

/// <summary>
/// CBS Kerncijfers wijken en buurten (table <c>kerncijfer</c>): the import of the shipped CSV and of CBS's own kwb files
/// for any year, and an area's figures formed from its buurten the way each figure allows
/// (<see cref="KerncijferAggregator"/>). A wijk or the gemeente uses CBS's own row when one was imported. The small-number
/// rule: an area with fewer inwoners than <see cref="PopulationOptions.MinimumInwonersForRates"/> gets no averages or
/// shares (counts stay; CBS publishes them rounded to fives).
/// </summary>
public sealed class KerncijferStore(NpgsqlDataSource db, IOptions<PopulationOptions> population)
{
    /// <summary>
    /// Imports one year: the shipped CSV (<c>statcode</c>, CBS column names) or a kwb file (<c>gwb_code_10</c> or
    /// <c>gwb_code</c>, <c>recs</c>, "." for secret, decimal commas, ";" separated). Only the rows of
    /// <paramref name="gemeenteCode"/> and its wijken and buurten are kept. The year comes from <paramref name="year"/>,
    /// a <c>jaar</c> column, or the file name. The year's earlier rows are replaced in one transaction.
    /// </summary>
    public async Task<KerncijferImportReport> ImportAsync(Stream stream, string fileName, string gemeenteCode, int? year = null, CancellationToken ct = default)
    {
        var (csv, header) = await CsvUpload.OpenAsync(stream, ct);
        await using var _ = csv;
        int Column(params string[] names) => names.Select(n => Array.IndexOf(header, n)).FirstOrDefault(i => i >= 0, -1);
        var codeCol = Column("statcode", "gwb_code_10", "gwb_code", "buurtcode", "code");
        if (codeCol < 0) throw new FormatException("Verwacht een kolom met de CBS-code (statcode, gwb_code_10 of gwb_code).");
        var yearCol = Column("jaar", "year");
        var columns = header.Select((h, i) => (Definition: KerncijferCatalog.Find(h), Index: i)).Where(c => c.Definition is not null).ToList();
        if (columns.Count == 0) throw new FormatException("Geen enkele bekende kolom van de CBS-kerncijfers (zoals a_inw, g_ink_pi, p_hh_osm).");
        var ignored = header.Where((h, i) => i != codeCol && i != yearCol && KerncijferCatalog.Find(h) is null
            && System.Text.RegularExpressions.Regex.IsMatch(h, "^[apgm]_")).ToList();
        var number = gemeenteCode.Length > 2 ? gemeenteCode[2..] : gemeenteCode; // GM0361 → 0361
        var rows = new List<(string Code, string Level, string Variable, double? Value)>();
        var rejected = new List<(int, string)>();
        var years = new HashSet<int>();
        int other = 0, secret = 0, n = 1;
        while (await csv.ReadAsync(ct))
        {
            n++;
            string Cell(int i) => i >= 0 && i < csv.RowFieldCount ? csv.GetString(i).Trim() : "";
            var code = Cell(codeCol).ToUpperInvariant();
            var level = code.Length < 6 ? null : code[..2] switch { "BU" => "buurt", "WK" => "wijk", "GM" => "gemeente", _ => null };
            if (level is null || code.Substring(2, Math.Min(4, code.Length - 2)) != number) { other++; continue; }
            if (yearCol >= 0 && int.TryParse(Cell(yearCol), out var y)) years.Add(y);
            var parsed = new List<(string, string, string, double?)>();
            string? error = null;
            foreach (var (definition, index) in columns)
            {
                try
                {
                    var v = KwbValue.Parse(Cell(index));
                    if (v is null) secret++;
                    parsed.Add((code, level, definition!.Column, v));
                }
                catch (FormatException e) { error = $"{code} {definition!.Column}: {e.Message}"; break; }
            }
            if (error is not null) { rejected.Add((n, error)); continue; }
            rows.AddRange(parsed);
        }
        var importYear = year ?? (years.Count == 1 ? years.Single() : (int?)null) ?? PopulationStore.YearIn(fileName)
            ?? throw new FormatException("Welk jaar? Geef --year JJJJ, een kolom jaar of een jaartal in de bestandsnaam.");
        if (rows.Count == 0)
            return new KerncijferImportReport(importYear, 0, 0, 0, columns.Select(c => c.Definition!.Column).ToList(), 0, other, ignored, rejected);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM kerncijfer WHERE year = $1", conn, tx))
        {
            del.Parameters.AddWithValue(importYear);
            await del.ExecuteNonQueryAsync(ct);
        }
        await using (var ins = new NpgsqlCommand(
            """
            INSERT INTO kerncijfer (code, level, year, variable, value, source)
            SELECT c, l, $5, v, x, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS t(c, l, v, x)
            ON CONFLICT (code, year, variable) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source
            """, conn, tx))
        {
            ins.Parameters.AddWithValue(rows.Select(r => r.Code).ToArray());
            ins.Parameters.AddWithValue(rows.Select(r => r.Level).ToArray());
            ins.Parameters.AddWithValue(rows.Select(r => r.Variable).ToArray());
            ins.Parameters.AddWithValue(rows.Select(r => r.Value).ToArray());
            ins.Parameters.AddWithValue(importYear);
            ins.Parameters.AddWithValue(fileName);
            await ins.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        int Count(string level) => rows.Where(r => r.Level == level).Select(r => r.Code).Distinct().Count();
        return new KerncijferImportReport(importYear, Count("buurt"), Count("wijk"), Count("gemeente"), columns.Select(c => c.Definition!.Column).ToList(),
            secret, other, ignored, rejected);
    }

    /// <summary>Imports a file for the gemeente in force (its rows only).</summary>
    public async Task<KerncijferImportReport> ImportFileAsync(string path, int? year = null, CancellationToken ct = default)
    {
        await using var gm = db.CreateCommand("SELECT code FROM area_in_force WHERE level = 'gemeente' ORDER BY code LIMIT 1");
        var gemeente = await gm.ExecuteScalarAsync(ct) as string ?? throw new InvalidOperationException("Load the boundaries before the kerncijfers.");
        await using var stream = File.OpenRead(path);
        return await ImportAsync(stream, Path.GetFileName(path), gemeente, year, ct);
    }

    public async Task<bool> IsEmptyAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM kerncijfer)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The years with figures, newest first.</summary>
    public async Task<List<int>> YearsAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT DISTINCT year FROM kerncijfer ORDER BY year DESC");
        var list = new List<int>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetInt32(0));
        return list;
    }

    /// <summary>
    /// Every figure of an area in force (any level) per year: a buurt's own, CBS's own row for a wijk or the gemeente when
    /// imported, otherwise formed from the buurten whose interior point lies in the area. Empty when there are none.
    /// </summary>
    public async Task<Dictionary<int, Dictionary<string, KerncijferValue>>> OfAreaAsync(string code, AreaLevel level, CancellationToken ct = default) =>
        (await OfLevelAsync(level, ct)).GetValueOrDefault(code) ?? []; // the whole level is formed once per data state

    /// <summary>
    /// The figures of every area of a level in force (wijk, buurt, gebied, dorp) per year, formed as for one area: what the
    /// choropleth and the table show. Cached per data state (the boundary version and the last import).
    /// </summary>
    public async Task<Dictionary<string, Dictionary<int, Dictionary<string, KerncijferValue>>>> OfLevelAsync(AreaLevel level, CancellationToken ct = default)
    {
        // the data state: the boundary version, and the kerncijfer rows (an import or a removal changes count or time)
        await using (var state = db.CreateCommand(
            "SELECT (SELECT max(id) FROM boundary_version)::text || '/' || (SELECT count(*) || '/' || coalesce(max(imported_at)::text, '') FROM kerncijfer)"))
        {
            var key = $"{level.Name()}@{await state.ExecuteScalarAsync(ct)}";
            if (_levels.TryGetValue(key, out var cached)) return cached;
            await using var cmd = db.CreateCommand(
                """
                WITH t AS (SELECT code, geom FROM area_in_force WHERE level = $1),
                     b AS (SELECT t.code AS area, ab.code AS buurt FROM t JOIN area_in_force ab ON ab.level = 'buurt' AND ST_Covers(t.geom, ST_PointOnSurface(ab.geom)))
                SELECT b.area, false, k.code, k.year, k.variable, k.value FROM b JOIN kerncijfer k ON k.code = b.buurt AND k.level = 'buurt' WHERE $1 <> 'buurt'
                UNION ALL
                SELECT k.code, true, k.code, k.year, k.variable, k.value FROM kerncijfer k JOIN t ON t.code = k.code
                """);
            cmd.Parameters.AddWithValue(level.Name());
            var formed = await FormAsync(cmd, level, ct);
            if (_levels.Count > 32) _levels.Clear();
            _levels[key] = formed;
            return formed;
        }
    }

    /// <summary>The choropleth of a figure in a year over a level (what the map layer and its legend show).</summary>
    public async Task<KerncijferChoropleth> ChoroplethAsync(KerncijferDefinition definition, int year, AreaLevel level, CancellationToken ct = default)
    {
        var values = (await OfLevelAsync(level, ct))
            .Select(a => (a.Key, Value: a.Value.GetValueOrDefault(year)?.GetValueOrDefault(definition.Column)))
            .Where(a => a.Value is not null).ToDictionary(a => a.Key, a => a.Value!);
        var classes = Alkmaar.Kaart.Geo.Choropleth.ClassBreaks.Quantiles(values.Values.Where(v => v.Value is not null).Select(v => v.Value!.Value), 5,
            definition.HigherIsBetter != -1);
        var gemeente = (await OfLevelAsync(AreaLevel.Gemeente, ct)).Values.FirstOrDefault()?.GetValueOrDefault(year)?.GetValueOrDefault(definition.Column)?.Value;
        return new KerncijferChoropleth(definition, year, level, values, classes, gemeente);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Dictionary<string, Dictionary<int, Dictionary<string, KerncijferValue>>>> _levels = new();

    /// <summary>Reads rows (area, own row?, code, year, variable, value) and forms each area's figures per year.</summary>
    private async Task<Dictionary<string, Dictionary<int, Dictionary<string, KerncijferValue>>>> FormAsync(NpgsqlCommand cmd, AreaLevel level, CancellationToken ct)
    {
        // area → year → (own rows, buurt → variable → value)
        var areas = new Dictionary<string, Dictionary<int, (Dictionary<string, double?> Own, Dictionary<string, Dictionary<string, double?>> Buurten)>>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var (area, isOwn, c, year, variable) = (r.GetString(0), r.GetBoolean(1), r.GetString(2), r.GetInt32(3), r.GetString(4));
                double? value = r.IsDBNull(5) ? null : r.GetDouble(5);
                if (!areas.TryGetValue(area, out var years)) areas[area] = years = [];
                if (!years.TryGetValue(year, out var data)) years[year] = data = ([], []);
                if (isOwn) data.Own[variable] = value;
                if (level == AreaLevel.Buurt || !isOwn)
                {
                    if (!data.Buurten.TryGetValue(c, out var vars)) data.Buurten[c] = vars = [];
                    vars[variable] = value;
                }
            }
        var result = new Dictionary<string, Dictionary<int, Dictionary<string, KerncijferValue>>>();
        foreach (var (area, years) in areas)
        {
            var perYear = result[area] = [];
            foreach (var (year, (own, buurten)) in years)
                perYear[year] = Form(level, year, own, buurten);
        }
        return result;
    }

    private Dictionary<string, KerncijferValue> Form(AreaLevel level, int year, Dictionary<string, double?> own, Dictionary<string, Dictionary<string, double?>> buurten)
    {
        var figures = new Dictionary<string, KerncijferValue>();
        foreach (var definition in KerncijferCatalog.All)
        {
            if (own.TryGetValue(definition.Column, out var mine))
            {
                figures[definition.Column] = new KerncijferValue(year, mine, level == AreaLevel.Buurt ? null : $"CBS' eigen cijfer voor deze {level.Name()}", 0);
                continue;
            }
            var values = buurten.Where(b => b.Value.ContainsKey(definition.Column))
                .Select(b => new BuurtValue(b.Key, b.Value[definition.Column], definition.Base is { } basis ? b.Value.GetValueOrDefault(basis) : null)).ToList();
            if (values.Count == 0) continue;
            var aggregate = KerncijferAggregator.Aggregate(definition, values);
            figures[definition.Column] = new KerncijferValue(year, aggregate.Value, aggregate.Formed, aggregate.Unknown)
            {
                BuurtOnly = definition.Aggregation == KerncijferAggregation.NotAggregated,
            };
        }
        ApplySmallNumberRule(figures);
        return figures;
    }

    /// <summary>Averages and shares of an area with fewer inwoners than the minimum are not shown (counts stay).</summary>
    private void ApplySmallNumberRule(Dictionary<string, KerncijferValue> figures)
    {
        var minimum = population.Value.MinimumInwonersForRates;
        if (figures.GetValueOrDefault("a_inw")?.Value is not { } inwoners || inwoners >= minimum) return;
        foreach (var definition in KerncijferCatalog.All.Where(d => d.Aggregation != KerncijferAggregation.Sum))
            if (figures.TryGetValue(definition.Column, out var v) && v.Value is not null)
                figures[definition.Column] = v with { Value = null, Formed = $"niet getoond: minder dan {minimum} inwoners" };
    }

    /// <summary>An area's figures for its page and API: the latest year of each, the year before it and the gemeente's.</summary>
    public async Task<List<AreaKerncijfer>> ProfileAsync(string code, AreaLevel level, string? gemeenteCode, CancellationToken ct = default)
    {
        var mine = await OfAreaAsync(code, level, ct);
        if (mine.Count == 0) return [];
        var gemeente = gemeenteCode is null || (level == AreaLevel.Gemeente && gemeenteCode == code) ? mine : await OfAreaAsync(gemeenteCode, AreaLevel.Gemeente, ct);
        var list = new List<AreaKerncijfer>();
        foreach (var definition in KerncijferCatalog.All)
        {
            var years = mine.Where(y => y.Value.ContainsKey(definition.Column)).Select(y => y.Key).OrderDescending().ToList();
            if (years.Count == 0) continue;
            var latest = mine[years[0]][definition.Column];
            var previous = years.Count > 1 ? mine[years[1]][definition.Column] : null;
            var g = gemeente.GetValueOrDefault(years[0])?.GetValueOrDefault(definition.Column)?.Value;
            list.Add(new AreaKerncijfer(definition, latest, previous, g));
        }
        return list;
    }
}

public static class KerncijferFeature
{
    public static WebApplicationBuilder AddKerncijfers(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<KerncijferStore>();
        return builder;
    }
}
