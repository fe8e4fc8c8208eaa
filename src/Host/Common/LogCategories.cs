namespace Sigs.Host.Common;

/// <summary>
/// The log categories, one per component, so <c>--log-level</c> filters and log readers see stable names. Each
/// component's messages are source-generated in its <c>*.Log.cs</c> file with an EventId in the component's
/// range: hosting 1000s, engine 2000s, loading 3000s, feeds 4000s, outputs 5000s, admin 6000s, common 7000s, cli 8000s, nats 9000s, forwarding 10000s, rules 11000s.
/// </summary>
internal static class LogCategories
{
    public const string Hosting = "Sigs.Hosting";
    public const string Engine = "Sigs.Engine";
    public const string Loading = "Sigs.Loading";
    public const string Outputs = "Sigs.Outputs";
    public const string Admin = "Sigs.Admin";
    public const string Replay = "Sigs.Replay";
    public const string Forwarding = "Sigs.Forwarding";
    public const string Rules = "Sigs.Rules";

    /// <summary>One category per NATS connection's role, for example <c>Sigs.Nats.forward</c>.</summary>
    public static string Nats(string role) => $"Sigs.Nats.{role}";

    /// <summary>One category per feed type, for example <c>Sigs.Feeds.tracee</c>.</summary>
    public static string Feed(string type) => $"Sigs.Feeds.{type}";

    /// <summary>A signature's own log lines (<c>SignatureContext.Log</c>).</summary>
    public static string Signature(string id) => $"Sigs.Signature.{id}";
}
