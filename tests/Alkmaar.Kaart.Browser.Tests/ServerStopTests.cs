using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alkmaar.Kaart.Testing;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// Several servers behind nginx (issue 32): a team member signs in through nginx (TLS, the site file from
/// <c>deploy/nginx/kaart.conf</c>), starts typing on a staff page, and the server that holds the page is stopped. The page
/// reconnects through nginx to the other server — signed in still (one key ring in the database) — and what was typed is
/// back in its field.
/// </summary>
public class ServerStopTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private KaartAppFactory _first = null!, _second = null!;
    private Process? _nginx;
    private string _dir = "", _proxy = "";
    private int _firstPort, _secondPort;

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async Task InitializeAsync()
    {
        // two servers on the fixture's database, both trusting nginx's forwarded headers (as ./kaart cluster up sets them)
        var settings = fx.Idp.Settings().Append(new("ReverseProxy:KnownProxies:0", "127.0.0.1")).ToList();
        (_firstPort, _secondPort) = (FreePort(), FreePort());
        _first = new KaartAppFactory(fx.Database) { Settings = settings };
        _first.UseKestrel(_firstPort);
        _first.StartServer();
        _second = new KaartAppFactory(fx.Database) { Settings = settings };
        _second.UseKestrel(_secondPort);
        _second.StartServer();

        // nginx with our site file: a local certificate, the two servers as the upstream
        _dir = Path.Combine(Path.GetTempPath(), $"kaart-nginx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
            await File.WriteAllTextAsync(Path.Combine(_dir, "cert.pem"), cert.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(_dir, "key.pem"), rsa.ExportPkcs8PrivateKeyPem());
        }
        var port = FreePort();
        var site = (await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "deploy", "nginx", "kaart.conf")))
            .Replace("@LISTEN@", $"127.0.0.1:{port}").Replace("@SERVER_NAME@", "localhost")
            .Replace("@TLS_CERT@", Path.Combine(_dir, "cert.pem")).Replace("@TLS_KEY@", Path.Combine(_dir, "key.pem"))
            .Replace("@UPSTREAM_SERVERS@", $"    server 127.0.0.1:{_firstPort} max_fails=1 fail_timeout=5s;\n    server 127.0.0.1:{_secondPort} max_fails=1 fail_timeout=5s;");
        // (for the test only: which server answered, to stop that one)
        var marker = "proxy_pass http://kaart_servers;\n";
        var at = site.IndexOf(marker, StringComparison.Ordinal);
        site = site[..(at + marker.Length)] + "        add_header X-Upstream $upstream_addr always;\n" + site[(at + marker.Length)..];
        await File.WriteAllTextAsync(Path.Combine(_dir, "kaart.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(_dir, "nginx.conf"),
            $$"""
            worker_processes 1;
            pid {{_dir}}/nginx.pid;
            error_log {{_dir}}/error.log warn;
            events { worker_connections 512; }
            http {
                include /etc/nginx/mime.types;
                access_log {{_dir}}/access.log;
                client_body_temp_path {{_dir}}/body; proxy_temp_path {{_dir}}/proxy;
                fastcgi_temp_path {{_dir}}/fastcgi; uwsgi_temp_path {{_dir}}/uwsgi; scgi_temp_path {{_dir}}/scgi;
                include {{_dir}}/kaart.conf;
            }
            """);
        _nginx = Process.Start(new ProcessStartInfo("nginx", ["-c", Path.Combine(_dir, "nginx.conf"), "-p", _dir, "-e", Path.Combine(_dir, "error.log"), "-g", "daemon off;"])
        {
            UseShellExecute = false, RedirectStandardError = true,
        })!;
        _proxy = $"https://localhost:{port}";
        using var probe = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        for (var i = 0; i < 100; i++)
        {
            try { if ((await probe.GetAsync(_proxy + "/health/ready")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            if (_nginx.HasExited) throw new InvalidOperationException("nginx stopped: " + await _nginx.StandardError.ReadToEndAsync());
            await Task.Delay(100);
        }
        throw new InvalidOperationException("nginx did not answer");
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false }) { _nginx.Kill(); await _nginx.WaitForExitAsync(); }
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_page_whose_server_is_stopped_reconnects_through_nginx_to_another_still_signed_in_with_what_was_typed()
    {
        await fx.App.EnsureUserAsync("twee-servers", ["gebiedsteam"], ["GB0361-noord"]);
        var page = await fx.NewPageAsync(1280, 900, o => o.IgnoreHTTPSErrors = true);
        await page.GotoAsync(_proxy + "/inloggen?ReturnUrl=%2Foverleg");
        await page.GetByLabel("Gebruikersnaam").FillAsync("twee-servers");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await page.Locator("[data-testid=overleggen-page]").WaitForAsync();
        var response = await page.GotoAsync(_proxy + "/overleg");
        var upstream = response!.Headers.GetValueOrDefault("x-upstream") ?? "";
        Assert.Matches(@"127\.0\.0\.1:\d+", upstream);
        await page.Locator("[data-testid=overleggen-page][data-interactive=true]").WaitForAsync();
        await page.Locator("#ov-plaats").PressSequentiallyAsync("Buurthuis De Mare, zaal 2");
        await page.EvaluateAsync("() => { window.kaartBefore = true; }");

        // stop the server that holds this page's circuit
        var clock = Stopwatch.StartNew();
        var holder = upstream.EndsWith($":{_firstPort}") ? _first : _second;
        await holder.DisposeAsync();

        // the page reloads through nginx onto the other server and is interactive again, with the text back
        await page.WaitForFunctionAsync("() => !window.kaartBefore && !!document.querySelector('[data-testid=overleggen-page][data-interactive=true]')",
            null, new() { Timeout = 60_000 });
        Console.WriteLine($"server stopped → page interactive on the other server after {clock.Elapsed.TotalSeconds:0.0} s");
        await Assertions.Expect(page.Locator("#ov-plaats")).ToHaveValueAsync("Buurthuis De Mare, zaal 2");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("twee-servers");
        var again = await page.GotoAsync(_proxy + "/overleg");
        Assert.NotEqual(upstream, again!.Headers.GetValueOrDefault("x-upstream"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "server-gestopt-andere-server.png") });
    }
}
