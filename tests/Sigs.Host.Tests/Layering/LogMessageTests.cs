using System.Reflection;
using Microsoft.Extensions.Logging;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Tests.Layering;

/// <summary>Every log message of the host is source-generated with its own stable EventId in its component's range.</summary>
public class LogMessageTests
{
    private static readonly Dictionary<string, int> Ranges = new()
    {
        ["Hosting"] = 1000, ["Engine"] = 2000, ["Loading"] = 3000, ["Feeds"] = 4000, ["Outputs"] = 5000, ["Admin"] = 6000, ["Common"] = 7000, ["Cli"] = 8000, ["Nats"] = 9000, ["Forwarding"] = 10000, ["Rules"] = 11000,
    };

    [Fact]
    public void EveryMessage_HasAUniqueEventIdInItsComponentsRange()
    {
        var messages = typeof(DetectionPipeline).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 20, $"found only {messages.Count} messages: the reflection misses some"); // 51 today
        Assert.All(messages, m =>
        {
            string component = m.Method.DeclaringType!.Namespace!.Split('.')[2];
            int start = Ranges[component];
            Assert.True(m.Attribute!.EventId > start && m.Attribute.EventId < start + 1000, $"{m.Method.DeclaringType.Name}.{m.Method.Name}: EventId {m.Attribute.EventId} is outside {component}'s {start}s");
        });
        Assert.Empty(messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method.Name))}"));
    }
}
