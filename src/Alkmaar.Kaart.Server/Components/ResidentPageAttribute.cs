namespace Alkmaar.Kaart.Server.Components;

/// <summary>
/// A page residents open on their phones. Its first paint needs none of Radzen's styles: the page shell loads Radzen's
/// theme after the content (not render-blocking) and fetches the map module early. A page that uses no Radzen component at
/// all (<see cref="UsesRadzen"/> false) gets neither Radzen's theme nor its script; moving from it to a page that needs them
/// loads that page anew (<c>Routes.razor</c>). See <c>docs/benchmarks/lighthouse.md</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ResidentPageAttribute : Attribute
{
    public bool UsesRadzen { get; init; } = true;

    /// <summary>Whether pages of <paramref name="type"/> need Radzen's theme and script (every page but a Radzen-free resident page).</summary>
    public static bool NeedsRadzen(Type? type) =>
        type?.GetCustomAttributes(typeof(ResidentPageAttribute), false) is not [ResidentPageAttribute { UsesRadzen: false }];
}
