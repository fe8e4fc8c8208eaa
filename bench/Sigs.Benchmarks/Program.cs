using BenchmarkDotNet.Running;
using Sigs.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/Sigs.Benchmarks -- --filter '*'
// End-to-end throughput: dotnet run -c Release --project bench/Sigs.Benchmarks -- throughput
if (args is ["throughput"])
{
    await ThroughputRunner.RunAsync();
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(DispatchBenchmarks).Assembly).Run(args);
}
