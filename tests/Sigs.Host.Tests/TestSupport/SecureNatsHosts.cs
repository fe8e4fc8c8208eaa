namespace Sigs.Host.Tests.TestSupport;

/// <summary>Real <c>sigs run</c> processes beside a <see cref="SecureNats"/> server: all stopped, and their files removed, when the test ends.</summary>
internal sealed class SecureNatsHosts : IAsyncDisposable
{
    private readonly List<SigsProcess> _processes = [];

    private SecureNatsHosts(SecureNats nats) => Nats = nats;

    public TempFolder Folder { get; } = new();

    public SecureNats Nats { get; }

    /// <summary>The processes started so far, in order.</summary>
    public IReadOnlyList<SigsProcess> Processes => _processes;

    public static async Task<SecureNatsHosts> StartAsync() => new(await SecureNats.StartAsync());

    /// <summary>Starts <c>sigs run --config <paramref name="config"/></c>.</summary>
    public SigsProcess Start(string config)
    {
        SigsProcess process = SigsProcess.Start(["run", "--config", config]);
        _processes.Add(process);
        return process;
    }

    /// <summary>Every process's last log lines, for a failure message.</summary>
    public string Logs(int lines = 30) => string.Concat(_processes.Select((p, i) => $"\n--- process {i}:\n" + string.Join("\n", p.StderrSoFar.TakeLast(lines))));

    public async ValueTask DisposeAsync()
    {
        foreach (SigsProcess process in _processes)
        {
            process.Dispose();
        }

        await Nats.DisposeAsync();
        Folder.Dispose();
    }
}
