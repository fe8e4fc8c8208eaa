namespace Sigs.Host.Tests.Feeds;

/// <summary>
/// Tests that read the decoders' process-wide counts (unknown argument forms, repaired UTF-8), and the fuzzing that
/// moves them, run one after another: a fuzzed line must not bump a count between a test's before and after.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DecoderCountersCollection
{
    public const string Name = "decoder counters";
}
