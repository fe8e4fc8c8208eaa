using System.Security.Cryptography;
using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// A finding's deterministic id: the first 128 bits of SHA-256 over its signature (id and version), its
/// triggering event and its details, in their JSON forms. The same detection made twice (a correlator that
/// processed an event again after a restart, two instances replaying one file) has the same id, so receivers can
/// deduplicate; the Falco form carries it as <c>uuid</c>.
/// </summary>
internal static class FindingId
{
    public static Guid Of(Finding finding) => Of(
        finding,
        JsonSerializer.SerializeToUtf8Bytes(finding.Event, ContractJson.Event),
        JsonSerializer.SerializeToUtf8Bytes(finding.Data, ContractJson.Options));

    /// <summary>The id from the event's and the details' JSON, when the caller has them already.</summary>
    public static Guid Of(Finding finding, ReadOnlySpan<byte> eventJson, ReadOnlySpan<byte> dataJson)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{finding.Signature.Id}\0{finding.Signature.Version}\0"));
        hash.AppendData(eventJson);
        hash.AppendData([0]);
        hash.AppendData(dataJson);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        digest[6] = (byte)((digest[6] & 0x0F) | 0x80); // version 8 (custom), RFC 9562
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80); // variant
        return new Guid(digest[..16], bigEndian: true);
    }
}
