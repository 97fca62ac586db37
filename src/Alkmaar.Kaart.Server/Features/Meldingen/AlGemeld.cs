using System.Text.RegularExpressions;
using Alkmaar.Kaart.Geo.Transforms;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A cell near the resident's place where the same kind of problem was reported recently (public resolution).</summary>
public sealed record AlGemeldCel(string Cel, double Lat, double Lon, int AfstandM, int Aantal);

/// <summary>What "Is dit al gemeld?" answers: the cells (never one under the minimum) and the period they count.</summary>
public sealed record AlGemeldAntwoord(string Category, bool OpenbareRuimte, DateOnly Van, DateOnly Tot, int Minimum, IReadOnlyList<AlGemeldCel> Cellen);

/// <summary>
/// "Is dit al gemeld?" (issue 29): before a resident sends an openbare-ruimte melding, the form shows where the same kind of
/// problem was reported nearby in the last four weeks — the published 50 m cells under the one release rule (whole days up
/// to yesterday, no cell under the minimum: a single melding is never pointed at) — and the resident can follow those
/// instead of making a duplicate: their e-mail address is attached to the open meldingen of that kind in that cell, which
/// tell their followers of each step (without saying how many there are or what they say).
/// </summary>
public sealed partial class AlGemeld(NpgsqlDataSource db, MeldingService meldingen, MeldingStatistics statistics, IOptions<MeldingOptions> options,
    TimeProvider time, Audit.AuditLog audit)
{
    public const int Days = 28;
    public const double RadiusM = 150;

    private MeldingOptions O => options.Value;

    /// <summary>The recent cells of <paramref name="category"/> within <see cref="RadiusM"/> of the place, nearest first.</summary>
    public async Task<AlGemeldAntwoord> NearbyAsync(NewMelding place, string? category, CancellationToken ct = default)
    {
        var c = Category(category);
        var (x, y, _, _) = await meldingen.ResolveLocationAsync(place, ct);
        var openbareRuimte = O.OpenbareRuimteCategories.Contains(c, StringComparer.OrdinalIgnoreCase);
        var today = MeldingDeadlines.DayOf(time.GetUtcNow());
        var (from, to) = (today.AddDays(-Days), today);
        if (!openbareRuimte) return new AlGemeldAntwoord(c, false, from, to.AddDays(-1), O.PublicMinimumCount, []);
        var cells = await statistics.PublicCellsAsync(DutchTime.StartOf(from), DutchTime.StartOf(to), c, ct,
            bbox: new Envelope(x - RadiusM, x + RadiusM, y - RadiusM, y + RadiusM));
        var size = statistics.PublicCellSize(null);
        var list = cells
            .Select(cell => (cell, d: Math.Sqrt((cell.X - x) * (cell.X - x) + (cell.Y - y) * (cell.Y - y))))
            .Where(t => t.d <= RadiusM)
            .OrderBy(t => t.d)
            .Select(t =>
            {
                var (lon, lat) = RdNew.ToWgs84(t.cell.X, t.cell.Y);
                return new AlGemeldCel(CellId(t.cell.X, t.cell.Y, size), Math.Round(lat, 6), Math.Round(lon, 6), (int)Math.Round(t.d / 10) * 10, t.cell.Count);
            })
            .ToList();
        return new AlGemeldAntwoord(c, true, from, to.AddDays(-1), O.PublicMinimumCount, list);
    }

    /// <summary>
    /// Follows the open meldingen of <paramref name="category"/> in a published cell: the address gets each of their steps.
    /// Refused when the cell is not one the suggestion could show (under the minimum, or unknown), so no one learns of a
    /// single melding by following; answers nothing about how many were followed.
    /// </summary>
    public async Task FollowAsync(string? cel, string? category, string? email, CancellationToken ct = default)
    {
        var c = Category(category);
        var e = email?.Trim();
        if (e is null || e.Length > 254 || !MeldingService.EmailPattern().IsMatch(e) || !TextFields.IsSingleLine(e))
            throw new MeldingRejectedException("Ongeldig e-mailadres", "Vul een geldig e-mailadres in: daar sturen wij de stappen naartoe.", "email");
        var size = statistics.PublicCellSize(null);
        if (ParseCell(cel) is not { } idx)
            throw new MeldingRejectedException("Onbekend vak", "Kies een plek uit de lijst van meldingen in de buurt.", "cel");
        var (cx, cy) = ((idx.I + 0.5) * size, (idx.J + 0.5) * size);
        var today = MeldingDeadlines.DayOf(time.GetUtcNow());
        // the cell must be one the suggestion shows now (at least the minimum, under the release rule)
        var shown = await statistics.PublicCellsAsync(DutchTime.StartOf(today.AddDays(-Days)), DutchTime.StartOf(today), c, ct,
            bbox: new Envelope(cx - size / 4, cx + size / 4, cy - size / 4, cy + size / 4));
        if (shown.Count == 0)
            throw new MeldingRejectedException("Niets te volgen", "Op deze plek zijn niet genoeg recente meldingen van deze soort om te volgen. Doe gerust een nieuwe melding.", "cel", StatusCodes.Status409Conflict);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int n;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO melding_volger (melding_id, email, via)
            SELECT id, $1, 'al-gemeld' FROM melding
            WHERE category = $2 AND status <> 'afgehandeld' AND personal_removed_at IS NULL
              AND ST_X(geom) >= $3 AND ST_X(geom) < $4 AND ST_Y(geom) >= $5 AND ST_Y(geom) < $6
            ON CONFLICT DO NOTHING
            """, conn, tx))
        {
            foreach (var v in new object[] { e, c, idx.I * size, (idx.I + 1) * size, idx.J * size, (idx.J + 1) * size }) cmd.Parameters.AddWithValue(v);
            n = await cmd.ExecuteNonQueryAsync(ct);
        }
        // the same message whether one, several or (all closed since) none were followed: the answer tells no count
        await Notifications.MailOutbox.EnqueueAsync([Notifications.OutgoingMail.ToResident(e, "melding volgen", "melding_cel", cel!,
            "U volgt meldingen in uw buurt",
            $"U volgt de meldingen over {c} op de plek die u koos. U krijgt een bericht bij elke stap die het gebiedsteam zet. " +
            "Wilt u dat niet meer, antwoord dan op dit bericht.", "meldingen die u volgt")], conn, tx, ct);
        // audited without the address (personal data) and without the count
        await audit.WriteAsync("de volger", "meldingen gevolgd", "melding_cel", cel, new { category = c }, conn, tx, ct);
        await tx.CommitAsync(ct);
        _ = n;
    }

    private string Category(string? category)
    {
        var c = category?.Trim().ToLowerInvariant();
        return c is not null && O.Categories.Contains(c)
            ? c
            : throw new MeldingRejectedException("Onbekende categorie", $"Kies een categorie: {string.Join(", ", O.Categories)}.", "category");
    }

    private static string CellId(double x, double y, double size) => $"cel-{(long)Math.Floor(x / size)}-{(long)Math.Floor(y / size)}";

    private static (long I, long J)? ParseCell(string? cel)
    {
        var m = cel is null ? null : CellPattern().Match(cel);
        return m is { Success: true } && long.TryParse(m.Groups[1].Value, out var i) && long.TryParse(m.Groups[2].Value, out var j) ? (i, j) : null;
    }

    [GeneratedRegex(@"^cel-(\d{1,6})-(\d{1,6})$")] private static partial Regex CellPattern();
}
