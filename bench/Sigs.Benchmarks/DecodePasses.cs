using System.Diagnostics;
using System.Globalization;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;

namespace Sigs.Benchmarks;

/// <summary>
/// Decodes every line of a file several times in one process and prints each pass's time: the first pass pays for
/// compiling the decoder as it runs (tier 0, then tier 1 in the background), the later ones show it warm.
/// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- decode-passes FILE PASSES
/// </summary>
internal static class DecodePasses
{
    public static int Run(string path, int passes)
    {
        byte[][] lines = File.ReadAllLines(path).Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

        // The lines are kept for every pass: settled in the oldest generation now, the passes' collections do not move them.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        for (int pass = 1; pass <= passes; pass++)
        {
            int collections = GC.CollectionCount(0);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            long events = 0;
            foreach (byte[] line in lines)
            {
                events += JsonLineDecoder.Decode(line).Events.Count;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pass {pass}: {events:N0} events in {clock.Elapsed.TotalSeconds:F3} s ({clock.Elapsed.TotalMicroseconds / lines.Length:F2} us and {(GC.GetAllocatedBytesForCurrentThread() - allocated) / lines.Length:N0} B per line, {GC.CollectionCount(0) - collections} collections)"));
        }

        return 0;
    }
}
