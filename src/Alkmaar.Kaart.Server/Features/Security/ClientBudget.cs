using System.Threading.RateLimiting;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// A budget of requests per client per minute (a fixed window per client address), shared by the global rate limiter and
/// by code that spends it outside that limiter: <see cref="PublicWriteBudget"/> and <see cref="PublicReadBudget"/>.
/// </summary>
public abstract class ClientBudget(string prefix, int permitsPerMinute) : IDisposable
{
    /// <summary>Keyed by client ("" is not limited: a request that spends nothing of this budget).</summary>
    public PartitionedRateLimiter<string> Limiter { get; } = PartitionedRateLimiter.Create<string, string>(key => key.Length == 0
        ? RateLimitPartition.GetNoLimiter(key)
        : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1) }));

    /// <summary>The partition key of a client address.</summary>
    public string KeyOf(string? client) => prefix + (string.IsNullOrEmpty(client) ? "onbekend" : client);

    /// <summary>Spends one request of <paramref name="client"/>'s budget; false when it is used up for this minute.</summary>
    public bool TrySpend(string? client) => TrySpendKey(KeyOf(client));

    /// <summary>Spends one request of the client whose <see cref="KeyOf"/> is <paramref name="key"/> (a key kept per
    /// connection, so a busy path makes no new string per request).</summary>
    public bool TrySpendKey(string key)
    {
        using var lease = Limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    public void Dispose() => Limiter.Dispose();
}
