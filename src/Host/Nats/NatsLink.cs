using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Sigs.Host.Common;

namespace Sigs.Host.Nats;

/// <summary>
/// One connection to NATS and its JetStream context, for a feed, an output or a forward. The first connect is
/// retried with backoff until it succeeds (an unreachable server at start is reported, not fatal); after that the
/// client reconnects by itself, forever. Losses and recoveries are logged once each and counted.
/// </summary>
internal sealed partial class NatsLink : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly string _name;
    private long _reconnects;
    private int _wasOpen;

    public NatsLink(INatsEndpoint endpoint, string name, ILoggerFactory loggerFactory)
    {
        _name = name;
        _logger = loggerFactory.CreateLogger(LogCategories.Nats(name.Split(':')[0]));
        if (endpoint.Credentials is null)
        {
            LogInsecure(_logger, _name, endpoint.Url);
        }

        Connection = new NatsConnection(Options(endpoint, name));
        JetStream = new NatsJSContext(Connection);
        Connection.ConnectionDisconnected += (_, args) =>
        {
            LogLost(_logger, _name, args.Message);
            return ValueTask.CompletedTask;
        };
        Connection.ConnectionOpened += (_, _) =>
        {
            if (Interlocked.Exchange(ref _wasOpen, 1) == 1)
            {
                Interlocked.Increment(ref _reconnects);
                LogBack(_logger, _name);
            }

            return ValueTask.CompletedTask;
        };
    }

    public NatsConnection Connection { get; }

    public INatsJSContext JetStream { get; }

    public bool Connected => Connection.ConnectionState == NatsConnectionState.Open;

    /// <summary>Times the connection came back after it was lost.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Connects, retrying with backoff until it succeeds or <paramref name="cancellationToken"/> ends.</summary>
    public async Task ConnectAsync(ReconnectDelays delays, TimeProvider clock, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(delays.Initial, delays.Maximum);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await Connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    LogConnected(_logger, _name, attempt);
                }

                return;
            }
            catch (NatsException ex)
            {
                TimeSpan delay = backoff.Next();
                if (attempt == 1)
                {
                    LogUnreachable(_logger, _name, ex.Message, delay.TotalSeconds);
                }

                await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    /// <summary>The client options for an endpoint: servers, credentials read from their files, TLS.</summary>
    public static NatsOpts Options(INatsEndpoint endpoint, string name) => NatsOpts.Default with
    {
        Url = endpoint.Url,
        Name = $"sigs {name}",
        AuthOpts = Credentials(endpoint.Credentials),
        TlsOpts = endpoint.Tls is { } tls
            ? new NatsTlsOpts { CaFile = tls.CaFile, CertFile = tls.CertFile, KeyFile = tls.KeyFile, Mode = TlsMode.Require }
            : NatsTlsOpts.Default,
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(250),
        ReconnectWaitMax = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        SubPendingChannelFullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
    };

    private static NatsAuthOpts Credentials(NatsCredentialOptions? credentials) => credentials is null ? NatsAuthOpts.Default : new NatsAuthOpts
    {
        CredsFile = credentials.CredsFile,
        NKeyFile = credentials.NkeyFile,
        Username = credentials.UserFile is { } userFile ? SecretFile.Read(userFile, "credentials.userFile", "the user name") : credentials.User,
        Password = credentials.PasswordFile is { } password ? SecretFile.Read(password, "credentials.passwordFile", "the password") : null,
        Token = credentials.TokenFile is { } token ? SecretFile.Read(token, "credentials.tokenFile", "the token") : null,
    };
}
