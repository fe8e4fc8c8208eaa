namespace Sigs.Host.Rules;

/// <summary>A rule refused: the message is one line naming the file, the line and the reason.</summary>
internal sealed class RuleException(string message) : Exception(message)
{
    public static RuleException At(string file, YamlDotNet.Core.Mark mark, string reason) => new($"{file}:{mark.Line}: {reason}");
}
