using System.Threading.Channels;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>An event (replayed: processed by an earlier run, so its findings are not reported) or a signal waiting in an isolated runner's queue.</summary>
internal readonly record struct RunnerWork(SecurityEvent? Event, Signal? Signal, bool Replayed = false);

/// <summary>An isolated runner's own bounded queue and the thread that drains it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source never has a timer, so it holds nothing to dispose; it lives as long as the runner.")]
internal sealed class RunnerIsolation(SignatureRunner runner, int capacity, bool callInProgress)
{
    private readonly Channel<RunnerWork> _queue = Channel.CreateBounded<RunnerWork>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });

    private readonly TaskCompletionSource _stuckCallDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abandon = new();
    private Task _worker = Task.CompletedTask;

    public void Start()
    {
        if (!callInProgress)
        {
            _stuckCallDone.TrySetResult();
        }

        _worker = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public bool TryQueue(RunnerWork work) => _queue.Writer.TryWrite(work);

    public void StuckCallReturned() => _stuckCallDone.TrySetResult();

    public async Task DrainAsync(TimeSpan deadline, TimeProvider clock)
    {
        _queue.Writer.TryComplete();
        await Task.WhenAny(_worker, Task.Delay(deadline, clock)).ConfigureAwait(false);
        Abandon();
    }

    public void Abandon()
    {
        _queue.Writer.TryComplete();
        _abandon.Cancel();
        while (_queue.Reader.TryRead(out _))
        {
            runner.CountDropped();
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await _stuckCallDone.Task.WaitAsync(_abandon.Token).ConfigureAwait(false);
            await DrainQueueAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Abandoned: what was left is counted as dropped.
        }
    }

    private async Task DrainQueueAsync()
    {
        await foreach (RunnerWork work in _queue.Reader.ReadAllAsync(_abandon.Token).ConfigureAwait(false))
        {
            if (runner.IsQuarantined)
            {
                runner.CountSkipped();
            }
            else if (work.Event is { } securityEvent)
            {
                runner.InvokeIsolated(securityEvent, work.Replayed);
            }
            else
            {
                runner.InvokeSignal(work.Signal!);
            }
        }
    }
}
