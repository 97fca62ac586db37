using Alkmaar.Kaart.Geo.Addresses;
using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Geo.Routing;
using Alkmaar.Kaart.Geo.Transforms;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.Routing;

namespace Alkmaar.Kaart.Server.Features.Gebiedsteams;

public enum TeamAnswerKind
{
    /// <summary>Inside the gemeente: areas and team.</summary>
    Found,
    /// <summary>Just outside the border, within the locator's tolerance: the nearest area and team, with the distance.</summary>
    NearGemeente,
    /// <summary>Outside the gemeente; <see cref="TeamAnswer.Location"/> names the municipality where known.</summary>
    Outside,
    /// <summary>No such address; <see cref="TeamAnswer.Toevoegingen"/> and <see cref="TeamAnswer.PostcodeHint"/> help.</summary>
    AddressNotFound,
    /// <summary>The input cannot be read; <see cref="TeamAnswer.Message"/> says why, in Dutch.</summary>
    InvalidInput,
    /// <summary>A postcode without huisnummer: what is known of it (<see cref="TeamAnswer.PostcodeHint"/>: the gebieden of its
    /// addresses, or of the PC4 area with their shares).</summary>
    PostcodeOnly,
    /// <summary>No boundaries are loaded yet.</summary>
    NoBoundaries,
}

/// <summary>What all known addresses of a postcode have in common, when the asked huisnummer is unknown; for a postcode
/// whose addresses are not known, the gebieden its PC4 area overlaps with their share of its surface (<see cref="Shares"/>).</summary>
public sealed record PostcodeHint(string Postcode, int Addresses, bool Demo, IReadOnlyList<(string Code, string Name)> Gebieden,
    IReadOnlyList<double>? Shares = null);

/// <summary>The answer to "wie is mijn gebiedsteam?" for one address or point. No personal data.</summary>
public sealed record TeamAnswer(TeamAnswerKind Kind, string? Message = null, AddressRecord? Address = null,
    double? Lat = null, double? Lon = null, AreaLocation? Location = null, PublicGebiedsteam? Team = null,
    IReadOnlyList<string>? Toevoegingen = null, PostcodeHint? PostcodeHint = null, int? BoundaryVersion = null)
{
    /// <summary>The area to highlight: the dorp when there is one, else the buurt.</summary>
    public Area? FocusArea => Location?.Dorp ?? Location?.Buurt;
}

/// <summary>
/// Answers residents: postcode + huisnummer (+ toevoeging) or a point (WGS84, from a map click or the device's location)
/// → address, gebied, wijk, buurt/dorp and the team's public contact; helpful answers for unknown addresses and places
/// outside the gemeente. Used by the page /mijn-gebiedsteam.
/// </summary>
public sealed class TeamFinder(AddressStore addresses, AreaLocatorProvider routing, GebiedsteamStore teams, Gebiedsindeling indeling)
{
    public async Task<TeamAnswer> ByAddressAsync(string? postcode, string? huisnummer, string? toevoeging, CancellationToken ct = default)
    {
        var pc = AddressStore.NormalisePostcode(postcode);
        if (pc is null)
            return new TeamAnswer(TeamAnswerKind.InvalidInput, "Vul een postcode in van vier cijfers en twee letters, bijvoorbeeld 1811 AB.");
        if (string.IsNullOrWhiteSpace(huisnummer)) return await ByPostcodeAsync(pc, ct);
        if (!int.TryParse(huisnummer?.Trim(), out var nr) || nr is < 1 or > 99999)
            return new TeamAnswer(TeamAnswerKind.InvalidInput,
                "Vul een huisnummer in met alleen cijfers, bijvoorbeeld 12. Een letter of toevoeging (12A, 12-2) gaat in het veld Toevoeging.");
        if ((toevoeging?.Length ?? 0) > 20)
            return new TeamAnswer(TeamAnswerKind.InvalidInput, "Een toevoeging heeft hoogstens 20 tekens.");

        var address = await addresses.FindAsync(pc, nr, toevoeging, ct);
        if (address is null)
        {
            var known = await addresses.ToevoegingenAsync(pc, nr, ct);
            var pc6 = await addresses.Pc6Async(pc, ct);
            PostcodeHint? hint = null;
            if (pc6 is not null)
            {
                var gebieden = pc6.Areas.Select(a => a.Gebied).Distinct()
                    .Select(code => (code, indeling.Gebieden.FirstOrDefault(g => g.Code == code)?.Name ?? code)).ToList();
                hint = new PostcodeHint(pc, pc6.Addresses, pc6.Demo, gebieden);
            }
            return new TeamAnswer(TeamAnswerKind.AddressNotFound, Toevoegingen: known, PostcodeHint: hint);
        }
        return await AtAsync(address.X, address.Y, address, ct);
    }

