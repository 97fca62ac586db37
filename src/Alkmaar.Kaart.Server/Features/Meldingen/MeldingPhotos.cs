using SkiaSharp;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>A photo as stored: re-encoded pixels only (no EXIF, GPS, XMP, ICC comments or thumbnails).</summary>
public sealed record CleanPhoto(byte[] Bytes, string ContentType, int Width, int Height);

/// <summary>
/// Photos with a melding: only JPEG and PNG, at most <see cref="MeldingOptions.MaxPhotoBytes"/>, decoded and drawn anew
/// (upright, following the EXIF orientation, scaled to fit <see cref="MaxSide"/>) and encoded again, so nothing of the
/// original file but its pixels is kept: a phone's location, device and time in the metadata are gone.
/// </summary>
public static class MeldingPhotos
{
    public const int MaxSide = 2048;

    /// <summary>
    /// More pixels than this per byte of file cannot be a real photo: deflate (PNG) packs at most about 1,032 bytes into one,
    /// JPEG far fewer. A file claiming more (a 172-byte PNG of 7071 × 7071) is a decompression bomb or damaged.
    /// </summary>
    public const int MaxPixelsPerByte = 1_032;

    /// <summary>At most this many photos are decoded at once, whatever the number of requests (memory stays bounded).</summary>
    private static readonly SemaphoreSlim Decoders = new(2);

    public static CleanPhoto Clean(ReadOnlySpan<byte> input, long maxBytes)
    {
        if (input.Length == 0) throw Rejected("De foto is leeg.");
        if (input.Length > maxBytes)
            throw Rejected($"De foto is groter dan {maxBytes / (1024 * 1024)} MB. Kies een kleinere foto.");
        var isJpeg = input is [0xFF, 0xD8, 0xFF, ..];
        var isPng = input is [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..];
        if (!isJpeg && !isPng) throw Rejected("Alleen foto's in JPEG- of PNG-formaat kunnen mee.");

        using var data = SKData.CreateCopy(input);
        using var codec = SKCodec.Create(data) ?? throw Rejected("De foto kan niet gelezen worden.");
        var declared = codec.Info;
        if (declared.Width is < 1 or > 12_000 || declared.Height is < 1 or > 12_000 || (long)declared.Width * declared.Height > 50_000_000)
            throw Rejected("De foto is te groot (meer dan 50 megapixel).");
        // the size the file declares must fit the file: a few bytes cannot hold millions of pixels
        if ((long)declared.Width * declared.Height > (long)input.Length * MaxPixelsPerByte)
            throw Rejected("De foto is beschadigd: de afmetingen passen niet bij de grootte van het bestand.");
        if (!Decoders.Wait(TimeSpan.FromSeconds(30))) throw Rejected("Het is nu erg druk; probeer het over een minuut opnieuw.");
        try { return Draw(codec, declared, isPng); }
        finally { Decoders.Release(); }
    }

    private static CleanPhoto Draw(SKCodec codec, SKImageInfo declared, bool isPng)
    {
        // decoded at the size needed where the format allows it (JPEG: 1/2, 1/4, 1/8), never larger than the file declares
        var wanted = Math.Min(1f, (float)MaxSide / Math.Max(declared.Width, declared.Height));
        var size = wanted < 1f ? codec.GetScaledDimensions(wanted) : new SKSizeI(declared.Width, declared.Height);
        if (size.Width < 1 || size.Height < 1 || size.Width > declared.Width || size.Height > declared.Height) size = new SKSizeI(declared.Width, declared.Height);
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, isPng ? SKAlphaType.Premul : SKAlphaType.Opaque);
        var decoded = new SKBitmap(info);
        var result = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (result == SKCodecResult.InvalidScale) // this format decodes at its own size only
        {
            decoded.Dispose();
            info = new SKImageInfo(declared.Width, declared.Height, SKColorType.Rgba8888, isPng ? SKAlphaType.Premul : SKAlphaType.Opaque);
            decoded = new SKBitmap(info);
            result = codec.GetPixels(decoded.Info, decoded.GetPixels());
        }
        using var _ = decoded;
        // a truncated file is refused, not half drawn
        if (result != SKCodecResult.Success)
            throw Rejected(result == SKCodecResult.IncompleteInput ? "De foto is niet compleet (het bestand is afgebroken). Kies de foto opnieuw." : "De foto kan niet gelezen worden.");

        // upright and scaled in one drawing
        var origin = codec.EncodedOrigin;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (w, h) = swap ? (info.Height, info.Width) : (info.Width, info.Height);
        var scale = Math.Min(1.0, (double)MaxSide / Math.Max(w, h));
        var (tw, th) = (Math.Max(1, (int)Math.Round(w * scale)), Math.Max(1, (int)Math.Round(h * scale)));
        using var target = new SKBitmap(new SKImageInfo(tw, th, SKColorType.Rgba8888, isPng ? SKAlphaType.Premul : SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.White);
            canvas.Scale((float)((double)tw / w), (float)((double)th / h));
            canvas.SetMatrix(canvas.TotalMatrix.PreConcat(OrientationMatrix(origin, info.Width, info.Height)));
            using var image = SKImage.FromBitmap(decoded);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        using var encoded = target.Encode(isPng ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 85)
            ?? throw Rejected("De foto kan niet verwerkt worden.");
        return new CleanPhoto(encoded.ToArray(), isPng ? "image/png" : "image/jpeg", tw, th);
    }

    /// <summary>The transform that draws pixels stored with <paramref name="origin"/> upright.</summary>
    private static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };

    private static MeldingRejectedException Rejected(string title) =>
        new("Foto niet geschikt", title, "foto", StatusCodes.Status400BadRequest);
}
