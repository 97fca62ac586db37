using Alkmaar.Kaart.Geo.Choropleth;

namespace Alkmaar.Kaart.Geo.Tests;

public class ClassBreaksTests
{
    [Fact]
    public void Ten_values_in_five_quantile_classes_of_two()
    {
        var classes = ClassBreaks.Quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        Assert.Equal([(1.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 8.0), (8.0, 10.0)], classes.Select(c => (c.Lower, c.Upper)));
        Assert.All(classes, c => Assert.Equal(2, c.Count));
        Assert.Equal(ClassBreaks.Palette, classes.Select(c => c.Color));
        Assert.Equal(0, ClassBreaks.ClassOf(classes, 2)!.Index);   // an upper break belongs to its class
        Assert.Equal(1, ClassBreaks.ClassOf(classes, 2.5)!.Index);
        Assert.Null(ClassBreaks.ClassOf(classes, 11));
    }

    [Fact]
    public void Eleven_wijken_every_value_in_exactly_one_class_and_lower_is_better_reverses_the_colours()
    {
        double[] values = [6.1, 7.4, 6.8, 7.0, 5.9, 7.7, 6.5, 6.9, 7.2, 6.3, 7.9];
        var classes = ClassBreaks.Quantiles(values, 5, higherIsBetter: false);
        Assert.Equal(values.Length, classes.Sum(c => c.Count));
        Assert.All(values, v => Assert.NotNull(ClassBreaks.ClassOf(classes, v)));
        Assert.Equal(ClassBreaks.Palette.Reverse(), classes.Select(c => c.Color));
        Assert.Equal(5.9, classes[0].Lower);
        Assert.Equal(7.9, classes[^1].Upper);
    }

    [Fact]
    public void Ties_and_few_values_give_fewer_classes_never_empty_ones()
    {
        var classes = ClassBreaks.Quantiles([3, 3, 3, 3, 8]);
        Assert.Equal(2, classes.Count);
        Assert.All(classes, c => Assert.True(c.Count > 0));
        Assert.Equal([ClassBreaks.Palette[0], ClassBreaks.Palette[4]], classes.Select(c => c.Color));
        Assert.Empty(ClassBreaks.Quantiles([double.NaN]));
    }
}
