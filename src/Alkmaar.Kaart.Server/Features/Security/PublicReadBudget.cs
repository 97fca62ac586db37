namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// The one budget of anonymous reads of /api and /ogc per client (<see cref="RateLimitOptions.PublicReadsPerMinute"/>),
/// shared by the global rate limiter and the lean locate path, which answers before routing (LeanLocate).
/// </summary>
public sealed class PublicReadBudget(int permitsPerMinute) : ClientBudget("lezen:", permitsPerMinute);
