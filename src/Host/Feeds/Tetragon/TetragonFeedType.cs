using Sigs.Host.Enrichment;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>The keys of a <c>tetragon</c> feed.</summary>
internal sealed record TetragonFeedOptions : SensorFeedOptions
{
    [Description("HOST:PORT, tcp:HOST:PORT, unix:/PATH or unix:///PATH (default localhost:54321, Tetragon's server-address).")]
    [MinLength(1)]
    public string Address { get; init; } = TetragonGrpcFeed.DefaultAddress;

    [Description("TracingPolicy names whose kprobe and LSM events are streamed (default [sigs], deploy/tetragon's); empty for every policy.")]
    public IReadOnlyList<string> Policies { get; init; } = [TetragonGrpcFeed.DefaultPolicy];

    [Description("security_file_permission fires on every read and write: repeats of a (process, file, mode) within this many seconds of the first are dropped and counted (default 1: the burst of one open; 0 keeps every one).")]
    [Range(0, 86_400)]
    public double? CollapseSeconds { get; init; }

    [Description("Fill what Tetragon does not send (the terminal) from /proc/PID of this node; needs Sigs in the host's pid namespace (default true for a unix socket or loopback address, false otherwise).")]
    public bool? FillFromProc { get; init; }

    /// <summary>Whether /proc lends facts: as configured, else only when the sensor is on this node by its address.</summary>
    public bool FillsFromProc => FillFromProc ?? GrpcAddress.IsLocal(Address);
}

/// <summary><c>type: tetragon</c>: Cilium Tetragon's gRPC GetEvents.</summary>
internal sealed class TetragonFeedType : FeedType<TetragonFeedOptions>
{
    public override string Name => "tetragon";

    public override string Summary => "Cilium Tetragon's gRPC server (FineGuidanceSensors.GetEvents).";

    public override string ShortForm => $"tetragon[:{TetragonGrpcFeed.DefaultAddress}]";

    /// <summary>A sensor on a node: processes and files, never the API server's audit events.</summary>
    public override bool Gives(string eventName) => eventName != Plugins.EventNames.KubernetesAudit;

    protected override string? Problem(TetragonFeedOptions options) => options.FallbackProblem();

    protected override TetragonFeedOptions Parse(string? value) => value is null ? new() : new() { Address = value };

    protected override MissingFacts? Missing(TetragonFeedOptions options)
    {
        string? why = options.FillsFromProc
            ? ProcFactFiller.WhyNot()
            : "fillFromProc is off";
        return why is null ? null : new MissingFacts(EventSources.Tetragon, [EventFacts.Interactive], $"Tetragon sends no terminal, and /proc cannot fill it: {why}");
    }

    protected override IEventFeed Create(TetragonFeedOptions options, ILogger logger, FeedContext context)
    {
        MissingFacts? missing = Missing(options); // null exactly when /proc may and can lend the terminal
        var settings = new TetragonFeedSettings(
            options.Policies,
            options.CollapseSeconds is double seconds ? TimeSpan.FromSeconds(seconds) : RepeatedFileAccess.DefaultWindow,
            missing is null ? new ProcFactFiller() : null,
            missing);
        return new TetragonGrpcFeed(GrpcFeedChannel.Create(options.Address, null, options.MaxMessageBytes), options.Address, settings, context.Signatures ?? (() => []), logger, context.Delays, context.Clock);
    }
}

/// <summary>How a Tetragon feed filters, collapses and fills, from its options.</summary>
/// <param name="Filler">Null when /proc cannot or may not lend facts.</param>
/// <param name="Missing">The facts its events lack for certain, said once in the log.</param>
internal sealed record TetragonFeedSettings(IReadOnlyList<string> Policies, TimeSpan CollapseWindow, ProcFactFiller? Filler, MissingFacts? Missing);
