using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Alkmaar.Kaart.Server.Features.Routing;

/// <summary>
/// Responses that change only with the boundaries (area layers, OGC area collections): produced once per boundary state,
/// day (what is in force changes at midnight) and request, then served from memory with an ETag (<c>304</c> on
/// <c>If-None-Match</c>) and, when the client accepts it, brotli or gzip compressed once. Every import, upload or
/// municipality change calls <see cref="BoundariesChangedAsync"/> in the importing process and, through NOTIFY, in every
/// other one; the cache then starts empty. Bounded in bytes (<see cref="SizeLimitBytes"/>); the least used go first.
/// </summary>
public sealed class BoundaryResponseCache(TimeProvider time) : IBoundaryListener, IDisposable
{
    public const long SizeLimitBytes = 128L << 20;
    private MemoryCache _cache = NewCache();

    private static MemoryCache NewCache() => new(new MemoryCacheOptions { SizeLimit = SizeLimitBytes, CompactionPercentage = 0.25 });

    public Task BoundariesChangedAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _cache, NewCache()).Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _cache.Dispose();

    /// <summary>
    /// The response for <paramref name="key"/> (the request: path, parameters, base URL), produced by
    /// <paramref name="write"/> when not cached for today's boundaries.
    /// </summary>
    public async Task<CachedResponse> GetAsync(string key, string contentType, string? contentCrs, Func<Stream, CancellationToken, Task> write,
        CancellationToken ct)
    {
        var cache = _cache; // a response made from data older than an invalidation goes into the discarded cache
        var full = $"{AreaLocatorProvider.DayOf(time.GetUtcNow()):yyyy-MM-dd}|{key}";
        if (cache.TryGetValue(full, out CachedResponse? hit)) return hit!;
        using var buffer = new MemoryStream();
        await write(buffer, ct);
        var response = new CachedResponse(buffer.ToArray(), contentType, contentCrs);
        try { cache.Set(full, response, new MemoryCacheEntryOptions { Size = response.Body.Length * 2L + 1024 }); }
        catch (ObjectDisposedException) { } // invalidated meanwhile: serve it once, keep nothing
        return response;
    }
}

/// <summary>A response kept in memory: the body, its weak ETag (a hash of the body) and compressed forms made on first use.</summary>
public sealed class CachedResponse(byte[] body, string contentType, string? contentCrs)
{
    private byte[]? _brotli, _gzip;

    public byte[] Body { get; } = body;
    public string ETag { get; } = $"W/\"{Convert.ToHexString(SHA256.HashData(body), 0, 12).ToLowerInvariant()}\"";

    private byte[] Brotli => _brotli ??= Compress(s => new BrotliStream(s, CompressionLevel.Optimal));
    private byte[] Gzip => _gzip ??= Compress(s => new GZipStream(s, CompressionLevel.Optimal));

    private byte[] Compress(Func<Stream, Stream> encoder)
    {
        using var output = new MemoryStream();
        using (var z = encoder(output)) z.Write(Body);
        return output.ToArray();
    }

    /// <summary>Writes the response (or 304), with ETag, Cache-Control, Vary and Content-Crs.</summary>
    public async Task WriteAsync(HttpContext http, int maxAgeSeconds)
    {
        var response = http.Response;
        response.Headers.ETag = ETag;
        response.Headers.CacheControl = $"public, max-age={maxAgeSeconds}";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (contentCrs is not null) response.Headers["Content-Crs"] = contentCrs;
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == ETag || t.Trim() == "*")))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentType = contentType;
        var accept = http.Request.Headers.AcceptEncoding;
        var bytes = Body;
        if (Accepts(accept, "br")) { bytes = Brotli; response.Headers.ContentEncoding = "br"; }
        else if (Accepts(accept, "gzip")) { bytes = Gzip; response.Headers.ContentEncoding = "gzip"; }
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, http.RequestAborted);
    }

    private static bool Accepts(StringValues accept, string coding) =>
        accept.Any(v => v is not null && v.Split(',').Any(p =>
        {
            var parts = p.Split(';');
            return parts[0].Trim().Equals(coding, StringComparison.OrdinalIgnoreCase) && !parts.Skip(1).Any(q => q.Trim() is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
        }));
}
