using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Sigs.Host.Feeds.Native;

internal enum ProcessEventKind
{
    Fork,
    Exec,
    Exit,
}

/// <summary>What the kernel's process connector reported: for a fork, <see cref="Pid"/> is the new process.</summary>
internal readonly record struct ProcessEvent(ProcessEventKind Kind, int Pid, int ParentPid, int ExitCode)
{
    public bool IsExec => Kind == ProcessEventKind.Exec;
}

/// <summary>
/// The netlink process connector (<c>NETLINK_CONNECTOR</c>, <c>CN_IDX_PROC</c>): the kernel reports every fork,
/// exec and exit. Needs CAP_NET_ADMIN. Only processes are reported, not threads.
/// </summary>
internal sealed partial class ProcessConnector : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const int NetlinkConnector = 11;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;
    private const int SoRcvbuf = 8;
    private const uint CnIdxProc = 1;
    private const uint CnValProc = 1;
    private const uint ProcCnMcastListen = 1;
    private const uint ProcEventFork = 0x00000001;
    private const uint ProcEventExec = 0x00000002;
    private const uint ProcEventExit = 0x80000000;
    private const int HeaderBytes = 16 + 20; // nlmsghdr + cn_msg
    private const int MsgDontWait = 0x40;

    private readonly int _socket;

    public ProcessConnector()
    {
        _socket = socket(AfNetlink, SockDgram | SockCloexec, NetlinkConnector);
        if (_socket < 0)
        {
            throw Failure("socket(NETLINK_CONNECTOR)");
        }

        try
        {
            Span<byte> address = stackalloc byte[12]; // sockaddr_nl: family, pad, pid, groups
            BinaryPrimitives.WriteUInt16LittleEndian(address, AfNetlink);
            BinaryPrimitives.WriteUInt32LittleEndian(address[8..], CnIdxProc);
            if (Bind(address) != 0)
            {
                throw Failure("bind(CN_IDX_PROC)");
            }

            SetOption(SoRcvbuf, 4 * 1024 * 1024);
            Span<byte> timeout = stackalloc byte[16]; // struct timeval: 0 s, 250000 us
            BinaryPrimitives.WriteInt64LittleEndian(timeout[8..], 250_000);
            SetOption(SoRcvtimeo, timeout);
            Subscribe();
        }
        catch
        {
            close(_socket);
            throw;
        }
    }

    /// <summary>
    /// Reads events until cancelled, handing each to <paramref name="onEvent"/>. Messages the kernel dropped
    /// because the buffer was full are reported through <paramref name="onOverrun"/>. Each time the socket is
    /// found empty, <paramref name="onCaughtUp"/> gets the monotonic time (ns) taken just before: the kernel queues
    /// an exec's message before the exec returns, so every exec before that time has been handed on.
    /// </summary>
    public void Run(Action<ProcessEvent> onEvent, Action onOverrun, Action<long> onCaughtUp, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[8192];
        while (!cancellationToken.IsCancellationRequested)
        {
            long before = Monotonic.Now();
            int read = Receive(buffer, MsgDontWait);
            if (read < 0 && Marshal.GetLastPInvokeError() == 11) // EAGAIN: nothing waits
            {
                onCaughtUp(before);
                read = Receive(buffer, 0);
            }

            if (read < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is 11 or 4) // EAGAIN (receive timeout) or EINTR
                {
                    continue;
                }

                if (errno == 105) // ENOBUFS: the kernel dropped events
                {
                    onOverrun();
                    continue;
                }

                throw new IOException($"recv from the process connector failed: errno {errno}");
            }

            if (Parse(buffer.AsSpan(0, read)) is { } processEvent)
            {
                onEvent(processEvent);
            }
        }
    }

    /// <summary>Decodes one message: nlmsghdr, cn_msg, then proc_event (what, cpu, timestamp, data).</summary>
    public static ProcessEvent? Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderBytes + 16 + 8)
        {
            return null;
        }

        ReadOnlySpan<byte> procEvent = message[HeaderBytes..];
        uint what = BinaryPrimitives.ReadUInt32LittleEndian(procEvent);
        ReadOnlySpan<byte> data = procEvent[16..];
        int pid = BinaryPrimitives.ReadInt32LittleEndian(data);
        int tgid = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        return what switch
        {
            // fork: parent pid, parent tgid, child pid, child tgid; a new thread has a child pid other than its tgid.
            ProcEventFork when data.Length >= 16 && BinaryPrimitives.ReadInt32LittleEndian(data[8..]) is int child && child == BinaryPrimitives.ReadInt32LittleEndian(data[12..])
                => new ProcessEvent(ProcessEventKind.Fork, child, tgid, 0),
            ProcEventExec when pid == tgid => new ProcessEvent(ProcessEventKind.Exec, tgid, 0, 0),
            ProcEventExit when pid == tgid && data.Length >= 24 => new ProcessEvent(ProcessEventKind.Exit, tgid, BinaryPrimitives.ReadInt32LittleEndian(data[20..]), BinaryPrimitives.ReadInt32LittleEndian(data[8..])),
            _ => null,
        };
    }

    public void Dispose() => close(_socket);

    private unsafe void Subscribe()
    {
        Span<byte> message = stackalloc byte[HeaderBytes + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length); // nlmsg_len
        BinaryPrimitives.WriteUInt16LittleEndian(message[4..], 3); // NLMSG_DONE
        BinaryPrimitives.WriteUInt32LittleEndian(message[12..], (uint)Environment.ProcessId);
        BinaryPrimitives.WriteUInt32LittleEndian(message[16..], CnIdxProc);
        BinaryPrimitives.WriteUInt32LittleEndian(message[20..], CnValProc);
        BinaryPrimitives.WriteUInt16LittleEndian(message[32..], 4); // cn_msg.len
        BinaryPrimitives.WriteUInt32LittleEndian(message[36..], ProcCnMcastListen);
        fixed (byte* bytes = message)
        {
            if (send(_socket, bytes, message.Length, 0) < 0)
            {
                throw Failure("subscribing to process events");
            }
        }
    }

    private unsafe int Bind(ReadOnlySpan<byte> address)
    {
        fixed (byte* bytes = address)
        {
            return bind(_socket, bytes, address.Length);
        }
    }

    private unsafe int Receive(byte[] buffer, int flags)
    {
        fixed (byte* bytes = buffer)
        {
            return (int)recv(_socket, bytes, buffer.Length, flags);
        }
    }

    private unsafe void SetOption(int option, int value) => SetOption(option, new ReadOnlySpan<byte>(&value, sizeof(int)));

    private unsafe void SetOption(int option, ReadOnlySpan<byte> value)
    {
        fixed (byte* bytes = value)
        {
            if (setsockopt(_socket, SolSocket, option, bytes, value.Length) != 0)
            {
                throw Failure($"setsockopt({option})");
            }
        }
    }

    private static IOException Failure(string what) => new($"{what} failed: errno {Marshal.GetLastPInvokeError()}");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int bind(int fd, byte* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int name, byte* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
