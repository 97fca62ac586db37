using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Alkmaar.Kaart.Server.Features.Schouwen;

/// <summary>A level of the CROW beeldkwaliteit scale (A+ zeer hoog … D zeer laag).</summary>
public sealed record BkNiveau(string Code, string Naam, string Omschrijving);

/// <summary>An item of the schouw checklist: its aspect (schoon, heel, groen) and the melding category a finding on it becomes.</summary>
public sealed record SchouwItem(string Code, string Naam, string Aspect, string Categorie);

/// <summary>
/// The beeldkwaliteit configuration (<c>data/boundaries/beeldkwaliteit.json</c>, beside the gebiedsindeling): the levels,
/// the checklist and the target level per aspect — a default, overridden per gebied, wijk or buurt (the most specific wins).
/// </summary>
public sealed class Beeldkwaliteit
{
    public static readonly string[] Aspecten = ["schoon", "heel", "groen"];

    public required IReadOnlyList<BkNiveau> Niveaus { get; init; }
    public required IReadOnlyList<SchouwItem> Items { get; init; }
    public required IReadOnlyDictionary<string, string> Standaard { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PerGebied { get; init; }

    /// <summary>0 for A+ up to 4 for D; -1 for anything else.</summary>
    public static int Rank(string? level) => level switch { "A+" => 0, "A" => 1, "B" => 2, "C" => 3, "D" => 4, _ => -1 };

    /// <summary>A score meets a target when it is that level or better.</summary>
    public static bool Meets(string score, string target) => Rank(score) <= Rank(target);

    public BkNiveau? Niveau(string? code) => Niveaus.FirstOrDefault(n => n.Code == code);

    /// <summary>The target level per aspect for a buurt: its own, else its wijk's, else its gebied's, else the default.</summary>
    public Dictionary<string, string> DoelVoor(params string?[] mostSpecificFirst)
    {
        var doel = new Dictionary<string, string>(Standaard);
        foreach (var code in mostSpecificFirst.Reverse())
            if (code is not null && PerGebied.TryGetValue(code, out var own))
                foreach (var (aspect, level) in own) doel[aspect] = level;
        return doel;
    }

    private sealed record FileModel(List<BkNiveau> Niveaus, DoelModel Doel, List<SchouwItem> Items);
    private sealed record DoelModel(Dictionary<string, string> Standaard, Dictionary<string, Dictionary<string, string>>? Gebieden);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and checks the file: every level known, every item with a known aspect, codes unique.</summary>
    public static Beeldkwaliteit Parse(string json)
    {
        var m = JsonSerializer.Deserialize<FileModel>(json, Json) ?? throw new InvalidDataException("beeldkwaliteit.json is leeg.");
        if (m.Niveaus.Select(n => n.Code).Any(c => Rank(c) < 0)) throw new InvalidDataException("beeldkwaliteit.json: niveaus zijn A+, A, B, C en D.");
        var levels = m.Doel.Standaard.Concat((m.Doel.Gebieden ?? []).SelectMany(g => g.Value)).ToList();
        if (levels.Any(l => Rank(l.Value) < 0 || !Aspecten.Contains(l.Key)))
            throw new InvalidDataException("beeldkwaliteit.json: een doel noemt een onbekend aspect of niveau.");
        if (Aspecten.Any(a => !m.Doel.Standaard.ContainsKey(a))) throw new InvalidDataException("beeldkwaliteit.json: het standaarddoel noemt schoon, heel en groen.");
        if (m.Items.Count == 0 || m.Items.Any(i => !Aspecten.Contains(i.Aspect)) || m.Items.Select(i => i.Code).Distinct().Count() != m.Items.Count)
            throw new InvalidDataException("beeldkwaliteit.json: elk item heeft een eigen code en het aspect schoon, heel of groen.");
        return new Beeldkwaliteit
        {
            Niveaus = m.Niveaus, Items = m.Items, Standaard = m.Doel.Standaard,
            PerGebied = (m.Doel.Gebieden ?? []).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.Value),
        };
    }

    /// <summary>The configured file, read once (a change takes effect at the next start; planned rounds keep theirs).</summary>
    public static Beeldkwaliteit Load(IOptions<BoundaryOptions> boundaries, IHostEnvironment env)
    {
        var indeling = PathResolution.Resolve(boundaries.Value.Gebiedsindeling, boundaries.Value.Root, env.ContentRootPath);
        var file = Path.Combine(Path.GetDirectoryName(indeling) ?? ".", "beeldkwaliteit.json");
        return Parse(File.ReadAllText(file));
    }
}
