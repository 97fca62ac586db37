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
        new AreaCollection("gebieden", "Gebieden", "De gebieden van de gemeente (de gebiedsindeling van Alkmaar), elk de vereniging van zijn wijken.", AreaLevel.Gebied, ["code", "name"]),
        new AreaCollection("wijken", "Wijken", "De CBS-wijken, elk de vereniging van zijn buurten.", AreaLevel.Wijk, ["code", "name", "parentCode"]),
        new AreaCollection("buurten", "Buurten", "De CBS-buurten, de fijnste gebiedsindeling.", AreaLevel.Buurt, ["code", "name", "parentCode"]),
        new AreaCollection("dorpen", "Dorpen", "De dorpen van landelijk Alkmaar (hun CBS-buurten).", AreaLevel.Dorp, ["code", "name", "parentCode"]),
        new MeldingCellsCollection(),
        new InitiatievenCollection(),
        new MonitorScoresCollection(),
        new HotspotsCollection(),
        new OrganisatiesCollection(),
    ];

    public static OgcCollection? Find(string id) => All.FirstOrDefault(c => c.Id == id);
}
