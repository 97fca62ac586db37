namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// Marks an endpoint (an API write or a page whose form posts) as spending the one public write budget per client
/// (<see cref="RateLimitOptions.PublicWritesPerMinute"/>): a melding by the API or the form, a verbeterpunt, a vote, an
/// application all count against the same minute. Limits are keyed on the endpoint, never on a path string, so a trailing
/// slash or other casing reaches the same limit.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class PublicWriteAttribute : Attribute;

/// <summary>Marks the sign-in form's endpoint: POSTs to it are throttled per client (<see cref="RateLimitOptions.SignInsPerMinute"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SignInFormAttribute : Attribute;

public static class RateLimitMetadataExtensions
{
    /// <summary>This endpoint's POSTs spend the public write budget (<see cref="PublicWriteAttribute"/>).</summary>
    public static TBuilder SpendsPublicWriteBudget<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicWriteAttribute());
}
