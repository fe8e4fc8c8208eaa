using System.Text;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

internal static class DecodeHelper
{
    public static (InputFormat Format, List<SecurityEvent> Events) Decode(string json)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(json));
        Assert.False(decoded.Refused, decoded.Problems.FirstOrDefault());
        return (decoded.Format!.Value, decoded.Events);
    }

    public static SecurityEvent Single(string json, InputFormat expectedFormat)
    {
        (InputFormat format, List<SecurityEvent> events) = Decode(json);
        Assert.Equal(expectedFormat, format);
        return Assert.Single(events);
    }

    public static string Error(string json)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(json));
        Assert.True(decoded.Refused);
        Assert.Empty(decoded.Events);
        return Assert.Single(decoded.Problems);
    }
}
