using System.CommandLine;
using System.CommandLine.Invocation;

namespace Sigs.Host.Cli;

/// <summary>
/// Help in Sigs' own layout, written from the System.CommandLine tree so it lists every command, option and
/// argument there is: usage, details, then one line per option (<c>--plugins DIR  description</c>).
/// </summary>
internal sealed class HelpText : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        Command command = parseResult.CommandResult.Command;
        parseResult.InvocationConfiguration.Output.Write(Render(command, parseResult.RootCommandResult.Command));
        return 0;
    }

    public static string Render(Command command, Command root)
    {
        var text = new System.Text.StringBuilder();
        string nl = Environment.NewLine;
        text.Append(command.Description).Append(nl).Append(nl);
        Option[] options = [.. root.Options.Where(o => o.Recursive || command == root), .. command == root ? [] : command.Options];
        if (command == root)
        {
            text.Append("Usage: sigs COMMAND [options]").Append(nl).Append(nl).Append("Commands:").Append(nl);
            foreach (Command sub in root.Subcommands)
            {
                text.Append($"  {sub.Name,-8}{sub.Description}").Append(nl);
            }

            text.Append(nl).Append("Run 'sigs COMMAND --help' for a command's options.").Append(nl).Append(nl);
        }
        else
        {
            string arguments = string.Concat(command.Arguments.Select(a => $" {a.Name}{(a.Arity.MaximumNumberOfValues > 1 ? " ..." : string.Empty)}"));
            string subcommands = command.Subcommands.Count > 0 ? $" {string.Join("|", command.Subcommands.Select(c => c.Name))}" : string.Empty;
            text.Append($"Usage: sigs {SigsCommands.PathOf(command)}{subcommands} [options]{arguments}").Append(nl);
            string details = SigsCommands.Details(SigsCommands.PathOf(command));
            if (details.Length > 0)
            {
                text.Append(nl).Append(details).Append(nl);
            }

            text.Append(nl);
        }

        (string Display, string Description)[] rows =
        [
            .. command.Arguments.Select(a => (a.Name, a.Description ?? string.Empty)),
            .. options.Where(o => !o.Hidden).Select(o => (Display(o), o.Description ?? string.Empty)),
        ];
        int width = rows.Max(r => r.Display.Length) + 2;
        text.Append("Options:").Append(nl);
        foreach ((string display, string description) in rows)
        {
            text.Append("  ").Append(display.PadRight(width)).Append(description).Append(nl);
        }

        return text.ToString();
    }

    private static string Display(Option option)
    {
        string names = string.Join(", ", option.Aliases.Order(StringComparer.Ordinal).Append(option.Name));
        return option.HelpName is { } value ? $"{names} {value}" : names;
    }
}
