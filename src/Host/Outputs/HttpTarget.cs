using System.Net.Http.Headers;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// POSTs each finding (Sigs JSON or a Falco alert) to a URL, one per request. 2xx is delivered; a network error, a
/// 5xx, 408 or 429 is a failure to retry; another 4xx means the receiver will never take it.
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
        _http = new HttpClient { Timeout = timeout };
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
            using HttpResponseMessage response = await _http.PostAsync(_url, content, cancellationToken).ConfigureAwait(false);
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
