using System.Net.Http.Headers;
using Sigs.Host.Common;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// POSTs each finding (Sigs JSON or a Falco alert) to a URL, one per request. 2xx is delivered; a network error, a
/// 5xx, 408 or 429 is a failure to retry; another 4xx means the receiver will never take it. Only the status line
/// and headers are read (as libcurl and Go clients do when the body is not needed): the response body is never
/// buffered, so a receiver that answers with an endless or slow body holds neither memory nor the queue.
/// </summary>
internal sealed class HttpTarget : IDeliveryTarget
{
    private readonly Uri _url;
    private readonly bool _falcoFormat;
    private readonly HttpClient _http;

    public HttpTarget(Uri url, bool falcoFormat, IReadOnlyDictionary<string, string> headers, TimeSpan timeout)
    {
        _url = url;
        _falcoFormat = falcoFormat;
        // A response body is never read: at most 64 KiB of it is drained (within a second) before the connection is
        // closed, and headers are bounded too.
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 64 * 1024, ResponseDrainTimeout = TimeSpan.FromSeconds(1), MaxResponseHeadersLength = 64 };
        _http = new HttpClient(handler) { Timeout = timeout };
        foreach ((string name, string value) in headers)
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }
    }

    public string Name => $"http:{_url}";

    public byte[] Message(Finding finding, ReadOnlyMemory<byte> json) => _falcoFormat ? FalcoAlertFormat.Serialize(finding) : json.ToArray();

    public async Task<DeliveryResult> SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(message);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = content };
            // Disposing the response unread: the handler drains at most a little of the body, then closes the connection.
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            return status is >= 200 and < 300 ? DeliveryResult.Delivered
                : status is >= 400 and < 500 and not 408 and not 429 ? DeliveryResult.Refused($"{_url} refused it with HTTP {status}")
                : DeliveryResult.Failed($"HTTP {status}");
        }
        catch (HttpRequestException ex)
        {
            return DeliveryResult.Failed(ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Failed($"no answer within {_http.Timeout.TotalSeconds} s");
        }
    }

    public void Dispose() => _http.Dispose();
}
