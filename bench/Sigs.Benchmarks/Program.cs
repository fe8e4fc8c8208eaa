using BenchmarkDotNet.Running;
using Sigs.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/Sigs.Benchmarks -- --filter '*'
// End-to-end throughput: dotnet run -c Release --project bench/Sigs.Benchmarks -- throughput
// Forwarding through NATS JetStream into a correlator: dotnet run -c Release --project bench/Sigs.Benchmarks -- forward
// Native probe overhead on opens (root): dotnet run -c Release --project bench/Sigs.Benchmarks -- open-overhead
if (args is ["throughput"])
{
    await ThroughputRunner.RunAsync();
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
