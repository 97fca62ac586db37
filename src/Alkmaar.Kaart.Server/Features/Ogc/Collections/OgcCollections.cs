using Alkmaar.Kaart.Geo.Areas;

namespace Alkmaar.Kaart.Server.Features.Ogc;

/// <summary>
/// The collections of the OGC API and the export layers, in the order they are listed. A new collection is one class
/// (an <see cref="OgcCollection"/> or <see cref="SqlCollection"/>) and one line here.
/// </summary>
public static class OgcCollections
{
    public static readonly IReadOnlyList<OgcCollection> All =
    [
        new AreaCollection("gebieden", "Gebieden", "The gebieden of the gemeente (our gebiedsindeling), each the union of its wijken.", AreaLevel.Gebied, ["code", "name"]),
        new AreaCollection("wijken", "Wijken", "CBS wijken, each the union of its buurten.", AreaLevel.Wijk, ["code", "name", "parentCode"]),
        new AreaCollection("buurten", "Buurten", "CBS buurten, the finest areas.", AreaLevel.Buurt, ["code", "name", "parentCode"]),
        new AreaCollection("dorpen", "Dorpen", "The villages of landelijk Alkmaar (their CBS buurten).", AreaLevel.Dorp, ["code", "name", "parentCode"]),
        new MeldingCellsCollection(),
        new InitiatievenCollection(),
        new MonitorScoresCollection(),
        new HotspotsCollection(),
    ];

    public static OgcCollection? Find(string id) => All.FirstOrDefault(c => c.Id == id);
}
