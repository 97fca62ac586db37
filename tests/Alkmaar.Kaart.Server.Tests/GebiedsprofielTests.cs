using System.Globalization;
using System.Net;
using Alkmaar.Kaart.Server.Features.Kerncijfers;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using UglyToad.PdfPig;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// The printable gebiedsprofiel (issue 30): the server's PDF opens (PdfPig reads it, not our code) and holds the figures
/// the page shows — the CBS sum of the gebied's inwoners, the gemeente's, the monitor verdicts — dated and sourced, on
/// at most two A4 pages; an unknown area gets a Dutch 404.
/// </summary>
public class GebiedsprofielTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>, IAsyncLifetime
{
    private readonly HttpClient _http = fx.Factory.CreateClient();

    public async Task InitializeAsync()
    {
        var store = fx.Factory.Services.GetRequiredService<KerncijferStore>();
        if (await store.IsEmptyAsync()) await store.ImportFileAsync(TestPaths.FullRes("cbs_kerncijfers_2022_buurten.csv"));
        await fx.Factory.Services.GetRequiredService<MonitorStore>().GenerateDemoAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_PDF_of_a_gebied_opens_and_holds_its_figures_dated_and_sourced()
    {
        var response = await _http.GetAsync("/api/areas/GB0361-noord/gebiedsprofiel.pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var pdf = PdfDocument.Open(bytes);
        Assert.InRange(pdf.NumberOfPages, 1, 2);
        var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
        var words = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        // the figures: the CBS inwoners of the gebied and of the gemeente, as the profile API gives them
        var profiel = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync("/api/areas/GB0361-noord/profiel")).RootElement;
        var inwoners = profiel.GetProperty("kerncijfers").GetProperty("a_inw");
        var nl = CultureInfo.GetCultureInfo("nl-NL");
        Assert.Contains(inwoners.GetProperty("value").GetDouble().ToString("N0", nl), words);
        Assert.Contains("110.795", words);
        Assert.Contains("Gebiedsprofiel", words);
        Assert.Contains("Noord", words);
        // dated (Amsterdam, dd-mm-jjjj) and sourced
        Assert.Contains(Server.Features.DutchTime.Date(DateTimeOffset.UtcNow), words);
        Assert.Contains("CBS", text);
        Assert.Contains("Kerncijfers", words);
        Assert.Contains("DEMO", words); // the monitor scores are generated: the PDF says so too
        Assert.Contains("Monitorscores", words);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/areas/GB0361-maan/gebiedsprofiel.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/areas/GB0361-noord/gebiedsprofiel.pdf?jaar=twintig")).StatusCode);
    }

    [Fact]
    public async Task The_print_page_and_the_PDF_show_the_same_blocks()
    {
        var pageResponse = await _http.GetAsync("/gebied/WK036101/profiel?niveau=wijk");
        var page = await pageResponse.Content.ReadAsStringAsync();
        Assert.True(pageResponse.IsSuccessStatusCode, page[..Math.Min(3000, page.Length)]);
        Assert.Contains("Gebiedsprofiel wijk", page);
        Assert.Contains("data-testid=\"profiel-kerncijfers\"", page);
        Assert.Contains("/api/areas/WK036101/gebiedsprofiel.pdf", page);
        using var pdf = PdfDocument.Open(await _http.GetByteArrayAsync("/api/areas/WK036101/gebiedsprofiel.pdf?level=wijk"));
        var words = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/gebied/WK036199/profiel")).StatusCode);
        foreach (var heading in new[] { "Kerncijfers", "Meldingen", "Monitorscores", "Hotspots", "Gebiedsagenda", "Buren" })
        {
            Assert.Contains(heading, words);
            Assert.Contains(heading, page);
        }
    }
}
