using System.Security.Cryptography;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.GeoJson;
using Alkmaar.Kaart.Geo.Transforms;
using Npgsql;
using NpgsqlTypes;

namespace Alkmaar.Kaart.Server.Features.Import;

/// <summary>The outcome of a boundary import.</summary>
/// <param name="Unchanged">True when the same file was already the boundary version in force: nothing was written.</param>
public sealed record BoundaryImportResult(int VersionId, DateOnly ValidFrom, bool Unchanged, KnownCrs SourceCrs,
    IReadOnlyDictionary<AreaLevel, int> Counts)
{
    /// <summary>The small coverage defects of the file that were repaired (stored in <c>boundary_repair</c> and audited).</summary>
    public IReadOnlyList<Geo.Coverage.CoverageDefect> Repairs { get; init; } = [];

    /// <summary>What the file changes against the version before it (null for the first version).</summary>
    public BoundaryChange? Change { get; init; }

    /// <summary>True for a preview: validated, repaired and compared, nothing written.</summary>
    public bool Preview { get; init; }
}

/// <summary>How an import treats the change guard: <see cref="Guarded"/> refuses changes beyond the thresholds unless
/// <see cref="Confirmed"/>; <see cref="Preview"/> writes nothing and answers what would happen.</summary>
public enum ImportMode { Unguarded, Guarded, Confirmed, Preview }

/// <summary>Where boundaries come from: a file's name (or a plan's), the SHA-256 of what was read, its CRS.</summary>
public sealed record BoundarySource(string Name, string Sha256, KnownCrs Crs);

/// <summary>A plan being published: which plan, the version it was made from (it must still be the latest), and why.</summary>
public sealed record PlanPublication(int PlanId, int BaseVersion, string Reason);

/// <summary>A plan made from a version that is no longer the latest: another plan was published first.</summary>
public sealed class BoundaryConflictException(int baseVersion, int? latestVersion)
    : RejectedException("Er is intussen een andere indeling gepubliceerd",
        $"Dit plan is gemaakt op versie {baseVersion}, maar intussen is versie {latestVersion} gepubliceerd. Werk het plan bij naar de nieuwste versie (opnieuw baseren) en publiceer dan.", status: 409)
{
    public int BaseVersion { get; } = baseVersion;
    public int? LatestVersion { get; } = latestVersion;
    protected override IEnumerable<KeyValuePair<string, object?>> MoreExtensions =>
        [new("latestVersion", LatestVersion), new("rebaseWith", "POST /api/plannen/{id}/opnieuw-baseren")];
}

/// <summary>A boundary version being written: its id, its gebiedsindeling and the plan it publishes (null: a file).</summary>
public sealed record ImportedVersion(int VersionId, Gebiedsindeling Indeling, PlanPublication? Plan);

/// <summary>
/// A feature that keeps something of each new boundary version in its own tables (Gebiedsteams: a team per gebied; Plans:
/// the plan marked published), written in the import's transaction. Import owns the boundary tables and writes no other
/// feature's table (issue 28: one owner per table).
/// </summary>
public interface IBoundaryImportParticipant
{
    Task VersionImportedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ImportedVersion version, CancellationToken ct);
}

/// <summary>An import that was refused for a reason other than invalid boundaries (those throw <see cref="BoundaryValidationException"/>).</summary>
public sealed class BoundaryImportException(string message) : RejectedException("Grenzen afgekeurd", message, status: 409);

