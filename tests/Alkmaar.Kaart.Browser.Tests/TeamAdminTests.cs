using Alkmaar.Kaart.Testing;
using Microsoft.Playwright;

namespace Alkmaar.Kaart.Browser.Tests;

/// <summary>The beheer page of gebiedsteams: add a wijkagent and a partner, refuse a bad mailbox without losing the input.</summary>
public class TeamAdminTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_beheerder_adds_a_wijkagent_and_a_partner_and_a_bad_mailbox_is_refused_with_a_message()
    {
        await fx.App.EnsureUserAsync("team-beheerder", ["beheerder"], []);
        var page = await fx.NewPageAsync(1280, 1000);
        await page.GotoAsync(fx.BaseUrl + "/inloggen?ReturnUrl=%2Fbeheer%2Fgebiedsteams");
        await page.GetByLabel("Gebruikersnaam").FillAsync("team-beheerder");
        await page.GetByLabel("Wachtwoord").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Wachtwoord").PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Gebiedsteams", new() { Timeout = 30000 });
        await page.Locator("[data-interactive=true]").WaitForAsync(); // buttons work once the circuit is up
        await Assertions.Expect(page.Locator("#team-name")).ToHaveValueAsync("Gebiedsteam Noord");
        await Assertions.Expect(page.Locator("[data-testid=role-wijkagent]")).ToContainTextAsync("Politie (0900-8844)");

        await page.GetByRole(AriaRole.Button, new() { Name = "Persoon toevoegen als wijkagent" }).ClickAsync();
        var wijkagent = page.Locator("[data-testid=role-wijkagent]");
        await wijkagent.GetByLabel("Naam", new() { Exact = true }).FillAsync("Wijkagent Test");
        await wijkagent.GetByLabel("Naam openbaar").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Partner toevoegen" }).ClickAsync();
        await page.Locator("[data-testid=partners]").GetByLabel("Organisatie").FillAsync("Jongerenwerk Test");
        await page.Locator("[data-testid=partners]").GetByLabel("Soort partner").FillAsync("Jongerenwerk");

        // a bad mailbox: refused with a readable message, and what was typed stays on the screen
        await page.Locator("#team-mailbox").FillAsync("geen-mailadres");
        await page.GetByRole(AriaRole.Button, new() { Name = "Opslaan" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=team-message]")).ToContainTextAsync("geen geldig e-mailadres");
        await Assertions.Expect(wijkagent.GetByLabel("Naam", new() { Exact = true })).ToHaveValueAsync("Wijkagent Test");

        await page.Locator("#team-mailbox").FillAsync("gebiedsteam-noord-test@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Opslaan" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=team-message]")).ToHaveTextAsync("Gebiedsteam Noord is opgeslagen.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "beheer-gebiedsteams.png"), FullPage = true });
        Assert.DoesNotContain(fx.ConsoleErrors.GetOrCreateValue(page), e => e.Contains("Content Security Policy"));

        // residents see it
        var resident = await fx.NewPageAsync();
        await resident.GotoAsync(fx.BaseUrl + "/api/gebiedsteams/GB0361-noord");
        var json = await resident.Locator("body").InnerTextAsync();
        Assert.Contains("Wijkagent Test", json);
        Assert.Contains("Jongerenwerk Test", json);
        Assert.Contains("gebiedsteam-noord-test@example.org", json);
    }
}
