using SkiaSharp;

namespace Alkmaar.Kaart.Server.Features.AreaProfiles;

/// <summary>The PDF font is not installed (the server refuses the PDF with a Dutch message rather than drawing empty boxes).</summary>
public sealed class PdfFontMissingException(string message) : RejectedException("PDF niet beschikbaar", message, status: 503);

/// <summary>
/// Renders a <see cref="ProfielDocument"/> as an A4 PDF with SkiaSharp's PDF back end (already the server's image library):
/// the same blocks the print page shows, text embedded with the DejaVu Sans font (apt <c>fonts-dejavu-core</c>, which
/// <c>./kaart</c> installs), every page footed with its sources, date and page number.
/// </summary>
public static class GebiedsprofielPdf
{
    private const float Width = 595, Height = 842, Margin = 42, Bottom = Height - 56;
    private static readonly string[] FontFolders = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts"];
    private static readonly Lazy<(SKTypeface Regular, SKTypeface Bold)?> Fonts = new(LoadFonts);

    private static (SKTypeface, SKTypeface)? LoadFonts()
    {
        foreach (var folder in FontFolders)
        {
            var regular = Path.Combine(folder, "DejaVuSans.ttf");
            var bold = Path.Combine(folder, "DejaVuSans-Bold.ttf");
            if (File.Exists(regular) && File.Exists(bold)) return (SKTypeface.FromFile(regular), SKTypeface.FromFile(bold));
        }
        return null;
    }

    public static byte[] Render(ProfielDocument doc)
    {
        var (regular, bold) = Fonts.Value ?? throw new PdfFontMissingException(
            "Het lettertype voor de PDF (DejaVu Sans, pakket fonts-dejavu-core) ontbreekt op de server. Druk de pagina af vanuit de browser.");
        using var stream = new SKDynamicMemoryWStream();
        var metadata = new SKDocumentPdfMetadata
        {
            Title = doc.Title, Author = "Gemeente Alkmaar", Creator = "Alkmaar Kaart", Subject = doc.Subtitle,
            Creation = DateTime.UtcNow, Modified = DateTime.UtcNow, RasterDpi = 150, EncodingQuality = 90,
        };
        using (var pdf = SKDocument.CreatePdf(stream, metadata))
        {
            var w = new Writer(pdf, regular, bold, doc);
            w.Title();
            foreach (var block in doc.Blocks) w.Block(block);
            w.Finish();
        }
        return stream.DetachAsData().ToArray();
    }

    /// <summary>A cursor over the pages: text wraps within the margins, a block that does not fit starts a new page.</summary>
    private sealed class Writer(SKDocument pdf, SKTypeface regular, SKTypeface bold, ProfielDocument doc)
    {
        private SKCanvas? _canvas;
        private float _y;
        private int _page;
        private readonly SKPaint _ink = new() { Color = new SKColor(0x1a, 0x1a, 0x1a), IsAntialias = true };
        private readonly SKPaint _muted = new() { Color = new SKColor(0x55, 0x5f, 0x6b), IsAntialias = true };
        private readonly SKPaint _rule = new() { Color = new SKColor(0xd9, 0xe2, 0xec), StrokeWidth = 0.6f, IsAntialias = true };
        private readonly SKPaint _current = new() { Color = new SKColor(0x6a, 0x1b, 0x9a), IsAntialias = true };
        private readonly SKPaint _previous = new() { Color = new SKColor(0xc5, 0xb3, 0xd6), IsAntialias = true };

        private SKCanvas Canvas => _canvas ?? NewPage();

        private SKCanvas NewPage()
        {
            if (_canvas is not null) EndPage();
            _page++;
            _canvas = pdf.BeginPage(Width, Height);
            _y = Margin;
            return _canvas;
        }

        private void EndPage()
        {
            using var small = new SKFont(regular, 7.5f);
            var lines = Wrap($"{doc.Title} · {doc.Subtitle} · pagina {_page}. Bronnen: {doc.Sources}.", small, Width - 2 * Margin);
            var y = Height - 38;
            foreach (var line in lines.Take(3)) { _canvas!.DrawText(line, Margin, y, SKTextAlign.Left, small, _muted); y += 9.5f; }
            pdf.EndPage();
            _canvas = null;
        }

        private void Need(float height)
        {
            if (_canvas is null || _y + height > Bottom) NewPage();
        }

        public void Title()
        {
            using var title = new SKFont(bold, 18);
            using var sub = new SKFont(regular, 9.5f);
            Need(40);
            Canvas.DrawText(doc.Title, Margin, _y + 16, SKTextAlign.Left, title, _ink);
            _y += 30;
            Canvas.DrawText(doc.Subtitle, Margin, _y, SKTextAlign.Left, sub, _muted);
            _y += 14;
        }

