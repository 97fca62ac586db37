namespace Alkmaar.Kaart.Geo.Kerncijfers;

/// <summary>How a figure of several buurten is formed.</summary>
public enum KerncijferAggregation
{
    /// <summary>A count: the area's figure is the sum of its buurten.</summary>
    Sum,
    /// <summary>An average or rate over a base that is itself a figure here (<see cref="KerncijferDefinition.Base"/>): the
    /// buurten's values weighted by their base.</summary>
    WeightedByBase,
    /// <summary>A figure over a base that is not in the data (households), or a median: never formed from buurten; shown for
    /// buurten, and for a wijk or the gemeente only from CBS's own row.</summary>
    NotAggregated,
}

/// <summary>One CBS figure: its column name, Dutch label, unit, how it aggregates, and CBS's definition.</summary>
public sealed record KerncijferDefinition(string Column, string Label, string Unit, KerncijferAggregation Aggregation, string? Base,
    string Definition, int Decimals)
{
    /// <summary>Higher is better for a resident (income), worse (low income, social minimum), or neither (counts, ages).</summary>
    public int? HigherIsBetter { get; init; }
}

/// <summary>
/// The figures of CBS's <i>Kerncijfers wijken en buurten</i> the product shows, by CBS's own column names. Definitions follow
/// CBS's kwb documentation (the 2022 edition); CBS rounds counts at buurt level to fives and suppresses small groups.
/// </summary>
public static class KerncijferCatalog
{
    public static readonly IReadOnlyList<KerncijferDefinition> All =
    [
        new("a_inw", "Inwoners", "aantal", KerncijferAggregation.Sum, null,
            "Aantal inwoners op 1 januari volgens de Basisregistratie Personen, afgerond op vijftallen.", 0),
        new("a_65_oo", "65 jaar of ouder", "aantal", KerncijferAggregation.Sum, null,
            "Inwoners van 65 jaar of ouder op 1 januari, afgerond op vijftallen.", 0),
        new("a_ste", "Sterfte", "aantal", KerncijferAggregation.Sum, null,
            "Aantal overleden inwoners in het jaar, afgerond op vijftallen.", 0),
        new("p_ste", "Relatieve sterfte", "per 1.000 inwoners", KerncijferAggregation.WeightedByBase, "a_inw",
            "Overledenen per 1.000 inwoners (CBS rekent met niet-afgeronde aantallen).", 0),
        new("a_inkont", "Inkomensontvangers", "aantal", KerncijferAggregation.Sum, null,
            "Personen met een persoonlijk inkomen, afgerond op vijftallen.", 0),
        new("g_ink_po", "Gemiddeld inkomen per inkomensontvanger", "× € 1.000", KerncijferAggregation.WeightedByBase, "a_inkont",
            "Gemiddeld persoonlijk inkomen per inkomensontvanger, in duizenden euro's.", 1) { HigherIsBetter = 1 },
        new("g_ink_pi", "Gemiddeld inkomen per inwoner", "× € 1.000", KerncijferAggregation.WeightedByBase, "a_inw",
            "Gemiddeld persoonlijk inkomen per inwoner, in duizenden euro's.", 1) { HigherIsBetter = 1 },
        new("p_ink_li", "Personen met een laag inkomen", "%", KerncijferAggregation.WeightedByBase, "a_inkont",
            "Aandeel inkomensontvangers dat behoort tot de 40% personen met de laagste inkomens van Nederland.", 1) { HigherIsBetter = -1 },
        new("p_ink_hi", "Personen met een hoog inkomen", "%", KerncijferAggregation.WeightedByBase, "a_inkont",
            "Aandeel inkomensontvangers dat behoort tot de 20% personen met de hoogste inkomens van Nederland.", 1) { HigherIsBetter = 1 },
        new("g_hh_sti", "Gestandaardiseerd inkomen van huishoudens", "× € 1.000", KerncijferAggregation.NotAggregated, null,
            "Gemiddeld gestandaardiseerd besteedbaar inkomen van particuliere huishoudens (gecorrigeerd voor grootte en samenstelling).", 1) { HigherIsBetter = 1 },
        new("p_hh_li", "Huishoudens met een laag inkomen", "%", KerncijferAggregation.NotAggregated, null,
            "Aandeel particuliere huishoudens dat behoort tot de 40% huishoudens met de laagste inkomens van Nederland.", 1) { HigherIsBetter = -1 },
        new("p_hh_hi", "Huishoudens met een hoog inkomen", "%", KerncijferAggregation.NotAggregated, null,
            "Aandeel particuliere huishoudens dat behoort tot de 20% huishoudens met de hoogste inkomens van Nederland.", 1) { HigherIsBetter = 1 },
        new("p_hh_lkk", "Huishoudens met lage koopkracht", "%", KerncijferAggregation.NotAggregated, null,
            "Aandeel particuliere huishoudens met een inkomen onder de lage-inkomensgrens (lage koopkracht).", 1) { HigherIsBetter = -1 },
        new("p_hh_osm", "Huishoudens onder of rond het sociaal minimum", "%", KerncijferAggregation.NotAggregated, null,
            "Aandeel particuliere huishoudens met een inkomen tot 105% van het sociaal minimum.", 1) { HigherIsBetter = -1 },
        new("p_hh_110", "Huishoudens tot 110% van het sociaal minimum", "%", KerncijferAggregation.NotAggregated, null,
            "Aandeel particuliere huishoudens met een inkomen tot 110% van het sociaal minimum.", 1) { HigherIsBetter = -1 },
        new("p_hh_120", "Huishoudens tot 120% van het sociaal minimum", "%", KerncijferAggregation.NotAggregated, null,
            "Aandeel particuliere huishoudens met een inkomen tot 120% van het sociaal minimum.", 1) { HigherIsBetter = -1 },
        new("m_hh_ver", "Mediaan vermogen van huishoudens", "× € 1.000", KerncijferAggregation.NotAggregated, null,
            "Mediaan van het vermogen van particuliere huishoudens, in duizenden euro's; een mediaan is niet uit buurten op te tellen.", 1),
        new("a_opp_ha", "Oppervlakte totaal", "ha", KerncijferAggregation.Sum, null, "Totale oppervlakte in hectare.", 0),
        new("a_lan_ha", "Oppervlakte land", "ha", KerncijferAggregation.Sum, null, "Oppervlakte land in hectare.", 0),
        new("a_wat_ha", "Oppervlakte water", "ha", KerncijferAggregation.Sum, null, "Oppervlakte water in hectare.", 0),
    ];

    private static readonly Dictionary<string, KerncijferDefinition> ByColumn = All.ToDictionary(d => d.Column, StringComparer.Ordinal);

    public static KerncijferDefinition? Find(string column) => ByColumn.GetValueOrDefault(column.Trim().ToLowerInvariant());

    /// <summary>The source line of a year's figures.</summary>
    public static string Source(int year) => $"Bron: CBS, Kerncijfers wijken en buurten {year}";
}
