using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// Dispatches events to the signatures that select them. The current generation's index is an immutable
/// snapshot swapped with one volatile write, so a dispatch always sees one whole generation.
/// </summary>
/// <remarks>
/// <para>
/// Dispatch is inline on one engine thread, so the common case costs a lookup and the signatures' own work.
/// Around each call the engine bumps a progress counter (odd while a call runs) and notes the candidate's
/// index; after it, it reads two integers: the watchdog's claim and the epoch. No per-delivery reference stores,
/// locks or interlocked operations are made.
/// </para>
/// <para>
/// A watchdog that sees the counter stay odd for too long (<see cref="TryTakeOver"/>) claims that call with an
/// asymmetric handshake: it publishes its claim, issues a process-wide memory barrier, and confirms the claim with
/// a compare-and-swap only if the call is still running; an engine thread that sees a claim after its call tries
/// to cancel it with a compare-and-swap. Exactly one side wins. When the watchdog wins it isolates the stuck
/// runner onto its own queue, keeps the rest of the interrupted event for the next engine thread
/// (<see cref="Resume"/>), and advances the epoch, so the stuck thread delivers nothing more when it returns.
/// </para>
/// </remarks>
internal sealed class DetectionEngine
{
    private const long ClaimConfirmed = -1;

    private volatile SignatureIndex _index = SignatureIndex.Empty;
    private long _progress;
    private long _claim;
    private int _epoch;
    private int _currentIndex;
    private SecurityEvent? _current;
    private SignatureIndex.Candidate[] _currentCandidates = [];
    private IReadOnlyList<SignatureRunner> _signalRunners = [];
    private SecurityEvent? _resumeEvent;
    private bool _currentReplayed;
    private bool _resumeReplayed;
    private SignatureIndex.Candidate[] _resumeCandidates = [];
    private long _watchedProgress = -1;
    private long _watchedSince;

    public SignatureIndex Index => _index;

    /// <summary>
    /// Publishes a new generation. Call it on the engine thread (or before dispatch starts): it also drops the
    /// in-flight bookkeeping, which must not keep a retired plugin's runners (and so its load context) alive.
    /// </summary>
    public void Publish(SignatureIndex index)
    {
        _index = index;
        _currentCandidates = [];
        _signalRunners = [];
        _current = null;
    }

    /// <summary>
    /// Delivers the event to every selected signature. Returns false when the watchdog took over this thread's
    /// stuck call: the caller must stop, because another engine thread now owns dispatch.
    /// </summary>
    /// <param name="replayed">Processed by an earlier run: the signatures rebuild their state, and report nothing.</param>
    public bool Dispatch(SecurityEvent securityEvent, bool replayed = false)
    {
        SignatureIndex.Candidate[] candidates = _index.Select(securityEvent.Name, securityEvent.Origin);
        return candidates.Length == 0 || DeliverAll(securityEvent, candidates, Volatile.Read(ref _epoch), replayed);
    }

