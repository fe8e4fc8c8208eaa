using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>The keys of a <c>file</c> output.</summary>
internal sealed record FileOutputOptions : OutputOptions
{
    [Description("The file findings are appended to, a line each.")]
    [MinLength(1)]
    public required string Path { get; init; }

    [Description("json: one finding.schema.json document per line (the default); text: one readable line per finding, never coloured.")]
    [AllowedValues(FindingLines.JsonName, FindingLines.TextName)]
    public string? Format { get; init; }

    [Description("Rotate before the file would grow past this size.")]
    [Range(0, double.MaxValue, MinimumIsExclusive = true)]
    public double? MaxSizeMB { get; init; }

    [Description("Rotated files kept (path.1 ... path.N; default 5).")]
    [Range(1, int.MaxValue)]
    public int MaxFiles { get; init; } = 5;

    [Description("Flush to disk this often (lines always reach the OS at once).")]
    [Range(1, int.MaxValue)]
    public int? FsyncSeconds { get; init; }
}

/// <summary><c>type: file</c>: a JSON-lines file, rotated by size.</summary>
internal sealed class FileOutputType : OutputType<FileOutputOptions>
{
    public override string Name => "file";

    public override string Summary => "Appends one line per finding (JSON or text) to a file, rotated by size.";

    protected override IFindingOutput Create(FileOutputOptions options, ILoggerFactory loggerFactory, TimeProvider clock) =>
        new RotatingFileOutput(options.Path, options.MaxSizeMB, options.MaxFiles, options.FsyncSeconds is int s ? TimeSpan.FromSeconds(s) : null, clock, FindingLines.Parse(options.Format));
}
