using BenchmarkDotNet.Running;
using Sigs.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/Sigs.Benchmarks -- --filter '*'
// End-to-end throughput: dotnet run -c Release --project bench/Sigs.Benchmarks -- throughput [tracee|tetragon|falco]
// Forwarding through NATS JetStream into a correlator: dotnet run -c Release --project bench/Sigs.Benchmarks -- forward
// sigs replay against the tokenizer floor, per format: dotnet run -c Release --project bench/Sigs.Benchmarks -- replay
//   (the generated lines alone: -- replay-lines tracee|tracee-v1beta1|falco|k8s-audit COUNT;
//   the decoder cold against warm, in process: -- decode-passes FILE PASSES)
// Sigma correlation state, 1,000,000 events over 100,000 groups: dotnet run -c Release --project bench/Sigs.Benchmarks -- correlation
// Native probe (root): latency of a watched open, a 256-thread flood, 10,000 execs with 2 MB argv:
//   dotnet run -c Release --project bench/Sigs.Benchmarks -- native [latency|flood|argv]
if (args is ["throughput"] or ["throughput", "tracee" or "tetragon" or "falco"])
{
    await ThroughputRunner.RunAsync(args.Length > 1 ? args[1] : null);
}
else if (args is ["replay"])
{
    await ReplayRunner.RunAsync();
}
else if (args is ["replay-lines", string format, string count])
{
    foreach (string line in ReplayLines.Generate(format, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture)))
    {
        Console.WriteLine(line);
    }
}
else if (args is ["replay-floor", string file])
{
    return TokenizerFloor.Run(file);
}
else if (args is ["decode-passes", string decodeFile, string passes])
{
    return DecodePasses.Run(decodeFile, int.Parse(passes, System.Globalization.CultureInfo.InvariantCulture));
}
else if (args is ["forward"])
{
    await ForwardingRunner.RunAsync();
}
else if (args is ["native"] or ["native", "latency" or "flood" or "argv"])
{
    await NativeProbeRunner.RunAsync(args.Length > 1 ? args[1] : null);
}
else if (args is ["open-loop", string path])
{
    return NativeProbeRunner.OpenLoop(path);
}
else if (args is ["flood-loop", string floodPath, string threads, string seconds])
{
    return NativeProbeRunner.FloodLoop(floodPath, int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture), int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
}
else if (args is ["correlation"])
{
    return CorrelationRunner.Run();
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(DispatchBenchmarks).Assembly).Run(args);
}

return 0;
