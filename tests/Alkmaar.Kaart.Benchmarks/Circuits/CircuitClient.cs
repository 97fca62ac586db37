using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Benchmarks.Circuits;

/// <summary>
/// One resident's Blazor Server circuit, opened the way blazor.web.js opens it (ASP.NET Core 10): GET the prerendered page,
/// connect to <c>/_blazor</c> with the "blazorpack" (MessagePack) hub protocol, <c>StartCircuit</c>, then
/// <c>UpdateRootComponents</c> with the page's prerender markers; every render batch is acknowledged
/// (<c>OnRenderCompleted</c>) and every JavaScript call answered (module imports with an object reference, the rest with
/// null), as a browser that draws nothing would. An interaction is a navigation within the circuit
/// (<c>OnLocationChanged</c>, what the page's search does after its submit): timed until the render batch that answers it.
/// </summary>
public sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUri;
    private HubConnection? _connection;
    private long _jsObjectId;
    private (TaskCompletionSource<long> Done, byte[]? Contains)? _waiting;
    private readonly Lock _gate = new();

    public CircuitClient(HttpClient http, Uri baseUri) => (_http, _baseUri) = (http, baseUri);

    public string? CircuitId { get; private set; }
    public int Batches { get; private set; }
    public string? Error { get; private set; }

    public async Task OpenAsync(string path, CancellationToken ct)
    {
        var html = await _http.GetStringAsync(new Uri(_baseUri, path), ct);
        var markers = Markers(html);
        if (markers.Count == 0) throw new InvalidOperationException($"{path}: no Blazor server markers in the page (not interactive?)");
        var state = StateComment().Match(html) is { Success: true } m ? m.Groups[1].Value : "";

        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(_baseUri, "_blazor"), o => o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets);
        builder.Services.AddSingleton<IHubProtocol>(new BlazorPackProtocol());
        var connection = builder.Build();
        connection.ServerTimeout = TimeSpan.FromMinutes(5); // a loaded server answers late; the test decides what is too slow
        connection.On<long, byte[]>("JS.RenderBatch", async (id, bytes) =>
        {
            TaskCompletionSource<long>? done = null;
            lock (_gate)
            {
                Batches++;
                if (_waiting is { } w && (w.Contains is null || bytes.AsSpan().IndexOf(w.Contains) >= 0)) { done = w.Done; _waiting = null; }
            }
            await connection.SendAsync("OnRenderCompleted", id, (string?)null);
            done?.TrySetResult(id);
        });
        // (asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType): answer as the browser would
        connection.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)],
            async (args, _) =>
            {
                var handle = (long)args[0]!;
                if (handle == 0) return; // fire and forget
                var result = (int)args[3]! == 1 ? $"{{\"__jsObjectId\":{Interlocked.Increment(ref _jsObjectId)}}}"
                    // a chart measures its element (Radzen's createChart answers the element's box, as a phone's browser would)
                    : (string)args[1]! == "Radzen.createChart" ? "{\"left\":0,\"top\":0,\"width\":358,\"height\":240}"
                    : "null";
                await connection.SendAsync("EndInvokeJSFromDotNet", handle, true, $"[{handle},true,{result}]");
            }, this);
        connection.On<string>("JS.Error", e => Error = e);
        connection.Closed += e => { if (e is not null) Error ??= e.Message; return Task.CompletedTask; };
        _connection = connection;
        await connection.StartAsync(ct);

        var first = ExpectBatch(null);
        CircuitId = await connection.InvokeAsync<string?>("StartCircuit", _baseUri.ToString(), new Uri(_baseUri, path).ToString(), "[]", state, ct);
        if (CircuitId is null) throw new InvalidOperationException("the server refused to start a circuit");
        var operations = JsonSerializer.Serialize(new
        {
            batchId = 1,
            operations = markers.Select((marker, i) => new { type = "add", ssrComponentId = i + 1, marker }).ToArray(),
        });
        await connection.SendAsync("UpdateRootComponents", operations, state, ct);
        await first.WaitAsync(TimeSpan.FromMinutes(2), ct);
    }

    /// <summary>
    /// Navigates within the circuit and returns the time until the server's render batch holding <paramref name="expect"/>
    /// (a string the answer renders, e.g. the team's name) arrived.
    /// </summary>
    public async Task<TimeSpan> NavigateAsync(string path, string expect, CancellationToken ct)
    {
        var batch = ExpectBatch(System.Text.Encoding.UTF8.GetBytes(expect));
        var started = Stopwatch.GetTimestamp();
        await _connection!.SendAsync("OnLocationChanged", new Uri(_baseUri, path).ToString(), (string?)null, false, ct);
        await batch.WaitAsync(TimeSpan.FromMinutes(2), ct);
        return Stopwatch.GetElapsedTime(started);
    }

    private Task<long> ExpectBatch(byte[]? contains)
    {
        var tcs = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _waiting = (tcs, contains);
        return tcs.Task;
    }

    /// <summary>The start markers of the page's server components, as blazor.web.js hands them back (without DOM positions).</summary>
    internal static List<JsonElement> Markers(string html)
    {
        var list = new List<JsonElement>();
        foreach (Match m in MarkerComment().Matches(html))
        {
            using var doc = JsonDocument.Parse(WebUtility.HtmlDecode(m.Groups[1].Value));
            if (doc.RootElement.TryGetProperty("type", out var type) && type.GetString() == "server")
                list.Add(doc.RootElement.Clone());
        }
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex MarkerComment();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:([a-zA-Z0-9+/=]+)-->")]
    private static partial Regex StateComment();

    /// <summary>Blazor's hub protocol: SignalR's MessagePack protocol under the name "blazorpack".</summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol _inner = new();
        public string Name => "blazorpack";
        public int Version => _inner.Version;
        public TransferFormat TransferFormat => TransferFormat.Binary;
        public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);
        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, out HubMessage? message) =>
            _inner.TryParseMessage(ref input, binder, out message);
        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);
        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);
    }
}
