using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Hosting;

namespace Sigs.Host.Cli;

/// <summary><c>sigs run</c>: the long-running host on Microsoft.Extensions.Hosting.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(SigsRuntime runtime, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        IReadOnlyList<IEventFeed> feeds = CreateFeeds(runtime.Config, loggerFactory);
        if (feeds.Count == 0)
        {
            throw new ConfigException("no feeds configured: add a 'feeds:' list to the configuration");
        }

        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
        });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(runtime);
        builder.Services.AddSingleton(feeds);
        builder.Services.AddHostedService<DetectionService>();
        using IHost host = builder.Build();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static List<IEventFeed> CreateFeeds(SigsConfig config, ILoggerFactory loggerFactory) =>
        [.. config.Feeds.Select(feed => feed.Type switch
        {
            FeedConfig.File => (IEventFeed)new FileFeed(feed.Path!, new JsonLinesSource(loggerFactory.CreateLogger("Sigs.Feeds.File"), new InputCounters())),
            _ => throw new ConfigException($"feed type '{feed.Type}' is not supported"),
        })];
}
