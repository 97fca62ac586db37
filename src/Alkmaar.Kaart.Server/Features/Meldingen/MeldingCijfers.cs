using Alkmaar.Kaart.Geo.Deadlines;
using Alkmaar.Kaart.Geo.Statistics;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>How the handling figures are grouped.</summary>
public enum CijferGroep { Team, Categorie, Kanaal, Maand }

/// <summary>A request for handling figures: whole local months from <see cref="Van"/> to <see cref="Tot"/> (both
/// included), optionally one gebied.</summary>
public sealed record CijferFilter(CijferGroep Groep, DateOnly Van, DateOnly Tot, string? Gebied = null)
{
    public static DateOnly MonthOf(DateOnly d) => new(d.Year, d.Month, 1);
}

/// <summary>
/// The handling figures of one group (see docs/features.md "Handling figures" for the definitions): received, closed,
/// open now of those received, reopened, the median and 90th percentile of working days to closing (60 = 60 or more),
/// the share closed on time and the share satisfied (null when there is nothing to share), and last year's counts.
/// </summary>
public sealed record CijferRij(string Groep, string Naam, int Ontvangen, int Afgehandeld, int Open, int Heropend,
    int? MediaanWerkdagen, int? P90Werkdagen, double? OpTijdPct, double? TevredenPct, int OntvangenVorigJaar, int AfgehandeldVorigJaar);

/// <summary>A wijk where a category rose markedly: the last three complete months against the same months a year before.</summary>
public sealed record StijgingSignaal(string Gebied, string Wijk, string WijkNaam, string Category, int Aantal, int VorigJaar, double P);

/// <summary>
/// Handling figures per team, category, channel or month (issue 29), read from <c>melding_afhandeling</c>, which the
/// database keeps current with every change of a melding (never a recount per request): a year of the whole gemeente is a
/// few thousand rows, whatever the number of meldingen. Staff only (no release rule applies: nothing here reaches the public).
/// </summary>
public sealed class MeldingCijfers(NpgsqlDataSource db, TimeProvider time)
{
    public const int Buckets = 61;

