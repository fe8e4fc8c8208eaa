using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sigs.Host.Admin;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Cli;

/// <summary><c>sigs run</c>: the long-running host on Microsoft.Extensions.Hosting.</summary>
internal static class RunCommand
{
    /// <summary>The feeds <c>sigs run</c> reads: the configured ones, or with none, Sigs' own probe.</summary>
    public static IReadOnlyList<FeedOptions> FeedsOrNative(IReadOnlyList<FeedOptions> configured) =>
        configured.Count == 0 ? [new NativeFeedOptions()] : configured;

    public static async Task<int> RunAsync(IReadOnlyList<FeedOptions> feedOptions, DetectionPipeline runtime, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        feedOptions = FeedsOrNative(feedOptions);
        var context = new FeedContext(loggerFactory, ReconnectDelays.Default, runtime.WatchPlan, runtime.Clock, runtime.Demands);
        IReadOnlyList<string> names = FeedNames.Of(feedOptions);
        IReadOnlyList<IEventFeed> feeds = [.. feedOptions.Select((feed, i) => new NamedFeed(FeedFactory.Create(feed, context), names[i]))];
        Uri adminListen = LoopbackWebApp.ParseListen(runtime.Config.Admin.Listen, "admin.listen", AdminConfig.DefaultListen);

        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
        });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(services => new SigsMeter(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(runtime);
        builder.Services.AddSingleton(feeds);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(runtime.Config.Shutdown.DrainSeconds + 5));
        builder.Services.AddSingleton(services => new DetectionService(
            runtime,
            feeds,
            TimeSpan.FromSeconds(runtime.Config.Shutdown.DrainSeconds),
            loggerFactory,
            TimeSpan.FromMilliseconds(runtime.Config.Engine.StallMilliseconds)));
        builder.Services.AddHostedService(services => services.GetRequiredService<DetectionService>());
        if (runtime.Config.Plugins.Watch)
        {
            builder.Services.AddHostedService(services => new PluginWatchService(runtime, services.GetRequiredService<DetectionService>(), loggerFactory.CreateLogger(LogCategories.Loading)));
        }

        // Listening to the meter before anything counts: the counters record as they count.
        using OpenTelemetry.Metrics.MeterProvider? prometheus = runtime.Config.Admin.Enabled ? PrometheusMetrics.Create() : null;
        if (prometheus is not null)
        {
            WebAccess adminAccess = WebAccess.FromTokenFile(runtime.Config.Admin.BearerTokenFile, "admin.bearerTokenFile", runtime.Config.Admin.Tls, "admin.tls");
            builder.Services.AddHostedService(services => new AdminService(
                adminListen,
                adminAccess,
                runtime,
                services.GetRequiredService<DetectionService>(),
                prometheus,
                loggerFactory.CreateLogger(LogCategories.Admin)));
        }

        using IHost host = builder.Build();
        HostMetrics.Register(host.Services.GetRequiredService<SigsMeter>().Meter, runtime, host.Services.GetRequiredService<DetectionService>());
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
