using System.Globalization;
using NATS.Client.Core;

namespace Sigs.Host.Nats;

/// <summary>
/// JetStream's asynchronous publish: messages go out as plain publishes whose reply subject is one inbox of this
/// publisher (<c>_SIGS.acks.&lt;id&gt;.N</c>), and the stream's acknowledgements come back there. A batch is published without
/// waiting, then its acknowledgements are awaited together, so a batch costs one round trip instead of one per
/// message. The message id header (<c>Nats-Msg-Id</c>) lets the stream's duplicate window drop a batch sent again.
/// One batch at a time.
/// </summary>
internal sealed class JetStreamBatchPublisher(NatsConnection connection) : IAsyncDisposable
{
    public const string MessageIdHeader = "Nats-Msg-Id";

    /// <summary>The reply prefix; not under <c>_INBOX</c>, which the client keeps for its own requests (a user needs subscribe permission on <c>_SIGS.acks.&gt;</c>).</summary>
    private readonly string _inbox = $"_SIGS.acks.{Guid.NewGuid():N}";
    private INatsSub<byte[]>? _replies;
    private Task _reading = Task.CompletedTask;
    private Batch? _current;
    private long _next;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _replies = await connection.SubscribeCoreAsync<byte[]>(_inbox + ".*", cancellationToken: cancellationToken).ConfigureAwait(false);
        _reading = Task.Run(ReadRepliesAsync, CancellationToken.None);
    }

    /// <summary>Publishes every message and waits for every acknowledgement, or the first refusal, or the timeout.</summary>
    public async Task<BatchResult> PublishAsync(IReadOnlyList<JetStreamMessage> messages, IReadOnlyDictionary<string, string> headers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var batch = new Batch(_next, messages);
        _next += messages.Count;
        Volatile.Write(ref _current, batch);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            for (int i = 0; i < messages.Count; i++)
            {
                JetStreamMessage message = messages[i];
                var messageHeaders = new NatsHeaders { [MessageIdHeader] = message.Id };
                foreach ((string name, string value) in headers)
                {
                    messageHeaders[name] = value;
                }

                await connection.PublishAsync(message.Subject, message.Body, messageHeaders, replyTo: $"{_inbox}.{(batch.Start + i).ToString(CultureInfo.InvariantCulture)}", cancellationToken: deadline.Token).ConfigureAwait(false);
            }

            await batch.Done.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            batch.Fail($"no acknowledgement of {batch.Remaining} of {messages.Count} messages within {timeout.TotalSeconds:0.#} s");
        }
        catch (NatsException ex)
        {
            batch.Fail(ex.Message);
        }

        return new BatchResult(batch.Acknowledged, batch.Duplicates, batch.Failure);
    }

    public async ValueTask DisposeAsync()
    {
        if (_replies is not null)
        {
            await _replies.DisposeAsync().ConfigureAwait(false);
        }

        await _reading.ConfigureAwait(false);
    }

    private async Task ReadRepliesAsync()
    {
        await foreach (NatsMsg<byte[]> reply in _replies!.Msgs.ReadAllAsync().ConfigureAwait(false))
        {
            Batch? batch = Volatile.Read(ref _current);
            int dot = reply.Subject.LastIndexOf('.');
            if (batch is null || !long.TryParse(reply.Subject.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long number)
                || number < batch.Start || number >= batch.Start + batch.Count)
            {
                continue; // an answer to a batch given up on
            }

            ReadOnlySpan<byte> body = reply.Data;
            if (reply.Headers?.Code is int code and >= 300)
            {
                batch.Fail(code == 503 ? "no stream takes the subject (or JetStream is not ready)" : $"status {code} {reply.Headers.MessageText}");
            }
            else if (body.IndexOf("\"error\""u8) >= 0)
            {
                batch.Fail($"refused: {System.Text.Encoding.UTF8.GetString(body)}");
            }
            else
            {
                batch.Acknowledge((int)(number - batch.Start), duplicate: body.IndexOf("\"duplicate\""u8) >= 0); // the server writes it only when true
            }
        }
    }

    private sealed class Batch(long start, IReadOnlyList<JetStreamMessage> messages)
    {
        private int _remaining = messages.Count;

        public long Start { get; } = start;

        public int Count { get; } = messages.Count;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Remaining => Volatile.Read(ref _remaining);

        public int Acknowledged;

        public int Duplicates;

        public string? Failure { get; private set; }

        /// <summary>Message <paramref name="index"/> was stored (or was a duplicate): its items are counted.</summary>
        public void Acknowledge(int index, bool duplicate)
        {
            Interlocked.Add(ref duplicate ? ref Duplicates : ref Acknowledged, messages[index].Count);
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                Done.TrySetResult();
            }
        }

        public void Fail(string reason)
        {
            Failure ??= reason;
            Done.TrySetResult();
        }
    }
}

/// <summary>How a batch went: items stored, items in messages the stream already had, and the first failure (null when all were acknowledged).</summary>
internal readonly record struct BatchResult(int Acknowledged, int Duplicates, string? Failure);
