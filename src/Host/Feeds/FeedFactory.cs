using System.Security.Cryptography;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Sigs.Host.Cli;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Feeds.Tracee;
using Sigs.Host.Grpc;
using Sigs.Host.Hosting;

namespace Sigs.Host.Feeds;

/// <summary>Builds feeds from configuration, and parses the command line's <c>--feed TYPE:ADDRESS</c>.</summary>
internal static class FeedFactory
{
    public static IEventFeed Create(FeedConfig feed, ILoggerFactory loggerFactory, ReconnectDelays delays, Func<WatchPlan> watchPlan)
    {
        IEventFeed created = CreateFeed(feed, loggerFactory, delays, watchPlan);
        if (feed.Fallback is null)
        {
            return created;
        }

        NativeFeed.CheckCanRun(); // fail at start, not when the sensor first goes down
        TimeSpan grace = feed.FallbackGraceSeconds is double seconds ? TimeSpan.FromSeconds(seconds) : FallbackFeed.DefaultGrace;
        ILogger nativeLogger = loggerFactory.CreateLogger($"Sigs.Feeds.{FeedConfig.Native}");
        return new FallbackFeed(created, counters => new NativeFeed(nativeLogger, watchPlan, counters: counters), grace, loggerFactory.CreateLogger("Sigs.Feeds.Fallback"));
    }

    private static IEventFeed CreateFeed(FeedConfig feed, ILoggerFactory loggerFactory, ReconnectDelays delays, Func<WatchPlan> watchPlan)
    {
        ILogger logger = loggerFactory.CreateLogger($"Sigs.Feeds.{feed.Type}");
        switch (feed.Type)
        {
            case FeedConfig.Tracee:
                string traceeAddress = feed.Address ?? TraceeGrpcFeed.DefaultAddress;
                return new TraceeGrpcFeed(Channel(traceeAddress, null, feed), traceeAddress, feed.Policies, logger, delays);
            case FeedConfig.FalcoGrpc:
                string falcoAddress = feed.Address ?? FalcoGrpcFeed.DefaultAddress;
                return new FalcoGrpcFeed(Channel(falcoAddress, feed.Tls, feed), falcoAddress, logger, delays);
            case FeedConfig.FalcoHttp:
                return new FalcoHttpFeed(feed.Listen ?? FalcoHttpFeed.DefaultListen, Limits(feed, FalcoHttpFeed.DefaultMaxBodyBytes), Access(feed), logger);
            case FeedConfig.KubernetesAudit:
                return new AuditWebhookFeed(feed.Listen ?? AuditWebhookFeed.DefaultListen, Limits(feed, AuditWebhookFeed.DefaultMaxBodyBytes), Access(feed), logger);
            case FeedConfig.File:
                return new FileFeed(feed.Path!, feed.Follow, logger);
            case FeedConfig.Native:
                NativeFeed.CheckCanRun();
                return new NativeFeed(logger, watchPlan);
            default:
                throw new ConfigException($"feed type '{feed.Type}' is not supported");
        }
    }

    /// <summary>
    /// <c>TYPE</c> or <c>TYPE:ADDRESS</c>: the address is the gRPC address (tracee, falco-grpc), the listen URL
    /// (falco-http, k8s-audit) or the path (file, read once).
    /// </summary>
    public static FeedConfig Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string type = colon < 0 ? text : text[..colon];
        string? value = colon < 0 || colon == text.Length - 1 ? null : text[(colon + 1)..];
        return type switch
        {
            FeedConfig.Tracee or FeedConfig.FalcoGrpc => new FeedConfig { Type = type, Address = value },
            FeedConfig.FalcoHttp or FeedConfig.KubernetesAudit => new FeedConfig { Type = type, Listen = value },
            FeedConfig.File when value is not null => new FeedConfig { Type = type, Path = value },
            FeedConfig.File => throw new UsageException("--feed file:PATH needs a path"),
            FeedConfig.Native => new FeedConfig { Type = type },
            _ => throw new UsageException($"--feed '{text}': type must be one of tracee, falco-http, falco-grpc, k8s-audit, file, native"),
        };
    }

    private static ReceiverLimits Limits(FeedConfig feed, long defaultMaxBodyBytes) => new(
        feed.MaxBodyBytes ?? defaultMaxBodyBytes,
        feed.MaxConcurrentRequests ?? ReceiverLimits.DefaultMaxConcurrentRequests,
        feed.MaxBufferedBytes ?? ReceiverLimits.DefaultMaxBufferedBytes);

    private static WebAccess Access(FeedConfig feed) => WebAccess.FromTokenFile(feed.BearerTokenFile, $"feeds[{feed.Type}].bearerTokenFile");

    private static GrpcChannel Channel(string address, TlsConfig? tls, FeedConfig feed)
    {
        try
        {
            GrpcAddress parsed = GrpcAddress.Parse(address, useTls: tls is not null);
            GrpcTlsOptions? tlsOptions = tls is null ? null : new GrpcTlsOptions(tls.CertFile, tls.KeyFile, tls.CaFile);
            return GrpcChannels.Create(parsed, tlsOptions, feed.MaxMessageBytes ?? GrpcChannels.DefaultMaxMessageBytes);
        }
        catch (FormatException ex)
        {
            throw new ConfigException($"feed address {ex.Message}");
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new ConfigException($"feed {address}: cannot load the TLS files: {ex.Message}");
        }
    }
}
