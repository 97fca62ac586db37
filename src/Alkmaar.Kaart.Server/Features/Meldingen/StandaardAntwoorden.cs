using System.Security.Claims;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Audit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A standard answer to the melder: for one category, or for every category (<see cref="StandaardAntwoorden.Every"/>).</summary>
public sealed record StandaardAntwoord(long Id, string Category, string Title, string Text, string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>
/// Standard answers to the melder per category (issue 29): beheerders keep them (<c>/beheer/standaardantwoorden</c>), a team
/// picks one when it answers on a melding and may change it before sending. Additions and removals are audited.
/// </summary>
public sealed class StandaardAntwoorden(NpgsqlDataSource db, AuditLog audit, IOptions<MeldingOptions> options)
{
    /// <summary>The category of an answer that fits every melding.</summary>
    public const string Every = "*";

    /// <summary>The answers for <paramref name="category"/> (with those for every category), or all when null.</summary>
    public async Task<List<StandaardAntwoord>> ListAsync(string? category = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, category, title, text, updated_by, updated_at FROM standaard_antwoord " +
            "WHERE $1::text IS NULL OR category IN ($1, '*') ORDER BY category = '*', category, title, id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)category ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var list = new List<StandaardAntwoord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new StandaardAntwoord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5)));
        return list;
    }

    /// <summary>Adds an answer (a beheerder only); refused with the field at fault.</summary>
    public async Task<StandaardAntwoord> AddAsync(ClaimsPrincipal user, string? category, string? title, string? text, CancellationToken ct = default)
    {
        if (!user.IsBeheerder()) throw new MeldingRejectedException("Geen toegang", "Alleen een beheerder houdt de standaardantwoorden bij.", null, StatusCodes.Status403Forbidden);
        category = category?.Trim().ToLowerInvariant();
        if (category is null || (category != Every && !options.Value.Categories.Contains(category)))
            throw new MeldingRejectedException("Onbekende soort", $"Kies een soort ({string.Join(", ", options.Value.Categories)}) of '*' voor elke soort.", "category", 422);
        title = title?.Trim();
        if (title is not { Length: >= 1 and <= 80 } || !TextFields.IsSingleLine(title))
            throw new MeldingRejectedException("Titel ongeldig", "Geef een korte titel van 1 tot 80 tekens op één regel.", "title", 422);
        text = text?.Trim();
        if (text is not { Length: >= 1 and <= 2000 })
            throw new MeldingRejectedException("Tekst ongeldig", "De tekst heeft 1 tot 2000 tekens.", "text", 422);
        var actor = AuditLog.ActorOf(user);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        StandaardAntwoord added;
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO standaard_antwoord (category, title, text, updated_by) VALUES ($1, $2, $3, $4) RETURNING id, updated_at", conn, tx))
        {
            cmd.Parameters.AddWithValue(category);
            cmd.Parameters.AddWithValue(title);
            cmd.Parameters.AddWithValue(text);
            cmd.Parameters.AddWithValue(actor);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            added = new StandaardAntwoord(r.GetInt64(0), category, title, text, actor, r.GetFieldValue<DateTimeOffset>(1));
        }
        await audit.WriteAsync(actor, "standaardantwoord toegevoegd", "standaardantwoord", added.Id.ToString(), new { category, title }, conn, tx, ct);
        await tx.CommitAsync(ct);
        return added;
    }

    /// <summary>Removes an answer (a beheerder only); false when there was none.</summary>
    public async Task<bool> DeleteAsync(ClaimsPrincipal user, long id, CancellationToken ct = default)
    {
        if (!user.IsBeheerder()) throw new MeldingRejectedException("Geen toegang", "Alleen een beheerder houdt de standaardantwoorden bij.", null, StatusCodes.Status403Forbidden);
        var actor = AuditLog.ActorOf(user);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("DELETE FROM standaard_antwoord WHERE id = $1", conn, tx))
        {
            cmd.Parameters.AddWithValue(id);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) return false;
        }
        await audit.WriteAsync(actor, "standaardantwoord verwijderd", "standaardantwoord", id.ToString(), null, conn, tx, ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
