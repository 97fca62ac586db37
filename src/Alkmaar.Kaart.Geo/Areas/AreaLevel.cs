namespace Alkmaar.Kaart.Geo.Areas;

/// <summary>The levels of the gebiedsindeling, from coarse to fine. Dorpen are a parallel level: a dorp is a buurt of a landelijke wijk.</summary>
public enum AreaLevel
{
    Gemeente,
    Gebied,
    Wijk,
    Buurt,
    Dorp,
}

public static class AreaLevels
{
    public static readonly IReadOnlyList<AreaLevel> All = Enum.GetValues<AreaLevel>();

    /// <summary>The lower-case name used in the database and APIs (gemeente, gebied, wijk, buurt, dorp).</summary>
    public static string Name(this AreaLevel level) => level switch
    {
        AreaLevel.Gemeente => "gemeente",
        AreaLevel.Gebied => "gebied",
        AreaLevel.Wijk => "wijk",
        AreaLevel.Buurt => "buurt",
        AreaLevel.Dorp => "dorp",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>Parses a level name case-insensitively; null when unknown.</summary>
    public static AreaLevel? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "gemeente" => AreaLevel.Gemeente,
        "gebied" => AreaLevel.Gebied,
        "wijk" => AreaLevel.Wijk,
        "buurt" => AreaLevel.Buurt,
        "dorp" => AreaLevel.Dorp,
        _ => null,
    };
}
