using System.Globalization;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Choropleth;

namespace Alkmaar.Kaart.Server.Features.Monitor;

/// <summary>What a choropleth of one indicator and year shows: classes, the value per area and the gemeente's value.</summary>
public sealed record ChoroplethView(MonitorIndicator Indicator, int Year, AreaLevel Level, IReadOnlyList<ChoroplethClass> Classes,
    IReadOnlyDictionary<string, MonitorValue> Values, double? Gemeente, bool Demo)
{
    /// <summary>"7,1 rapportcijfer" or "18,5%" in Dutch notation.</summary>
    public static string Format(double value, string unit) =>
        unit == "%" ? value.ToString("0.0", Nl) + "%" : $"{value.ToString("0.0", Nl)} {unit}";

    public static readonly CultureInfo Nl = CultureInfo.GetCultureInfo("nl-NL");
}

/// <summary>A trend point: the area's score and the gemeente's in one year (null where there is none).</summary>
public sealed record TrendPoint(int Year, double? Value, double? Gemeente, int? Respondents);

/// <summary>Builds choropleth views and trends from <see cref="MonitorStore"/>; shared by the API and the dashboard panel.</summary>
public sealed class MonitorChoropleth(MonitorStore store)
{
    /// <summary>
    /// The view for an indicator (default: the first) and year (default: its latest), over the areas of
    /// <paramref name="level"/> that have a score. Null with a Dutch message when the indicator or year is unknown.
    /// </summary>
    public async Task<(ChoroplethView? View, string? Error, string? Parameter)> BuildAsync(string? monitor, string? indicator, int? year,
        AreaLevel level = AreaLevel.Wijk, CancellationToken ct = default)
    {
        var indicators = await store.IndicatorsAsync(ct);
        if (indicators.Count == 0) return (null, "Er zijn nog geen monitorscores geladen.", null);
        MonitorIndicator? chosen;
        if (monitor is null && indicator is null) chosen = indicators[0];
        else
        {
            chosen = indicators.FirstOrDefault(i => i.Monitor == monitor && i.Indicator == indicator);
            if (chosen is null) return (null, $"Onbekende monitor of indicator; bekend zijn: {string.Join("; ", indicators.Select(i => $"{i.Monitor} / {i.Indicator}"))}.", "indicator");
        }
        var y = year ?? chosen.Years[^1];
        if (!chosen.Years.Contains(y)) return (null, $"Geen scores voor {y}; wel voor {string.Join(", ", chosen.Years)}.", "year");
        var values = (await store.ValuesAsync(chosen.Monitor, chosen.Indicator, y, level: level, ct: ct)).ToDictionary(v => v.AreaCode);
        var gemeente = (await store.ValuesAsync(chosen.Monitor, chosen.Indicator, y, level: AreaLevel.Gemeente, ct: ct)).FirstOrDefault();
        var classes = ClassBreaks.Quantiles(values.Values.Select(v => v.Value), 5, chosen.HigherIsBetter);
        return (new ChoroplethView(chosen, y, level, classes, values, gemeente?.Value, values.Values.Any(v => v.Demo) || gemeente?.Demo == true), null, null);
    }

    /// <summary>The area's scores over the years next to the gemeente's.</summary>
    public async Task<IReadOnlyList<TrendPoint>> TrendAsync(MonitorIndicator indicator, string areaCode, CancellationToken ct = default)
    {
        var area = (await store.ValuesAsync(indicator.Monitor, indicator.Indicator, null, areaCode, ct: ct)).ToDictionary(v => v.Year);
        var gemeente = (await store.ValuesAsync(indicator.Monitor, indicator.Indicator, null, level: AreaLevel.Gemeente, ct: ct)).ToDictionary(v => v.Year);
        return indicator.Years.Select(y => new TrendPoint(y, area.GetValueOrDefault(y)?.Value, gemeente.GetValueOrDefault(y)?.Value,
            area.GetValueOrDefault(y)?.Respondents)).ToList();
    }

    public async Task<MonitorIndicator?> FindAsync(string monitor, string indicator, CancellationToken ct = default) =>
        (await store.IndicatorsAsync(ct)).FirstOrDefault(i => i.Monitor == monitor && i.Indicator == indicator);
}