        public void Block(ProfielBlock block)
        {
            switch (block)
            {
                case ProfielHeading h:
                    using (var font = new SKFont(bold, 12))
                    {
                        Need(40); // a heading never ends a page alone
                        _y += 10;
                        Canvas.DrawText(h.Text, Margin, _y + 10, SKTextAlign.Left, font, _ink);
                        _y += 17;
                    }
                    break;
                case ProfielText t:
                    using (var font = new SKFont(regular, t.Muted ? 8 : 9))
                        foreach (var line in Wrap(t.Text, font, Width - 2 * Margin))
                        {
                            Need(12);
                            Canvas.DrawText(line, Margin, _y + 9, SKTextAlign.Left, font, t.Muted ? _muted : _ink);
                            _y += t.Muted ? 10.5f : 12;
                        }
                    _y += 3;
                    break;
                case ProfielTable table:
                    Table(table);
                    break;
                case ProfielBars bars:
                    Bars(bars);
                    break;
            }
        }

        private void Table(ProfielTable table)
        {
            using var font = new SKFont(regular, 8.5f);
            using var head = new SKFont(bold, 8.5f);
            var columns = table.Headers.Count;
            var total = Width - 2 * Margin;
            // the first column takes what is left after the others' widest cell
            var widths = new float[columns];
            for (var c = 1; c < columns; c++)
                widths[c] = Math.Min(total / columns * 1.4f, 8 + Math.Max(head.MeasureText(table.Headers[c]), table.Rows.Select(r => font.MeasureText(r[c])).DefaultIfEmpty(0).Max()));
            // the first column (what the row is about) keeps at least a third; the others share the rest and wrap
            var rest = widths.Skip(1).Sum();
            if (total - rest < total * 0.34f)
                for (var c = 1; c < columns; c++) widths[c] *= total * 0.66f / rest;
            widths[0] = total - widths.Skip(1).Sum();
            var hasHeader = table.Headers.Any(h => h.Length > 0);
            if (hasHeader)
            {
                Need(14 + 12 * Math.Min(3, table.Rows.Count));
                Row(table.Headers, widths, head, table.TextColumns);
                Canvas.DrawLine(Margin, _y - 2, Width - Margin, _y - 2, _rule);
            }
            foreach (var row in table.Rows) Row(row, widths, font, table.TextColumns);
            _y += 4;
        }

        private void Row(IReadOnlyList<string> cells, float[] widths, SKFont font, int textColumns)
        {
            var x = Margin;
            var lines = cells.Select((c, i) => Wrap(c, font, widths[i] - 6)).ToList();
            Need(10.5f * lines.Max(l => Math.Max(1, l.Count)) + 1.5f); // a row (all its wrapped lines) never runs into the footer
            for (var i = 0; i < cells.Count; i++)
            {
                var right = i >= textColumns;
                for (var l = 0; l < lines[i].Count; l++)
                    Canvas.DrawText(lines[i][l], right ? x + widths[i] - 3 : x, _y + 9 + l * 10.5f, right ? SKTextAlign.Right : SKTextAlign.Left, font, _ink);
                x += widths[i];
            }
            _y += 10.5f * lines.Max(l => Math.Max(1, l.Count)) + 1.5f;
        }

        private void Bars(ProfielBars bars)
        {
            const float chartHeight = 90;
            Need(chartHeight + 30);
            using var font = new SKFont(regular, 7.5f);
            var values = bars.Current.Concat(bars.Previous).Where(v => v is not null).Select(v => (float)v!.Value).DefaultIfEmpty(1).Max();
            var max = Math.Max(1, values);
            var slot = (Width - 2 * Margin - 40) / bars.Labels.Count;
            var baseY = _y + chartHeight;
            Canvas.DrawLine(Margin + 30, baseY, Width - Margin, baseY, _rule);
            Canvas.DrawText(max.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("nl-NL")), Margin + 26, _y + 7, SKTextAlign.Right, font, _muted);
            for (var i = 0; i < bars.Labels.Count; i++)
            {
                var x = Margin + 34 + i * slot;
                var bw = (slot - 6) / 2;
                if (i < bars.Previous.Count && bars.Previous[i] is { } prev)
                    Canvas.DrawRect(x, baseY - chartHeight * prev / max, bw, chartHeight * prev / max, _previous);
                if (i < bars.Current.Count && bars.Current[i] is { } cur)
                    Canvas.DrawRect(x + bw, baseY - chartHeight * cur / max, bw, chartHeight * cur / max, _current);
                Canvas.DrawText(bars.Labels[i], x + bw, baseY + 10, SKTextAlign.Center, font, _muted);
            }
            var legendY = baseY + 22;
            Canvas.DrawRect(Margin + 34, legendY - 7, 8, 8, _current);
            Canvas.DrawText(bars.CurrentLabel, Margin + 46, legendY, SKTextAlign.Left, font, _ink);
            if (bars.PreviousLabel is { } pl)
            {
                Canvas.DrawRect(Margin + 90, legendY - 7, 8, 8, _previous);
                Canvas.DrawText(pl, Margin + 102, legendY, SKTextAlign.Left, font, _ink);
            }
            _y = legendY + 8;
        }

        public void Finish()
        {
            if (_canvas is null) NewPage();
            EndPage();
        }

        private static List<string> Wrap(string text, SKFont font, float width)
        {
            var lines = new List<string>();
            var line = "";
            foreach (var word in text.Split(' '))
            {
                var next = line.Length == 0 ? word : line + " " + word;
                if (font.MeasureText(next) <= width || line.Length == 0) line = next;
                else { lines.Add(line); line = word; }
            }
            if (line.Length > 0 || lines.Count == 0) lines.Add(line);
            return lines;
        }
    }
}