    /// <summary>A postcode alone: the gebieden of its known addresses (PC6), or else of its PC4 area with their shares;
    /// never "unknown" for a PC4 of the gemeente.</summary>
    private async Task<TeamAnswer> ByPostcodeAsync(string pc, CancellationToken ct)
    {
        string Name(string code) => indeling.Gebieden.FirstOrDefault(g => g.Code == code)?.Name ?? code;
        if (await addresses.Pc6Async(pc, ct) is { } pc6)
        {
            var counts = pc6.Areas.GroupBy(a => a.Gebied).Select(g => (Code: g.Key, Count: g.Sum(a => a.Count))).OrderByDescending(g => g.Count).ToList();
            return new TeamAnswer(TeamAnswerKind.PostcodeOnly, PostcodeHint: new PostcodeHint(pc, pc6.Addresses, pc6.Demo,
                counts.Select(g => (g.Code, Name(g.Code))).ToList(), counts.Select(g => (double)g.Count / pc6.Addresses).ToList()));
        }
        var shares = (await addresses.Pc4Async(pc[..4], ct))?.Where(s => s.Level == "gebied" && s.Share > 0.005).OrderByDescending(s => s.Share).ToList();
        if (shares is { Count: > 0 })
            return new TeamAnswer(TeamAnswerKind.PostcodeOnly, PostcodeHint: new PostcodeHint(pc[..4], 0, false,
                shares.Select(s => (s.Code, s.Name)).ToList(), shares.Select(s => s.Share).ToList()));
        return new TeamAnswer(TeamAnswerKind.AddressNotFound);
    }

    public async Task<TeamAnswer> ByPointAsync(double lat, double lon, CancellationToken ct = default)
    {
        if (PointInput.ToRd(lat, lon, wgs84: true, out var x, out var y) is not null)
            return new TeamAnswer(TeamAnswerKind.Outside, "Deze plek ligt buiten Nederland.", Lat: lat, Lon: lon);
        return await AtAsync(x, y, null, ct);
    }

    private async Task<TeamAnswer> AtAsync(double x, double y, AddressRecord? address, CancellationToken ct)
    {
        var snapshot = await routing.GetAsync(ct);
        var (lon, lat) = RdNew.ToWgs84(x, y);
        if (snapshot is null) return new TeamAnswer(TeamAnswerKind.NoBoundaries, "Er zijn nog geen gebiedsgrenzen geladen.", address, lat, lon);
        var at = snapshot.Locator.Locate(x, y);
        var team = at.Gebied is null ? null : await teams.GetPublicAsync(at.Gebied.Code, ct);
        var kind = at.Kind switch
        {
            LocationKind.Inside => TeamAnswerKind.Found,
            LocationKind.NearGemeente => TeamAnswerKind.NearGemeente,
            _ => TeamAnswerKind.Outside,
        };
        return new TeamAnswer(kind, null, address, lat, lon, at, team, BoundaryVersion: snapshot.Locator.VersionId);
    }
}
