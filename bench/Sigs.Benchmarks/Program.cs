using BenchmarkDotNet.Running;
using Sigs.Benchmarks;

// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(DispatchBenchmarks).Assembly).Run(args);
