using Sigs.Host.Common;

namespace Sigs.Host.Cli;

/// <summary>
/// <c>sigs health [URL]</c>: asks a running Sigs' admin endpoint whether it is alive (default
/// <c>http://127.0.0.1:9376/livez</c>; <c>/readyz</c> for readiness), for a container runtime's health check, which
/// runs a program in the image and has no shell, curl or wget there. Exit 0 on 200, 1 otherwise, with one line.
/// </summary>
internal static class HealthCommand
{
    public const string DefaultUrl = Configuration.AdminConfig.DefaultListen + "/livez";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string? url, TextWriter output, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url ?? DefaultUrl, UriKind.Absolute, out Uri? address) || address.Scheme != Uri.UriSchemeHttp)
        {
            throw new UsageException($"health: '{url}' is not an http:// URL");
        }

        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            using HttpResponseMessage response = await http.GetAsync(address, cancellationToken).ConfigureAwait(false);
            string body = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).TrimEnd('\n').ReplaceLineEndings("; ");
            await output.WriteLineAsync($"{address}: {(int)response.StatusCode} {body}").ConfigureAwait(false);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            await output.WriteLineAsync($"{address}: no answer: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
