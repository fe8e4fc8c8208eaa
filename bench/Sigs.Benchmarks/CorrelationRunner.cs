using System.Diagnostics;
using System.Globalization;
using Sigs.Host.Rules;
using Sigs.Plugins;

namespace Sigs.Benchmarks;

/// <summary>
/// Sigma correlation state under load: 1,000,000 audit events over 100,000 groups (one user each, ten events per
/// group, spread over ten minutes of event time), through a value_count correlation (distinct secrets per user in
/// 15 minutes, a threshold no group reaches) and a temporal_ordered one (a secret read, then a pod exec, by the same
/// user), as each correlation's signature runs them on the engine thread. Prints events per second and the bytes the
/// open groups hold.
/// </summary>
internal static class CorrelationRunner
{
    private const int Events = 1_000_000;
    private const int Groups = 100_000;

    private const string Rules = """
        title: secret read
        id: secret-read
        name: secret_read
        logsource: {product: kubernetes, service: audit}
        detection:
          sel:
            verb: get
            objectRef.resource: secrets
          condition: sel
        ---
        title: pod exec
        id: pod-exec
        name: pod_exec
        logsource: {product: kubernetes, service: audit}
        detection:
          sel:
            objectRef.subresource: exec
          condition: sel
        ---
        title: many secrets
        id: many-secrets
        correlation:
          type: value_count
          rules: [secret_read]
          group-by: [user.username]
          timespan: 15m
          condition:
            gte: 50
            field: objectRef.name
        ---
        title: secret then exec
        id: secret-then-exec
        correlation:
          type: temporal_ordered
          rules: [secret_read, pod_exec]
          group-by: [user.username]
          timespan: 15m
        """;

    public static int Run()
    {
        string folder = Directory.CreateTempSubdirectory("sigs-correlation-bench-").FullName;
        File.WriteAllText(Path.Combine(folder, "rules.yml"), Rules);
        RuleSet set = RuleSet.Load([folder], new Dictionary<string, IReadOnlyList<string>>(), new CorrelationLimits(MaxGroups: 2 * Groups, MaxEventsPerGroup: 100));
        Directory.Delete(folder, recursive: true);
        SigmaCorrelationSignature[] correlations = [.. set.Correlations];
        if (set.Refusals.Count > 0 || correlations.Length != 2)
        {
            Console.Error.WriteLine(string.Join("\n", set.Refusals));
            return 1;
        }

        DateTimeOffset start = DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000);
        string[] users = [.. Enumerable.Range(0, Groups).Select(i => $"system:serviceaccount:ns-{i % 100}:sa-{i}")];
        string[] secrets = [.. Enumerable.Range(0, 10).Select(i => $"secret-{i}")];
        SecurityEvent Event(int n) => new()
        {
            Time = start.AddMilliseconds(n * 0.6), // ten minutes of event time in all
            Source = EventSources.KubernetesAudit,
            Name = EventNames.KubernetesAudit,
            Audit = new AuditInfo
            {
                Verb = "get",
                User = users[n % Groups],
                Stage = "ResponseComplete",
                ObjectRef = new AuditObjectReference { Resource = "secrets", Namespace = "shop", Name = secrets[n / Groups % secrets.Length] },
            },
        };

        SecurityEvent[] events = [.. Enumerable.Range(0, Events).Select(Event)];
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        foreach (SecurityEvent e in events)
        {
            foreach (SigmaCorrelationSignature correlation in correlations)
            {
                correlation.OnEvent(e);
            }
        }

        watch.Stop();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        int open = correlations.Sum(c => c.OpenGroups);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Events:N0} events, 2 correlations: {Events / watch.Elapsed.TotalSeconds:N0} events/s ({watch.Elapsed.TotalMilliseconds * 1000 / Events:N2} us per event for both)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"open groups: {open:N0}; held: {(after - before) / 1024.0 / 1024.0:N1} MiB, {(after - before) / (double)open:N0} bytes per open group; evictions {correlations.Sum(c => c.Evictions)}"));
        GC.KeepAlive(events);
        return 0;
    }
}
