using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Engine;
using Sigs.Host.Outputs;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Outputs;

/// <summary>A finding's JSON and its id, as <c>schema/finding.schema.json</c> and the id's definition have them.</summary>
public class FindingJsonTests
{
    private static Finding MakeFinding(int n) => new(
        DateTimeOffset.UnixEpoch.AddSeconds(n),
        new SignatureMetadata { Id = "SIGS-1004", Version = "2", Name = "Credential path in process arguments", EventName = "cloud_credential_access", Description = "d", Severity = Severity.High, Tactics = ["TA0006"], Techniques = ["T1552"] },
        new SecurityEvent
        {
            Time = DateTimeOffset.UnixEpoch.AddSeconds(n),
            Source = EventSources.Tracee,
            Name = EventNames.ProcessExec,
            Origin = EventOrigin.Container,
            Process = new ProcessInfo { HostPid = 4000 + n, Name = "cat", Args = ["cat", $"/root/.aws/credentials-{n}"] },
            Container = new ContainerInfo { Id = "c0ffee" },
            Arguments = new Dictionary<string, string> { ["argv"] = $"[\"cat\",\"/root/.aws/credentials-{n}\"]", ["note"] = "caf\u00e9 \"quoted\" " + new string('x', n * 100) },
        },
        new Dictionary<string, object?> { ["n"] = n, ["path"] = $"/root/.aws/credentials-{n}" });

    /// <summary>The id's definition, computed here on its own: SHA-256 of "id\0version\0", the event's JSON, a zero byte, the details' JSON.</summary>
    private static Guid ExpectedId(Finding finding)
    {
        byte[] hashed = [
            .. Encoding.UTF8.GetBytes($"{finding.Signature.Id}\0{finding.Signature.Version}\0"),
            .. JsonSerializer.SerializeToUtf8Bytes(finding.Event, ContractJson.Options),
            0,
            .. JsonSerializer.SerializeToUtf8Bytes(finding.Data, ContractJson.Options),
        ];
        byte[] digest = SHA256.HashData(hashed);
        digest[6] = (byte)((digest[6] & 0x0F) | 0x80);
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80);
        return new Guid(digest.AsSpan(0, 16), bigEndian: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(90)] // an event larger than the buffers start with
    public void Serialize_CarriesTheEventItsDetailsAndTheIdTheyDefine(int n)
    {
        Finding finding = MakeFinding(n);

        using var json = JsonDocument.Parse(FindingJson.Serialize(finding));

        Assert.Equal(ExpectedId(finding).ToString(), json.RootElement.GetProperty("id").GetString());
        Assert.Equal(ExpectedId(finding), FindingId.Of(finding));
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(finding.Event, ContractJson.Options)), json.RootElement.GetProperty("event").GetRawText());
        Assert.Equal(n, json.RootElement.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal("SIGS-1004", json.RootElement.GetProperty("signature").GetProperty("id").GetString());
    }

    [Fact]
    public void Serialize_OneAfterAnotherAndOnManyThreads_GivesEachFindingItsOwnBytes()
    {
        Finding[] findings = [.. Enumerable.Range(0, 200).Select(n => MakeFinding(n % 40))];
        string[] expected = [.. findings.Select(f => Encoding.UTF8.GetString(FindingJson.Serialize(f)))];
        byte[] first = FindingJson.Serialize(findings[3]);

        string[] concurrent = new string[findings.Length];
        Parallel.For(0, findings.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = Encoding.UTF8.GetString(FindingJson.Serialize(findings[i])));
        FindingJson.Serialize(findings[39]); // a larger finding later on this thread does not change an earlier one's bytes

        Assert.Equal(expected, concurrent);
        Assert.Equal(expected[3], Encoding.UTF8.GetString(first));
        Assert.All(expected, json => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(json).RootElement.ValueKind));
    }
}
