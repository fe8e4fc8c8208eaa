using System.Globalization;
using System.Text;

namespace Sigs.Host.Tests.Conformance;

/// <summary>
/// Tetragon events as <c>tetra getevents -o json</c> prints them (field names and shapes from Tetragon's docs,
/// for example docs/content/en/docs/use-cases/filename-access.md), with the process, pod and arguments a case needs.
/// </summary>
internal static class TetragonJson
{
    public const string ContainerId = "3f2a9c8e1b7d4c6a9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
    public const string Node = "node-1";

    public sealed record Proc(int Pid, string Binary, string Arguments, DateTimeOffset Start, string? Pod = "web-7");

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    public static string Process(Proc p)
    {
        string execId = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Node}:{p.Start.ToUnixTimeMilliseconds() * 1_000_000}:{p.Pid}"));
        string pod = p.Pod is null ? "" : $$"""
            ,"pod":{"namespace":"shop","name":{{Quote(p.Pod)}},"uid":"5b0c1d2e-7f3a-4b5c-9d8e-1f2a3b4c5d6e","container":{"id":"containerd://{{ContainerId}}","name":"web","image":{"id":"docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31","name":"docker.io/library/nginx:1.27"},"start_time":"2025-11-02T09:00:00Z","pid":12},"pod_labels":{"app":"web"},"workload":"web","workload_kind":"Deployment"},"docker":"{{ContainerId[..31]}}"
            """;
        return $$"""
            {"exec_id":"{{execId}}","pid":{{p.Pid}},"uid":0,"cwd":"/","binary":{{Quote(p.Binary)}},"arguments":{{Quote(p.Arguments)}},"flags":"execve clone","start_time":"{{Time(p.Start)}}","auid":4294967295{{pod}},"parent_exec_id":"bm9kZS0xOjE2ODAxNzA0Nzk0Mjk4OjY0NjE1","refcnt":1,"tid":{{p.Pid}}}
            """;
    }

    private static string Parent(Proc p) => Process(p with { Pid = 1, Binary = "/bin/sh", Arguments = "" });

    private static string Response(string kind, string body, DateTimeOffset time) =>
        $$"""{"{{kind}}":{{body}},"node_name":"{{Node}}","time":"{{Time(time)}}"}""";

    public static string Exec(Proc p, DateTimeOffset time) =>
        Response("process_exec", $$"""{"process":{{Process(p)}},"parent":{{Parent(p)}}}""", time);

    public static string Exit(Proc p, DateTimeOffset time) =>
        Response("process_exit", $$"""{"process":{{Process(p)}},"signal":"","status":0,"time":"{{Time(time)}}"}""", time);

    /// <summary><c>security_file_permission</c> as Tetragon's file-monitoring example policy reports it: the file, then the mask.</summary>
    public static string FilePermission(Proc p, string path, int mask, DateTimeOffset time) =>
        Response("process_kprobe", $$$"""{"process":{{{Process(p)}}},"parent":{{{Parent(p)}}},"function_name":"security_file_permission","args":[{"file_arg":{"path":{{{Quote(path)}}},"permission":"-rw-------"}},{"int_arg":{{{mask}}}}],"return":{"int_arg":0},"action":"KPROBE_ACTION_POST","policy_name":"sigs","return_action":"KPROBE_ACTION_POST"}""", time);

    /// <summary><c>security_inode_rename</c> with deploy/tetragon's two dentry arguments.</summary>
    public static string Rename(Proc p, string oldPath, string newPath, DateTimeOffset time) =>
        Response("process_kprobe", $$$"""{"process":{{{Process(p)}}},"parent":{{{Parent(p)}}},"function_name":"security_inode_rename","args":[{"path_arg":{"path":{{{Quote(oldPath)}}}}},{"path_arg":{"path":{{{Quote(newPath)}}}}}],"action":"KPROBE_ACTION_POST","policy_name":"sigs"}""", time);
}
