using System.Text;
using Sylvan.Data.Csv;

namespace Alkmaar.Kaart.Server.Features;

/// <summary>Opening uploaded and imported CSV files (UTF-8, a header row) the same way everywhere.</summary>
public static class CsvUpload
{
    /// <summary>
    /// A reader positioned after the header, with the column names trimmed and lower-cased. Throws
    /// <see cref="FormatException"/> when the header can't be read (empty, broken quoting, a column twice).
    /// </summary>
    public static async Task<(CsvDataReader Reader, string[] Header)> OpenAsync(Stream stream, CancellationToken ct)
    {
        CsvDataReader csv;
        try
        {
            csv = await CsvDataReader.CreateAsync(new StreamReader(stream, Encoding.UTF8),
                new CsvDataReaderOptions { HasHeaders = true, OwnsReader = true, MaxBufferSize = 1 << 20 }, ct);
        }
        catch (Exception e) when (e is CsvFormatException or CsvMissingHeadersException or AmbiguousColumnException)
        {
            throw new FormatException("The CSV header could not be read.", e);
        }
        return (csv, Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetName(i).Trim().ToLowerInvariant()).ToArray());
    }
}
