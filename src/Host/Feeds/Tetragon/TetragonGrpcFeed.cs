using Sigs.Host.Enrichment;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Feeds.Tetragon.Proto;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// Subscribes to Tetragon's <c>tetragon.FineGuidanceSensors/GetEvents</c> (server streaming) with an allow list
/// of what the loaded signatures select (<see cref="TetragonAllowList"/>). The list is checked every
/// <see cref="RefreshInterval"/>; when the signatures changed it, the stream is reopened with the new one
/// (Tetragon has no way to change a running stream's filter). Repeated file-permission events are collapsed
/// (<see cref="RepeatedFileAccess"/>), the terminal is filled from /proc (<see cref="ProcFactFiller"/>), and
/// Tetragon's own notices (its rate limiter's drops, cgroup throttling) are logged and counted.
/// </summary>
internal sealed partial class TetragonGrpcFeed : GrpcStreamFeed<GetEventsResponse>
{
    public const string DefaultAddress = "localhost:54321";
    public const string DefaultPolicy = "sigs";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private static readonly Method<GetEventsRequest, Received<GetEventsResponse>> GetEvents =
        SkippingMethods.Create(MethodType.ServerStreaming, FineGuidanceSensors.Descriptor, "GetEvents", GetEventsRequest.Parser, GetEventsResponse.Parser);

    private readonly TetragonFeedSettings _settings;
    private readonly Func<IReadOnlyList<SignatureDemand>> _signatures;
    private readonly ILogger _logger;
    private readonly TimeSpan _refresh;
    private readonly RepeatedFileAccess _repeats;
    private readonly TetragonProcesses _processes = new();
    private readonly HashSet<string> _throttled = new(StringComparer.Ordinal);
    private GetEventsRequest? _request;
    private bool _missingSaid;
    private long _sensorDropped;

    public TetragonGrpcFeed(GrpcChannel channel, string address, TetragonFeedSettings settings, Func<IReadOnlyList<SignatureDemand>> signatures, ILogger logger, ReconnectDelays delays, TimeProvider? clock = null, TimeSpan? refresh = null)
        : base($"tetragon:{address}", channel, logger, delays, clock)
    {
        _settings = settings;
        _signatures = signatures;
        _logger = logger;
        _refresh = refresh ?? RefreshInterval;
        _repeats = new RepeatedFileAccess(settings.CollapseWindow);
    }

    /// <summary>The request the stream was last opened with.</summary>
    public GetEventsRequest? Request => Volatile.Read(ref _request);

    protected override StreamingCall<GetEventsResponse> Start(CallInvoker invoker, CallOptions options, CancellationToken requestsStop)
    {
        IReadOnlyList<SignatureDemand> signatures = _signatures();
        SayMissingOnce(signatures);
        ForgetThrottles(); // a new stream may be a new Tetragon: throttles it still applies are announced again
        GetEventsRequest request = TetragonAllowList.For(signatures.SelectMany(s => s.Selectors), _settings.Policies);
        Volatile.Write(ref _request, request);
        AsyncServerStreamingCall<Received<GetEventsResponse>> call = invoker.AsyncServerStreamingCall(GetEvents, null, options, request);
        return new StreamingCall<GetEventsResponse>(call.ResponseStream, call.ResponseHeadersAsync, Task.CompletedTask, call);
    }

    protected override async Task RequestOutdatedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(_refresh, Clock, cancellationToken).ConfigureAwait(false);
            if (Request is { } current && !current.Equals(TetragonAllowList.For(_signatures().SelectMany(s => s.Selectors), _settings.Policies)))
            {
                return;
            }
        }
    }

    protected override void OnReopened() => LogReopened(_logger, Name);

    protected override SecurityEvent? Map(GetEventsResponse response)
    {
        switch (response.EventCase)
        {
            case GetEventsResponse.EventOneofCase.RateLimitInfo:
                long dropped = (long)Math.Min(response.RateLimitInfo.NumberOfDroppedProcessEvents, long.MaxValue / 2);
                Counters.SetGauge(FeedGauge.TetragonSensorDropped, _sensorDropped += dropped);
                LogSensorDropped(_logger, Name, dropped, _sensorDropped);
                return null;
            case GetEventsResponse.EventOneofCase.ProcessThrottle:
                Throttle(response.ProcessThrottle);
                return null;
        }

        SecurityEvent mapped = TetragonEventMapper.Map(response, _processes);
        Process process = TetragonEventMapper.ProcessOf(response)!; // mapped: it has one
        if (mapped.Name == EventNames.ProcessExit)
        {
            _processes.Exited(process);
        }

        if (mapped.Name == EventNames.FileOpen && _repeats.IsRepeat(mapped))
        {
            Counters.SetGauge(FeedGauge.TetragonCollapsed, _repeats.Collapsed);
            return null;
        }

        if (_settings.Filler is not { } filler || !ProcFactFiller.Lacks(mapped) || _processes.LastLookedUp)
        {
            return mapped;
        }

        DateTimeOffset? started = process.StartTime is { } start ? ProtoTimestamps.ToDateTimeOffset(start, "process.start_time") : null;
        SecurityEvent filled = filler.FillCounted(mapped, started, Counters);
        _processes.LookedUp(filled.Process?.Interactive is null ? null : filled.Process);
        return filled;
    }

    private void Throttle(ProcessThrottle throttle)
    {
        if (throttle.Type == ThrottleType.ThrottleStart ? _throttled.Add(throttle.Cgroup) : _throttled.Remove(throttle.Cgroup))
        {
            if (throttle.Type == ThrottleType.ThrottleStart)
            {
                LogThrottleStarted(_logger, Name, throttle.Cgroup);
            }
            else
            {
                LogThrottleStopped(_logger, Name, throttle.Cgroup);
            }
        }

        Counters.SetGauge(FeedGauge.TetragonThrottledCgroups, _throttled.Count);
        Counters.SetDegraded(_throttled.Count == 0 ? null : $"Tetragon throttles {_throttled.Count} cgroup(s) ({_throttled.Order(StringComparer.Ordinal).First()}{(_throttled.Count > 1 ? ", ..." : "")}): their events are dropped");
    }

    private void ForgetThrottles()
    {
        _throttled.Clear();
        Counters.SetGauge(FeedGauge.TetragonThrottledCgroups, 0);
        Counters.SetDegraded(null);
    }

    private void SayMissingOnce(IReadOnlyList<SignatureDemand> signatures)
    {
        if (_missingSaid || _settings.Missing is not { } missing)
        {
            return;
        }

        _missingSaid = true;
        IReadOnlyList<string> cannotFire = missing.CannotFire(signatures);
        LogMissingFacts(_logger, Name, string.Join(", ", missing.Facts), missing.Why, cannotFire.Count == 0 ? "none of the loaded signatures" : string.Join(", ", cannotFire));
    }
}
