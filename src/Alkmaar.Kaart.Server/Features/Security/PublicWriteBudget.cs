using System.Threading.RateLimiting;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// The one public write budget per client (<see cref="RateLimitOptions.PublicWritesPerMinute"/>), shared by the endpoints
/// that spend it (<see cref="PublicWriteAttribute"/>, through the global rate limiter) and by the interactive pages whose
/// forms write through their live connection (a verbeterpunt, a vote with a letter's code, an initiative application):
/// those never pass the HTTP rate limiter, so they spend it here (issue 27, M8).
/// </summary>
public sealed class PublicWriteBudget(int permitsPerMinute) : IDisposable
{
    /// <summary>Keyed by client ("" is not limited: a request that spends no write).</summary>
    public PartitionedRateLimiter<string> Limiter { get; } = PartitionedRateLimiter.Create<string, string>(key => key.Length == 0
        ? RateLimitPartition.GetNoLimiter(key)
        : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1) }));

    /// <summary>The partition key of a client address.</summary>
    public static string KeyOf(string? client) => "schrijven:" + (string.IsNullOrEmpty(client) ? "onbekend" : client);

    /// <summary>Spends one write of <paramref name="client"/>'s budget; false when it is used up for this minute.</summary>
    public bool TrySpend(string? client)
    {
        using var lease = Limiter.AttemptAcquire(KeyOf(client));
        return lease.IsAcquired;
    }

    /// <summary>What a page says when the budget is used up.</summary>
    public const string ExhaustedNl = "Er komen te veel inzendingen van dit adres. Wacht een minuut en probeer het dan opnieuw; wat u invulde blijft staan.";

    public void Dispose() => Limiter.Dispose();
}
