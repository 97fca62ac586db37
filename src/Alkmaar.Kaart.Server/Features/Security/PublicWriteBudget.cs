namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// The one public write budget per client (<see cref="RateLimitOptions.PublicWritesPerMinute"/>), shared by the endpoints
/// that spend it (<see cref="PublicWriteAttribute"/>, through the global rate limiter) and by the interactive pages whose
/// forms write through their live connection (a verbeterpunt, a vote with a letter's code, an initiative application):
/// those never pass the HTTP rate limiter, so they spend it here (issue 27, M8).
/// </summary>
public sealed class PublicWriteBudget(int permitsPerMinute) : ClientBudget("schrijven:", permitsPerMinute)
{
    /// <summary>What a page says when the budget is used up.</summary>
    public const string ExhaustedNl = "Er komen te veel inzendingen van dit adres. Wacht een minuut en probeer het dan opnieuw; wat u invulde blijft staan.";
}
