using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Any server serves any request (issue 32): two server processes on one database share the Data Protection key ring in
/// PostgreSQL, so a sign-in cookie made by one is accepted by the other and an antiforgery token from one page is accepted
/// by the other server's form; the keys are stored encrypted with the configured certificate.
/// </summary>
public class SharedKeysTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private KaartAppFactory _a = null!, _b = null!;
    private string _pfx = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Alkmaar Kaart test Data Protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        _pfx = Path.Combine(Path.GetTempPath(), $"kaart-dp-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(_pfx, cert.Export(X509ContentType.Pfx, "geheim-wachtwoord"));
        KeyValuePair<string, string>[] settings = [new("DataProtection:CertificatePath", _pfx), new("DataProtection:CertificatePassword", "geheim-wachtwoord")];
        _a = new KaartAppFactory(_db) { Settings = settings };
        _b = new KaartAppFactory(_db) { Settings = settings };
        await _a.EnsureUserAsync("gedeelde-sleutels", ["beheerder"], []);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _db.DisposeAsync();
        File.Delete(_pfx);
    }

    [Fact]
    public async Task A_cookie_and_an_antiforgery_token_from_one_server_are_accepted_by_another_and_the_keys_are_encrypted_at_rest()
    {
        // signed in on server A
        var onA = _a.CreateNoRedirectClient();
        var signIn = await onA.SignInAsync("gedeelde-sleutels", TestAccounts.Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookies = signIn.Headers.GetValues("Set-Cookie").Select(c => c[..c.IndexOf(';')]).ToList();
        Assert.Contains(cookies, c => c.StartsWith("kaart.auth="));

        // server B takes that cookie: a beheerder-only API answers
        var onB = _b.CreateNoRedirectClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/beheer/berichten");
        request.Headers.Add("Cookie", string.Join("; ", cookies));
        var answer = await onB.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        // without the cookie B refuses: the 200 above is the shared key's doing
        Assert.Equal(HttpStatusCode.Unauthorized, (await _b.CreateNoRedirectClient().GetAsync("/api/beheer/berichten")).StatusCode);

        // the sign-in form read from B is posted to A (a proxy may send the two requests to different servers)
        var page = await onB.GetAsync("/inloggen");
        var html = await page.Content.ReadAsStringAsync();
        var antiforgery = page.Headers.GetValues("Set-Cookie").Select(c => c[..c.IndexOf(';')]).ToList();
        var post = new HttpRequestMessage(HttpMethod.Post, "/inloggen")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = TestAccounts.HiddenValue(html, "__RequestVerificationToken"),
                ["_handler"] = TestAccounts.HiddenValue(html, "_handler"),
                ["Input.UserName"] = "gedeelde-sleutels",
                ["Input.Password"] = TestAccounts.Password,
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", antiforgery));
        var posted = await _a.CreateNoRedirectClient().SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.DoesNotContain("/inloggen", posted.Headers.Location?.ToString() ?? "");

        // one key ring, in the database, each key encrypted with the certificate (no plain master key stored)
        await using var ds = _db.CreateDataSource();
        var xml = new List<string>();
        await using (var cmd = ds.CreateCommand("SELECT xml FROM data_protection_key"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) xml.Add(r.GetString(0));
        Assert.Single(xml);
        Assert.Contains("encryptedSecret", xml[0]);
        Assert.Contains("EncryptedXml", xml[0]);
        Assert.DoesNotContain("<masterKey", xml[0]);
    }
}
