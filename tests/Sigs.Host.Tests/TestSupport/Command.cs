using System.Diagnostics;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>Runs a command line tool (dotnet, the built sigs) to completion and captures its output.</summary>
internal static class Command
{
    public static async Task<SigsProcess.Result> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        ProcessStartInfo start = StartInfo(file, args, workingDirectory, environment);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(cancel.Token);
        return new SigsProcess.Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>How a tool is started in tests: output captured, arguments as given, in the repository unless told.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>Runs and asserts success, showing the tool's output when it fails.</summary>
    public static async Task<SigsProcess.Result> SucceedAsync(string file, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string[] argv = [.. args];
        SigsProcess.Result result = await RunAsync(file, argv, workingDirectory, environment);
        Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', argv)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}
