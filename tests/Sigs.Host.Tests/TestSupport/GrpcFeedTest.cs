using Microsoft.AspNetCore.Http;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// What the gRPC feed tests share: a folder for the server's unix socket, captured logs, the sink the feed
/// publishes to, and at the end the feed stopped and the server disposed. Raw-server sessions use
/// <see cref="IdleAsync"/> and <see cref="WaitUntilAbortedAsync"/>.
/// </summary>
public abstract class GrpcFeedTest : IAsyncLifetime
{
    private protected TempFolder Folder { get; } = new();

    private protected CapturingLoggerFactory Logs { get; } = new();

    private protected CollectingEventSink Sink { get; } = new();

    private protected CancellationTokenSource Stop { get; } = new();

    /// <summary>The server now running, disposed at the end.</summary>
    private protected IAsyncDisposable? Server { get; set; }

    /// <summary>The feed's run, awaited at the end.</summary>
    private protected Task? Running { get; set; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Stop.CancelAsync();
        if (Running is not null)
        {
            await Running;
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Folder.Dispose();
    }

    /// <summary>Starts a gRPC response and sends nothing until the client goes.</summary>
    private protected static async Task IdleAsync(HttpContext context)
    {
        await FakeGrpcServer.BeginAsync(context);
        await WaitUntilAbortedAsync(context);
    }

    private protected static async Task WaitUntilAbortedAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
