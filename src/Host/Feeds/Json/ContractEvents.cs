using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Json;

/// <summary>Reads Sigs' own event JSON (the contract): what a forward publishes, and a contract line in a file.</summary>
internal static class ContractEvents
{
    /// <summary>Decodes one contract event and nothing else: what a forward publishes.</summary>
    /// <remarks>A forward writes valid UTF-8, so bytes that are not are refused here rather than repaired.</remarks>
    public static DecodedInput Decode(ReadOnlyMemory<byte> json) => DecodedInput.From(decoded =>
    {
        decoded.Events.Add(Read(json.Span, "not a Sigs event (an object with time, source and name): at", "not a Sigs event: null"));
        return InputFormat.Contract;
    });

    /// <summary>One contract event; <paramref name="invalid"/> and <paramref name="isNull"/> start the refusals.</summary>
    public static SecurityEvent Read(ReadOnlySpan<byte> json, string invalid, string isNull)
    {
        if (ContractEventReader.TryRead(json) is { } written)
        {
            return Checked(written); // Sigs' own form, read in one pass
        }

        SecurityEvent? securityEvent;
        try
        {
            securityEvent = JsonSerializer.Deserialize<SecurityEvent>(json, ContractJson.Options);
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"{invalid} {ex.Path ?? "$"}: {FirstSentence(ex.Message)}");
        }

        return Checked(securityEvent ?? throw new EventDecodeException(isNull));
    }

    /// <summary>The contract's required parts, which the serializer lets through as null.</summary>
    private static SecurityEvent Checked(SecurityEvent e)
    {
        string? problem = e switch
        {
            { Source: null or "" } => "field 'source' must be a non-empty string",
            { Name: null or "" } => "field 'name' must be a non-empty string",
            { Arguments: null } => "field 'args' must be an object",
            _ when e.Arguments.Values.Any(v => v is null) => "field 'args' must map names to strings",
            { Process.Args: { } argv } when argv.Any(a => a is null) => "field 'process.args' must be a list of strings",
            { Process.ParentArgs: { } parentArgv } when parentArgv.Any(a => a is null) => "field 'process.parentArgs' must be a list of strings",
            { Audit.RequestingPods: { } pods } when pods.Any(p => p is null) => "field 'audit.requestingPods' must be a list of strings",
            { Audit.RequestingNodes: { } nodes } when nodes.Any(n => n is null) => "field 'audit.requestingNodes' must be a list of strings",
            { Audit.UserGroups: { } groups } when groups.Any(g => g is null) => "field 'audit.userGroups' must be a list of strings",
            { Audit.SourceIps: { } ips } when ips.Any(i => i is null) => "field 'audit.sourceIps' must be a list of strings",
            { Audit.UserExtra: { } extra } when extra.Values.Any(values => values is null || values.Any(v => v is null)) => "field 'audit.userExtra' must map keys to lists of strings",
            _ => null,
        };
        return problem is null ? e : throw new EventDecodeException(problem);
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
