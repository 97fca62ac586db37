namespace Alkmaar.Kaart.Geo.Kerncijfers;

/// <summary>One buurt's value of a figure, and of that figure's base (null when CBS kept it secret or it is not there).</summary>
public sealed record BuurtValue(string Buurt, double? Value, double? Base);

/// <summary>
/// A figure of an area formed from its buurten: the value (null when it cannot rightly be formed), how it was formed in
/// Dutch, and how many buurten were unknown and left out.
/// </summary>
public sealed record AggregatedValue(double? Value, string Formed, int Buurten, int Unknown);

/// <summary>
/// Forms an area's figure from its buurten the way CBS's definitions allow: counts sum; an average or rate is weighted by
/// its own base (the count it is "per"); a figure whose base is not in the data, or a median, is not formed at all. A buurt
/// whose value (or base) CBS kept secret is left out, and the result says so — a sum then is a lower bound and says that.
/// </summary>
public static class KerncijferAggregator
{
    public static AggregatedValue Aggregate(KerncijferDefinition definition, IReadOnlyCollection<BuurtValue> buurten)
    {
        var n = buurten.Count;
        if (n == 0) return new AggregatedValue(null, "geen buurten met cijfers", 0, 0);
        switch (definition.Aggregation)
        {
            case KerncijferAggregation.Sum:
            {
                var known = buurten.Where(b => b.Value is not null).ToList();
                var unknown = n - known.Count;
                if (known.Count == 0) return new AggregatedValue(null, $"alle {n} buurten onbekend", n, unknown);
                var sum = known.Sum(b => b.Value!.Value);
                return new AggregatedValue(sum, unknown == 0
                    ? $"som van {n} buurten"
                    : $"som van {known.Count} van de {n} buurten ({unknown} onbekend, weggelaten: het echte totaal is hoger of gelijk)", n, unknown);
            }
            case KerncijferAggregation.WeightedByBase:
            {
                var known = buurten.Where(b => b.Value is not null && b.Base is > 0).ToList();
                var unknown = n - known.Count;
                if (known.Count == 0) return new AggregatedValue(null, $"alle {n} buurten onbekend", n, unknown);
                var weight = known.Sum(b => b.Base!.Value);
                var value = known.Sum(b => b.Value!.Value * b.Base!.Value) / weight;
                var basis = KerncijferCatalog.Find(definition.Base!)?.Label.ToLowerInvariant() ?? definition.Base;
                return new AggregatedValue(value, unknown == 0
                    ? $"gewogen gemiddelde van {n} buurten (gewicht: {basis})"
                    : $"gewogen gemiddelde van {known.Count} van de {n} buurten (gewicht: {basis}; {unknown} onbekend, weggelaten)", n, unknown);
            }
            default:
                return new AggregatedValue(null,
                    definition.Column.StartsWith("m_", StringComparison.Ordinal)
                        ? "een mediaan is niet uit buurten te vormen; alleen per buurt of uit CBS' eigen wijkcijfers"
                        : "de basis (huishoudens) staat niet in de cijfers; alleen per buurt of uit CBS' eigen wijkcijfers", n, 0);
        }
    }
}
