namespace Sigs.Host.Tests.TestSupport;

internal static class Eventually
{
    /// <summary>
    /// Polls until <paramref name="condition"/> holds; fails the test after the timeout, with what
    /// <paramref name="describe"/> says about the state then.
    /// </summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}" + (describe is null ? "" : $"; seen: {describe()}"));
            await Task.Delay(20);
        }
    }
}
