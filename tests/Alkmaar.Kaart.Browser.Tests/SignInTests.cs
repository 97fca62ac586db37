using Alkmaar.Kaart.Testing;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

public class SignInTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_beheerder_signs_in_with_the_keyboard_reaches_the_user_page_and_signs_out()
    {
        await fx.App.EnsureUserAsync("browser-beheerder", ["beheerder"], []);
        var page = await fx.NewPageAsync();

        // A staff page without a sign-in sends you to the Dutch sign-in page and back afterwards.
        await page.GotoAsync(fx.BaseUrl + "/beheer/gebruikers");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/inloggen\\?ReturnUrl="));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Inloggen");

        // Wrong password: a readable Dutch message, nothing else.
        await page.GetByLabel("Gebruikersnaam").FillAsync("browser-beheerder");
        await page.GetByLabel("Wachtwoord").FillAsync("fout-wachtwoord-123");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=signin-error]")).ToContainTextAsync("Gebruikersnaam of wachtwoord klopt niet");

        await page.GetByLabel("Gebruikersnaam").FillAsync("browser-beheerder");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Gebruikers", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("browser-beheerder");
        await Assertions.Expect(page.GetByRole(AriaRole.Grid)).ToContainTextAsync("browser-beheerder");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "beheer-gebruikers.png") });
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Uitloggen" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Inloggen medewerkers" })).ToBeVisibleAsync();
        await page.GotoAsync(fx.BaseUrl + "/beheer/gebruikers");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/inloggen"));
    }

    [Fact]
    public async Task The_sign_in_page_reads_well_on_a_phone()
    {
        var page = await fx.NewPageAsync(390, 844);
        await page.GotoAsync(fx.BaseUrl + "/inloggen");
        await Assertions.Expect(page.GetByLabel("Gebruikersnaam")).ToBeVisibleAsync();
        var box = await page.GetByRole(AriaRole.Button, new() { Name = "Inloggen" }).BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= 390, "the button fits the screen");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "inloggen-telefoon.png") });
    }
}
