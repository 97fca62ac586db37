using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SkiaSharp;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The resident's form and status link, and the team's workspace behind them: the status link's secrecy and content,
/// photos without metadata, notes, forwarding, optimistic concurrency, the workspace list against a SQL count, and the
/// live feed fed by the database.
/// </summary>
public class MeldingWorkspaceTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _anonymous = fx.Factory.CreateClient();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    private Task<(double X, double Y)> InsideAsync(string code) => TestData.InsideAsync(Db, code);

    private Task<JsonElement> SubmitAsync(object body) => _anonymous.SubmitMeldingAsync(body);

    private static Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) => response.JsonAsync(expected);

    // ------------------------------------------------------------------------------------------------ status link
    [Fact]
    public async Task The_status_link_cannot_be_guessed_and_shows_status_and_answers_but_no_personal_data()
    {
        var (x, y) = await InsideAsync("GB0361-noord");
        var created = await SubmitAsync(new
        {
            category = "overlast", description = "Geheime omschrijving: de buren van nummer 12", x, y,
            naam = "Petra Privé", email = "petra@example.nl", telefoon = "06 12345678",
        });
        var token = created.GetProperty("statusToken").GetString()!;
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal($"M-{id}", created.GetProperty("reference").GetString());
        Assert.Equal($"/melding/status/{token}", created.GetProperty("statusUrl").GetString());

        // 256 random bits (≥ 128 asked), base64url; not derived from the id; only a hash is stored
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        Assert.Equal(32, WebEncoders.Base64UrlDecode(token).Length);
        var other = (await SubmitAsync(new { category = "overlast", description = "Tweede", x, y })).GetProperty("statusToken").GetString();
        Assert.NotEqual(token, other);
        await using (var cmd = Db.CreateCommand("SELECT status_token_hash, row_to_json(m)::text FROM melding m WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(token)), r.GetFieldValue<byte[]>(0));
            Assert.DoesNotContain(token, r.GetString(1));
        }

        // the team answers with a status change; the link shows status, steps and the answer, nothing personal
        var team = await fx.Factory.SignedInAsync("team-noord");
        var melding = await Json(await team.GetAsync($"/api/meldingen/{id}"));
        var version = melding.GetProperty("melding").GetProperty("version").GetInt32();
        await Json(await team.PostAsJsonAsync($"/api/meldingen/{id}/status",
            new { status = "in_behandeling", note = "De wijkagent komt langs.", version }), HttpStatusCode.NoContent);
        await Json(await team.PostAsJsonAsync($"/api/meldingen/{id}/notities", new { kind = "intern", text = "Buurman Jansen op nr 12 is bekend." }),
            HttpStatusCode.Created);

        var response = await _anonymous.GetAsync($"/api/meldingen/status/{token}");
        var text = await response.Content.ReadAsStringAsync();
        var status = await Json(response);
        Assert.Equal("in_behandeling", status.GetProperty("status").GetString());
        Assert.Equal("Gebiedsteam Noord", status.GetProperty("gebiedsteam").GetString());
        Assert.Equal(["nieuw", "in_behandeling"], status.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Equal(["De wijkagent komt langs."], status.GetProperty("answers").EnumerateArray().Select(a => a.GetProperty("text").GetString()));
        foreach (var secret in new[] { "Geheime", "Petra", "petra@", "12345678", "Jansen", "werk", "team-noord", x.ToString("0", System.Globalization.CultureInfo.InvariantCulture) })
            Assert.DoesNotContain(secret, text);
        var page = await _anonymous.GetStringAsync($"/melding/status/{token}");
        Assert.Contains("In behandeling", page);
        Assert.Contains("De wijkagent komt langs.", page);
        foreach (var secret in new[] { "Geheime", "Petra", "petra@", "Jansen" }) Assert.DoesNotContain(secret, page);

        // a wrong or malformed token finds nothing (and says so in Dutch)
        var wrong = token[..42] + (token[42] == 'A' ? 'B' : 'A');
        foreach (var t in new[] { wrong, "abc", new string('x', 43) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"/api/meldingen/status/{t}")).StatusCode);
            var notFound = await _anonymous.GetAsync($"/melding/status/{t}");
            Assert.Contains("Melding niet gevonden", await notFound.Content.ReadAsStringAsync());
        }
    }

    // ------------------------------------------------------------------------------------------------ photos
    /// <summary>A JPEG with an EXIF block (orientation 6, an image description, a GPS position) and a comment, as a phone makes.</summary>
    /// <summary>The CRC-32 of a PNG chunk (ISO 3309), for hand-made test files.</summary>
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    internal static byte[] PhoneJpeg(int width, int height, string secret)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.SteelBlue);
            using var paint = new SKPaint { Color = SKColors.Orange };
            canvas.DrawRect(0, 0, width / 2f, height / 4f, paint); // a mark in the top left, to check the rotation
        }
        var jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();

        // TIFF (big-endian): IFD0 with Orientation, ImageDescription and a GPS IFD pointer; GPS IFD with latitude ref and latitude
        var tiff = new List<byte>();
        void U16(int v) { tiff.Add((byte)(v >> 8)); tiff.Add((byte)v); }
        void U32(long v) { tiff.Add((byte)(v >> 24)); tiff.Add((byte)(v >> 16)); tiff.Add((byte)(v >> 8)); tiff.Add((byte)v); }
        var description = Encoding.ASCII.GetBytes(secret + "\0");
        const int ifd0 = 8, ifd0Size = 2 + 3 * 12 + 4, gpsIfd = ifd0 + ifd0Size, gpsSize = 2 + 2 * 12 + 4;
        var descOffset = gpsIfd + gpsSize;
        var latOffset = descOffset + description.Length;
        tiff.AddRange("MM"u8.ToArray()); U16(42); U32(ifd0);
        U16(3);
        U16(0x010E); U16(2); U32(description.Length); U32(descOffset);  // ImageDescription
        U16(0x0112); U16(3); U32(1); U16(6); U16(0);                      // Orientation: rotate 90° clockwise to view
        U16(0x8825); U16(4); U32(1); U32(gpsIfd);                         // GPS IFD
        U32(0);
        U16(2);
        U16(0x0001); U16(2); U32(2); tiff.AddRange("N\0\0\0"u8.ToArray()); // GPSLatitudeRef
        U16(0x0002); U16(5); U32(3); U32(latOffset);                      // GPSLatitude (3 rationals)
        U32(0);
        tiff.AddRange(description);
        foreach (var (n, d) in new[] { (52, 1), (37, 1), (4512, 100) }) { U32(n); U32(d); }
        var exif = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var app1 = new byte[] { 0xFF, 0xE1, (byte)((exif.Length + 2) >> 8), (byte)(exif.Length + 2) }.Concat(exif);
        var comment = Encoding.ASCII.GetBytes("Pixel 9 Pro " + secret);
        var com = new byte[] { 0xFF, 0xFE, (byte)((comment.Length + 2) >> 8), (byte)(comment.Length + 2) }.Concat(comment);
        return jpeg.Take(2).Concat(app1).Concat(com).Concat(jpeg.Skip(2)).ToArray();
    }

    /// <summary>The marker segments of a JPEG up to the image data.</summary>
    internal static List<byte> Segments(byte[] jpeg)
    {
        var markers = new List<byte>();
        var i = 2;
        while (i + 4 <= jpeg.Length && jpeg[i] == 0xFF)
        {
            var marker = jpeg[i + 1];
            markers.Add(marker);
            if (marker == 0xDA) break; // start of scan
            i += 2 + (jpeg[i + 2] << 8 | jpeg[i + 3]);
        }
        return markers;
    }

    [Fact]
    public void A_photo_keeps_its_pixels_upright_and_loses_its_location_and_all_other_metadata()
    {
        var input = PhoneJpeg(40, 20, "GEHEIM-52.6345N");
        Assert.Contains((byte)0xE1, Segments(input)); // the test photo does carry EXIF
        using (var codec = SKCodec.Create(SKData.CreateCopy(input)))
            Assert.Equal(SKEncodedOrigin.RightTop, codec.EncodedOrigin); // and Skia reads its orientation

        var clean = MeldingPhotos.Clean(input, 8 * 1024 * 1024);
        Assert.Equal("image/jpeg", clean.ContentType);
        var segments = Segments(clean.Bytes);
        Assert.DoesNotContain((byte)0xE1, segments); // no EXIF/XMP
        Assert.DoesNotContain((byte)0xFE, segments); // no comment
        Assert.DoesNotContain(segments, m => m is >= 0xE2 and <= 0xEF); // no other application segments
        var text = Encoding.ASCII.GetString(clean.Bytes);
        Assert.DoesNotContain("GEHEIM", text);
        Assert.DoesNotContain("Exif", text);
        Assert.DoesNotContain("Pixel", text);
        // drawn upright: 40 × 20 stored with orientation 6 is 20 wide and 40 high; the orange mark (top left as stored)
        // is now in the top right
        Assert.Equal((20, 40), (clean.Width, clean.Height));
        using var decoded = SKBitmap.Decode(clean.Bytes);
        Assert.Equal((20, 40), (decoded.Width, decoded.Height));
        var topRight = decoded.GetPixel(17, 3);
        var topLeft = decoded.GetPixel(2, 3);
        Assert.True(topRight.Red > 200 && topRight.Blue < 100, $"top right is orange: {topRight}");
        Assert.True(topLeft.Blue > 120 && topLeft.Red < 120, $"top left is blue: {topLeft}");
    }

    [Fact]
    public void A_photo_of_the_wrong_kind_or_size_is_refused_with_a_reason()
    {
        var gif = "GIF89a"u8.ToArray().Concat(new byte[100]).ToArray();
        Assert.Contains("JPEG", Assert.Throws<MeldingRejectedException>(() => MeldingPhotos.Clean(gif, 1 << 20)).Message);
        var big = PhoneJpeg(40, 20, "x");
        Assert.Contains("groter dan", Assert.Throws<MeldingRejectedException>(() => MeldingPhotos.Clean(big, 100)).Message);
        var broken = big.Take(30).ToArray();
        Assert.Throws<MeldingRejectedException>(() => MeldingPhotos.Clean(broken, 1 << 20));
    }

    [Fact]
    public void A_tiny_file_that_declares_a_huge_image_is_refused_before_it_is_decoded()
    {
        // issue 27, item 9: a 172-byte PNG claiming 7071 × 7071 was decoded in full (2 s CPU, 200 MB each)
        var png = new List<byte>([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] body)
        {
            png.AddRange(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(body.Length)));
            var typed = Encoding.ASCII.GetBytes(type).Concat(body).ToArray();
            png.AddRange(typed);
            png.AddRange(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Crc32(typed))));
        }
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, 7071);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 7071);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        Chunk("IHDR", ihdr);
        Chunk("IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00]); // a deflate stream far too short for the image
        var bomb = png.ToArray();
        Assert.True(bomb.Length < 200);
        var e = Assert.Throws<MeldingRejectedException>(() => MeldingPhotos.Clean(bomb, 8 * 1024 * 1024));
        Assert.Contains("passen niet bij de grootte", e.Message);
    }

    [Fact]
    public void A_truncated_photo_is_refused_not_half_drawn()
    {
        var whole = PhoneJpeg(400, 300, "x");
        Assert.Equal(400, MeldingPhotos.Clean(whole, 8 * 1024 * 1024).Height); // upright: orientation 6
        var cut = whole.Take(whole.Length * 2 / 3).ToArray();
        var e = Assert.Throws<MeldingRejectedException>(() => MeldingPhotos.Clean(cut, 8 * 1024 * 1024));
        Assert.Contains("niet compleet", e.Message);
    }

    [Fact]
    public async Task A_photo_sent_with_the_form_is_stored_clean_and_shown_only_to_the_team()
    {
        var (postcode, nr) = await AddressIn("GB0361-noord");
        var client = fx.Factory.CreateNoRedirectClient();
        var page = await client.GetStringAsync("/melding");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(TestAccounts.HiddenValue(page, "__RequestVerificationToken")), "__RequestVerificationToken" },
            { new StringContent(TestAccounts.HiddenValue(page, "_handler")), "_handler" },
            { new StringContent("adres"), "Input.Place" }, { new StringContent(postcode), "Input.Postcode" },
            { new StringContent(nr.ToString()), "Input.Huisnummer" }, { new StringContent("Kapotte stoeptegels, zie foto"), "Input.Description" },
            { new StringContent(""), "Input.Category" },
        };
        var photo = new ByteArrayContent(PhoneJpeg(64, 48, "GEHEIM-GPS"));
        photo.Headers.ContentType = new("image/jpeg");
        form.Add(photo, "foto", "IMG_0001.jpg");
        var response = await client.PostAsync("/melding", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var token = response.Headers.Location!.ToString().Split('/').Last().Split('?')[0];
        var status = await Json(await _anonymous.GetAsync($"/api/meldingen/status/{token}"));
        var id = long.Parse(status.GetProperty("reference").GetString()![2..]);
        Assert.Equal("bestrating", status.GetProperty("category").GetString()); // suggested from "stoeptegels"

        var team = await fx.Factory.SignedInAsync("team-noord");
        var image = await team.GetAsync($"/api/meldingen/{id}/foto");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType!.MediaType);
        var bytes = await image.Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain((byte)0xE1, Segments(bytes));
        Assert.DoesNotContain("GEHEIM", Encoding.ASCII.GetString(bytes));
        // Stadswerk072 (the melding is forwarded: bestrating) gets the photo with its work order (issue 27, item 14: it could
        // not act without it), stripped the same way; another team nothing
        var forPartner = await (await fx.Factory.SignedInAsync("stadswerk")).GetAsync($"/api/meldingen/{id}/foto");
        Assert.Equal(HttpStatusCode.OK, forPartner.StatusCode);
        Assert.DoesNotContain("GEHEIM", Encoding.ASCII.GetString(await forPartner.Content.ReadAsByteArrayAsync()));
        Assert.Equal(HttpStatusCode.NotFound, (await (await fx.Factory.SignedInAsync("team-zuid")).GetAsync($"/api/meldingen/{id}/foto")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _anonymous.GetAsync($"/api/meldingen/{id}/foto")).StatusCode);
        await using var cmd = Db.CreateCommand("SELECT count(*) FROM audit_log WHERE action = 'foto bekeken' AND subject_id = $1 AND actor = 'team-noord'");
        cmd.Parameters.AddWithValue(id.ToString());
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    private async Task<(string Postcode, int Nr)> AddressIn(string gebied)
    {
        await TestData.EnsureDemoAddressesAsync(fx.Factory.Services);
        return await TestData.AddressInGebiedAsync(Db, gebied);
    }

    // ------------------------------------------------------------------------------------------------ staff changes
    [Fact]
    public async Task Staff_changes_carry_the_version_they_were_made_on_and_a_stale_one_is_refused()
    {
        var (x, y) = await InsideAsync("GB0361-noord");
        var id = (await SubmitAsync(new { category = "overlast", description = "Twee collega's tegelijk", x, y })).GetProperty("id").GetInt64();
        var a = await fx.Factory.SignedInAsync("team-noord");
        var b = await fx.Factory.SignedInAsync("beheerder");
        var v = (await Json(await a.GetAsync($"/api/meldingen/{id}"))).GetProperty("melding").GetProperty("version").GetInt32();
        await Json(await a.PostAsJsonAsync($"/api/meldingen/{id}/status", new { status = "in_behandeling", version = v }), HttpStatusCode.NoContent);
        var stale = await Json(await b.PostAsJsonAsync($"/api/meldingen/{id}/status", new { status = "afgehandeld", version = v }), HttpStatusCode.Conflict);
        Assert.Equal("Melding is intussen gewijzigd", stale.GetProperty("title").GetString());
        await Json(await b.PostAsJsonAsync($"/api/meldingen/{id}/doorsturen", new { reason = "Losliggende tegel", version = v }), HttpStatusCode.Conflict);
        var now = (await Json(await b.GetAsync($"/api/meldingen/{id}"))).GetProperty("melding");
        Assert.Equal(("in_behandeling", v + 1), (now.GetProperty("status").GetString(), now.GetProperty("version").GetInt32()));

        // forwarding: Stadswerk072 now sees it (without personal data); a second forward is a conflict
        var partner = await fx.Factory.SignedInAsync("stadswerk");
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/api/meldingen/{id}")).StatusCode);
        await Json(await a.PostAsJsonAsync($"/api/meldingen/{id}/doorsturen", new { reason = "Ook een kapotte bank", version = v + 1 }), HttpStatusCode.NoContent);
        var seen = await Json(await partner.GetAsync($"/api/meldingen/{id}"));
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("melding").GetProperty("personal").ValueKind);
        Assert.Contains(seen.GetProperty("history").EnumerateArray(), h => h.GetProperty("kind").GetString() == "forward");
        await Json(await a.PostAsJsonAsync($"/api/meldingen/{id}/doorsturen", new { reason = "Nog eens" }), HttpStatusCode.Conflict);
        // internal notes stay with the team; the partner may answer the resident but not read internal notes
        await Json(await a.PostAsJsonAsync($"/api/meldingen/{id}/notities", new { kind = "intern", text = "Alleen voor ons" }), HttpStatusCode.Created);
        await Json(await partner.PostAsJsonAsync($"/api/meldingen/{id}/notities", new { kind = "publiek", text = "De bank wordt vervangen." }), HttpStatusCode.Created);
        await Json(await partner.PostAsJsonAsync($"/api/meldingen/{id}/notities", new { kind = "intern", text = "x" }), HttpStatusCode.NotFound);
        var notes = (await Json(await partner.GetAsync($"/api/meldingen/{id}"))).GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()).ToList();
        Assert.Equal(["De bank wordt vervangen."], notes);
        // a team that does not hold it cannot change it
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        await Json(await zuid.PostAsJsonAsync($"/api/meldingen/{id}/status", new { status = "afgehandeld" }), HttpStatusCode.NotFound);
        await Json(await zuid.PostAsJsonAsync($"/api/meldingen/{id}/notities", new { kind = "publiek", text = "x" }), HttpStatusCode.NotFound);
    }

    // ------------------------------------------------------------------------------------------------ the workspace list
    [Fact]
    public async Task The_workspace_list_counts_what_SQL_counts_for_every_filter_and_only_the_callers_share()
    {
        var rng = new Random(17);
        var cats = new[] { "afval", "overlast", "verlichting", "parkeren" };
        foreach (var gebied in new[] { "GB0361-noord", "GB0361-zuid" })
        {
            var (x, y) = await InsideAsync(gebied);
            for (var i = 0; i < 12; i++)
                await SubmitAsync(new { category = cats[rng.Next(cats.Length)], description = $"Lijsttest {i}", x = x + rng.Next(-30, 30), y = y + rng.Next(-30, 30) });
        }
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET status = 'afgehandeld', closed_at = now() WHERE id IN (SELECT id FROM melding WHERE description LIKE 'Lijsttest%' ORDER BY id LIMIT 6)"))
            await cmd.ExecuteNonQueryAsync();
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET created_at = now() - interval '40 days' WHERE id IN (SELECT id FROM melding WHERE description LIKE 'Lijsttest%' ORDER BY id DESC LIMIT 5)"))
            await cmd.ExecuteNonQueryAsync();
        var wijk = await ScalarAsync<string>("SELECT wijk_code FROM melding WHERE gebied_code = 'GB0361-noord' AND wijk_code IS NOT NULL LIMIT 1");
        var today = Alkmaar.Kaart.Server.Features.DutchTime.Local(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture); // the Dutch day (the list filters on Dutch days)

        var team = await fx.Factory.SignedInAsync("team-noord");
        var cases = new (string Query, string Where)[]
        {
            ("", "true"),
            ("open=true", "status <> 'afgehandeld'"),
            ("status=afgehandeld", "status = 'afgehandeld'"),
            ("category=overlast", "category = 'overlast'"),
            ("overdue=true", "status <> 'afgehandeld' AND created_at < now() - interval '14 days'"),
            ($"area={wijk}", $"wijk_code = '{wijk}'"),
            ("forwarded=true", "forwarded_to IS NOT NULL"),
            ("forwarded=false&open=true", "forwarded_to IS NULL AND status <> 'afgehandeld'"),
            ($"from={today}&to={today}", "(created_at AT TIME ZONE 'Europe/Amsterdam')::date = (now() AT TIME ZONE 'Europe/Amsterdam')::date"),
        };
        foreach (var (query, where) in cases)
        {
            var fc = await Json(await team.GetAsync("/api/meldingen/kaart?" + query));
            var expected = await ScalarAsync<long>($"SELECT count(*) FROM melding WHERE gebied_code = 'GB0361-noord' AND {where}");
            Assert.True(expected == fc.GetProperty("total").GetInt32(), $"{query}: {fc.GetProperty("total")} vs SQL {expected}");
            Assert.All(fc.GetProperty("features").EnumerateArray(), f => Assert.Equal("GB0361-noord", f.GetProperty("properties").GetProperty("gebied").GetString()));
        }
        // another team's gebied asked for by name gives nothing; a beheerder sees both
        Assert.Equal(0, (await Json(await team.GetAsync("/api/meldingen/kaart?gebied=GB0361-zuid"))).GetProperty("total").GetInt32());
        var all = await Json(await (await fx.Factory.SignedInAsync("beheerder")).GetAsync("/api/meldingen/kaart"));
        Assert.Equal(await ScalarAsync<long>("SELECT count(*) FROM melding"), all.GetProperty("total").GetInt32());
        // bad filters are a problem, not a 500
        Assert.Equal(HttpStatusCode.BadRequest, (await team.GetAsync("/api/meldingen/kaart?status=weg")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await team.GetAsync("/api/meldingen/kaart?from=31-12-2026")).StatusCode);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    // ------------------------------------------------------------------------------------------------ deadlines (issue 29)
    [Fact]
    public async Task A_melding_gets_its_categorys_deadline_in_working_days_and_lists_mark_and_filter_it_late_and_three_times_late()
    {
        var options = fx.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeldingOptions>>().Value;
        var (x, y) = await InsideAsync("GB0361-zuid");
        var made = await SubmitAsync(new { category = "afval", description = "Termijn", x, y });
        var id = made.GetProperty("id").GetInt64();
        // the promise: the configured working days for afval from today (Europe/Amsterdam), on the status link too
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")).DateTime);
        var due = Alkmaar.Kaart.Geo.Deadlines.WorkingDays.Add(today, options.HandlingDays["afval"]);
        Assert.Equal(3, options.HandlingDays["afval"]);
        Assert.Equal(due.ToString("yyyy-MM-dd"), made.GetProperty("due").GetString());
        var token = made.GetProperty("statusUrl").GetString()!.Split('/').Last();
        var status = await Json(await _anonymous.GetAsync($"/api/meldingen/status/{token}"));
        Assert.Equal(due.ToString("yyyy-MM-dd"), status.GetProperty("due").GetString());
        Assert.Equal(3, status.GetProperty("handlingDays").GetInt32());

        // meldingen from before deadlines existed get theirs from the day they arrived: a Friday before Koningsdag
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET created_at = '2026-04-24 10:00+02', handling_days = NULL, due_on = NULL, three_times_due_on = NULL WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await cmd.ExecuteNonQueryAsync();
        }
        Assert.True(await MeldingDeadlines.FillMissingAsync(fx.Database.ConnectionString, options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) >= 1);
        Assert.Equal("2026-04-30", (await ScalarAsync<DateTime>("SELECT due_on::timestamp FROM melding WHERE id = " + id)).ToString("yyyy-MM-dd"));
        Assert.Equal("2026-05-11", (await ScalarAsync<DateTime>("SELECT three_times_due_on::timestamp FROM melding WHERE id = " + id)).ToString("yyyy-MM-dd"));

        // long past three times its handling time: marked in the list and found by both filters, exactly as SQL counts them
        var team = await fx.Factory.SignedInAsync("team-zuid");
        var page = await Json(await team.GetAsync("/api/meldingen/lijst?late3=true&limit=1000"));
        var row = page.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == id);
        Assert.Equal("3× te laat", row.GetProperty("late").GetString());
        Assert.True(row.GetProperty("overdue").GetBoolean());
        foreach (var (query, condition) in new[] { ("overdue=true", "due_on < $1"), ("late3=true", "three_times_due_on < $1") })
        {
            var total = (await Json(await team.GetAsync($"/api/meldingen/lijst?{query}&limit=1"))).GetProperty("total").GetInt32();
            await using var count = Db.CreateCommand($"SELECT count(*)::int FROM melding WHERE gebied_code = 'GB0361-zuid' AND status <> 'afgehandeld' AND {condition}");
            count.Parameters.AddWithValue(today);
            Assert.Equal((int)(await count.ExecuteScalarAsync())!, total);
        }
        // a melding within its handling time is not late
        var fresh = (await SubmitAsync(new { category = "groen", description = "Nog op tijd", x, y })).GetProperty("id").GetInt64();
        var freshRow = (await Json(await team.GetAsync("/api/meldingen/lijst?limit=50"))).GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == fresh);
        Assert.Equal(JsonValueKind.Null, freshRow.GetProperty("late").ValueKind);
        Assert.False(freshRow.GetProperty("overdue").GetBoolean());
    }

    [Fact]
    public async Task A_team_member_takes_a_melding_finds_it_under_mijn_meldingen_and_no_one_outside_the_team_can_be_assigned()
    {
        var (x, y) = await InsideAsync("GB0361-zuid");
        var id = (await SubmitAsync(new { category = "groen", description = "Toewijzen", x, y })).GetProperty("id").GetInt64();
        var zuid = await fx.Factory.SignedInAsync("team-zuid");
        async Task<int> VersionAsync() => (await Json(await zuid.GetAsync($"/api/meldingen/{id}"))).GetProperty("melding").GetProperty("version").GetInt32();

        var members = await Json(await zuid.GetAsync($"/api/meldingen/{id}/teamleden"));
        Assert.Contains("team-zuid", members.EnumerateArray().Select(m => m.GetProperty("userName").GetString()));
        Assert.DoesNotContain("team-noord", members.EnumerateArray().Select(m => m.GetProperty("userName").GetString()));
        // someone outside the team: refused, nothing changed
        var v = await VersionAsync();
        var refused = await zuid.PostAsJsonAsync($"/api/meldingen/{id}/toewijzen", new { to = "team-noord", version = v });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(v, await VersionAsync());
        // the member takes it; a stale version is refused
        await Json(await zuid.PostAsJsonAsync($"/api/meldingen/{id}/toewijzen", new { to = "team-zuid", version = v }), HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.Conflict, (await zuid.PostAsJsonAsync($"/api/meldingen/{id}/toewijzen", new { to = "", version = v })).StatusCode);
        Assert.Equal("team-zuid", (await Json(await zuid.GetAsync($"/api/meldingen/{id}"))).GetProperty("melding").GetProperty("assignedTo").GetString());
        // "Mijn meldingen": exactly the ones assigned to the caller, as SQL counts them
        var mine = await Json(await zuid.GetAsync("/api/meldingen/lijst?assignedTo=me&limit=1000"));
        Assert.Contains(id, mine.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        Assert.All(mine.GetProperty("rows").EnumerateArray(), r => Assert.Equal("team-zuid", r.GetProperty("assignedTo").GetString()));
        Assert.Equal(await ScalarAsync<long>("SELECT count(*) FROM melding WHERE assigned_to = 'team-zuid'"), mine.GetProperty("total").GetInt32());
        // another team neither sees its members nor assigns it
        var noord = await fx.Factory.SignedInAsync("team-noord");
        Assert.Equal(HttpStatusCode.NotFound, (await noord.GetAsync($"/api/meldingen/{id}/teamleden")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await noord.PostAsJsonAsync($"/api/meldingen/{id}/toewijzen", new { to = "team-noord", version = v + 1 })).StatusCode);
        // in the history and the audit log
        Assert.Equal(1, await ScalarAsync<long>($"SELECT count(*) FROM melding_routing WHERE melding_id = {id} AND kind = 'assign'"));
        Assert.Equal(1, await ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE action = 'melding toegewezen' AND subject_id = '{id}'"));
    }

    [Fact]
    public async Task Beheerders_keep_standard_answers_per_category_teams_only_read_them_and_every_change_is_audited()
    {
        var answers = fx.Factory.Services.GetRequiredService<StandaardAntwoorden>();
        static System.Security.Claims.ClaimsPrincipal As(string role) =>
            new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, $"test-{role}"), new(System.Security.Claims.ClaimTypes.Role, role)], "test"));
        var beheerder = As(Alkmaar.Kaart.Server.Features.Accounts.KaartRoles.Beheerder);
        var afval = await answers.AddAsync(beheerder, "afval", "Opgehaald", "Het afval is opgehaald. Dank voor uw melding.");
        var every = await answers.AddAsync(beheerder, "*", "Doorgestuurd", "Wij hebben uw melding doorgegeven aan de juiste afdeling.");
        await answers.AddAsync(beheerder, "groen", "Gesnoeid", "De struiken zijn gesnoeid.");
        // a melding of afval offers its own answers and those for every category, not groen's
        Assert.Equal(["Opgehaald", "Doorgestuurd"], (await answers.ListAsync("afval")).Where(a => a.Id >= afval.Id).Select(a => a.Title));
        // refused: a team member, an unknown category, a title over two lines, an empty text; nothing stored
        var before = (await answers.ListAsync()).Count;
        Assert.Equal(403, (await Assert.ThrowsAsync<MeldingRejectedException>(() =>
            answers.AddAsync(As(Alkmaar.Kaart.Server.Features.Accounts.KaartRoles.Gebiedsteam), "afval", "x", "y"))).Status);
        Assert.Equal("category", (await Assert.ThrowsAsync<MeldingRejectedException>(() => answers.AddAsync(beheerder, "zwemmen", "x", "y"))).Parameter);
        Assert.Equal("title", (await Assert.ThrowsAsync<MeldingRejectedException>(() => answers.AddAsync(beheerder, "afval", "twee\nregels", "y"))).Parameter);
        Assert.Equal("text", (await Assert.ThrowsAsync<MeldingRejectedException>(() => answers.AddAsync(beheerder, "afval", "leeg", "  "))).Parameter);
        Assert.Equal(before, (await answers.ListAsync()).Count);
        // removal: once; audited with the additions
        Assert.True(await answers.DeleteAsync(beheerder, every.Id));
        Assert.False(await answers.DeleteAsync(beheerder, every.Id));
        Assert.Equal(["Opgehaald"], (await answers.ListAsync("afval")).Where(a => a.Id >= afval.Id).Select(a => a.Title));
        Assert.Equal(4, await ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE subject_type = 'standaardantwoord' AND subject_id::bigint >= {afval.Id}"));
    }

    // ------------------------------------------------------------------------------------------------ live
    [Fact]
    public async Task The_live_feed_hears_new_and_rerouted_meldingen_whoever_wrote_them()
    {
        var feed = fx.Factory.Services.GetRequiredService<MeldingChangeFeed>();
        for (var i = 0; i < 100 && !feed.Listening; i++) await Task.Delay(100); // the listener starts with the server
        var heard = new System.Collections.Concurrent.ConcurrentQueue<MeldingChange>();
        var signal = new SemaphoreSlim(0);
        void OnChanged(MeldingChange c) { heard.Enqueue(c); signal.Release(); }
        feed.Changed += OnChanged;
        try
        {
            async Task<MeldingChange> NextAsync(Func<MeldingChange, bool> match)
            {
                while (true)
                {
                    Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(30)), "no announcement");
                    if (heard.TryDequeue(out var c) && match(c)) return c;
                }
            }
            var (x, y) = await InsideAsync("GB0361-oost");
            var id = (await SubmitAsync(new { category = "overlast", description = "Live", x, y })).GetProperty("id").GetInt64();
            var created = await NextAsync(c => c.Ids.Contains(id));
            Assert.Equal("insert", created.Op);
            Assert.Equal(["GB0361-oost"], created.Gebieden);
            Assert.True(created.Touches(["GB0361-oost"], false));
            Assert.False(created.Touches(["GB0361-west"], false));

            // another process (here: plain SQL on its own connection) re-routes it: both gebieden hear it
            await using (var conn = await Db.OpenConnectionAsync())
            await using (var cmd = new NpgsqlCommand("UPDATE melding SET gebied_code = 'GB0361-west', routing_kind = 'override' WHERE id = $1", conn))
            {
                cmd.Parameters.AddWithValue(id);
                await cmd.ExecuteNonQueryAsync();
            }
            var moved = await NextAsync(c => c.Ids.Contains(id) && c.Op == "update");
            Assert.Equal(["GB0361-oost", "GB0361-west"], moved.Gebieden.Order());
            Assert.True(moved.Touches(["GB0361-oost"], false) && moved.Touches(["GB0361-west"], false));
        }
        finally { feed.Changed -= OnChanged; }
    }

    [Theory]
    [InlineData("Er ligt zwerfvuil naast de container", "afval")]
    [InlineData("De lantaarnpaal in onze straat is kapot", "verlichting")]
    [InlineData("Overal ratten bij de vuilnisbak", "ongedierte")]
    [InlineData("Het is hier gewoon niet leuk", null)]
    public void The_form_suggests_a_category_from_the_words_of_the_description(string text, string? expected)
    {
        var options = fx.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeldingOptions>>().Value;
        Assert.Equal(expected, CategorySuggestion.Suggest(text, options.Categories, options.CategoryKeywords));
    }
}
