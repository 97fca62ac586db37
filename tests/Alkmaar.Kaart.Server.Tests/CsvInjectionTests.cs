using System.Net;
using System.Text;
using Alkmaar.Kaart.Server.Features;
using Alkmaar.Kaart.Server.Features.Export;
using Alkmaar.Kaart.Testing;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>CSV exports never hand a spreadsheet a formula (OWASP "CSV injection").</summary>
public class CsvInjectionTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+31 6 1234", "'+31 6 1234")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("gewoon", "gewoon")]
    public void Text_that_starts_like_a_formula_is_neutralised(string text, string cell) => Assert.Equal(cell, Csv.Cell(text));

    [Fact]
    public void Numbers_stay_numbers() => Assert.Equal("-3.5", Csv.Cell(-3.5));

    [Fact]
    public async Task A_staff_title_that_looks_like_a_formula_is_exported_as_text()
    {
        var team = await fx.Factory.SignedInAsync("beheerder");
        var created = await team.PostAsync("/api/initiatieven", new StringContent(
            """{"title":"=cmd|' /C calc'!A0","theme":"groen","year":2025,"lat":52.6639,"lon":4.7601}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var csv = await fx.Factory.CreateClient().GetStringAsync("/api/export/initiatieven?format=csv");
        Assert.Contains("'=cmd|' /C calc'!A0", csv);
        Assert.DoesNotContain(",=cmd", csv);
    }
}
