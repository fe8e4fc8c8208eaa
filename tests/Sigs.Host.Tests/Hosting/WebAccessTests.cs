using Sigs.Host.Common;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Hosting;

public class WebAccessTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9376", null, null)]
    [InlineData("http://localhost:9376", null, null)]
    [InlineData("http://[::1]:9376", null, null)]
    [InlineData("http://10.0.0.5:9376", null, "with neither a bearer token nor client certificates (insecure: true)")]
    [InlineData("http://0.0.0.0:2801/", "a-token-of-16-chars", "with a bearer token")]
    public void WarnIfExposed_BeyondLoopback_WarnsOnceNamingTheEndpoint(string listen, string? token, string? expected)
    {
        var logs = new CapturingLoggerFactory();

        new WebAccess(token).WarnIfExposed(new Uri(listen), "Admin endpoint", logs.CreateLogger("admin"));

        if (expected is null)
        {
            Assert.Empty(logs.Lines);
        }
        else
        {
            string line = Assert.Single(logs.Lines);
            Assert.Contains("Admin endpoint listens on", line, StringComparison.Ordinal);
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
    }
}
