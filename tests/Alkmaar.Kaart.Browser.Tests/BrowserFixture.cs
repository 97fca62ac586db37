using Alkmaar.Kaart.Testing;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>
/// The real server on Kestrel (loopback, random port) with its own database and the real boundaries, and Debian's
/// Chromium driven by Playwright. Playwright never downloads a browser here: KAART_CHROMIUM (default /usr/bin/chromium).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public KaartAppFactory App { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    /// <summary>The municipality's sign-in for residents, a real OpenID Connect provider on loopback.</summary>
    public TestIdentityProvider Idp { get; private set; } = null!;

    public static string ScreenshotFolder =>
        Environment.GetEnvironmentVariable("KAART_SCREENSHOTS") is { Length: > 0 } s ? s : Path.Combine(TestPaths.RepoRoot, ".kaart", "screenshots");

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Idp = await TestIdentityProvider.StartAsync();
        App = new KaartAppFactory(Database) { Settings = Idp.Settings() };
        App.UseKestrel(0);
        App.StartServer();
        await App.ImportRealBuurtenAsync();
        BaseUrl = App.ClientOptions.BaseAddress.ToString().TrimEnd('/');

        // a loaded 2-core CI machine (or one whose cores another process keeps busy) can take far longer than Playwright's 5 s
        // default between a click and Blazor's answer: these are waits on the page's own signals, so a long limit costs nothing
        Assertions.SetDefaultExpectTimeout(30_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("KAART_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800, Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "nl-NL",
        };
        configure?.Invoke(options);
        var context = await Browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        var errors = ConsoleErrors.GetOrCreateValue(page);
        page.Console += (_, m) =>
        {
            if (m.Type != "error") return;
            Console.WriteLine($"[browser console] {m.Text}");
            lock (errors) errors.Add(m.Text);
        };
        return page;
    }

    /// <summary>A page signed in as a gebiedsteam member of <paramref name="gebied"/> (created when missing), on
    /// <paramref name="path"/> once it is interactive.</summary>
    public async Task<IPage> SignedInPageAsync(string user, string gebied, string path, int width = 1400, int height = 1000)
    {
        await App.EnsureUserAsync(user, ["gebiedsteam"], [gebied]);
        var page = await NewPageAsync(width, height);
        await page.GotoAsync(BaseUrl + "/inloggen?ReturnUrl=" + Uri.EscapeDataString(path));
        await page.GetByLabel("Gebruikersnaam").FillAsync(user);
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        return page;
    }

    /// <summary>
    /// Before a screenshot: waits until the page's own animations and transitions (a side panel sliding in, Leaflet's zoom)
    /// have finished — the page's state, not a time; endless ones (a spinner) do not count.
    /// </summary>
    public static async Task AnimationsDoneAsync(IPage page) =>
        await page.WaitForFunctionAsync(
            "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)");

    /// <summary>Console errors per page (Content-Security-Policy violations show up here).</summary>
    public System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> ConsoleErrors { get; } = new();

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
        await Idp.DisposeAsync();
        await Database.DisposeAsync();
    }
}
