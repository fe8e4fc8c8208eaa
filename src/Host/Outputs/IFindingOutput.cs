namespace Sigs.Host.Outputs;

/// <summary>A destination for findings, each given as one serialized JSON object.</summary>
internal interface IFindingOutput : IDisposable
{
    /// <summary>A name for logs, for example <c>stdout</c> or <c>file:/var/log/sigs.jsonl</c>.</summary>
    string Name { get; }

    void Write(ReadOnlySpan<byte> findingJson);
}
