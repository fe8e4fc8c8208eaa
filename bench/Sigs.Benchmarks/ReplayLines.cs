using System.Globalization;

namespace Sigs.Benchmarks;

/// <summary>
/// Realistic JSON lines for the replay benchmarks, in each format as the sensor writes it (Tracee's default raw
/// arguments): nine in ten benign (libraries opened, servers started, exits), one in ten hitting a shipped signature
/// (a PKI key read, a token read, a credential path in argv).
/// </summary>
internal static class ReplayLines
{
    public static IEnumerable<string> Generate(string format, int count)
    {
        for (int i = 0; i < count; i++)
        {
            bool hit = i % 10 == 0;
            yield return format switch
            {
                "tracee" => TraceeLegacy(i, hit),
                "tracee-v1beta1" => TraceeV1Beta1(i, hit),
                "falco" => Falco(i, hit),
                "k8s-audit" => Audit(i, hit),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "one of tracee, tracee-v1beta1, falco, k8s-audit"),
            };
        }
    }

    public static readonly string[] Formats = ["tracee", "tracee-v1beta1", "falco", "k8s-audit"];

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string HitPath(int i) => (i / 10 % 3) switch
    {
        0 => "/etc/kubernetes/pki/apiserver.key",
        1 => "/var/lib/kubelet/pki/kubelet-client-current.pem",
        _ => "/var/run/secrets/kubernetes.io/serviceaccount/..data/token",
    };

    private static string TraceeLegacy(int i, bool hit)
    {
        long time = 1_762_077_601_000_000_000 + (i * 1_000L);
        int pid = 1000 + (i % 5000);
        string context = $$"""{"timestamp":{{N(time)}},"threadStartTime":{{N(time - 5_000_000_000)}},"processorId":1,"processId":{{N(pid)}},"cgroupId":1234,"threadId":{{N(pid)}},"parentProcessId":1,"hostProcessId":{{N(pid)}},"hostThreadId":{{N(pid)}},"hostParentProcessId":1,"userId":0,"mountNamespace":4026531840,"pidNamespace":4026531836,"processName":"{{(hit ? "cat" : "python3")}}","executable":{"path":"/usr/bin/{{(hit ? "cat" : "python3")}}"},"hostName":"node-1",""";
        string where = i % 2 == 0
            ? """ "containerId":"3f2a9c8e1b7d4e6f","container":{"id":"3f2a9c8e1b7d4e6f","name":"web","image":"nginx:1.27","imageDigest":"sha256:abc"},"kubernetes":{"podName":"web-7d4b9","podNamespace":"shop","podUID":"u-1"},"""
            : """ "containerId":"","container":{},"kubernetes":{},""";
        string tail = $$""" "eventId":"0","matchedPolicies":["sigs"],"returnValue":0,"syscall":"","stackAddresses":null,"contextFlags":{"containerStarted":false,"isCompat":false},"threadEntityId":{{N(100_000 + (i % 5000))}},"processEntityId":{{N(100_000 + (i % 5000))}},"parentEntityId":7,""";
        string path = hit ? HitPath(i) : "/usr/lib/x86_64-linux-gnu/libc.so.6";
        string argv = hit ? """["cat","/root/.aws/credentials"]""" : """["python3","/app/server.py","--port","8080"]""";
        string program = hit ? "/usr/bin/cat" : "/usr/bin/python3";
        return (i % 3) switch
        {
            0 => context + where + tail + $$""" "eventName":"security_file_open","argsNum":6,"args":[{"name":"pathname","type":"const char*","value":"{{path}}"},{"name":"flags","type":"int","value":32768},{"name":"dev","type":"dev_t","value":2049},{"name":"inode","type":"unsigned long","value":{{N(5678 + i)}}},{"name":"ctime","type":"unsigned long","value":{{N(time)}}},{"name":"syscall_pathname","type":"const char*","value":"{{path}}"}]}""",
            1 => context + where + tail + $$""" "eventName":"sched_process_exec","argsNum":16,"args":[{"name":"cmdpath","type":"const char*","value":"{{program}}"},{"name":"pathname","type":"const char*","value":"{{program}}"},{"name":"dev","type":"dev_t","value":2049},{"name":"inode","type":"unsigned long","value":1234},{"name":"ctime","type":"unsigned long","value":{{N(time)}}},{"name":"inode_mode","type":"umode_t","value":33261},{"name":"interpreter_pathname","type":"const char*","value":""},{"name":"interpreter_dev","type":"dev_t","value":0},{"name":"interpreter_inode","type":"unsigned long","value":0},{"name":"interpreter_ctime","type":"unsigned long","value":0},{"name":"argv","type":"const char**","value":{{argv}}},{"name":"interp","type":"const char*","value":"{{program}}"},{"name":"stdin_type","type":"umode_t","value":{{(hit ? "8592" : "4480")}}},{"name":"stdin_path","type":"char*","value":"{{(hit ? "/dev/pts/0" : "pipe:[123]")}}"},{"name":"invoked_from_kernel","type":"int","value":0},{"name":"env","type":"const char**","value":null}]}""",
            _ => context + where + tail + """ "eventName":"sched_process_exit","argsNum":2,"args":[{"name":"exit_code","type":"long","value":0},{"name":"process_group_exit","type":"bool","value":true}]}""",
        };
    }

    private static string TraceeV1Beta1(int i, bool hit)
    {
        string time = DateTimeOffset.FromUnixTimeMilliseconds(1_762_077_601_000 + i).ToString("yyyy-MM-ddTHH:mm:ss.fffffff00Z", CultureInfo.InvariantCulture);
        int pid = 1000 + (i % 5000);
        string name = hit ? "cat" : "python3";
        string workload = $$""" "workload":{"process":{"executable":{"path":"/usr/bin/{{name}}"},"unique_id":{{N(100_000 + (i % 5000))}},"host_pid":{{N(pid)}},"pid":{{N(pid)}},"real_user":{"id":0},"thread":{"start_time":"{{time}}","name":"{{name}}","unique_id":{{N(100_000 + (i % 5000))}},"host_tid":{{N(pid)}},"tid":{{N(pid)}}},"ancestors":[{"unique_id":7,"host_pid":1,"pid":1}]}{{(i % 2 == 0 ? ""","container":{"id":"3f2a9c8e1b7d4e6f","name":"web","image":{"name":"nginx:1.27"}},"k8s":{"pod":{"name":"web-7d4b9","uid":"u-1"},"namespace":{"name":"shop"}}""" : "")}}}""";
        string head = $$"""{"timestamp":"{{time}}","id":{{N(1000 + (i % 3))}},""";
        string path = hit ? HitPath(i) : "/usr/lib/x86_64-linux-gnu/libc.so.6";
        return (i % 3) switch
        {
            0 => head + $$""" "name":"security_file_open","policies":{"matched":["sigs"]},{{workload}},"data":[{"name":"pathname","value":"{{path}}"},{"name":"flags","value":32768},{"name":"dev","value":2049},{"name":"inode","value":{{N(91 + i)}}},{"name":"ctime","value":0},{"name":"syscall_pathname","value":"{{path}}"}]}""",
            1 => head + $$""" "name":"sched_process_exec","policies":{"matched":["sigs"]},{{workload}},"data":[{"name":"pathname","value":"/usr/bin/{{name}}"},{"name":"dev","value":2049},{"name":"inode","value":1234},{"name":"argv","value":{{(hit ? """["cat","/root/.aws/credentials"]""" : """["python3","/app/server.py"]""")}}},{"name":"stdin_type","value":{{(hit ? "8592" : "4480")}}},{"name":"stdin_path","value":"{{(hit ? "/dev/pts/0" : "pipe:[123]")}}"},{"name":"invoked_from_kernel","value":0}]}""",
            _ => head + $$""" "name":"sched_process_exit","policies":{"matched":["sigs"]},{{workload}},"data":[{"name":"exit_code","value":0},{"name":"process_group_exit","value":true}]}""",
        };
    }

    private static string Falco(int i, bool hit)
    {
        long nanoseconds = 1_762_077_610_000_000_000 + (i * 1_000L);
        string time = DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100).ToString("yyyy-MM-ddTHH:mm:ss.fffffff00Z", CultureInfo.InvariantCulture);
        string proc = $$""" "proc.pid":{{N(7000 + (i % 5000))}},"proc.vpid":12,"proc.ppid":7090,"proc.tty":{{(hit ? "34816" : "0")}},"user.uid":0,"container.id":"9e8d7c6b5a4f","container.name":"debug","container.image.repository":"busybox","k8s.pod.name":"debug-shell","k8s.ns.name":"default" """;
        string fields = (i % 2) switch
        {
            0 => $$"""{"evt.type":"openat","evt.time":{{N(nanoseconds)}},"fd.name":"{{(hit ? "/var/lib/kubelet/pki/kubelet.crt" : "/usr/lib/libz.so.1")}}","evt.arg.flags":"O_RDONLY|O_CLOEXEC","proc.name":"head","proc.exepath":"/usr/bin/head","proc.cmdline":"head -c 400 x",{{proc}}}""",
            _ => $$"""{"evt.type":"execve","evt.time":{{N(nanoseconds)}},"proc.name":"cat","proc.exepath":"/usr/bin/cat","proc.exe":"cat","proc.args":"{{(hit ? "/root/.aws/credentials" : "/etc/hostname")}}","proc.cmdline":"cat x",{{proc}}}""",
        };
        return $$"""{"hostname":"node-2","output":"sigs event","output_fields":{{fields}},"priority":"Notice","rule":"Sigs file open","source":"syscall","tags":["sigs"],"time":"{{time}}"}""";
    }

    private static string Audit(int i, bool hit)
    {
        string time = DateTimeOffset.FromUnixTimeMilliseconds(1_762_077_640_000 + i).ToString("yyyy-MM-ddTHH:mm:ss.fffffff00Z", CultureInfo.InvariantCulture);
        string user = hit
            ? """{"username":"system:serviceaccount:shop:web","uid":"0d1c2b3a","groups":["system:serviceaccounts","system:serviceaccounts:shop","system:authenticated"],"extra":{"authentication.kubernetes.io/pod-name":["web-7d4b9"],"authentication.kubernetes.io/pod-uid":["5b0e6a52"]}}"""
            : """{"username":"system:node:node-1","groups":["system:nodes","system:authenticated"]}""";
        return $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-{{N(i)}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods","verb":"list","user":{{user}},"sourceIPs":["10.244.1.17"],"userAgent":"curl/8.5.0","objectRef":{"resource":"pods","namespace":"shop","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"{{time}}","stageTimestamp":"{{time}}"}""";
    }
}
