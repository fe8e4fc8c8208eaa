using Sigs.Host.Common;
using Sigs.Host.Configuration;

namespace Sigs.Host.Feeds;

/// <summary>
/// The names feeds go by in /healthz, logs and metrics: the configured <c>name</c>, else the feed's type, then
/// <c>TYPE-2</c>, <c>TYPE-3</c> for more feeds of one type. A name never holds an address or a path, so the
/// <c>feed</c> label of every metric has as many values as there are configured feeds.
/// </summary>
internal static class FeedNames
{
    /// <exception cref="UsageException">Two feeds would have the same name.</exception>
    public static IReadOnlyList<string> Of(IReadOnlyList<FeedOptions> feeds)
    {
        var names = new List<string>(feeds.Count);
        var taken = new HashSet<string>(feeds.Where(f => f.Name is not null).Select(f => f.Name!), StringComparer.Ordinal);
        foreach (FeedOptions feed in feeds)
        {
            if (feed.Name is { } configured)
            {
                if (names.Contains(configured, StringComparer.Ordinal))
                {
                    throw new UsageException($"feeds: two feeds are named '{configured}'; give each its own 'name:'");
                }

                names.Add(configured);
                continue;
            }

            string type = FeedTypes.Of(feed).Name;
            string name = type;
            for (int n = 2; taken.Contains(name) || names.Contains(name, StringComparer.Ordinal); n++)
            {
                name = $"{type}-{n}";
            }

            names.Add(name);
        }

        return names;
    }
}
