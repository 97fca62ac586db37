namespace Alkmaar.Kaart.Server.Components;

/// <summary>
/// A page residents open on their phones: the page shell fetches the map module early. A page that uses no Radzen component
/// (<see cref="UsesRadzen"/> false) gets neither Radzen's theme nor its script (one that needs them only after an
/// interaction loads them then, <see cref="RadzenOnDemand"/>); moving from it to a page that needs them loads that page
/// anew (<c>Routes.razor</c>). See <c>docs/benchmarks/lighthouse.md</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ResidentPageAttribute : Attribute
{
    public bool UsesRadzen { get; init; } = true;

    /// <summary>
    /// Served to a visitor who is not signed in as server-rendered HTML without a live connection (issue 35: a resident's
    /// phone gets no Blazor script); a signed-in member of staff gets the same page interactive, with its buttons. The page
    /// works in both: it reads its state from the query and, rendered statically (<c>AssignedRenderMode</c> null), offers
    /// links and GET forms where the live page has buttons.
    /// </summary>
    public bool StaticForVisitors { get; init; }

    /// <summary>Whether a page of <paramref name="type"/> is served server-rendered to this visitor (see <see cref="StaticForVisitors"/>).</summary>
    public static bool ServedStatic(Type? type, System.Security.Claims.ClaimsPrincipal? user) =>
        type?.GetCustomAttributes(typeof(ResidentPageAttribute), false) is [ResidentPageAttribute { StaticForVisitors: true }]
        && user?.Identity?.IsAuthenticated != true;

    /// <summary>Whether pages of <paramref name="type"/> need Radzen's theme and script (every page but a Radzen-free resident page).</summary>
    public static bool NeedsRadzen(Type? type) =>
        type?.GetCustomAttributes(typeof(ResidentPageAttribute), false) is not [ResidentPageAttribute { UsesRadzen: false }];
}
