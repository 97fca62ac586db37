using Alkmaar.Kaart.Server.Features.Routing;

namespace Alkmaar.Kaart.Server.Features.Addresses;

/// <summary>
/// Public lookups: an address → its areas and gebiedsteam; a PC6 → the areas of its addresses; a PC4 → every area it
/// overlaps with its share. Addresses are public BAG data; demo addresses say so (<c>demo: true</c>).
/// </summary>
public static class AddressEndpoints
{
    public static WebApplicationBuilder AddAddresses(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AddressStore>();
        builder.Services.AddSingleton<BagImport>();
        return builder;
    }

    public static void MapAddresses(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Addresses").AllowAnonymous();
        group.MapGet("/addresses", FindAsync).WithSummary("postcode + huisnummer (+ toevoeging) → address, areas and gebiedsteam.");
        group.MapGet("/postcodes/{postcode}", PostcodeAsync).WithSummary("PC6 → areas of its addresses (spansSeveralAreas); PC4 → overlap shares.");
    }

    private static async Task<IResult> FindAsync(AddressStore store, AreaLocatorProvider locator, string? postcode, string? huisnummer,
        string? toevoeging, CancellationToken ct)
    {
        var pc = AddressStore.NormalisePostcode(postcode);
        if (pc is null) return Problems.BadRequest("Ongeldige postcode", "Geef een Nederlandse postcode: vier cijfers en twee letters (1811 AB).", "postcode");
        // a postcode alone answers what is known of it (its PC6 addresses' areas, else its PC4 area's shares)
        if (string.IsNullOrWhiteSpace(huisnummer) && toevoeging is null) return await PostcodeAsync(store, pc, ct);
        if (!int.TryParse(huisnummer, out var nr) || nr is < 1 or > 99999)
            return Problems.BadRequest("Ongeldig huisnummer", "Geef een huisnummer van 1 tot 99999; een letter of toevoeging hoort in toevoeging.", "huisnummer");
        if ((toevoeging?.Length ?? 0) > 20) return Problems.BadRequest("Ongeldige toevoeging", "De toevoeging is ten hoogste 20 tekens.", "toevoeging");
        var address = await store.FindAsync(pc, nr, toevoeging, ct);
        if (address is null)
        {
            var known = await store.ToevoegingenAsync(pc, nr, ct);
            return TypedResults.Problem(title: "Adres niet gevonden", statusCode: StatusCodes.Status404NotFound,
                detail: known.Count > 0
                    ? $"{pc} {nr} exists with toevoeging: {string.Join(", ", known.Select(k => k.Length == 0 ? "(none)" : k))}."
                    : $"No address {pc} {nr}{AddressStore.NormaliseToevoeging(toevoeging)} is known.",
                extensions: new Dictionary<string, object?> { ["toevoegingen"] = known });
        }
        var snapshot = await locator.GetAsync(ct);
        if (snapshot is null)
            return Problems.NoBoundaries();
        var at = snapshot.Locator.Locate(address.X, address.Y);
        return TypedResults.Ok(new
        {
            address = new
            {
                bagId = address.BagId, address.Postcode, address.Huisnummer, address.Toevoeging, address.Straat, address.Woonplaats,
                x = address.X, y = address.Y, address.Demo,
            },
            kind = LocateEndpoints.KindName(at.Kind),
            buurt = LocateEndpoints.Ref(at.Buurt), wijk = LocateEndpoints.Ref(at.Wijk), gebied = LocateEndpoints.Ref(at.Gebied), dorp = LocateEndpoints.Ref(at.Dorp),
            gebiedsteam = snapshot.TeamOf(at),
            municipality = at.Municipality is null ? null : new { at.Municipality.Code, at.Municipality.Name },
            boundaryVersion = snapshot.Locator.VersionId,
        });
    }

    private static async Task<IResult> PostcodeAsync(AddressStore store, string postcode, CancellationToken ct)
    {
        var p = postcode.Replace(" ", "").ToUpperInvariant();
        if (p.Length == 4 && p.All(char.IsAsciiDigit) && p[0] != '0')
        {
            var shares = await store.Pc4Async(p, ct);
            return shares is null
                ? Problems.NotFound("Postcode niet gevonden", $"PC4 {p} hoort niet bij de geladen PC4-gebieden.")
                : TypedResults.Ok(new { postcode = p, kind = "pc4", areas = shares.Select(s => new { s.Level, s.Code, s.Name, s.Share }), pc4AreaKm2 = shares.FirstOrDefault()?.AreaKm2 });
        }
        if (AddressStore.NormalisePostcode(p) is not { } pc6)
            return Problems.BadRequest("Ongeldige postcode", "Geef een PC4 (1811) of een PC6 (1811AB).", "postcode");
        var summary = await store.Pc6Async(pc6, ct);
        if (summary is null)
        {
            // no known addresses with this PC6: what its PC4 area overlaps, when the PC4 is one of the gemeente's
            var pc4 = await store.Pc4Async(pc6[..4], ct);
            return pc4 is null
                ? Problems.NotFound("Postcode niet gevonden", $"Wij kennen geen adressen met postcode {pc6}, en PC4 {pc6[..4]} hoort niet bij de geladen PC4-gebieden.")
                : TypedResults.Ok(new { postcode = pc6[..4], asked = pc6, kind = "pc4", areas = pc4.Select(s => new { s.Level, s.Code, s.Name, s.Share }), pc4AreaKm2 = pc4.FirstOrDefault()?.AreaKm2 });
        }
        return TypedResults.Ok(new
            {
                postcode = pc6, kind = "pc6", addresses = summary.Addresses, demo = summary.Demo, spansSeveralAreas = summary.SpansSeveralAreas,
                areas = summary.Areas.Select(a => new { buurt = a.Buurt, wijk = a.Wijk, gebied = a.Gebied, count = a.Count }),
            });
    }
}
