using Alkmaar.Kaart.Geo.Areas;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace Alkmaar.Kaart.Geo.Addresses;

/// <summary>
/// A deterministic demo address set for when no BAG extract is loaded: as many addresses per buurt as it has households
/// (inwoners divided by <see cref="PersonsPerAddress"/>; at least <see cref="MinimumPerBuurt"/>, for business areas), or
/// <see cref="PerBuurt"/> per buurt without inwoners, at seeded random points inside each buurt. The PC4 is the real PC4 polygon the point lies in (points in no PC4 are skipped); the two
/// letters of the PC6 come from a 150 m grid cell, so a PC6 can span a buurt border as real ones do. Streets are named
/// "Demostraat …" and ids start with DEMO: nobody can mistake them for real addresses.
/// </summary>
public static class DemoAddressGenerator
{
    public const int PerBuurt = 40;

    /// <summary>Persons per address: Alkmaar's 110,795 inwoners (CBS 2022) live at about 56,000 addresses.</summary>
    public const double PersonsPerAddress = 1.98;

    /// <summary>Addresses in a buurt with (almost) no inwoners: businesses have addresses too.</summary>
    public const int MinimumPerBuurt = 10;

    /// <summary>How many demo addresses a buurt gets for its inwoners.</summary>
    public static int ForInwoners(double? inwoners) =>
        inwoners is { } n ? Math.Max(MinimumPerBuurt, (int)Math.Round(n / PersonsPerAddress)) : PerBuurt;
    public const double CellMetres = 150;

    public static IReadOnlyList<AddressRecord> Generate(IEnumerable<Area> buurten, IEnumerable<Area> dorpen, IEnumerable<Pc4Area> pc4, int seed = 361,
        IReadOnlyDictionary<string, double>? inwoners = null)
    {
        var pc4Index = new STRtree<(Pc4Area Area, IndexedPointInAreaLocator Locator)>();
        foreach (var p in pc4) pc4Index.Insert(p.Geometry.EnvelopeInternal, (p, new IndexedPointInAreaLocator(p.Geometry)));
        var dorpByCode = dorpen.ToDictionary(d => d.Code, d => d.Name);
        var rng = new Random(seed);
        var result = new List<AddressRecord>();
        var nextNumber = new Dictionary<string, int>();
        var id = 0;
        foreach (var buurt in buurten.OrderBy(b => b.Code, StringComparer.Ordinal))
        {
            var locator = new IndexedPointInAreaLocator(buurt.Geometry);
            var env = buurt.Geometry.EnvelopeInternal;
            var made = 0;
            var wanted = inwoners is null ? PerBuurt : ForInwoners(inwoners.TryGetValue(buurt.Code, out var n) ? n : null);
            for (var attempt = 0; made < wanted && attempt < wanted * 200; attempt++)
            {
                var c = new Coordinate(Math.Round(env.MinX + rng.NextDouble() * env.Width), Math.Round(env.MinY + rng.NextDouble() * env.Height));
                if (locator.Locate(c) != Location.Interior) continue;
                var pc = pc4Index.Query(new Envelope(c)).FirstOrDefault(p => p.Locator.Locate(c) == Location.Interior).Area;
                if (pc is null) continue;
                var cellX = (long)Math.Floor(c.X / CellMetres);
                var cellY = (long)Math.Floor(c.Y / CellMetres);
                var letters = Letters(cellX, cellY);
                var postcode = pc.Postcode + letters;
                var huisnummer = nextNumber[postcode] = nextNumber.GetValueOrDefault(postcode) + 1;
                var woonplaats = dorpByCode.GetValueOrDefault(buurt.Code) ?? "Alkmaar";
                result.Add(new AddressRecord($"DEMO{++id:D12}", postcode, huisnummer, "", $"Demostraat {postcode}", woonplaats, c.X, c.Y, true));
                made++;
            }
        }
        return result;
    }

    /// <summary>Two letters from a grid cell, avoiding the letter combinations PostNL does not issue (SA, SD, SS).</summary>
    private static string Letters(long cellX, long cellY)
    {
        const string alphabet = "ABCDEFGHJKLMNPRTVWXZ";
        var h = (ulong)(cellX * 73856093L ^ cellY * 19349663L);
        var a = alphabet[(int)(h % (ulong)alphabet.Length)];
        var b = alphabet[(int)(h / (ulong)alphabet.Length % (ulong)alphabet.Length)];
        return $"{a}{b}";
    }
}
