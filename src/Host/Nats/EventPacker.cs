using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Nats;

/// <summary>
/// Packs a batch of forwarded events into JetStream messages: per partition, in the batch's order, up to
/// <see cref="MaxEvents"/> events or <see cref="MaxBytes"/> bytes a message (an event larger than that goes alone),
/// each event's contract JSON on its own line (the JSON has no raw line feed). A message per event would cost the
/// stream, the network and both clients their per-message work for each event; packed, that is shared by hundreds.
/// Each event goes on its partition's subject for its role and this sender (<see cref="EventSubjects"/>); a node's
/// events about a pod name this node (<see cref="KubernetesInfo.NodeName"/>) unless their feed named one.
/// Message ids are <c>&lt;run id&gt;-&lt;n&gt;</c>, counting messages. Used by one thread at a time.
/// </summary>
internal sealed class EventPacker(string runId, string sender)
{
    public const int MaxEvents = 256;

    /// <summary>Below the runtime's large-object threshold (85,000 bytes), so neither side's message buffers go to the large object heap.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _event = new(4096);
    private readonly Dictionary<(int Partition, string Role), Open> _open = [];
    private long _sequence;

    public List<JetStreamMessage> Pack(IEnumerable<(SecurityEvent Event, int Partition)> batch)
    {
        var messages = new List<JetStreamMessage>();
        using var writer = new Utf8JsonWriter(_event);
        foreach ((SecurityEvent securityEvent, int partition) in batch)
        {
            _event.ResetWrittenCount();
            writer.Reset(_event);
            string role = EventSubjects.RoleOf(securityEvent);
            SecurityEvent sent = role == EventSubjects.NodeRole && securityEvent.Kubernetes is { NodeName: null } pod
                ? securityEvent with { Kubernetes = pod with { NodeName = sender } }
                : securityEvent;
            JsonSerializer.Serialize(writer, sent, ContractJson.Event);
            writer.Flush();
            if (!_open.TryGetValue((partition, role), out Open? open))
            {
                _open[(partition, role)] = open = new Open(EventSubjects.Of(partition, role, sender));
            }

            if (open.Events > 0 && (open.Events == MaxEvents || open.Body.WrittenCount + 1 + _event.WrittenCount > MaxBytes))
            {
                messages.Add(Close(open));
            }

            if (open.Events > 0)
            {
                open.Body.Write("\n"u8);
            }

            open.Body.Write(_event.WrittenSpan);
            open.Events++;
        }

        foreach (Open open in _open.Values)
        {
            if (open.Events > 0)
            {
                messages.Add(Close(open));
            }
        }

        return messages;
    }

    private JetStreamMessage Close(Open open)
    {
        var message = new JetStreamMessage(open.Subject, $"{runId}-{(++_sequence).ToString(CultureInfo.InvariantCulture)}", open.Body.WrittenSpan.ToArray(), open.Events);
        open.Body.ResetWrittenCount();
        open.Events = 0;
        return message;
    }

    private sealed class Open(string subject)
    {
        public string Subject { get; } = subject;

        public ArrayBufferWriter<byte> Body { get; } = new(16 * 1024);

        public int Events { get; set; }
    }
}
