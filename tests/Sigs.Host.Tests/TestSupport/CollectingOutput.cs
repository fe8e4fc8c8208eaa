using System.Collections.Concurrent;
using Sigs.Host.Engine;
using Sigs.Host.Outputs;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>An output that keeps every finding written to it.</summary>
internal sealed class CollectingOutput : IFindingOutput
{
    private readonly ConcurrentQueue<Finding> _findings = new();

    public string Name => "collect";

    public IReadOnlyList<Finding> Findings => [.. _findings];

    public void Write(Finding finding, ReadOnlyMemory<byte> json) => _findings.Enqueue(finding);

    public void Dispose()
    {
    }
}
