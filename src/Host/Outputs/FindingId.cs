using System.Buffers;
using System.Security.Cryptography;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// A finding's deterministic id: the first 128 bits of SHA-256 over its signature (id and version), its
/// triggering event and its details, in their JSON forms (<see cref="FindingJson.HashedParts"/>). The same
/// detection made twice (a correlator that processed an event again after a restart, two instances replaying one
/// file) has the same id, so receivers can deduplicate; the Falco form carries it as <c>uuid</c>.
/// </summary>
internal static class FindingId
{
    public static Guid Of(Finding finding) => Of(FindingJson.HashedParts(finding, new ArrayBufferWriter<byte>(4096), out _, out _));

    /// <summary>The id from what is hashed, laid out as <see cref="FindingJson.HashedParts"/> lays it out.</summary>
    public static Guid Of(ReadOnlySpan<byte> hashedParts)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(hashedParts, digest);
        digest[6] = (byte)((digest[6] & 0x0F) | 0x80); // version 8 (custom), RFC 9562
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80); // variant
        return new Guid(digest[..16], bigEndian: true);
    }
}
