using System.Globalization;
using System.Text.RegularExpressions;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Population;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Population;

/// <summary>What an import of inwoners did: per buurt totals, and how much of each source landed in the gemeente.</summary>
public sealed record PopulationImportReport(int Buurten, double Inwoners, double SourceInwoners, int Year, string Method,
    IReadOnlyList<SourceShare> Sources, IReadOnlyList<(int Row, string Error)> Rejected);

/// <summary>Inwoners (section <c>Population</c>).</summary>
public sealed class PopulationOptions
{
    public const string Section = "Population";

    /// <summary>Areas with fewer inwoners get no rates per 1,000 inwoners: too few people for a rate to mean anything (CBS
    /// hides small buurten' figures too), and a rate would single out households.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)] public int MinimumInwonersForRates { get; set; } = 250;
}

/// <summary>Inwoners of an area: the sum of its buurten, the year and how they were obtained.</summary>
public sealed record AreaPopulation(double Inwoners, int Year, string Method, string Source)
{
    /// <summary>Below this many inwoners no rate is given (<see cref="PopulationOptions.MinimumInwonersForRates"/>).</summary>
    public int MinimumForRates { get; init; } = 250;

    /// <summary>True when the area has too few inwoners for rates per 1,000.</summary>
    public bool TooFewForRates => Inwoners < Math.Max(1, MinimumForRates);

    /// <summary>The count per 1,000 inwoners, or null for an area with too few inwoners (see <see cref="TooFewForRates"/>).</summary>
    public double? Per1000(double count) => TooFewForRates ? null : count * 1000 / Inwoners;

    /// <summary>Rounded to tens, as shown: the apportioning is not accurate to the person.</summary>
    public double Rounded => Math.Round(Inwoners / 10) * 10;

    public string Explanation => Method == "kerncijfers"
        ? $"CBS kerncijfers per buurt {Year}"
        : $"CBS inwoners per postcode (PC4) {Year}, naar buurten verdeeld naar overlappende oppervlakte";
}

/// <summary>
/// The population table (inwoners per buurt): imported from CBS PC4 inwoners apportioned to the buurten in force by area
/// overlap (<see cref="AreaWeightedApportionment"/>), or from CBS kerncijfers per buurt (CSV). Areas above the buurt sum their
/// buurten. One import replaces the table, so methods are never mixed.
/// </summary>
public sealed partial class PopulationStore(NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<PopulationOptions> options)
{
    /// <summary>Imports a PC4 GeoJSON (properties <c>postcode</c> and <c>inwoners</c>, RD or WGS84).</summary>
    public async Task<PopulationImportReport> ImportPc4Async(string path, int? year = null, CancellationToken ct = default)
    {
        RdFeatureCollection fc;
        await using (var stream = File.OpenRead(path)) fc = GeoJsonFeatureReader.Read(stream);
        var sources = new List<CountedPolygon>();
        var rejected = new List<(int, string)>();
        for (var i = 0; i < fc.Features.Count; i++)
        {
            var f = fc.Features[i];
            var code = BuurtFileReader.First(f.Attributes, ["postcode", "pc4", "statcode"]);
            var raw = f.Attributes?.GetOptionalValue("inwoners") ?? f.Attributes?.GetOptionalValue("aantal_inwoners");
            if (code is null || f.Geometry is not (Polygon or MultiPolygon))
            {
                rejected.Add((i + 1, "geen postcode of geen vlak"));
                continue;
            }
            if (raw is null) { rejected.Add((i + 1, $"PC4 {code}: geen inwoners (CBS verbergt kleine aantallen); weggelaten")); continue; }
            var count = Convert.ToDouble(raw, CultureInfo.InvariantCulture);
            if (!double.IsFinite(count) || count < 0) { rejected.Add((i + 1, $"PC4 {code}: inwoners {raw} is geen aantal ≥ 0")); continue; }
            sources.Add(new CountedPolygon(code, f.Geometry.IsValid ? f.Geometry : f.Geometry.Buffer(0), count));
        }
        if (sources.Count == 0) throw new FormatException($"{Path.GetFileName(path)} holds no PC4 polygons with inwoners.");
        var buurten = await BuurtenAsync(ct);
        if (buurten.Count == 0) throw new InvalidOperationException("Load the boundaries before importing inwoners.");
        var result = AreaWeightedApportionment.Apportion(sources, buurten);
        var y = year ?? YearIn(Path.GetFileName(path)) ?? DateTime.UtcNow.Year;
        await ReplaceAsync(result.ByTarget, y, "pc4-oppervlakte", Path.GetFileName(path), ct);
        return new PopulationImportReport(result.ByTarget.Count, result.Total, sources.Sum(s => s.Count), y, "pc4-oppervlakte", result.Sources, rejected);
    }

