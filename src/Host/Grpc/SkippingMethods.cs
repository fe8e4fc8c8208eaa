using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Sigs.Host.Grpc;

/// <summary>A response message as received: parsed, or the reason it could not be (the call goes on without it).</summary>
internal sealed record Received<T>(T? Message, string? Malformed)
    where T : class;

/// <summary>
/// gRPC method definitions, named from the generated service descriptors, whose response marshaller turns a
/// message that does not parse into a <see cref="Received{T}"/> with a reason instead of failing the call: one
/// malformed message from a sensor is counted and skipped, and the stream keeps its place.
/// </summary>
internal static class SkippingMethods
{
    public static Method<TRequest, Received<TResponse>> Create<TRequest, TResponse>(MethodType type, ServiceDescriptor service, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        MethodDescriptor method = service.FindMethodByName(name) ?? throw new ArgumentException($"{service.FullName} has no method {name}", nameof(name));
        return new Method<TRequest, Received<TResponse>>(
            type,
            service.FullName,
            method.Name,
            Marshallers.Create(request => request.ToByteArray(), bytes => requestParser.ParseFrom(bytes)),
            Marshallers.Create<Received<TResponse>>((received, context) => context.Complete(Serialize(received)), context => Parse(context, responseParser)));
    }

    private static byte[] Serialize<TResponse>(Received<TResponse> received)
        where TResponse : class, IMessage<TResponse> =>
        received.Message?.ToByteArray() ?? throw new InvalidOperationException("a malformed message is never sent");

    private static Received<TResponse> Parse<TResponse>(DeserializationContext context, MessageParser<TResponse> parser)
        where TResponse : class, IMessage<TResponse> =>
        Parse(context.PayloadAsReadOnlySequence(), parser);

    /// <summary>
    /// Parses one message; any failure is the reason it was skipped. Google.Protobuf reports most malformed input
    /// as <see cref="InvalidProtocolBufferException"/>, but some (a field cut at the end of the message) as
    /// <see cref="InvalidOperationException"/>: fuzzing found it, so every failure counts as malformed here.
    /// </summary>
    public static Received<TResponse> Parse<TResponse>(ReadOnlySequence<byte> payload, MessageParser<TResponse> parser)
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            return new Received<TResponse>(parser.ParseFrom(payload), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new Received<TResponse>(null, $"malformed {typeof(TResponse).Name} message of {payload.Length} bytes: {ex.Message}");
        }
    }
}
