using System.Text;
using Sigs.Host.Feeds;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

internal static class DecodeHelper
{
    public static (InputFormat Format, List<SecurityEvent> Events) Decode(string json)
    {
        var events = new List<SecurityEvent>();
        InputFormat format = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(json), events);
        return (format, events);
    }

    public static SecurityEvent Single(string json, InputFormat expectedFormat)
    {
        (InputFormat format, List<SecurityEvent> events) = Decode(json);
        Assert.Equal(expectedFormat, format);
        return Assert.Single(events);
    }

    public static string Error(string json)
    {
        var events = new List<SecurityEvent>();
        var error = Assert.Throws<EventDecodeException>(() => JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(json), events));
        Assert.Empty(events);
        return error.Message;
    }
}
