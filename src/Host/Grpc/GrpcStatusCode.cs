namespace Sigs.Host.Grpc;

/// <summary>gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).</summary>
internal enum GrpcStatusCode
{
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

/// <summary>A call that ended with a non-OK status, or broke the gRPC protocol; the message says which.</summary>
internal sealed class GrpcCallException(GrpcStatusCode status, string message) : Exception($"{status} ({(int)status}): {message}")
{
    public GrpcStatusCode Status { get; } = status;

    public string Detail { get; } = message;
}
