using BenchmarkDotNet.Running;
using Sigs.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/Sigs.Benchmarks -- --filter '*'
// End-to-end throughput: dotnet run -c Release --project bench/Sigs.Benchmarks -- throughput [tracee|tetragon|falco]
// Forwarding through NATS JetStream into a correlator: dotnet run -c Release --project bench/Sigs.Benchmarks -- forward
// sigs replay against the tokenizer floor, per format: dotnet run -c Release --project bench/Sigs.Benchmarks -- replay
//   (the generated lines alone: -- replay-lines tracee|tracee-v1beta1|falco|k8s-audit COUNT;
//   the decoder cold against warm, in process: -- decode-passes FILE PASSES)
// Native probe overhead on opens (root): dotnet run -c Release --project bench/Sigs.Benchmarks -- open-overhead
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
else if (args is ["open-overhead"])
{
    await OpenOverheadRunner.RunAsync();
}
else if (args is ["open-loop" or "open-loop-spaced", string path])
{
    return OpenOverheadRunner.OpenLoop(path, spaced: args[0] == "open-loop-spaced");
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(DispatchBenchmarks).Assembly).Run(args);
}

return 0;
