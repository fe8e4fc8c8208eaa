using System.Text.Json;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Rules;

/// <summary>
/// The Sigma rules in examples/rules give, on the examples, the findings the C# signatures they restate give: the
/// same trigger events (time, event, path), through the real <c>sigs replay --rules</c>; SIGS-1003 as a correlation.
/// </summary>
[Trait("Category", "Slow")]
public class ExampleRulesTests
{
    /// <summary>Each shipped signature and the rules that restate it.</summary>
    private static readonly Dictionary<string, string[]> Restated = new()
    {
        ["SIGS-1001"] = ["3c0f6d2e-5b8a-4f1e-9a57-1001a0000001", "3c0f6d2e-5b8a-4f1e-9a57-1001a0000002"],
        ["SIGS-1002"] = ["3c0f6d2e-5b8a-4f1e-9a57-1002a0000001", "3c0f6d2e-5b8a-4f1e-9a57-1002a0000002"],
        ["TRC-1018"] = ["3c0f6d2e-5b8a-4f1e-9a57-1018a0000001"],
        ["SIGS-1003"] = ["3c0f6d2e-5b8a-4f1e-9a57-1003a0000002"], // a temporal_ordered correlation of two rules
        ["SIGS-1004"] = ["3c0f6d2e-5b8a-4f1e-9a57-1004a0000001"],
    };

    [Fact]
    public async Task ExampleRules_FindWhatTheSignaturesTheyRestateFind()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "--quiet", "--rules", Path.Combine(RepoPaths.Examples, "rules"), RepoPaths.Examples]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Loaded 7 Sigma rules from 5 files (0 refused)", result.Stderr, StringComparison.Ordinal);
        var triggers = result.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement)
            .GroupBy(f => f.GetProperty("signature").GetProperty("id").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(Trigger).ToHashSet());

        foreach ((string signature, string[] rules) in Restated)
        {
            // TRC-1018 also fires on renames out of the folder, which no Sigma logsource describes.
            HashSet<string> expected = [.. triggers[signature].Where(t => !t.Contains("security_inode_rename", StringComparison.Ordinal))];
            HashSet<string> found = [.. rules.SelectMany(r => triggers.GetValueOrDefault(r) ?? [])];
            Assert.True(expected.Count > 0, $"{signature} finds nothing on the examples");
            Assert.True(expected.SetEquals(found), $"{signature}: [{string.Join("; ", expected)}] but its rules: [{string.Join("; ", found)}]");
        }
    }

    private static string Trigger(JsonElement finding)
    {
        JsonElement e = finding.GetProperty("event");
        string path = e.TryGetProperty("file", out JsonElement file) && file.TryGetProperty("path", out JsonElement p) ? p.GetString()! : "-";
        return $"{e.GetProperty("time").GetString()} {e.GetProperty("name").GetString()} {path}";
    }
}
