using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Falco;

/// <summary>The keys of a <c>falco-http</c> feed.</summary>
internal sealed record FalcoHttpFeedOptions : ReceiverFeedOptions
{
    [Description("URL to listen on (default http://127.0.0.1:2801/). Largest body by default 1 MiB.")]
    [RegularExpression("^https?://")]
    public string Listen { get; init; } = FalcoHttpFeed.DefaultListen;

    [Description("Fill what an alert lacks (the terminal without proc.tty, argv) from /proc/PID of this node; needs Sigs in the host's pid namespace (default true when listening on loopback only, so the sender is on this node; false otherwise).")]
    public bool? FillFromProc { get; init; }
}

/// <summary><c>type: falco-http</c>: receives Falco's <c>http_output</c> alerts.</summary>
internal sealed class FalcoHttpFeedType : FeedType<FalcoHttpFeedOptions>
{
    public override string Name => "falco-http";

    public override string Summary => "Receives Falco's http_output alerts (JSON, one per request or one per line).";

    public override string ShortForm => $"falco-http[:{FalcoHttpFeed.DefaultListen}]";

    protected override string? Problem(FalcoHttpFeedOptions options) => options.ExposureProblem(options.Listen);

    protected override FalcoHttpFeedOptions Parse(string? value) => value is null ? new() : new() { Listen = value };

    protected override IEventFeed Create(FalcoHttpFeedOptions options, ILogger logger, FeedContext context) =>
        ProcFillingFeed.Maybe(
            new FalcoHttpFeed(options.Listen, options.Limits(FalcoHttpFeed.DefaultMaxBodyBytes), options.Access(Name), logger),
            options.FillFromProc ?? (Uri.TryCreate(options.Listen, UriKind.Absolute, out Uri? listen) && Common.WebAccess.IsLoopback(listen)),
            logger);
}
