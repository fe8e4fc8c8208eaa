using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Sigs.Host.Feeds.Tetragon.Proto;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// Tetragon's <c>FineGuidanceSensors</c> as a Grpc.AspNetCore service: each <c>GetEvents</c> call is answered by the
/// next queued session, or kept open idle. Events are written in <c>tetra getevents -o json</c> form and parsed
/// as Tetragon's protojson (fields Sigs' .proto leaves out are ignored, as on the wire).
/// </summary>
internal sealed class TetragonSensor : FineGuidanceSensors.FineGuidanceSensorsBase
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly ConcurrentQueue<Func<IServerStreamWriter<GetEventsResponse>, ServerCallContext, Task>> _sessions = new();

    /// <summary>The requests received, in order.</summary>
    public ConcurrentQueue<GetEventsRequest> Requests { get; } = new();

    /// <summary>One <c>tetra getevents -o json</c> line as the response Tetragon sends.</summary>
    public static GetEventsResponse FromJson(string json) => Parser.Parse<GetEventsResponse>(json);

    /// <summary>A session that sends <paramref name="responses"/>, then keeps the stream open until the client goes.</summary>
    public TetragonSensor ThenSend(params GetEventsResponse[] responses) => Then(async (stream, context) =>
    {
        foreach (GetEventsResponse response in responses)
        {
            await stream.WriteAsync(response);
        }

        await TraceeSensor.IdleAsync(context);
    });

    public TetragonSensor ThenSendJson(params string[] lines) => ThenSend([.. lines.Select(FromJson)]);

    public TetragonSensor Then(Func<IServerStreamWriter<GetEventsResponse>, ServerCallContext, Task> session)
    {
        _sessions.Enqueue(session);
        return this;
    }

    public override async Task GetEvents(GetEventsRequest request, IServerStreamWriter<GetEventsResponse> responseStream, ServerCallContext context)
    {
        Requests.Enqueue(request);
        await (_sessions.TryDequeue(out var session) ? session(responseStream, context) : TraceeSensor.IdleAsync(context));
    }
}
