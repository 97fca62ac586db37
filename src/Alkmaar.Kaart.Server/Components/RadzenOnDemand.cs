using Microsoft.JSInterop;

namespace Alkmaar.Kaart.Server.Components;

/// <summary>
/// Loads Radzen's theme and script into a light page (<see cref="ResidentPageAttribute.UsesRadzen"/> false) when it first
/// needs them, e.g. the dashboard before it opens a side panel: the page itself stays light until that interaction.
/// </summary>
public sealed class RadzenOnDemand(IJSRuntime js)
{
    public static readonly string Version = typeof(Radzen.Colors).Assembly.GetName().Version!.ToString();
    private bool _loaded;

    public async Task EnsureAsync()
    {
        if (_loaded) return;
        var module = await js.InvokeAsync<IJSObjectReference>("import", "./js/radzen-on-demand.js");
        await module.InvokeVoidAsync("ensure",
            new[] { $"_content/Radzen.Blazor/css/material-base.css?v={Version}", $"_content/Radzen.Blazor/css/material-wcag.css?v={Version}" },
            $"_content/Radzen.Blazor/Radzen.Blazor.js?v={Version}");
        _loaded = true;
    }
}
