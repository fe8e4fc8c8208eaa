using Microsoft.Extensions.Primitives;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Grpc;

public sealed class GrpcClientTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task StreamAsync_ServerSlowerThanTheDeadline_FailsWithDeadlineExceededAndSendsGrpcTimeout()
    {
        string socket = Path.Combine(_folder.Path, "slow.sock");
        var timeoutHeader = new TaskCompletionSource<StringValues>();
        await using FakeGrpcServer server = await FakeGrpcServer.StartAsync(socket, "/tracee.v1beta1.TraceeService/StreamEvents", async context =>
        {
            timeoutHeader.TrySetResult(context.Request.Headers["grpc-timeout"]);
            await FakeGrpcServer.BeginAsync(context);
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using var client = new GrpcClient(GrpcAddress.Parse($"unix:{socket}", useTls: false));

        var error = await Assert.ThrowsAsync<GrpcCallException>(async () =>
        {
            await foreach (StreamEventsResponse _ in client.StreamAsync(
                "/tracee.v1beta1.TraceeService/StreamEvents",
                (writer, token) => writer.WriteAsync(new StreamEventsRequest(), token),
                StreamEventsResponse.Parser,
                new GrpcCallOptions(Deadline: TimeSpan.FromMilliseconds(300)),
                CancellationToken.None))
            {
            }
        });

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Status);
        Assert.Equal("300m", (await timeoutHeader.Task).ToString());
    }

    [Theory]
    [InlineData("unix:/var/run/tracee.sock", "/var/run/tracee.sock", null, 0)]
    [InlineData("unix:///run/falco/falco.sock", "/run/falco/falco.sock", null, 0)]
    [InlineData("tcp:falco.falco.svc:5060", null, "falco.falco.svc", 5060)]
    [InlineData("127.0.0.1:4466", null, "127.0.0.1", 4466)]
    [InlineData("[::1]:4466", null, "::1", 4466)]
    public void Parse_SupportedForms(string text, string? socket, string? host, int port)
    {
        GrpcAddress address = GrpcAddress.Parse(text, useTls: false);

        Assert.Equal((socket, host, port), (address.UnixSocketPath, address.Host, address.Port));
    }

    [Theory]
    [InlineData("unix:relative.sock")]
    [InlineData("nowhere")]
    [InlineData("tcp:host:99999")]
    public void Parse_BadForms_Throw(string text)
    {
        Assert.Throws<FormatException>(() => GrpcAddress.Parse(text, useTls: false));
    }
}
