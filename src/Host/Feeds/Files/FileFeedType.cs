using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;

namespace Sigs.Host.Feeds.Files;

/// <summary>The keys of a <c>file</c> feed.</summary>
internal sealed record FileFeedOptions : FeedOptions
{
    [Description("A JSON-lines file in any format 'sigs replay' reads.")]
    [MinLength(1)]
    public required string Path { get; init; }

    [Description("Keep reading as the file grows, across rotation and truncation (tail -F).")]
    public bool Follow { get; init; }
}

/// <summary><c>type: file</c>: a JSON-lines file, read once or followed.</summary>
internal sealed class FileFeedType : FeedType<FileFeedOptions>
{
    public override string Name => "file";

    public override string Summary => "A JSON-lines file of events (Tracee, Falco, audit or Sigs), read once or followed.";

    public override string ShortForm => "file:PATH";

    protected override FileFeedOptions Parse(string? value) =>
        value is null ? throw new UsageException("--feed file:PATH needs a path") : new() { Path = value };

    protected override IEventFeed Create(FileFeedOptions options, ILogger logger, FeedContext context) => new FileFeed(options.Path, options.Follow, logger, context.Clock);
}
