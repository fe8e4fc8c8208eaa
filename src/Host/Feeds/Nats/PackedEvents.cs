using Sigs.Host.Feeds.Json;
using Sigs.Host.Nats;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Nats;

/// <summary>
/// The events of one forwarded message (<see cref="EventPacker"/>): its lines, each a contract event. A line that
/// is not one (too large, not JSON, not the contract) is a problem of its own; the other lines still count.
/// A message of one event without a line feed, as other publishers write it, is one line; empty lines are not
/// events and not problems (a body may end with a line feed).
/// </summary>
internal static class PackedEvents
{
    public static void Unpack(ReadOnlyMemory<byte> body, List<SecurityEvent> events, List<(int Line, string Problem)> problems)
    {
        int line = 0;
        ReadOnlyMemory<byte> rest = body;
        while (!rest.IsEmpty)
        {
            line++;
            int end = rest.Span.IndexOf((byte)'\n');
            ReadOnlyMemory<byte> json = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (json.IsEmpty)
            {
                continue;
            }

            if (json.Length > EventSubjects.MaxEventBytes)
            {
                problems.Add((line, $"{json.Length} bytes, more than the {EventSubjects.MaxEventBytes} an event may have"));
                continue;
            }

            DecodedInput decoded = ContractEvents.Decode(json);
            if (decoded.Refused)
            {
                problems.Add((line, decoded.Problems[0]));
                continue;
            }

            events.Add(decoded.Events[0]);
        }
    }
}
