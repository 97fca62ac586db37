using Alkmaar.Kaart.Geo.Areas;

namespace Alkmaar.Kaart.Server.Features.Areas;

/// <summary>How the UI names area levels (Dutch) and links to an area's page.</summary>
public static class AreaPages
{
    /// <summary>The level as a Dutch noun with a capital: Gemeente, Gebied, Wijk, Buurt, Dorp.</summary>
    public static string DutchName(this AreaLevel level) => level switch
    {
        AreaLevel.Gemeente => "Gemeente",
        AreaLevel.Gebied => "Gebied",
        AreaLevel.Wijk => "Wijk",
        AreaLevel.Buurt => "Buurt",
        AreaLevel.Dorp => "Dorp",
        _ => level.ToString(),
    };

    /// <summary>The relative link to an area's page; a dorp says so (its code is also a buurt's).</summary>
    public static string Link(string code, AreaLevel level) =>
        $"gebied/{Uri.EscapeDataString(code)}{(level == AreaLevel.Dorp ? "?niveau=dorp" : "")}";
}
