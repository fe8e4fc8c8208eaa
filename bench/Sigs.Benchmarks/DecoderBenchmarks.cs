using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;

namespace Sigs.Benchmarks;

/// <summary>
/// One line of each format through the one decoder (<see cref="JsonLineDecoder"/>), next to walking the same
/// line's tokens with <see cref="Utf8JsonReader"/> alone: time and allocations per event.
/// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- --filter '*DecoderBenchmarks*'
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    private byte[] _line = [];

    [Params("tracee", "tracee-v1beta1", "falco", "k8s-audit")]
    public string Format { get; set; } = "tracee";

    [GlobalSetup]
    public void Setup()
    {
        // The second generated line: a benign exec (Tracee), a benign exec or open (Falco), a node's request (audit).
        _line = Encoding.UTF8.GetBytes(ReplayLines.Generate(Format, 2).Last());
        if (JsonLineDecoder.Decode(_line).Refused)
        {
            throw new InvalidOperationException($"the {Format} line does not decode");
        }
    }

    [Benchmark(Baseline = true)]
    public int TokensOnly()
    {
        var reader = new Utf8JsonReader(_line);
        int tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark]
    public int Decode() => JsonLineDecoder.Decode(_line).Events.Count;
}