    /// <summary>The figures per group, with the total over all groups first (<see cref="CijferRij.Groep"/> "totaal").</summary>
    public async Task<List<CijferRij>> FiguresAsync(CijferFilter f, IReadOnlyDictionary<string, string> teamNames, CancellationToken ct = default)
    {
        var key = f.Groep switch
        {
            CijferGroep.Team => "gebied_code",
            CijferGroep.Categorie => "category",
            CijferGroep.Kanaal => "channel",
            _ => "to_char(maand, 'YYYY-MM')",
        };
        var (van, tot) = (CijferFilter.MonthOf(f.Van), CijferFilter.MonthOf(f.Tot));
        var groups = new Dictionary<string, Acc>();
        var total = new Acc();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT {key}, ontvangen, afgehandeld, open, heropend, op_tijd, tevreden, ontevreden, werkdagen
            FROM melding_afhandeling WHERE maand BETWEEN $1 AND $2 AND ($3::text IS NULL OR gebied_code = $3)
            """, conn))
        {
            cmd.Parameters.AddWithValue(van);
            cmd.Parameters.AddWithValue(tot);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Gebied ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var g = r.GetString(0);
                if (!groups.TryGetValue(g, out var acc)) groups[g] = acc = new Acc();
                var hist = r.GetFieldValue<int[]>(8);
                foreach (var a in (Acc[])[acc, total])
                    a.Add(r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), hist);
            }
        }
        // last year: the same months one year earlier (for the month grouping: each month against its own last year)
        var lastKey = f.Groep == CijferGroep.Maand ? "to_char(maand + interval '1 year', 'YYYY-MM')" : key;
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT {lastKey}, sum(ontvangen)::int, sum(afgehandeld)::int FROM melding_afhandeling
            WHERE maand BETWEEN $1 AND $2 AND ($3::text IS NULL OR gebied_code = $3) GROUP BY 1
            """, conn))
        {
            cmd.Parameters.AddWithValue(van.AddYears(-1));
            cmd.Parameters.AddWithValue(tot.AddYears(-1));
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Gebied ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var g = r.GetString(0);
                if (!groups.TryGetValue(g, out var acc))
                {
                    if (f.Groep == CijferGroep.Maand) continue; // a month outside the asked period
                    groups[g] = acc = new Acc();
                }
                acc.LastYear(r.GetInt32(1), r.GetInt32(2));
                total.LastYear(r.GetInt32(1), r.GetInt32(2));
            }
        }
        string Name(string g) => f.Groep switch
        {
            CijferGroep.Team => teamNames.TryGetValue(g, out var t) ? t : g,
            CijferGroep.Categorie => g.Length == 0 ? g : char.ToUpperInvariant(g[0]) + g[1..],
            CijferGroep.Kanaal => KanaalLabel(g),
            _ => g,
        };
        return [total.Row("totaal", "Totaal"), .. groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Value.Row(g.Key, Name(g.Key)))];
    }

    /// <summary>
    /// Wijken (and dorpen) where a category rose markedly: the last three complete months against the same three months a
    /// year earlier, by <see cref="RiseSignal"/>; strongest first.
    /// </summary>
    public async Task<List<StijgingSignaal>> SignalsAsync(string? gebied = null, CancellationToken ct = default)
    {
        var thisMonth = CijferFilter.MonthOf(MeldingDeadlines.DayOf(time.GetUtcNow()));
        var (from, to) = (thisMonth.AddMonths(-3), thisMonth); // the last three complete months: [from, to)
        await using var cmd = db.CreateCommand(
            """
            SELECT a.gebied_code, a.wijk, coalesce(min(w.name), a.wijk), a.category,
                   coalesce(sum(a.ontvangen) FILTER (WHERE a.maand >= $1 AND a.maand < $2), 0)::int,
                   coalesce(sum(a.ontvangen) FILTER (WHERE a.maand >= $3 AND a.maand < $4), 0)::int
            FROM melding_afhandeling a LEFT JOIN area_in_force w ON w.code = a.wijk AND w.level IN ('wijk', 'dorp')
            WHERE ((a.maand >= $1 AND a.maand < $2) OR (a.maand >= $3 AND a.maand < $4)) AND a.wijk <> ''
              AND ($5::text IS NULL OR a.gebied_code = $5)
            GROUP BY a.gebied_code, a.wijk, a.category
            """);
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(to);
        cmd.Parameters.AddWithValue(from.AddYears(-1));
        cmd.Parameters.AddWithValue(to.AddYears(-1));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)gebied ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var list = new List<StijgingSignaal>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var (n, last) = (r.GetInt32(4), r.GetInt32(5));
            var (signal, p) = RiseSignal.Test(n, last);
            if (signal) list.Add(new StijgingSignaal(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), n, last, p));
        }
        return list.OrderBy(s => s.P).ToList();
    }

    public static string KanaalLabel(string channel) => channel switch
    {
        "formulier" => "Meldformulier",
        "api" => "Koppeling (API)",
        "import" => "Import",
        "demo" => "DEMO (gegenereerd)",
        "telefoon" => "Telefoon (14 072)",
        "balie" => "Balie",
        "wijkpost" => "Wijkpost / spreekuur",
        "schouw" => "Wijkschouw",
        _ => channel,
    };

    /// <summary>The smallest number of working days that at least <paramref name="share"/> of the closed meldingen took
    /// (percentile_disc over the histogram), or null when none closed.</summary>
    public static int? Percentile(int[] hist, double share)
    {
        var n = hist.Sum();
        if (n == 0) return null;
        var need = share * n;
        var cum = 0;
        for (var i = 0; i < hist.Length; i++)
        {
            cum += hist[i];
            if (cum >= need) return i;
        }
        return hist.Length - 1;
    }

    /// <summary>
    /// Fills the working-day calendar (2000–2100, the same rule as the deadlines) when it is missing, and recounts the
    /// figures when they are empty while meldingen exist (a database from before the figures, or a new calendar).
    /// </summary>
    public static async Task EnsureAsync(string connectionString, ILogger logger, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var (first, last) = (new DateOnly(2000, 1, 1), new DateOnly(2100, 12, 31));
        await using (var check = new NpgsqlCommand("SELECT count(*) FROM werkdag", conn))
        {
            if ((long)(await check.ExecuteScalarAsync(ct))! != last.DayNumber - first.DayNumber + 1)
            {
                await using (var clear = new NpgsqlCommand("DELETE FROM werkdag", conn)) await clear.ExecuteNonQueryAsync(ct);
                await using (var writer = await conn.BeginBinaryImportAsync("COPY werkdag (dag, nr) FROM STDIN (FORMAT BINARY)", ct))
                {
                    var nr = 0;
                    for (var d = first; d <= last; d = d.AddDays(1))
                    {
                        if (WorkingDays.IsWorkingDay(d)) nr++;
                        await writer.StartRowAsync(ct);
                        await writer.WriteAsync(d, NpgsqlDbType.Date, ct);
                        await writer.WriteAsync(nr, NpgsqlDbType.Integer, ct);
                    }
                    await writer.CompleteAsync(ct);
                }
                await using var rebuild = new NpgsqlCommand("SELECT melding_afhandeling_rebuild()", conn) { CommandTimeout = 1800 };
                await rebuild.ExecuteNonQueryAsync(ct);
                logger.LogInformation("Filled the working-day calendar and recounted the handling figures");
                return;
            }
        }
        await using var empty = new NpgsqlCommand(
            "SELECT NOT EXISTS (SELECT 1 FROM melding_afhandeling) AND EXISTS (SELECT 1 FROM melding)", conn);
        if ((bool)(await empty.ExecuteScalarAsync(ct))!)
        {
            await using var rebuild = new NpgsqlCommand("SELECT melding_afhandeling_rebuild()", conn) { CommandTimeout = 1800 };
            await rebuild.ExecuteNonQueryAsync(ct);
            logger.LogInformation("Recounted the handling figures");
        }
    }

    private sealed class Acc
    {
        private int _ontvangen, _afgehandeld, _open, _heropend, _opTijd, _tevreden, _ontevreden, _lastOntvangen, _lastAfgehandeld;
        private readonly int[] _hist = new int[Buckets];

        public void Add(int ontvangen, int afgehandeld, int open, int heropend, int opTijd, int tevreden, int ontevreden, int[] hist)
        {
            (_ontvangen, _afgehandeld, _open, _heropend) = (_ontvangen + ontvangen, _afgehandeld + afgehandeld, _open + open, _heropend + heropend);
            (_opTijd, _tevreden, _ontevreden) = (_opTijd + opTijd, _tevreden + tevreden, _ontevreden + ontevreden);
            for (var i = 0; i < Math.Min(hist.Length, Buckets); i++) _hist[i] += hist[i];
        }

        public void LastYear(int ontvangen, int afgehandeld) => (_lastOntvangen, _lastAfgehandeld) = (_lastOntvangen + ontvangen, _lastAfgehandeld + afgehandeld);

        public CijferRij Row(string key, string name) => new(key, name, _ontvangen, _afgehandeld, _open, _heropend,
            Percentile(_hist, 0.5), Percentile(_hist, 0.9),
            _afgehandeld == 0 ? null : Math.Round(100.0 * _opTijd / _afgehandeld, 1),
            _tevreden + _ontevreden == 0 ? null : Math.Round(100.0 * _tevreden / (_tevreden + _ontevreden), 1),
            _lastOntvangen, _lastAfgehandeld);
    }
}
