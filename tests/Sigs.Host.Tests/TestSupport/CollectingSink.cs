using System.Collections.Concurrent;
using Sigs.Host.Engine;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>Keeps every finding the engine publishes.</summary>
internal sealed class CollectingSink : IFindingSink
{
    private readonly ConcurrentQueue<Finding> _findings = new();

    public IReadOnlyList<Finding> Findings => [.. _findings];

    public void Publish(Finding finding) => _findings.Enqueue(finding);
}
