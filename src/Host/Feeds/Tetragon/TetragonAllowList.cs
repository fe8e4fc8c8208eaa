using Sigs.Host.Feeds.Tetragon.Proto;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// The <c>GetEventsRequest</c> for the loaded signatures: an allow list of the event types they select (exec,
/// exit, and the kprobe and LSM events of the configured policies for opens and renames), so Tetragon streams
/// nothing else. The shipped signatures name no namespace or pod, so the list filters by type and policy only.
/// </summary>
internal static class TetragonAllowList
{
    public static GetEventsRequest For(IEnumerable<EventSelector> selectors, IReadOnlyList<string> policies)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (EventSelector selector in selectors)
        {
            if (selector.Source is EventSources.Tetragon or EventSelector.Any)
            {
                wanted.Add(selector.Name);
            }
        }

        bool any = wanted.Contains(EventSelector.Any);
        var processes = new Filter();
        if (any || wanted.Contains(EventNames.ProcessExec))
        {
            processes.EventSet.Add(EventType.ProcessExec);
        }

        if (any || wanted.Contains(EventNames.ProcessExit))
        {
            processes.EventSet.Add(EventType.ProcessExit);
        }

        var request = new GetEventsRequest();
        if (processes.EventSet.Count > 0)
        {
            request.AllowList.Add(processes);
        }

        if (any || wanted.Contains(EventNames.FileOpen) || wanted.Contains(EventNames.FileRename))
        {
            var hooks = new Filter { EventSet = { EventType.ProcessKprobe, EventType.ProcessLsm } };
            hooks.PolicyNames.Add(policies);
            request.AllowList.Add(hooks);
        }

        if (request.AllowList.Count == 0)
        {
            // No loaded signature wants a Tetragon event: ask for a type Tetragon never sends rather than for everything.
            request.AllowList.Add(new Filter { EventSet = { EventType.Undef } });
        }

        return request;
    }
}
