using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>The keys of an <c>http</c> output.</summary>
internal sealed record HttpOutputOptions : DeliveringOutputOptions
{
    [Description("Where each finding is POSTed.")]
    [RegularExpression("^https?://")]
    public required string Url { get; init; }

    [Description("Sigs JSON (default) or a Falco alert for Falcosidekick.")]
    [AllowedValues("sigs", "falco")]
    public string Format { get; init; } = "sigs";

    [Description("Extra request headers (e.g. Authorization).")]
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    [Description("How long one POST may take (default 10).")]
    [Range(1, int.MaxValue)]
    public int TimeoutSeconds { get; init; } = 10;
}

/// <summary><c>type: http</c>: POSTs each finding, retried and spooled while the receiver is down.</summary>
internal sealed class HttpOutputType : OutputType<HttpOutputOptions>
{
    public override string Name => "http";

    public override string Summary => "POSTs each finding (Sigs JSON or a Falco alert), retried with backoff and spooled while the receiver is down.";

    protected override IFindingOutput Create(HttpOutputOptions options, ILoggerFactory loggerFactory, TimeProvider clock) => new DeliveringOutput(
        new HttpTarget(new Uri(options.Url), options.Format == "falco", options.Headers, TimeSpan.FromSeconds(options.TimeoutSeconds)),
        options.SpoolDir,
        options.QueueCapacity,
        loggerFactory.CreateLogger(LogCategories.Outputs),
        clock: clock);
}