    /// <summary>Delivers a signal to every signature; false when the watchdog took over a stuck OnSignal call.</summary>
    public bool Signal(Signal signal)
    {
        int epoch = Volatile.Read(ref _epoch);
        IReadOnlyList<SignatureRunner> runners = _index.Runners;
        _current = null; // a stuck signal is not resumed for the others: ticks recur, and the end comes again on stop
        _signalRunners = runners;
        for (int i = 0; i < runners.Count; i++)
        {
            SignatureRunner runner = runners[i];
            if (runner.IsIsolated)
            {
                runner.Signal(signal);
                continue;
            }

            long inCall = BeginCall(i);
            runner.Signal(signal);
            if (!EndCall(inCall, epoch))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Called by the watchdog. When one call has made no progress for <paramref name="stall"/> and the watchdog
    /// wins it, the runner is isolated and true is returned: start a new engine thread, which calls
    /// <see cref="Resume"/> first.
    /// </summary>
    public bool TryTakeOver(TimeSpan stall, TimeProvider clock, out SignatureRunner? stuck)
    {
        stuck = null;
        long progress = Volatile.Read(ref _progress);
        long now = clock.GetTimestamp();
        if ((progress & 1) == 0 || progress != _watchedProgress)
        {
            _watchedProgress = progress;
            _watchedSince = now;
            return false;
        }

        if (clock.GetElapsedTime(_watchedSince, now) < stall)
        {
            return false;
        }

        // Publish the claim and make every core's pending writes visible; if the call is still the same one, the
        // engine thread is inside it (or at its claim check), and the fields below describe it.
        Volatile.Write(ref _claim, progress);
        Interlocked.MemoryBarrierProcessWide();
        SecurityEvent? interrupted = _current;
        int index = _currentIndex;
        stuck = interrupted is null ? _signalRunners[index] : _currentCandidates[index].Runner;
        SignatureIndex.Candidate[] rest = interrupted is null ? [] : [.. _currentCandidates.AsSpan(index + 1)];
        if (Volatile.Read(ref _progress) != progress || Interlocked.CompareExchange(ref _claim, ClaimConfirmed, progress) != progress)
        {
            Interlocked.CompareExchange(ref _claim, 0, progress);
            stuck = null;
            return false; // it returned just now, or cancelled the claim: no takeover
        }

        _resumeEvent = interrupted;
        _resumeReplayed = _currentReplayed;
        _resumeCandidates = rest;
        _watchedProgress = -1;
        Interlocked.Increment(ref _epoch);
        Volatile.Write(ref _claim, 0);
        stuck.Isolate($"one call has not returned for {stall.TotalMilliseconds:0} ms");
        return true;
    }

    /// <summary>On a new engine thread after a takeover: delivers the interrupted event to the signatures that had not seen it.</summary>
    public bool Resume()
    {
        int epoch = Volatile.Read(ref _epoch);
        Volatile.Write(ref _progress, (Volatile.Read(ref _progress) | 1) + 1);
        SecurityEvent? interrupted = Interlocked.Exchange(ref _resumeEvent, null);
        SignatureIndex.Candidate[] rest = _resumeCandidates;
        _resumeCandidates = [];
        return interrupted is null || DeliverAll(interrupted, rest, epoch, _resumeReplayed);
    }

    private bool DeliverAll(SecurityEvent securityEvent, SignatureIndex.Candidate[] candidates, int epoch, bool replayed)
    {
        _current = securityEvent;
        _currentReplayed = replayed;
        if (!ReferenceEquals(_currentCandidates, candidates))
        {
            _currentCandidates = candidates;
        }

        for (int i = 0; i < candidates.Length; i++)
        {
            ref readonly SignatureIndex.Candidate candidate = ref candidates[i];
            if (!candidate.Accepts(securityEvent.Source))
            {
                continue;
            }

            SignatureRunner runner = candidate.Runner;
            if (runner.Mode != DeliveryMode.Inline)
            {
                runner.Deliver(securityEvent, replayed); // queues or skips it: cannot stall this thread
                continue;
            }

            long inCall = BeginCall(i);
            runner.DeliverInline(securityEvent, replayed);
            if (!EndCall(inCall, epoch))
            {
                return false; // the watchdog took this call over while it ran
            }
        }

        return true;
    }

    /// <summary>Marks the start of a call to candidate <paramref name="index"/>: the progress counter turns odd.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private long BeginCall(int index)
    {
        _currentIndex = index;
        long inCall = _progress + 1;
        Volatile.Write(ref _progress, inCall);
        return inCall;
    }

    /// <summary>Marks the end of a call; false when this thread was given up on and must stop.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool EndCall(long inCall, int epoch)
    {
        Volatile.Write(ref _progress, inCall + 1);
        return (Volatile.Read(ref _claim) == 0 && Volatile.Read(ref _epoch) == epoch) || KeepOwnership(inCall, epoch);
    }

    /// <summary>Slow path after a call: cancel a claim on it, or learn that this thread was given up on.</summary>
    private bool KeepOwnership(long inCall, int epoch)
    {
        Interlocked.CompareExchange(ref _claim, 0, inCall);
        return Volatile.Read(ref _claim) != ClaimConfirmed && Volatile.Read(ref _epoch) == epoch;
    }
}
