using Sigs.Host.Configuration;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Feeds.Tetragon;
using Sigs.Host.Feeds.Tracee;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Tests;

/// <summary>The Kubernetes manifests, Dockerfile and systemd unit agree with each other and with the code.</summary>
public class DeployManifestsTests
{
    private static readonly string Deploy = Path.Combine(RepoPaths.Root, "deploy");
    private static readonly string[] SigsManifests = ["kubernetes/tracee-sidecar/tracee-sidecar.yaml", "kubernetes/falco-sidecar/falco-sidecar.yaml", "kubernetes/audit-central/audit-central.yaml", "kubernetes/tetragon-sidecar/tetragon-sidecar.yaml"];

    private static List<YamlMappingNode> Documents(string relativePath)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Deploy, relativePath))));
        return [.. yaml.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current)[key]);

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static IEnumerable<YamlMappingNode> Items(YamlNode node, params string[] path) => ((YamlSequenceNode)At(node, path)).Children.Cast<YamlMappingNode>();

    private static Dictionary<string, SigsConfig> Configs() => ClusterConfigs(Documents("kubernetes/base/sigs-configmap.yaml"));

    private static YamlMappingNode PodSpec(string file) =>
        (YamlMappingNode)At(Documents(file).Single(d => Text(d, "kind") is "DaemonSet" or "Deployment"), "spec", "template", "spec");

    private static YamlMappingNode Container(YamlMappingNode podSpec, string name) => Items(podSpec, "containers").Single(c => Text(c, "name") == name);

    /// <summary>The config key a pod mounts as /etc/sigs/sigs.yaml, checked along the way.</summary>
    private static string MountedConfigKey(YamlMappingNode podSpec)
    {
        YamlMappingNode sigs = Container(podSpec, "sigs");
        Assert.Equal(["run", "--config", "/etc/sigs/sigs.yaml"], Items2(sigs, "args"));
        Assert.Contains(Items(sigs, "volumeMounts"), m => Text(m, "name") == "sigs-config" && Text(m, "mountPath") == "/etc/sigs");
        YamlMappingNode volume = Items(podSpec, "volumes").Single(v => Text(v, "name") == "sigs-config");
        Assert.Equal("sigs-config", Text(volume, "configMap", "name"));
        YamlMappingNode item = Items(volume, "configMap", "items").Single();
        Assert.Equal("sigs.yaml", Text(item, "path"));
        return Text(item, "key");
    }

    private static string[] Items2(YamlNode node, string key) => [.. ((YamlSequenceNode)At(node, key)).Children.Select(c => ((YamlScalarNode)c).Value!)];

    [Fact]
    public void ConfigMap_EveryConfigIsValidAndUsesTheImagesPluginFolder()
    {
        string volume = File.ReadLines(Path.Combine(Deploy, "Dockerfile")).Single(l => l.StartsWith("VOLUME ", StringComparison.Ordinal))["VOLUME ".Length..];

        Assert.All(Configs().Values, config => Assert.Equal(volume, config.Plugins.Dir));
        Assert.Equal(["audit.yaml", "falco.yaml", "native.yaml", "tetragon.yaml", "tracee.yaml"], Configs().Keys.Order());
    }

    [Fact]
    public void TraceeSidecar_SharesTheSocketTheConfigReads()
    {
        YamlMappingNode pod = PodSpec("kubernetes/tracee-sidecar/tracee-sidecar.yaml");
        var feed = Assert.IsType<TraceeFeedOptions>(Configs()[MountedConfigKey(pod)].Feeds.Single());
        string[] traceeArgs = Items2(Container(pod, "tracee"), "args");
        string socket = feed.Address["unix:".Length..];

        Assert.Equal(TraceeServer.GrpcAddress + feed.Address, traceeArgs[Array.IndexOf(traceeArgs, TraceeServer.Flag) + 1]);
        Assert.DoesNotContain(TraceeServer.Removed, traceeArgs);
        foreach (string name in (string[])["tracee", "sigs"])
        {
            YamlMappingNode mount = Items(Container(pod, name), "volumeMounts").Single(m => Text(m, "name") == "tracee-socket");
            Assert.Equal(Path.GetDirectoryName(socket), Text(mount, "mountPath"));
        }

        Assert.Contains(Items(pod, "volumes"), v => Text(v, "name") == "tracee-socket" && ((YamlMappingNode)v).Children.ContainsKey("emptyDir"));
    }

    [Fact]
    public void TetragonSidecar_SharesTheSocketTheConfigReads_InTheHostsPidNamespace()
    {
        YamlMappingNode pod = PodSpec("kubernetes/tetragon-sidecar/tetragon-sidecar.yaml");
        var feed = Assert.IsType<TetragonFeedOptions>(Configs()[MountedConfigKey(pod)].Feeds.Single());
        string[] tetragonArgs = Items2(Container(pod, "tetragon"), "args");
        string socket = feed.Address["unix://".Length..];

        Assert.Equal(feed.Address, tetragonArgs[Array.IndexOf(tetragonArgs, "--server-address") + 1]);
        foreach (string name in (string[])["tetragon", "sigs"])
        {
            YamlMappingNode mount = Items(Container(pod, name), "volumeMounts").Single(m => Text(m, "name") == "tetragon-socket");
            Assert.Equal(Path.GetDirectoryName(socket), Text(mount, "mountPath"));
        }

        Assert.Contains(Items(pod, "volumes"), v => Text(v, "name") == "tetragon-socket" && ((YamlMappingNode)v).Children.ContainsKey("emptyDir"));
        Assert.Equal("true", Text(pod, "hostPID")); // the terminal comes from /proc
        Assert.True(feed.FillsFromProc);
        Assert.Equal([Text(Documents("tetragon/tracingpolicy.yaml").Single(), "metadata", "name")], feed.Policies);
    }

    /// <summary>The policy's paths are exactly what the shipped signatures' file patterns ask for, hook by hook.</summary>
    [Fact]
    public void TetragonPolicy_MatchesTheShippedSignaturesFilePatterns()
    {
        using var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [], new CapturingLoggerFactory(), TimeProvider.System);
        TetragonPolicyPaths expected = TetragonPolicyPaths.From(runtime.Demands());
        YamlMappingNode policy = Documents("tetragon/tracingpolicy.yaml").Single();
        Assert.Equal("TracingPolicy", Text(policy, "kind"));
        YamlMappingNode[] kprobes = [.. Items(policy, "spec", "kprobes")];

        string[] Values(string call, int index, string op) =>
            [.. kprobes.Where(k => Text(k, "call") == call)
                .SelectMany(k => Items(k, "selectors"))
                .SelectMany(s => Items(s, "matchArgs"))
                .Where(m => Text(m, "index") == index.ToString(System.Globalization.CultureInfo.InvariantCulture) && Text(m, "operator") == op)
                .SelectMany(m => Items2(m, "values"))
                .Order(StringComparer.Ordinal)];

        Assert.NotEmpty(expected.OpenPrefixes);
        Assert.Equal(expected.OpenPrefixes, Values("security_file_permission", 0, "Prefix"));
        Assert.Equal(expected.OpenPostfixes, Values("security_file_permission", 0, "Postfix"));
        Assert.Equal(["4"], Values("security_file_permission", 1, "Mask")); // MAY_READ: the mask the feed maps to O_RDONLY
        Assert.Equal(expected.RenamePrefixes, Values("security_inode_rename", 1, "Prefix"));
        Assert.Equal(expected.RenamePostfixes, Values("security_inode_rename", 1, "Postfix"));
        YamlMappingNode rename = kprobes.Single(k => Text(k, "call") == "security_inode_rename");
        Assert.Equal(["1:dentry", "3:dentry"], Items(rename, "args").Select(a => $"{Text(a, "index")}:{Text(a, "type")}"));
    }

    [Fact]
    public void FalcoSidecar_FalcoPostsWhereTheFeedListens()
    {
        YamlMappingNode pod = PodSpec("kubernetes/falco-sidecar/falco-sidecar.yaml");
        var feed = Assert.IsType<FalcoHttpFeedOptions>(Configs()[MountedConfigKey(pod)].Feeds.Single());
        YamlMappingNode falcoConfigMap = Documents("kubernetes/falco-sidecar/falco-sidecar.yaml").Single(d => Text(d, "kind") == "ConfigMap");
        var falcoYaml = new YamlStream();
        falcoYaml.Load(new StringReader(Text(falcoConfigMap, "data", "sigs-output.yaml")));
        YamlNode falco = falcoYaml.Documents[0].RootNode;

        Assert.Equal(feed.Listen, Text(falco, "http_output", "url"));
        Assert.Equal("true", Text(falco, "json_output"));
        Assert.Equal("true", Text(falco, "json_include_output_property"));
        Assert.All(((YamlMappingNode)falco).Children.Keys, key => Assert.Contains(((YamlScalarNode)key).Value, FalcoConfigKeys));
        Assert.All(((YamlMappingNode)At(falco, "http_output")).Children.Keys, key => Assert.Contains(((YamlScalarNode)key).Value, FalcoHttpOutputKeys));

        // The file joins the image's own config.d (which loads the container plugin); overriding config_files would drop it.
        YamlMappingNode falcoContainer = Container(pod, "falco");
        Assert.Equal("docker.io/falcosecurity/falco:0.44.1", Text(falcoContainer, "image"));
        Assert.DoesNotContain(Items2(falcoContainer, "args"), arg => arg.Contains("config_files", StringComparison.Ordinal));
        YamlMappingNode mount = Items(falcoContainer, "volumeMounts").Single(m => Text(m, "name") == "falco-sigs");
        Assert.Equal("/etc/falco/config.d/sigs-output.yaml", Text(mount, "mountPath"));
        Assert.Equal("sigs-output.yaml", Text(mount, "subPath"));
    }

    /// <summary>The top-level keys Sigs may set, from Falco 0.44.1's configuration schema (<c>userspace/falco/config_json_schema.h</c>).</summary>
    private static readonly string[] FalcoConfigKeys =
        ["json_output", "json_include_output_property", "json_include_message_property", "json_include_output_fields_property", "json_include_tags_property", "http_output"];

    /// <summary>The keys of Falco 0.44.1's <c>http_output</c> (unchanged since 0.43.0).</summary>
    private static readonly string[] FalcoHttpOutputKeys =
        ["enabled", "url", "user_agent", "insecure", "ca_cert", "ca_bundle", "ca_path", "mtls", "client_cert", "client_key", "echo", "compress_uploads", "keep_alive", "max_consecutive_timeouts"];

    /// <summary>
    /// What Falco's own Helm chart mounts into Falco (falcosecurity/charts, chart 9.1.0 for Falco 0.44.1:
    /// <c>templates/pod-template.tpl</c> and the container engines' sockets of <c>values.yaml</c>, each under
    /// <c>/host</c>): without them the container plugin cannot name the container or its pod.
    /// </summary>
    private static readonly (string MountPath, string HostPath)[] FalcoChartMounts =
    [
        ("/host/proc", "/proc"), ("/host/etc", "/etc"), ("/host/dev", "/dev"),
        ("/host/var/run/docker.sock", "/var/run/docker.sock"), ("/host/run/podman/podman.sock", "/run/podman/podman.sock"),
        ("/host/run/host-containerd/containerd.sock", "/run/host-containerd/containerd.sock"),
        ("/host/run/containerd/containerd.sock", "/run/containerd/containerd.sock"), ("/host/run/crio/crio.sock", "/run/crio/crio.sock"),
        ("/host/run/k3s/containerd/containerd.sock", "/run/k3s/containerd/containerd.sock"),
    ];

    [Fact]
    public void FalcoSidecar_MountsWhatFalcosChartMounts()
    {
        YamlMappingNode pod = PodSpec("kubernetes/falco-sidecar/falco-sidecar.yaml");
        YamlMappingNode falco = Container(pod, "falco");

        foreach ((string mountPath, string hostPath) in FalcoChartMounts)
        {
            YamlMappingNode mount = Items(falco, "volumeMounts").Single(m => Text(m, "mountPath") == mountPath);
            YamlMappingNode volume = Items(pod, "volumes").Single(v => Text(v, "name") == Text(mount, "name"));
            Assert.Equal(hostPath, Text(volume, "hostPath", "path"));
        }
    }

    /// <summary>What Tracee's own Helm chart mounts into Tracee (deploy/helm/tracee/templates/daemonset.yaml at v0.24.1).</summary>
    private static readonly (string MountPath, string HostPath)[] TraceeChartMounts =
    [
        ("/tmp/tracee", "/tmp/tracee"), ("/etc/os-release-host", "/etc/os-release"),
        ("/var/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock"), ("/var/run/crio/crio.sock", "/var/run/crio/crio.sock"),
        ("/var/run/docker.sock", "/var/run/docker.sock"), ("/var/run/podman/podman.sock", "/var/run/podman/podman.sock"),
    ];

    [Theory]
    [InlineData("kubernetes/tracee-sidecar/tracee-sidecar.yaml")]
    [InlineData("kubernetes/cluster/cluster.yaml")]
    public void TraceePods_MountWhatTraceesChartMounts_AndTellItTheNodesOs(string file)
    {
        YamlMappingNode pod = (YamlMappingNode)At(Documents(file).Single(d => Text(d, "kind") == "DaemonSet"), "spec", "template", "spec");
        YamlMappingNode tracee = Container(pod, "tracee");

        foreach ((string mountPath, string hostPath) in TraceeChartMounts)
        {
            YamlMappingNode mount = Items(tracee, "volumeMounts").Single(m => Text(m, "mountPath") == mountPath);
            YamlMappingNode volume = Items(pod, "volumes").Single(v => Text(v, "name") == Text(mount, "name"));
            Assert.Equal(hostPath, Text(volume, "hostPath", "path"));
        }

        Assert.Contains(Items(tracee, "env"), e => Text(e, "name") == "LIBBPFGO_OSRELEASE_FILE" && Text(e, "value") == "/etc/os-release-host");
    }

    [Fact]
    public void AuditCentral_ServiceReachesTheFeedsPort()
    {
        List<YamlMappingNode> documents = Documents("kubernetes/audit-central/audit-central.yaml");
        YamlMappingNode pod = PodSpec("kubernetes/audit-central/audit-central.yaml");
        SigsConfig config = Configs()[MountedConfigKey(pod)];
        var listen = new Uri(Assert.IsType<AuditWebhookFeedOptions>(config.Feeds.Single()).Listen);
        YamlMappingNode auditPort = Items(Container(pod, "sigs"), "ports").Single(p => Text(p, "name") == "audit");
        YamlMappingNode servicePort = Items(documents.Single(d => Text(d, "kind") == "Service"), "spec", "ports").Single();

        Assert.Equal(listen.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(auditPort, "containerPort"));
        Assert.Equal("audit", Text(servicePort, "targetPort"));
        Assert.Equal("/readyz", Text(Container(pod, "sigs"), "readinessProbe", "httpGet", "path"));
        Assert.Equal(new Uri(config.Admin.Listen).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(Items(Container(pod, "sigs"), "ports").Single(p => Text(p, "name") == "admin"), "containerPort"));
    }

    [Fact]
    public void NativeProbe_RunsTheNativeFeedWithOnlyTheCapabilitiesItChecksFor()
    {
        YamlMappingNode pod = PodSpec("kubernetes/native-probe/native-probe.yaml");
        Assert.IsType<NativeFeedOptions>(Configs()[MountedConfigKey(pod)].Feeds.Single());
        YamlMappingNode sigs = Container(pod, "sigs");

        Assert.Equal("true", Text(pod, "hostPID"));
        Assert.Equal("true", Text(pod, "hostNetwork"));
        Assert.Equal("false", Text(sigs, "securityContext", "privileged"));
        Assert.Equal(["ALL"], Items2(At(sigs, "securityContext", "capabilities"), "drop"));
        Assert.Equal(["SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "DAC_READ_SEARCH"], Items2(At(sigs, "securityContext", "capabilities"), "add"));
        Assert.Equal(Text(Container(PodSpec("kubernetes/tracee-sidecar/tracee-sidecar.yaml"), "sigs"), "image"), Text(sigs, "image"));
        Assert.Equal("admin", Text(sigs, "readinessProbe", "httpGet", "port"));
        Assert.Equal(["sigs-config", "admin-token"], Items(pod, "volumes").Select(v => Text(v, "name"))); // no host folder
    }

    [Fact]
    public void SigsContainers_ShareOneImageAndRunAsNonRoot()
    {
        YamlMappingNode[] containers = [.. SigsManifests.Select(file => Container(PodSpec(file), "sigs"))];

        Assert.Single(containers.Select(c => Text(c, "image")).Distinct());
        Assert.All(containers, c => Assert.Equal("true", Text(c, "securityContext", "runAsNonRoot")));
        Assert.All(containers, c => Assert.Equal("false", Text(c, "securityContext", "allowPrivilegeEscalation")));
        Assert.Contains("USER 65532:65532", File.ReadAllLines(Path.Combine(Deploy, "Dockerfile")));
    }

    /// <summary>The image's health check runs sigs itself (exec form: the runtime image has no shell tools) against the default admin address.</summary>
    [Fact]
    public void Dockerfile_HealthCheck_IsSigsHealthOnTheDefaultAdminAddress()
    {
        string line = File.ReadLines(Path.Combine(Deploy, "Dockerfile")).Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        string entrypoint = File.ReadLines(Path.Combine(Deploy, "Dockerfile")).Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..];
        string[] command = System.Text.Json.JsonSerializer.Deserialize<string[]>(line[(line.IndexOf(" CMD ", StringComparison.Ordinal) + " CMD ".Length)..])!;

        Assert.Equal([.. System.Text.Json.JsonSerializer.Deserialize<string[]>(entrypoint)!, "health"], command);
        Assert.Equal(AdminConfig.DefaultListen + "/livez", Sigs.Host.Cli.HealthCommand.DefaultUrl);
    }

    /// <summary>
    /// Every Sigs container is probed over HTTP, liveness on /livez and readiness on /readyz (no shell: dash, the
    /// usual /bin/sh, has no /dev/tcp), at an address the kubelet reaches: the pod's own (the config listens
    /// beyond loopback, with a token the probe paths do not need; on the node's network that is the node's address,
    /// where Prometheus scrapes it too), through the container's port named admin.
    /// </summary>
    [Theory]
    [InlineData("kubernetes/tracee-sidecar/tracee-sidecar.yaml")]
    [InlineData("kubernetes/falco-sidecar/falco-sidecar.yaml")]
    [InlineData("kubernetes/tetragon-sidecar/tetragon-sidecar.yaml")]
    [InlineData("kubernetes/audit-central/audit-central.yaml")]
    [InlineData("kubernetes/native-probe/native-probe.yaml")]
    public void SigsContainers_AreProbedOverHttp_WhereTheKubeletReachesThem(string file)
    {
        YamlMappingNode pod = PodSpec(file);
        YamlMappingNode sigs = Container(pod, "sigs");
        AdminConfig admin = Configs()[MountedConfigKey(pod)].Admin;
        foreach ((string probe, string path) in (ReadOnlySpan<(string, string)>)[("livenessProbe", "/livez"), ("readinessProbe", "/readyz")])
        {
            YamlMappingNode get = (YamlMappingNode)At(sigs, probe, "httpGet");
            Assert.Equal(path, Text(get, "path"));
            Assert.False(get.Children.ContainsKey("host"));
            Assert.Equal("admin", Text(get, "port"));
        }

        Assert.Equal("http://0.0.0.0:9376", admin.Listen);
        Assert.NotNull(admin.BearerTokenFile);
        Assert.Contains(Items(sigs, "volumeMounts"), m => Text(m, "mountPath") == Path.GetDirectoryName(admin.BearerTokenFile));
        Assert.Equal("9376", Text(Items(sigs, "ports").Single(p => Text(p, "name") == "admin"), "containerPort"));
    }

    [Fact]
    public void SystemdUnit_StopsWithSigtermInTimeAndAllowsWhatSigsNeeds()
    {
        Dictionary<string, string> unit = File.ReadLines(Path.Combine(Deploy, "systemd", "sigs.service"))
            .Where(line => line.Contains('=', StringComparison.Ordinal) && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);

        Assert.EndsWith("sigs run --config /etc/sigs/sigs.yaml", unit["ExecStart"], StringComparison.Ordinal);
        Assert.Equal("SIGTERM", unit["KillSignal"]);
        Assert.True(int.Parse(unit["TimeoutStopSec"], System.Globalization.CultureInfo.InvariantCulture) > new ShutdownConfig().DrainSeconds);
        Assert.Contains("AF_NETLINK", unit["RestrictAddressFamilies"], StringComparison.Ordinal);
        Assert.Contains("AF_UNIX", unit["RestrictAddressFamilies"], StringComparison.Ordinal);
        Assert.Equal("no", unit["MemoryDenyWriteExecute"]);
        Assert.Contains("CAP_SYS_ADMIN", unit["CapabilityBoundingSet"], StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_CorrelatorsOwnEveryPartitionOnce_AndEveryoneFindsTheStream()
    {
        List<YamlMappingNode> documents = Documents("kubernetes/cluster/cluster.yaml");
        Dictionary<string, SigsConfig> configs = ClusterConfigs(documents);
        string natsUrl = $"tls://{Text(documents.Single(d => Text(d, "kind") == "Service" && Text(d, "metadata", "name") == "nats"), "metadata", "name")}.sigs.svc:4222";

        YamlMappingNode correlators = documents.Single(d => Text(d, "kind") == "StatefulSet" && Text(d, "metadata", "name") == "sigs-correlator");
        int replicas = int.Parse(Text(correlators, "spec", "replicas"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(["run", "--config", "/etc/sigs/$(POD_NAME).yaml"], Items2(Container((YamlMappingNode)At(correlators, "spec", "template", "spec"), "sigs"), "args"));
        Sigs.Host.Feeds.Nats.NatsFeedOptions[] feeds = [.. Enumerable.Range(0, replicas).Select(i => Assert.IsType<Sigs.Host.Feeds.Nats.NatsFeedOptions>(Assert.Single(configs[$"sigs-correlator-{i}.yaml"].Feeds)))];
        Sigs.Host.Forwarding.NatsForwardOptions[] forwards = [.. configs.Values.SelectMany(c => c.Forward).Cast<Sigs.Host.Forwarding.NatsForwardOptions>()];

        Assert.Equal(2, forwards.Length); // the nodes and the audit receiver
        int count = Assert.Single(forwards.Select(f => f.Partitions).Distinct());
        Assert.All(feeds, f => Assert.Equal(count, f.PartitionCount));
        Assert.Equal(Enumerable.Range(0, count), feeds.SelectMany(f => f.Partitions).Order()); // each partition owned exactly once
        Assert.Equal(replicas, feeds.Select(f => f.Durable).Distinct().Count());
        Assert.All([.. feeds.Select(f => f.Url), .. forwards.Select(f => f.Url)], url => Assert.Equal(natsUrl, url));
        Assert.All(forwards, f => Assert.Equal(["SIGS-1003"], f.Signatures));
    }

    /// <summary>The Sigs configs (keys ending in .yaml) of the one ConfigMap among <paramref name="documents"/>, each loaded as Sigs loads it.</summary>
    private static Dictionary<string, SigsConfig> ClusterConfigs(List<YamlMappingNode> documents) =>
        ((YamlMappingNode)documents.Single(d => Text(d, "kind") == "ConfigMap")["data"]).Children
            .Where(entry => ((YamlScalarNode)entry.Key).Value!.EndsWith(".yaml", StringComparison.Ordinal))
            .ToDictionary(
                entry => ((YamlScalarNode)entry.Key).Value!,
                entry => ConfigLoader.Parse(((YamlScalarNode)entry.Value).Value!, ((YamlScalarNode)entry.Key).Value!, HostExtensions.Types));

    [Fact]
    public void Cluster_EveryoneLogsInAsItsRole_OverTls_AsTheUsersScriptNamesThem()
    {
        List<YamlMappingNode> documents = Documents("kubernetes/cluster/cluster.yaml");
        Dictionary<string, SigsConfig> configs = ClusterConfigs(documents);
        Sigs.Host.Nats.INatsEndpoint[] endpoints = [.. configs.Values.SelectMany(c => c.Feeds.OfType<Sigs.Host.Nats.INatsEndpoint>()
            .Concat(c.Forward.OfType<Sigs.Host.Nats.INatsEndpoint>()).Concat((c.Outputs ?? []).OfType<Sigs.Host.Nats.INatsEndpoint>()))];

        Assert.All(endpoints, e => Assert.False(e.Insecure));
        Assert.All(endpoints, e => Assert.NotNull(e.Tls?.CaFile));
        var audit = (Sigs.Host.Forwarding.NatsForwardOptions)configs["audit-forward.yaml"].Forward.Single();
        Assert.Equal(("sigs-audit", "audit"), (audit.Credentials!.User, audit.Sender));
        // sigs-users.sh lets user sigs-audit publish only as sender audit (NatsTrustTests and the cluster test hold it).
        var node = (Sigs.Host.Forwarding.NatsForwardOptions)configs["tracee-forward.yaml"].Forward.Single();
        Assert.Null(node.Sender); // SIGS_NODE_NAME, the node's name, as the node's user may publish
        Assert.NotNull(node.Credentials!.UserFile);
        YamlMappingNode nodeSigs = Container((YamlMappingNode)At(documents.Single(d => Text(d, "kind") == "DaemonSet"), "spec", "template", "spec"), "sigs");
        YamlMappingNode nodeName = Items(nodeSigs, "env").Single(e => Text(e, "name") == "SIGS_NODE_NAME");
        Assert.Equal("spec.nodeName", Text(nodeName, "valueFrom", "fieldRef", "fieldPath"));
        foreach ((string key, SigsConfig config) in configs.Where(c => c.Key.StartsWith("sigs-correlator-", StringComparison.Ordinal)))
        {
            var feed = (Sigs.Host.Feeds.Nats.NatsFeedOptions)config.Feeds.Single();
            Assert.Equal(feed.Durable, feed.Credentials!.User); // sigs-users.sh: user sigs-correlator-<i> consumes partition i as durable sigs-correlator-<i>
            Assert.Equal([int.Parse(feed.Durable["sigs-correlator-".Length..], System.Globalization.CultureInfo.InvariantCulture)], feed.Partitions);
            Assert.All(config.Outputs!.OfType<Sigs.Host.Outputs.NatsOutputOptions>(), o => Assert.Equal(feed.Durable, o.Credentials!.User));
        }
    }

    [Fact]
    public async Task Cluster_NatsConfiguration_IsOneNatsServerAccepts_WithTheUsersScriptsAuthorization()
    {
        using var folder = new TempFolder();
        YamlMappingNode data = (YamlMappingNode)Documents("kubernetes/cluster/cluster.yaml").Single(d => Text(d, "kind") == "ConfigMap")["data"];
        string conf = ((YamlScalarNode)data["nats.conf"]).Value!;
        YamlMappingNode nats = (YamlMappingNode)At(Documents("kubernetes/cluster/cluster.yaml").Single(d => Text(d, "kind") == "StatefulSet" && Text(d, "metadata", "name") == "nats"), "spec", "template", "spec");
        string[] args = Items2(Container(nats, "nats"), "args");
        Assert.Equal(["-c", "/etc/nats/config/nats.conf"], args);
        using var certificates = new TestCertificates(folder.Path);
        // The pod's files, in a folder: the config beside auth/ and tls/, as the volumes mount them.
        string root = folder.Path;
        Directory.CreateDirectory(Path.Combine(root, "etc/nats/config"));
        Directory.CreateDirectory(Path.Combine(root, "etc/nats/tls"));
        File.Copy(certificates.ServerCertFile, Path.Combine(root, "etc/nats/tls/tls.crt"));
        File.Copy(certificates.ServerKeyFile, Path.Combine(root, "etc/nats/tls/tls.key"));
        await Command.SucceedAsync("/bin/sh", [Path.Combine(Deploy, "nats", "sigs-users.sh"), Path.Combine(root, "etc/nats/auth"), "2", "node-a", "ip-10-0-0-7.ec2.internal"]);
        string file = Path.Combine(root, "etc/nats/config/nats.conf");
        File.WriteAllText(file, conf.Replace("\"/data\"", $"\"{root}/data\"", StringComparison.Ordinal).Replace("\"/etc/nats/", $"\"{root}/etc/nats/", StringComparison.Ordinal));

        await Command.SucceedAsync("nats-server", ["-c", file, "-t"]);
    }

    /// <summary>
    /// Tracee's gRPC server flag, from its source at the pinned image's tag (v0.24.1, <c>cmd/tracee/cmd/root.go</c>
    /// and <c>pkg/cmd/flags/server</c>): <c>--server grpc-address=PROTOCOL:ADDRESS</c>. <c>--grpc-listen-addr</c>
    /// survives only in its docs' table of deprecated flags; Tracee no longer parses it.
    /// </summary>
    private static class TraceeServer
    {
        public const string Flag = "--server";
        public const string GrpcAddress = "grpc-address=";
        public const string Removed = "--grpc-listen-addr";
    }

    /// <summary>Tetragon's flags at the pinned image's tag (v1.7.0, the keys of <c>pkg/option/flags.go</c>).</summary>
    private static readonly string[] TetragonFlags =
    [
        "bpf-dir", "bpf-lib", "btf", "cgroup-rate", "cluster-name", "config-dir", "cpuprofile", "cri-endpoint", "data-cache-size", "debug",
        "disable-kprobe-multi", "disable-uprobe-multi", "enable-ancestors", "enable-cgidmap", "enable-cgidmap-debug", "enable-cgtrackerid",
        "enable-cri", "enable-deprecated-tracingpolicy-grpc", "enable-export-aggregation", "enable-k8s-api", "enable-msg-handling-latency",
        "enable-pid-set-filter", "enable-pod-annotations", "enable-pod-info", "enable-policy-filter", "enable-policy-filter-cgroup-map",
        "enable-policy-filter-debug", "enable-process-cred", "enable-process-environment-variables", "enable-process-ns",
        "enable-tracing-policy-crd", "event-cache-retries", "event-cache-retry-delay", "event-queue-size", "execve-map-entries",
        "execve-map-size", "export-aggregation-buffer-size", "export-aggregation-window-size", "export-allowlist", "export-denylist",
        "export-file-compress", "export-file-max-backups", "export-file-max-size-mb", "export-file-perm", "export-file-rotation-interval",
        "export-filename", "export-rate-limit", "expose-stack-addresses", "field-filters", "filter-environment-variables", "force-large-progs",
        "force-small-progs", "generate-docs", "gops-address", "health-server-address", "health-server-interval", "k8s-controlplane-retry",
        "k8s-kubeconfig-path", "keep-sensors-on-exit", "kernel", "log-file", "log-format", "log-level", "memprofile", "metrics-label-filter",
        "metrics-server", "netns-dir", "parents-map-enabled", "parents-map-entries", "parents-map-size", "pprof-address",
        "process-cache-gc-interval", "process-cache-size", "procfs", "rb-queue-size", "rb-size", "rb-size-total", "redaction-filters",
        "release-pinned-bpf", "retprobes-cache-size", "server-address", "tracing-policy", "tracing-policy-dir", "use-perf-ring-buffer",
        "username-metadata", "verbose",
    ];

    [Fact]
    public void TetragonSidecar_PassesOnlyFlagsTetragonHas()
    {
        string[] flags = [.. Items2(Container(PodSpec("kubernetes/tetragon-sidecar/tetragon-sidecar.yaml"), "tetragon"), "args").Where(a => a.StartsWith("--", StringComparison.Ordinal))];

        Assert.NotEmpty(flags);
        Assert.All(flags, flag => Assert.Contains(flag[2..].Split('=')[0], TetragonFlags));
    }

    [Fact]
    public void Cluster_TraceeServesGrpcWhereTheNodeConfigReads()
    {
        YamlMappingNode node = (YamlMappingNode)At(Documents("kubernetes/cluster/cluster.yaml").Single(d => Text(d, "kind") == "DaemonSet"), "spec", "template", "spec");
        string[] traceeArgs = Items2(Container(node, "tracee"), "args");

        Assert.StartsWith(TraceeServer.GrpcAddress + "unix:/var/run/tracee/", traceeArgs[Array.IndexOf(traceeArgs, TraceeServer.Flag) + 1], StringComparison.Ordinal);
        Assert.DoesNotContain(TraceeServer.Removed, traceeArgs);
    }

    /// <summary>The deployment modes: each a Kustomize overlay of deploy/kubernetes/base.</summary>
    public static TheoryData<string> Modes => new("tracee-sidecar", "tetragon-sidecar", "falco-sidecar", "native-probe", "audit-central", "cluster");

    /// <summary>
    /// Each mode as a cluster admin applies it: rendered by <c>kubectl kustomize</c> (kustomize's YAML parser is
    /// stricter than YamlDotNet: an unquoted <c>?</c> in a flow mapping is an error there), then every object read
    /// into the Kubernetes API's own types (the KubernetesClient models) strictly: a field the API does not have, or a
    /// value of the wrong type, fails. Objects of the sensors' CRDs are checked against their schemas' facts below.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public async Task EveryMode_RendersWithKubectlKustomize_AndEveryObjectIsAValidKubernetesObject(string mode)
    {
        IReadOnlyList<object> objects = await RenderedAsync(mode);

        Assert.Contains(objects, o => o is k8s.Models.V1Namespace { Metadata.Name: "sigs" });
        Assert.All(objects.OfType<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>>().Where(o => o is not (k8s.Models.V1Namespace or k8s.Models.V1ClusterRole or k8s.Models.V1ClusterRoleBinding or TracingPolicyObject)), o => Assert.Equal("sigs", o.Metadata.NamespaceProperty));
        foreach (k8s.Models.V1PodTemplateSpec template in objects.Select(PodTemplate).OfType<k8s.Models.V1PodTemplateSpec>())
        {
            Assert.Equal("sigs", template.Metadata.Labels["app.kubernetes.io/name"]);
            k8s.Models.V1Container sigs = Assert.Single(template.Spec.Containers, c => c.Name.StartsWith("sigs", StringComparison.Ordinal) || c.Image.StartsWith("ghcr.io/sigs/", StringComparison.Ordinal));
            Assert.Equal("/livez", sigs.LivenessProbe.HttpGet.Path);
            Assert.Equal("/readyz", sigs.ReadinessProbe.HttpGet.Path);
            Assert.Contains(sigs.Ports ?? [], p => p.Name == "admin" && p.ContainerPort == 9376); // Prometheus scrapes every Sigs, hostNetwork or not
        }
    }

    /// <summary>
    /// Each mode's objects against the Kubernetes API's schemas, as npm's kubernetes-models validates them (required
    /// fields, types, formats; <c>tests/kube-schema</c>, its packages pinned by their lock file): what the strict read
    /// above does not check.
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(Modes))]
    public async Task EveryMode_ValidatesAgainstTheKubernetesApiSchemas(string mode)
    {
        SigsProcess.Result result = await SchemaCheckAsync(await RenderedTextAsync(mode));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("ok Namespace sigs", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Stdout.Split('\n'), line => line.StartsWith("not-checked", StringComparison.Ordinal) && !line.StartsWith("not-checked TracingPolicy", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AValueOfTheWrongTypeOrAMissingRequiredField_FailsTheSchemaCheck()
    {
        string rendered = await RenderedTextAsync("native-probe");

        SigsProcess.Result wrongType = await SchemaCheckAsync(rendered.Replace("hostNetwork: true", "hostNetwork: \"yes\"", StringComparison.Ordinal));
        SigsProcess.Result noPort = await SchemaCheckAsync(rendered.Replace("containerPort: 9376", "hostPort: 9376", StringComparison.Ordinal));

        Assert.Equal(1, wrongType.ExitCode);
        Assert.Contains("hostNetwork must be boolean", wrongType.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, noPort.ExitCode);
        Assert.Contains("must have required property containerPort", noPort.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The schema checker (tests/kube-schema) with its packages, installed once by <c>npm ci</c> from its lock file into
    /// a folder of the temp directory named by the files' hash: nothing is written into the repository, a changed lock
    /// file gets a fresh install, and a second run reuses the first one's.
    /// </summary>
    private static readonly Lazy<Task<string>> KubeSchema = new(async () =>
    {
        string source = Path.Combine(RepoPaths.Root, "tests", "kube-schema");
        string[] files = ["package.json", "package-lock.json", "validate.mjs"];
        byte[] hash = System.Security.Cryptography.SHA256.HashData([.. files.SelectMany(f => File.ReadAllBytes(Path.Combine(source, f)))]);
        string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"sigs-kube-schema-{Convert.ToHexStringLower(hash)[..16]}")).FullName;
        foreach (string file in files)
        {
            File.Copy(Path.Combine(source, file), Path.Combine(folder, file), overwrite: true);
        }

        if (!File.Exists(Path.Combine(folder, "node_modules", ".package-lock.json")))
        {
            await Command.SucceedAsync("npm", ["ci", "--no-audit", "--no-fund"], folder);
        }

        return folder;
    });

    private static async Task<SigsProcess.Result> SchemaCheckAsync(string rendered)
    {
        string checker = await KubeSchema.Value;
        using var folder = new TempFolder();
        string file = folder.File("rendered.yaml", rendered);
        return await Command.RunAsync("bash", ["-c", $"node validate.mjs < '{file}'"], checker);
    }

    [Fact]
    public async Task ARenderedObjectWithAFieldTheApiDoesNotHave_IsRefused()
    {
        string rendered = string.Join("\n---\n", (await RenderedTextAsync("native-probe")).Split("\n---\n").Select(d => d.Replace("hostPID: true", "hostPID: true\n      hostPidd: true", StringComparison.Ordinal)));

        var refused = Assert.ThrowsAny<Exception>(() => Strict(rendered));
        Assert.Contains("hostPidd", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Every file in deploy/kubernetes is part of a mode, but the API server's own (the audit Policy and the webhook kubeconfig).</summary>
    [Fact]
    public void EveryManifest_IsInAMode()
    {
        string kubernetes = Path.Combine(Deploy, "kubernetes");
        string[] listed = [.. Directory.EnumerateFiles(kubernetes, "kustomization.yaml", SearchOption.AllDirectories)
            .SelectMany(k => Items2(Documents(Path.GetRelativePath(Deploy, k)).Single(), "resources").Where(r => r.EndsWith(".yaml", StringComparison.Ordinal)).Select(r => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(k)!, r))))];
        string[] manifests = [.. Directory.EnumerateFiles(kubernetes, "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not ("kustomization.yaml" or "audit-policy.yaml" or "audit-webhook.yaml"))];

        Assert.Empty(manifests.Except(listed));
    }

    /// <summary>The API server's own files as kubectl's parser reads them (they carry no object name, which kustomize needs: one is added).</summary>
    [Theory]
    [InlineData("audit-policy.yaml")]
    [InlineData("audit-webhook.yaml")]
    public async Task TheApiServersFiles_ParseWithKubectl(string manifest)
    {
        using var folder = new TempFolder();
        string text = await File.ReadAllTextAsync(Path.Combine(Deploy, "kubernetes", manifest)) + "\nmetadata:\n  name: parsed-by-the-test\n";
        File.WriteAllText(Path.Combine(folder.Path, manifest), text);
        File.WriteAllText(Path.Combine(folder.Path, "kustomization.yaml"), $"resources:\n- {manifest}\n");

        SigsProcess.Result result = await Command.RunAsync("kubectl", ["kustomize", folder.Path]);
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {manifest}: {result.Stderr}");
    }

    [Fact]
    public async Task TetragonSidecar_ThePolicyHasOnlyTheCrdsFieldsAndValues_AndTetragonReadsItFromTheApi()
    {
        IReadOnlyList<object> objects = await RenderedAsync("tetragon-sidecar");

        TracingPolicyObject policy = Assert.Single(objects.OfType<TracingPolicyObject>());
        Assert.All(policy.Spec.Kprobes!, kprobe =>
        {
            Assert.False(string.IsNullOrEmpty(kprobe.Call));
            Assert.All(kprobe.Args!, argument => Assert.Contains(argument.Type, TracingPolicyObject.ArgumentTypes));
            Assert.All(kprobe.Args!, argument => Assert.True(argument.Index >= 0));
            Assert.All(kprobe.Selectors!.SelectMany(s => s.MatchArgs!), match => Assert.Contains(match.Operator, TracingPolicyObject.Operators));
        });
        k8s.Models.V1PodSpec pod = objects.OfType<k8s.Models.V1DaemonSet>().Single().Spec.Template.Spec;
        k8s.Models.V1Container tetragon = pod.Containers.Single(c => c.Name == "tetragon");
        Assert.Equal("quay.io/cilium/tetragon:v1.7.0", tetragon.Image);
        Assert.Contains("--enable-k8s-api", tetragon.Args); // else TracingPolicy objects are never loaded and no process has a pod
        k8s.Models.V1ClusterRoleBinding binding = Assert.Single(objects.OfType<k8s.Models.V1ClusterRoleBinding>());
        Assert.Equal(pod.ServiceAccountName, Assert.Single(binding.Subjects).Name);
        k8s.Models.V1ClusterRole role = objects.OfType<k8s.Models.V1ClusterRole>().Single(r => r.Metadata.Name == binding.RoleRef.Name);
        Assert.Contains(role.Rules, r => r.ApiGroups.Contains("cilium.io") && r.Resources.Contains("tracingpolicies") && r.Verbs.Contains("watch"));
        Assert.Contains(role.Rules, r => r.ApiGroups.Contains("") && r.Resources.Contains("pods") && r.Verbs.Contains("watch"));
        Assert.All(role.Rules.SelectMany(r => r.Verbs), verb => Assert.Contains(verb, ReadVerbs));
    }

    private static readonly string[] ReadVerbs = ["get", "list", "watch"];

    [Fact]
    public async Task ATracingPolicyFieldTheCrdDoesNotHave_IsRefused()
    {
        string rendered = (await RenderedTextAsync("tetragon-sidecar")).Replace("syscall: false", "sycall: false", StringComparison.Ordinal);

        var refused = Assert.ThrowsAny<Exception>(() => Strict(rendered));
        Assert.Contains("sycall", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TraceePolicy_HasOnlyTheCrdsFields_AndWhatItRequires()
    {
        var policy = new YamlDotNet.Serialization.DeserializerBuilder()
            .WithNamingConvention(YamlDotNet.Serialization.NamingConventions.CamelCaseNamingConvention.Instance)
            .Build()
            .Deserialize<TraceePolicyObject>(File.ReadAllText(Path.Combine(Deploy, "tracee", "sigs-policy.yaml"))); // unknown fields throw

        Assert.Equal("tracee.aquasec.com/v1beta1", policy.ApiVersion);
        Assert.Equal("Policy", policy.Kind);
        Assert.NotEmpty(policy.Spec.Scope!);
        Assert.All(policy.Spec.Rules!, rule => Assert.False(string.IsNullOrEmpty(rule.Event)));
    }

    private static async Task<string> RenderedTextAsync(string mode)
    {
        SigsProcess.Result result = await Command.RunAsync("kubectl", ["kustomize", Path.Combine(Deploy, "kubernetes", mode)]);
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {mode}: {result.Stderr}");
        return result.Stdout;
    }

    private static async Task<IReadOnlyList<object>> RenderedAsync(string mode) => Strict(await RenderedTextAsync(mode));

    /// <summary>The objects of a rendered YAML stream, read strictly into the API's types (a TracingPolicy into its own).</summary>
    private static IReadOnlyList<object> Strict(string yaml) =>
        k8s.KubernetesYaml.LoadAllFromString(yaml, new Dictionary<string, Type> { ["cilium.io/v1alpha1/TracingPolicy"] = typeof(TracingPolicyObject) }, strict: true);

    private static k8s.Models.V1PodTemplateSpec? PodTemplate(object o) => o switch
    {
        k8s.Models.V1DaemonSet d => d.Spec.Template,
        k8s.Models.V1Deployment d => d.Spec.Template,
        k8s.Models.V1StatefulSet s when s.Metadata.Name != "nats" => s.Spec.Template,
        _ => null,
    };
}
