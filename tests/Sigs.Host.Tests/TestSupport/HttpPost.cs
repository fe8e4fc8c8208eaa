using System.Net;
using System.Text;

namespace Sigs.Host.Tests.TestSupport;

internal static class HttpPost
{
    /// <summary>GETs <paramref name="url"/>; true on 200 (a readiness check), false on another status or while nothing listens.</summary>
    public static bool Ready(HttpClient http, string url)
    {
        try
        {
            using HttpResponseMessage response = http.GetAsync(url).GetAwaiter().GetResult();
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>POSTs <paramref name="json"/>; true on 200, false on another status or while nothing listens.</summary>
    public static bool Succeeds(HttpClient http, string url, string json)
    {
        try
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = http.PostAsync(url, content).GetAwaiter().GetResult();
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
