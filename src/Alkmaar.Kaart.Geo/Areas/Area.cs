using NetTopologySuite.Geometries;

namespace Alkmaar.Kaart.Geo.Areas;

/// <summary>One area of the gebiedsindeling: its level, code (CBS code, or our own for gebieden), name, parent and geometry in RD New.</summary>
/// <param name="ParentCode">The code of the enclosing area one level up (a dorp's parent is its wijk); null for the gemeente.</param>
public sealed record Area(AreaLevel Level, string Code, string Name, string? ParentCode, MultiPolygon Geometry);

/// <summary>A buurt as read from a CBS file, before derivation.</summary>
public sealed record BuurtInput(string Code, string Name, Geometry Geometry);
