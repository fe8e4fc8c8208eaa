using System.Text;
using Sigs.Host.Common;
using Sigs.Host.Nats;

namespace Sigs.Host.Forwarding;

/// <summary>
/// A forwarded batch on disk: one line per event, <c>subject TAB message id TAB json</c> (contract JSON has no raw
/// tab or line feed); the lines of one message follow each other, so a message is made again from its lines.
/// </summary>
internal sealed class SpooledBatches : IDeliveryForm<List<JetStreamMessage>>
{
    public static readonly SpooledBatches Form = new();

    public int Items(List<JetStreamMessage> message) => message.Sum(m => m.Count);

    public byte[] ToSpool(List<JetStreamMessage> message)
    {
        var buffer = new MemoryStream();
        foreach (JetStreamMessage one in message)
        {
            byte[] prefix = Encoding.UTF8.GetBytes($"{one.Subject}\t{one.Id}\t");
            foreach (Range line in one.Body.AsSpan().Split((byte)'\n'))
            {
                buffer.Write(prefix);
                buffer.Write(one.Body.AsSpan(line));
                buffer.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    public List<JetStreamMessage> FromSpool(byte[] spooled)
    {
        var messages = new List<JetStreamMessage>();
        var body = new MemoryStream();
        (string Subject, string Id)? open = null;
        int events = 0;
        foreach (Range range in spooled.AsSpan().TrimEnd((byte)'\n').Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = spooled.AsSpan(range);
            int first = line.IndexOf((byte)'\t');
            int second = first < 0 ? -1 : first + 1 + line[(first + 1)..].IndexOf((byte)'\t');
            if (first <= 0 || second <= first)
            {
                throw new InvalidDataException("a line is not subject TAB id TAB event");
            }

            (string Subject, string Id) key = (Encoding.UTF8.GetString(line[..first]), Encoding.UTF8.GetString(line[(first + 1)..second]));
            if (open != key)
            {
                Close();
                open = key;
            }
            else
            {
                body.WriteByte((byte)'\n');
            }

            body.Write(line[(second + 1)..]);
            events++;
        }

        Close();
        return messages;

        void Close()
        {
            if (open is { } message && events > 0)
            {
                messages.Add(new JetStreamMessage(message.Subject, message.Id, body.ToArray(), events));
            }

            body.SetLength(0);
            events = 0;
        }
    }
}
