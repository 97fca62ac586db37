using System.Text.Json;
using System.Text.Json.Nodes;

namespace Alkmaar.Kaart.Server.Components.Map;

/// <summary>
/// The options kaart-map.js's <c>createMap</c> and <c>showFocus</c> take, built in one place: by <see cref="KaartMap"/>
/// on an interactive page and, as JSON in a data attribute, by the server-rendered pages whose script creates the map
/// (the resident pages, the melding form, the wijkschouw).
/// </summary>
public static class MapClientOptions
{
    /// <summary>What <c>createMap</c> takes: projection, background, attribution and the layers.</summary>
    public static object Create(MapOptions o, IEnumerable<KaartMap.Layer> layers, bool pointClicks = false) => new
    {
        proj4 = Alkmaar.Kaart.Geo.Transforms.RdNew.Proj4,
        tileUrl = o.BackgroundTileUrl,
        tileAttribution = o.BackgroundAttribution,
        attribution = o.DataAttribution,
        layers = layers.Select(l => new
        {
            id = l.Id, title = l.Title, url = l.Url, visible = l.Visible, color = l.Color, weight = l.Weight,
            fillOpacity = l.FillOpacity, labelMinZoom = l.LabelMinZoom, kind = l.Kind,
            popup = l.Popup is null ? null : new { title = l.Popup.Title, fields = l.Popup.Fields.Select(f => new { property = f.Property, label = f.Label, format = f.Format }) },
        }),
        pointClicks,
    };

    /// <summary>What <c>showFocus</c> takes: the area (drawn highlighted, the map fits it) and/or a marker.</summary>
    public static object? Focus(KaartMap.Focus? f) => f is null ? null : new
    {
        areaUrl = f.AreaCode is null ? null : $"/api/areas/{Uri.EscapeDataString(f.AreaCode)}?level={f.AreaLevel}",
        areaCode = f.AreaCode, lat = f.Lat, lon = f.Lon, label = f.Label,
    };

    /// <summary>
    /// The options of a server-rendered page's map as JSON: <see cref="Create"/> plus what the page's script does with a
    /// click — <paramref name="pointUrl"/> ("…?lat={lat}&amp;lon={lon}": a click on the map goes there),
    /// <paramref name="featureUrl"/> ("/gebied/{code}?niveau={level}": a click on an area of <paramref name="featureLayers"/>
    /// goes there) — and the <paramref name="focus"/> to draw.
    /// </summary>
    public static string Json(MapOptions o, IEnumerable<KaartMap.Layer> layers, string? pointUrl = null, KaartMap.Focus? focus = null,
        string? featureUrl = null, IEnumerable<string>? featureLayers = null)
    {
        var node = JsonSerializer.SerializeToNode(Create(o, layers, pointClicks: pointUrl is not null))!.AsObject();
        if (pointUrl is not null) node["pointUrl"] = pointUrl;
        if (focus is not null) node["focus"] = JsonSerializer.SerializeToNode(Focus(focus));
        if (featureUrl is not null)
        {
            node["featureUrl"] = featureUrl;
            node["featureLayers"] = new JsonArray((featureLayers ?? []).Select(l => (JsonNode)JsonValue.Create(l)).ToArray());
        }
        return node.ToJsonString();
    }
}
