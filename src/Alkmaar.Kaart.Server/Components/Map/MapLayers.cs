namespace Alkmaar.Kaart.Server.Components.Map;

/// <summary>
/// The catalogue of map layers: each layer is defined once here — id, title, source URL, style, labels, kind, popup and
/// who may see it — and pages pick from it (<c>MapLayers.Gebieden</c>, with a page's own style by <c>with { … }</c>).
/// A new overlay is its endpoint plus one entry here; the JS module draws it by its kind and reports clicks by layer id.
/// </summary>
public static class MapLayers
{
    /// <summary>Who may see a layer: everyone (public data and aggregates only) or signed-in staff.</summary>
    public enum Audience { Public, Staff }

    public static readonly KaartMap.Layer Gebieden =
        new("gebieden", "Gebieden", "/api/areas?level=gebied", Visible: true, Color: "#1f4e79", Weight: 3, FillOpacity: 0.10);

    public static readonly KaartMap.Layer Wijken =
        new("wijken", "Wijken", "/api/areas?level=wijk", Visible: false, Color: "#b34700", Weight: 2, FillOpacity: 0.05);

    public static readonly KaartMap.Layer Buurten =
        new("buurten", "Buurten", "/api/areas?level=buurt", Visible: false, Color: "#4d4d4d", Weight: 1, FillOpacity: 0.03, LabelMinZoom: 8);

    public static readonly KaartMap.Layer Dorpen =
        new("dorpen", "Dorpen", "/api/areas?level=dorp", Visible: false, Color: "#2e7d32", Weight: 2, FillOpacity: 0.12, LabelMinZoom: 7);

    /// <summary>The neighbouring municipalities (CBS), for looking across the border; a click shows their name, code and contact.</summary>
    public static readonly KaartMap.Layer Buurgemeenten =
        new("buurgemeenten", "Buurgemeenten", "/api/buurgemeenten", Visible: false, Color: "#6d6d6d", Weight: 2, FillOpacity: 0.04, LabelMinZoom: 4,
            Popup: new("name", [new("code", "CBS-code"), new("contact", "Contact"), new("website", null, "muted")]));

    public static readonly KaartMap.Layer Hotspots =
        new("hotspots", "Hotspots meldingen", "/api/hotspots", Visible: false, Color: "#c62828", Weight: 2, FillOpacity: 0.35, LabelMinZoom: 12);

    public static readonly KaartMap.Layer MeldingenClusters =
        new("meldingen", "Meldingen (clusters)", "/api/meldingen/openbaar", Visible: false, Color: "#6a1b9a", Kind: "clusters");

    public static readonly KaartMap.Layer MeldingenDichtheid =
        new("dichtheid", "Meldingen (dichtheid)", "/api/meldingen/openbaar", Visible: false, Color: "#6a1b9a", Kind: "density");

    public static readonly KaartMap.Layer Initiatieven =
        new("initiatieven", "Bewonersinitiatieven", "/api/initiatieven", Visible: false, Color: "#2c7fb8", Kind: "markers",
            Popup: new("title", [new("status", null, "status"), new("theme", null), new("year", null), new("subsidy", "Subsidie", "euro"), new("steun", "Steunbetuigingen"), new("description", null, "muted")]));

    /// <summary>Wijkraden, dorpsraden, buurthuizen, bewonersondernemingen and wijkposten (issue 33).</summary>
    public static readonly KaartMap.Layer Bewonersorganisaties =
        new("organisaties", "Bewonersorganisaties", "/api/bewonersorganisaties", Visible: false, Color: "#1b7837", Kind: "markers",
            Popup: new("title", [new("soort", null), new("adres", null), new("openingstijden", "Open", "muted"), new("telefoon", "Telefoon"), new("website", null)]));

    public static readonly KaartMap.Layer Monitor =
        new("monitor", "Monitorscores per wijk", "/api/monitor/scores", Visible: false, Color: "#4d4d4d", Weight: 1, FillOpacity: 0.75, LabelMinZoom: 12);

    /// <summary>A CBS kerncijfer per wijk or buurt (the dashboard's control sets figure, level and year).</summary>
    public static readonly KaartMap.Layer Kerncijfers =
        new("kerncijfers", "CBS-kerncijfers", "/api/kerncijfers/kaart?variabele=p_hh_osm&niveau=buurt", Visible: false, Color: "#4d4d4d", Weight: 1,
            FillOpacity: 0.75, LabelMinZoom: 13);

    /// <summary>The places the last boundary import repaired (planners; the page sets the version's URL).</summary>
    public static readonly KaartMap.Layer Herstellingen =
        new("herstellingen", "Herstelde plekken", "/api/boundaries/0/repairs", Visible: true, Color: "#c62828", Kind: "markers");

    /// <summary>Gaps and overlaps between the gemeente and the neighbouring municipalities' layer.</summary>
    public static readonly KaartMap.Layer Afwijkingen =
        new("afwijkingen", "Afwijkingen met buurgemeenten", "/api/grenzen/afwijkingen?formaat=geojson", Visible: true, Color: "#6a1b9a", Kind: "markers",
            Popup: new("title", [new("description", null, "muted")]));

    /// <summary>A border band and its border (the page sets the gebied, other side and distance).</summary>
    public static readonly KaartMap.Layer Grensband =
        new("grensband", "Grensband", "/api/grensband/GB0361-centrum/kaart", Visible: true, Color: "#d4351c", Weight: 2, FillOpacity: 0.18);

    /// <summary>A plan's buurten coloured by team, moved ones dashed (planners; the page sets the plan's URL).</summary>
    public static readonly KaartMap.Layer PlanBuurten =
        new("plan", "Plan: buurten per team", "/api/plannen/0/buurten", Visible: true, Color: "#1f1f1f", Weight: 1, FillOpacity: 0.45, LabelMinZoom: 9);

    /// <summary>What keeps a plan from being published, where it is.</summary>
    public static readonly KaartMap.Layer PlanProblemen =
        new("problemen", "Plan: problemen", "/api/plannen/0/controle?formaat=geojson", Visible: true, Color: "#b00020", Kind: "markers",
            Popup: new("title", [new("description", null, "muted")]));

    /// <summary>What a plan changes against what it is compared with: moved buurten and moved ground.</summary>
    public static readonly KaartMap.Layer PlanVerschil =
        new("verschil", "Plan: verschil", "/api/plannen/0/vergelijking?formaat=geojson", Visible: false, Color: "#d4351c", Weight: 3, FillOpacity: 0.35);

    /// <summary>Every layer with its audience (all public: the map never shows personal data).</summary>
    public static readonly IReadOnlyList<(KaartMap.Layer Layer, Audience Audience)> All =
    [
        (Gebieden, Audience.Public), (Wijken, Audience.Public), (Buurten, Audience.Public), (Dorpen, Audience.Public),
        (Buurgemeenten, Audience.Public), (Hotspots, Audience.Public), (MeldingenClusters, Audience.Public),
        (MeldingenDichtheid, Audience.Public), (Initiatieven, Audience.Public), (Monitor, Audience.Public), (Kerncijfers, Audience.Public), (Herstellingen, Audience.Staff),
        (Grensband, Audience.Public), (Afwijkingen, Audience.Public), (PlanBuurten, Audience.Staff), (PlanProblemen, Audience.Staff), (PlanVerschil, Audience.Staff),
    ];
}
