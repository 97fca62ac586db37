using System.Threading.RateLimiting;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// The one budget of anonymous reads of /api and /ogc per client (<see cref="RateLimitOptions.PublicReadsPerMinute"/>),
/// shared by the global rate limiter and the lean locate path, which answers before routing (LeanLocate).
/// </summary>
public sealed class PublicReadBudget(int permitsPerMinute) : IDisposable
{
    /// <summary>Keyed by client ("" is not limited: a request that spends no read).</summary>
    public PartitionedRateLimiter<string> Limiter { get; } = PartitionedRateLimiter.Create<string, string>(key => key.Length == 0
        ? RateLimitPartition.GetNoLimiter(key)
        : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1) }));

    public static string KeyOf(string? client) => "lezen:" + (string.IsNullOrEmpty(client) ? "onbekend" : client);

    /// <summary>Spends one read of <paramref name="client"/>'s budget; false when it is used up for this minute.</summary>
    public bool TrySpend(string? client)
    {
        using var lease = Limiter.AttemptAcquire(KeyOf(client));
        return lease.IsAcquired;
    }

    public void Dispose() => Limiter.Dispose();
}
