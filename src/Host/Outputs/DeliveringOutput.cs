using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// Delivers each finding to a target (an HTTP receiver, NATS) through a <see cref="Delivery{T}"/>: in order,
/// retried with backoff until acknowledged, each finding spooled first (on disk with <c>spoolDir</c>, so findings
/// survive an outage and a restart; in memory without). Its problems are on /healthz through
/// <see cref="DeliveryCounts.Problem"/>.
/// </summary>
internal sealed class DeliveringOutput : IFindingOutput
{
    private readonly IDeliveryTarget _target;
    private readonly Delivery<byte[]> _delivery;

    public DeliveringOutput(IDeliveryTarget target, string? spoolDir, int capacity, ILogger logger, ReconnectDelays? delays = null, TimeProvider? clock = null)
    {
        _target = target;
        var spool = new DiskSpool(spoolDir, ".json", capacity, clock ?? TimeProvider.System);
        _delivery = new Delivery<byte[]>(
            new DeliveryNames("Output", target.Name, "findings"), target.SendAsync, FindingMessages.Form, spool, SpoolWhen.Always, capacity, logger, delays, clock, logEachDrop: true);
        _delivery.Start();
    }

    public string Name => _target.Name;

    public void Attach(SigsInstruments instruments)
    {
        _delivery.Delivered.Attach(instruments, instruments.OutputDelivered, SigsInstruments.Tag("output", Name));
        _delivery.Retries.Attach(instruments, instruments.OutputRetries, SigsInstruments.Tag("output", Name));
        _delivery.Dropped.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("delivery", Name));
    }

    public long Delivered => _delivery.Delivered.Value;

    public long Dropped => _delivery.Dropped.Value;

    public long Retries => _delivery.Retries.Value;

    public DeliveryCounts Deliveries => new(Delivered, Retries, Dropped, _delivery.Queued, _delivery.Spooled, _delivery.Unspooled, _delivery.Problem);

    public void Write(Finding finding, ReadOnlyMemory<byte> json) => _delivery.TryWrite(_target.Message(finding, json), $"a {finding.Signature.Id} finding");

    public void Dispose()
    {
        _delivery.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _target.Dispose();
    }

    /// <summary>A finding's message is spooled as it is sent.</summary>
    private sealed class FindingMessages : IDeliveryForm<byte[]>
    {
        public static readonly FindingMessages Form = new();

        public byte[] ToSpool(byte[] message) => message;

        public byte[] FromSpool(byte[] spooled) => spooled;

        public int Items(byte[] message) => 1;
    }
}
