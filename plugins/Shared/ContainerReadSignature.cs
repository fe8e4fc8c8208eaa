using Sigs.Plugins;

namespace Sigs.Signatures.Shared;

/// <summary>
/// Base of the Elastic "interactive read in a container" rules: fires on an open of a watched file, or on an
/// exec of a reader program whose arguments name a watched file. Derived rules say which files are watched.
/// </summary>
public abstract class ContainerReadSignature : Signature
{
    private string[] _readers = ContainerReads.DefaultReaders;
    private WildcardPatternSet _argumentPatterns = new([]);

    public override IReadOnlyList<EventSelector> Selectors { get; } =
    [
        new(EventNames.FileOpen, Origin: EventOrigins.Container),
        new(EventNames.ProcessExec, Origin: EventOrigins.Container),
    ];

    /// <summary>Only an interactive process fires.</summary>
    public override IReadOnlyList<string> RequiredFacts { get; } = [EventFacts.Interactive];

    /// <summary>True when opening <paramref name="path"/> fires.</summary>
    protected abstract bool IsWatchedFile(string path);

    /// <summary>Sets the reader names and the argv patterns that fire together with a reader.</summary>
    protected void ConfigureReaders(string[] readers, IEnumerable<string> argumentPatterns)
    {
        _readers = readers;
        _argumentPatterns = new WildcardPatternSet(argumentPatterns);
    }

    public override void OnEvent(SecurityEvent securityEvent)
    {
        if (!ContainerReads.IsInteractiveInContainer(securityEvent))
        {
            return;
        }

        if (securityEvent.Name == EventNames.FileOpen)
        {
            if (securityEvent.File?.Path is { } path && IsWatchedFile(path))
            {
                Context.Report(securityEvent, new Dictionary<string, object?> { ["trigger"] = "file_open", ["path"] = path });
            }
        }
        else if (securityEvent.Process is { } process
            && _argumentPatterns.FirstMatch(process.Args) is { } argument
            && ContainerReads.IsReader(process, _readers))
        {
            Context.Report(securityEvent, new Dictionary<string, object?> { ["trigger"] = "exec", ["argument"] = argument });
        }
    }
}
