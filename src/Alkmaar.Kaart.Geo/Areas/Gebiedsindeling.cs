using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alkmaar.Kaart.Geo.Areas;

/// <summary>
/// A municipality's own configuration of its areas: which wijken form which gebied, the wijk names, which wijken
/// consist of dorpen, and the name of each gebiedsteam. Read from <c>data/boundaries/gebiedsindeling.json</c>;
/// nothing in code is specific to one municipality.
/// </summary>
public sealed record Gebiedsindeling
{
    public required GemeenteConfig Gemeente { get; init; }

    /// <summary>Wijk code → wijk name (CBS names).</summary>
    public required IReadOnlyDictionary<string, string> Wijken { get; init; }

    public required IReadOnlyList<GebiedConfig> Gebieden { get; init; }

    /// <summary>Buurten that a plan moved to another wijk than their CBS code says (buurt code → wijk code); every other
    /// buurt lies in the wijk of its code (<see cref="CbsCode.WijkOfBuurt"/>).</summary>
    public IReadOnlyDictionary<string, string> BuurtInWijk { get; init; } = new Dictionary<string, string>();

    /// <summary>Wijken whose buurten are also dorpen (villages).</summary>
    public IReadOnlyList<string> DorpenInWijken { get; init; } = [];

    /// <summary>How residents reach the gemeente when a team has not entered a contact of its own.</summary>
    public ContactConfig? Contact { get; init; }

    /// <summary>The roles of every gebiedsteam, in the order they are shown.</summary>
    public IReadOnlyList<TeamRoleConfig> TeamRoles { get; init; } = [];

    /// <summary>Kinds of Gebiedsteam+ partners to suggest when a beheerder adds one.</summary>
    public IReadOnlyList<string> PartnerKinds { get; init; } = [];

    /// <summary>The first day the boundaries are in force when the source does not say (CBS year → 1 January).</summary>
    public DateOnly? ValidFrom { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads a gebiedsindeling stored as JSON (as a boundary version keeps it in the database).</summary>
    public static Gebiedsindeling FromJson(string json) =>
        JsonSerializer.Deserialize<Gebiedsindeling>(json, Options) ?? throw new InvalidDataException("The stored gebiedsindeling is empty.");

    /// <summary>This gebiedsindeling as JSON (camelCase, as the file).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static Gebiedsindeling Load(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<Gebiedsindeling>(stream, Options)
               ?? throw new InvalidDataException($"{path} is empty.");
    }

    /// <summary>The wijk of a buurt: the plan's choice where it made one, else the wijk of its CBS code.</summary>
    public string WijkOf(string buurtCode) => BuurtInWijk.TryGetValue(buurtCode, out var w) ? w : CbsCode.WijkOfBuurt(buurtCode);

    /// <summary>The gebied that a wijk belongs to, or null.</summary>
    public GebiedConfig? GebiedOfWijk(string wijkCode) => Gebieden.FirstOrDefault(g => g.Wijken.Contains(wijkCode));
}

public sealed record GemeenteConfig(string Code, string Name);

public sealed record GebiedConfig
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<string> Wijken { get; init; }
    public required TeamConfig Team { get; init; }
}

public sealed record TeamConfig
{
    public required string Name { get; init; }
}

/// <summary>A generic way to reach an organisation: no person, no personal data.</summary>
public sealed record ContactConfig(string Organisation, string? Phone, string? Website);

/// <summary>A role in every gebiedsteam (e.g. gebiedsregisseur); <see cref="Contact"/> when the role belongs to another
/// organisation than the gemeente (the wijkagent is police).</summary>
public sealed record TeamRoleConfig
{
    public required string Key { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public ContactConfig? Contact { get; init; }
}
