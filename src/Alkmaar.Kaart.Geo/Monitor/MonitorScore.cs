namespace Alkmaar.Kaart.Geo.Monitor;

/// <summary>One score of a monitor (Veiligheidsmonitor, Leefbaarheid, …) for an area and a year.</summary>
public sealed record MonitorScore(string Monitor, string Indicator, string AreaCode, int Year, double Value, string Unit,
    int? Respondents, bool HigherIsBetter, bool Demo)
{
    /// <summary>The survey's own published margin (half its 95% interval), for a score that is not a share.</summary>
    public double? Margin { get; init; }
}