    /// <summary>
    /// Imports CBS kerncijfers per buurt: a CSV with a buurt code column (<c>buurtcode</c>, <c>buurt_code</c> or
    /// <c>statcode</c>), <c>inwoners</c> (or <c>aantalinwoners</c>, or CBS's own <c>a_inw</c>) and optionally <c>jaar</c>
    /// (else <paramref name="fileYear"/>, e.g. from the file name). Bad rows are reported and skipped.
    /// </summary>
    public async Task<PopulationImportReport> ImportCsvAsync(Stream stream, CancellationToken ct = default, int? fileYear = null)
    {
        var (csv, header) = await CsvUpload.OpenAsync(stream, ct);
        await using var _ = csv;
        int Column(params string[] names) => names.Select(n => Array.IndexOf(header, n)).FirstOrDefault(i => i >= 0, -1);
        var codeCol = Column("buurtcode", "buurt_code", "statcode");
        var countCol = Column("inwoners", "aantalinwoners", "aantalinwoners_5", "a_inw");
        var yearCol = Column("jaar", "year");
        if (codeCol < 0 || countCol < 0) throw new FormatException("Expected the columns buurtcode and inwoners (jaar optional).");
        var known = (await BuurtenAsync(ct)).Select(b => b.Code).ToHashSet();
        var values = new Dictionary<string, double>();
        var rejected = new List<(int, string)>();
        var years = new HashSet<int>();
        var n = 1;
        while (await csv.ReadAsync(ct))
        {
            n++;
            string Cell(int i) => i >= 0 && i < csv.RowFieldCount ? csv.GetString(i).Trim() : "";
            var code = Cell(codeCol).ToUpperInvariant();
            if (!known.Contains(code)) { rejected.Add((n, $"'{code}' is geen buurtcode die nu geldt")); continue; }
            if (!double.TryParse(Cell(countCol), NumberStyles.Float, CultureInfo.InvariantCulture, out var count) || !double.IsFinite(count) || count < 0)
            { rejected.Add((n, $"inwoners '{Cell(countCol)}' is geen aantal ≥ 0")); continue; }
            if (values.ContainsKey(code)) { rejected.Add((n, $"{code} staat er twee keer in")); continue; }
            if (yearCol >= 0 && int.TryParse(Cell(yearCol), out var y)) years.Add(y);
            values[code] = count;
        }
        if (values.Count == 0) return new PopulationImportReport(0, 0, 0, 0, "kerncijfers", [], rejected);
        var year = years.Count > 0 ? years.Max() : fileYear ?? DateTime.UtcNow.Year;
        foreach (var code in known.Where(c => !values.ContainsKey(c)))
            rejected.Add((0, $"{code}: geen regel voor deze buurt; die heeft nu geen inwoners"));
        await ReplaceAsync(values, year, "kerncijfers", "CSV", ct);
        return new PopulationImportReport(values.Count, values.Values.Sum(), values.Values.Sum(), year, "kerncijfers", [], rejected);
    }

    /// <summary>Inwoners of an area in force (the sum of the buurten whose interior point lies in it), or null when unknown.</summary>
    public async Task<AreaPopulation?> OfAreaAsync(string code, AreaLevel? level, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT sum(p.inwoners), max(p.year), max(p.method), max(p.source), count(p.*)
            FROM (SELECT geom FROM area_in_force WHERE code = $1 AND ($2::text IS NULL OR level = $2) LIMIT 1) a
            JOIN area_in_force b ON b.level = 'buurt' AND ST_Covers(a.geom, ST_PointOnSurface(b.geom))
            JOIN population p ON p.buurt_code = b.code
            """);
        cmd.Parameters.AddWithValue(code);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)level?.Name() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.GetInt64(4) == 0) return null;
        return new AreaPopulation(r.GetDouble(0), r.GetInt32(1), r.GetString(2), r.GetString(3)) { MinimumForRates = options.Value.MinimumInwonersForRates };
    }

    public async Task<bool> IsEmptyAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM population)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private async Task<List<TargetPolygon>> BuurtenAsync(CancellationToken ct)
    {
        var list = new List<TargetPolygon>();
        await using var cmd = db.CreateCommand("SELECT code, geom FROM area_in_force WHERE level = 'buurt' ORDER BY code");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new TargetPolygon(r.GetString(0), (Geometry)r.GetValue(1)));
        return list;
    }

    private async Task ReplaceAsync(IReadOnlyDictionary<string, double> byBuurt, int year, string method, string source, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM population", conn, tx)) await del.ExecuteNonQueryAsync(ct);
        await using (var ins = new NpgsqlCommand(
            "INSERT INTO population (buurt_code, year, inwoners, method, source) SELECT c, $3, i, $4, $5 FROM unnest($1::text[], $2::float8[]) AS t(c, i)", conn, tx))
        {
            ins.Parameters.AddWithValue(byBuurt.Keys.ToArray());
            ins.Parameters.AddWithValue(byBuurt.Values.ToArray());
            ins.Parameters.AddWithValue(year);
            ins.Parameters.AddWithValue(method);
            ins.Parameters.AddWithValue(source);
            await ins.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public static int? YearIn(string fileName) => YearPattern().Match(fileName) is { Success: true } m ? int.Parse(m.Value) : null;

    [GeneratedRegex(@"(?<!\d)(19|20)\d\d(?!\d)")]
    private static partial Regex YearPattern();
}

public static class PopulationFeature
{
    public static WebApplicationBuilder AddPopulation(this WebApplicationBuilder builder)
    {
        builder.AddKaartOptions<PopulationOptions>(PopulationOptions.Section);
        builder.Services.AddSingleton<PopulationStore>();
        return builder;
    }
}