/// <summary>
/// Imports CBS buurten and derives the whole gebiedsindeling into PostGIS as one boundary version, in one transaction:
/// a file that fails to read or validate writes nothing.
/// </summary>
/// <remarks>
/// Versions: the import is in force from 1 January of the CBS year (<c>jrstatcode</c>), or the configured
/// <see cref="Gebiedsindeling.ValidFrom"/>. A newer version closes the areas in force (<c>valid_to</c>); a file with the
/// same date replaces that version; an identical file (same SHA-256) is a no-op; an older one is refused.
/// </remarks>
public sealed class BoundaryImporter(NpgsqlDataSource db, Gebiedsindeling fileIndeling, IEnumerable<Routing.IBoundaryListener> listeners,
    Microsoft.Extensions.Options.IOptions<BoundaryUploadOptions> limits, Audit.AuditLog audit, ILogger<BoundaryImporter> logger,
    IEnumerable<IBoundaryImportParticipant> participants)
{

    public async Task<BoundaryImportResult> ImportAsync(string path, CancellationToken ct = default, DateOnly? validFrom = null,
        string actor = Audit.AuditLog.System, ImportMode mode = ImportMode.Unguarded)
    {
        if (!File.Exists(path))
            throw new BoundaryImportException($"Boundary file not found: {path}");
        var bytes = await File.ReadAllBytesAsync(path, ct);
        return await ImportAsync(bytes, Path.GetFileName(path), ct, validFrom, actor, mode);
    }

    /// <param name="validFromOverride">The first day in force; default: 1 January of the CBS year in the file, else the
    /// configured <see cref="Gebiedsindeling.ValidFrom"/>, else today.</param>
    /// <param name="mode">Uploads and the CLI import guarded: a change beyond the thresholds
    /// (<see cref="BoundaryUploadOptions"/>) throws <see cref="BoundaryConfirmationRequiredException"/> unless confirmed.</param>
    /// <param name="confirmedAgainst">With <see cref="ImportMode.Confirmed"/> from a preview: the version that preview compared
    /// with; when another version was imported since, the confirmation no longer holds and nothing is written.</param>
    public async Task<BoundaryImportResult> ImportAsync(byte[] bytes, string sourceName, CancellationToken ct = default,
        DateOnly? validFromOverride = null, string actor = Audit.AuditLog.System, ImportMode mode = ImportMode.Unguarded,
        int? confirmedAgainst = null)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var (buurten, source) = BuurtFileReader.Read(new MemoryStream(bytes));
        CheckLimits(buurten);
        // The gebiedsindeling belongs to the boundary versions: a new version continues the latest one's; the configuration
        // file only seeds the first version.
        var indeling = await LatestIndelingAsync(ct) ?? fileIndeling;
        return await ImportBuurtenAsync(buurten, indeling, new BoundarySource(sourceName, sha, source.SourceCrs),
            validFromOverride ?? ValidFrom(source, indeling), actor, mode, null, ct, confirmedAgainst);
    }

    /// <summary>
    /// Imports buurten with their gebiedsindeling as one boundary version from <paramref name="validFrom"/>: the file import
    /// above, and a published plan (<paramref name="plan"/>: it must start from the latest version, else
    /// <see cref="BoundaryConflictException"/>, and after that version's first day).
    /// </summary>
    public async Task<BoundaryImportResult> ImportBuurtenAsync(IReadOnlyList<BuurtInput> buurten, Gebiedsindeling indeling,
        BoundarySource from, DateOnly validFrom, string actor, ImportMode mode, PlanPublication? plan, CancellationToken ct,
        int? confirmedAgainst = null)
    {
        var (sourceName, sha) = (from.Name, from.Sha256);
        var source = new { SourceCrs = from.Crs };
        var hierarchy = new AreaHierarchyBuilder(indeling) { Tolerances = limits.Value.Tolerances }.Build(buurten);

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Execute(conn, tx, "SELECT pg_advisory_xact_lock(hashtext('kaart.boundary_import'))", ct);

        (int Id, DateOnly ValidFrom, string Sha)? current = null;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT v.id, v.valid_from, v.source_sha256 FROM boundary_version v
            WHERE EXISTS (SELECT 1 FROM area a WHERE a.version_id = v.id AND a.valid_to IS NULL)
            ORDER BY v.valid_from DESC LIMIT 1
            """, conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct)) current = (r.GetInt32(0), DateOnly.FromDateTime(r.GetDateTime(1)), r.GetString(2));

        if (plan is not null)
        {
            if (current?.Id != plan.BaseVersion)
                throw new BoundaryConflictException(plan.BaseVersion, current?.Id);
            if (current is { } latest && validFrom <= latest.ValidFrom)
                throw new BoundaryImportException(
                    $"De nieuwe indeling moet ingaan na {latest.ValidFrom:dd-MM-yyyy}, de eerste dag van de laatste versie (versie {latest.Id}); kies een latere datum.");
        }
        if (current is { } same && same.Sha == sha)
        {
            logger.LogInformation("Boundary file {Source} is already version {Version}; nothing to import", sourceName, same.Id);
            await tx.RollbackAsync(ct);
            return new BoundaryImportResult(same.Id, same.ValidFrom, true, source.SourceCrs, Count(hierarchy));
        }
        if (current is { } older && older.ValidFrom > validFrom)
            throw new BoundaryImportException(
                $"The file's boundaries start {validFrom:yyyy-MM-dd}, before the version in force ({older.ValidFrom:yyyy-MM-dd}); importing history is not supported.");

        var change = mode == ImportMode.Unguarded ? null : await BoundaryChange.CompareAsync(conn, tx, hierarchy, limits.Value, ct);
        if (mode == ImportMode.Preview)
        {
            await tx.RollbackAsync(ct);
            return new BoundaryImportResult(current?.Id ?? 0, validFrom, false, source.SourceCrs, Count(hierarchy))
                { Repairs = hierarchy.Repairs, Change = change, Preview = true };
        }
        if (mode == ImportMode.Guarded && change is { Exceeded.Count: > 0 })
            throw new BoundaryConfirmationRequiredException(change);
        if (mode == ImportMode.Confirmed && confirmedAgainst is { } seen && change is not null && change.LatestVersion != seen)
            throw new BoundaryConfirmationRequiredException(change with
            {
                Exceeded = [$"sinds het voorbeeld is versie {change.LatestVersion} ingevoerd (het voorbeeld vergeleek met versie {seen})", .. change.Exceeded],
            });

        if (current is { } replaced && replaced.ValidFrom == validFrom)
        {
            // The version row stays: meldingen routed on it keep a valid stamp; its areas make way for the new file's.
            await Execute(conn, tx, $"DELETE FROM area WHERE version_id = {replaced.Id}", ct);
            await Execute(conn, tx, $"UPDATE boundary_version SET note = 'vervangen door een nieuwere import van hetzelfde jaar' WHERE id = {replaced.Id}", ct);
        }
        else if (current is not null)
        {
            await using var close = new NpgsqlCommand("UPDATE area SET valid_to = $1 WHERE valid_to IS NULL", conn, tx);
            close.Parameters.AddWithValue(validFrom);
            await close.ExecuteNonQueryAsync(ct);
        }

        int versionId;
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO boundary_version (valid_from, source, source_sha256, source_crs, indeling, plan_id, reason) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", conn, tx))
        {
            insert.Parameters.AddWithValue(validFrom);
            insert.Parameters.AddWithValue(sourceName);
            insert.Parameters.AddWithValue(sha);
            insert.Parameters.AddWithValue(CrsNames.ShortName(source.SourceCrs));
            insert.Parameters.AddWithValue(NpgsqlDbType.Jsonb, indeling.ToJson());
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)plan?.PlanId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)plan?.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            versionId = (int)(await insert.ExecuteScalarAsync(ct))!;
        }

        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY area (level, code, name, parent_code, geom, valid_from, version_id) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var a in hierarchy.Areas)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(a.Level.Name(), NpgsqlDbType.Text, ct);
                await copy.WriteAsync(a.Code, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(a.Name, NpgsqlDbType.Text, ct);
                if (a.ParentCode is null) await copy.WriteNullAsync(ct);
                else await copy.WriteAsync(a.ParentCode, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(a.Geometry, NpgsqlDbType.Geometry, ct);
                await copy.WriteAsync(validFrom, NpgsqlDbType.Date, ct);
                await copy.WriteAsync(versionId, NpgsqlDbType.Integer, ct);
            }
            await copy.CompleteAsync(ct);
        }

        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY boundary_repair (version_id, kind, buurten, assigned_to, area_m2, width_m, location, geom) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var d in hierarchy.Repairs)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(versionId, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(KindName(d.Kind), NpgsqlDbType.Text, ct);
                await copy.WriteAsync(d.Buurten.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(d.AssignedTo, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(d.AreaM2, NpgsqlDbType.Double, ct);
                await copy.WriteAsync(d.WidthM, NpgsqlDbType.Double, ct);
                await copy.WriteAsync(d.Location, NpgsqlDbType.Geometry, ct);
                await copy.WriteAsync(d.Geometry, NpgsqlDbType.Geometry, ct);
            }
            await copy.CompleteAsync(ct);
        }
        // what other features keep of a new version (their own tables: a team per gebied, a plan marked published), in this
        // transaction, so the version and theirs are committed together or not at all
        foreach (var p in participants)
            await p.VersionImportedAsync(conn, tx, new ImportedVersion(versionId, indeling, plan), ct);
        await audit.WriteAsync(actor, "grenzen geïmporteerd", "grenzen", versionId.ToString(), new
        {
            source = sourceName, plan = plan?.PlanId, reason = plan?.Reason, validFrom = validFrom.ToString("yyyy-MM-dd"), sha256 = sha, confirmed = mode == ImportMode.Confirmed,
            change = change is null ? null : new { change.GemeenteAreaChangePct, missing = change.MissingBuurten, added = change.NewBuurten, change.AddressesChangingTeam, change.Exceeded },
            repairs = hierarchy.Repairs.Select(d => new
            {
                kind = KindName(d.Kind), buurten = d.Buurten, assignedTo = d.AssignedTo, areaM2 = Math.Round(d.AreaM2, 3),
                x = Math.Round(d.Location.X, 3), y = Math.Round(d.Location.Y, 3),
            }),
        }, conn, tx, ct);
        // Every server on this database rebuilds its snapshot when this commits (LISTEN/NOTIFY).
        await Routing.BoundaryChangeListener.NotifyAsync(conn, tx, $"version {versionId}", ct);

        await tx.CommitAsync(ct);
        await Database.KaartDatabase.ReadyAfterImportAsync(db, ["area", "boundary_version"], logger, ct);
        foreach (var listener in listeners) await listener.BoundariesChangedAsync(ct);
        var counts = Count(hierarchy);
        logger.LogInformation("Imported boundary version {Version} from {Source} ({Crs}), valid from {ValidFrom}: {Counts}",
            versionId, sourceName, CrsNames.ShortName(source.SourceCrs), validFrom, string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}")));
        return new BoundaryImportResult(versionId, validFrom, false, source.SourceCrs, counts) { Repairs = hierarchy.Repairs, Change = change };
    }

    public static string KindName(Geo.Coverage.CoverageDefectKind kind) => kind switch
    {
        Geo.Coverage.CoverageDefectKind.Overlap => "overlap",
        Geo.Coverage.CoverageDefectKind.Gap => "gap",
        _ => "edge_mismatch",
    };

    /// <summary>Refuses files with more features, or geometries with more vertices, than configured: nothing is written.</summary>
    private void CheckLimits(IReadOnlyList<BuurtInput> buurten)
    {
        var o = limits.Value;
        var problems = new List<BoundaryProblem>();
        if (buurten.Count > o.MaxFeatures)
            problems.Add(new BoundaryProblem("(bestand)", $"{buurten.Count} features; at most {o.MaxFeatures} are accepted."));
        problems.AddRange(buurten.Where(b => b.Geometry.NumPoints > o.MaxVerticesPerFeature).Take(20)
            .Select(b => new BoundaryProblem(b.Code, $"{b.Geometry.NumPoints} vertices; at most {o.MaxVerticesPerFeature} per feature are accepted.")));
        if (problems.Count > 0) throw new BoundaryValidationException(problems);
    }

    /// <summary>The gebiedsindeling stored with the latest boundary version, or null before the first import.</summary>
    public async Task<Gebiedsindeling?> LatestIndelingAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT v.indeling::text FROM boundary_version v WHERE v.indeling IS NOT NULL AND EXISTS (SELECT 1 FROM area a WHERE a.version_id = v.id) ORDER BY v.valid_from DESC, v.id DESC LIMIT 1");
        return await cmd.ExecuteScalarAsync(ct) is string json ? Gebiedsindeling.FromJson(json) : null;
    }

    /// <summary>True when the database holds no areas in force.</summary>
    public async Task<bool> IsEmptyAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM area WHERE valid_to IS NULL)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static DateOnly ValidFrom(RdFeatureCollection source, Gebiedsindeling indeling)
    {
        var jr = source.Features.Select(f => BuurtFileReader.First(f.Attributes, ["jrstatcode"])).FirstOrDefault(j => j is not null);
        if (jr is { Length: >= 4 } && int.TryParse(jr[..4], out var year) && year is > 1990 and < 2100)
            return new DateOnly(year, 1, 1);
        return indeling.ValidFrom ?? DateOnly.FromDateTime(DateTime.Today);
    }

    private static Dictionary<AreaLevel, int> Count(AreaHierarchy h) =>
        AreaLevels.All.ToDictionary(l => l, l => h.OfLevel(l).Count());

    private static async Task Execute(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
