using Grpc.Core;
using Grpc.Net.Client;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Grpc;

public sealed class GrpcChannelsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Channel_CallSlowerThanItsDeadline_FailsWithDeadlineExceeded()
    {
        string socket = Path.Combine(_folder.Path, "slow.sock");
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, new TraceeSensor());
        using GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", useTls: false));
        var client = new TraceeService.TraceeServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using AsyncServerStreamingCall<StreamEventsResponse> call = client.StreamEvents(new StreamEventsRequest(), deadline: DateTime.UtcNow.AddMilliseconds(300));
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Channel_MessageOverTheMaximum_EndsTheCallWithResourceExhausted()
    {
        string socket = Path.Combine(_folder.Path, "big.sock");
        Event big = Sigs.Host.Tests.Feeds.TraceeGrpcFeedTests.OpenEvent(new string('x', 2000));
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, new TraceeSensor().ThenSend(big));
        using GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", useTls: false), maxReceiveMessageBytes: 1000);
        var client = new TraceeService.TraceeServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using AsyncServerStreamingCall<StreamEventsResponse> call = client.StreamEvents(new StreamEventsRequest());
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
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
