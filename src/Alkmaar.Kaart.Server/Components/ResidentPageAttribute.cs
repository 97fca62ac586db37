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

    /// <summary>Whether pages of <paramref name="type"/> need Radzen's theme and script (every page but a Radzen-free resident page).</summary>
    public static bool NeedsRadzen(Type? type) =>
        type?.GetCustomAttributes(typeof(ResidentPageAttribute), false) is not [ResidentPageAttribute { UsesRadzen: false }];
}
