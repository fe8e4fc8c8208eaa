using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Tests.Configuration;

public class ConfigLoaderTests
{
    [Fact]
    public void Parse_FullConfig_BindsEverySection()
    {
        SigsConfig config = ConfigLoader.Parse("""
            plugins:
              dir: ./my-plugins
            outputs:
              - type: stdout
              - type: file
                path: /var/log/sigs/findings.jsonl
            feeds:
              - type: file
                path: /var/log/tracee.jsonl
            signatures:
              TRC-1018:
                enabled: false
              SIGS-1003:
                config:
                  windowSeconds: 30
                  stages: [ResponseComplete]
            """, "sigs.yaml", HostExtensions.Types);

        Assert.Equal("./my-plugins", config.Plugins.Dir);
        Assert.IsType<StdoutOutputOptions>(config.Outputs![0]);
        Assert.Equal("/var/log/sigs/findings.jsonl", Assert.IsType<FileOutputOptions>(config.Outputs[1]).Path);
        Assert.Equal("/var/log/tracee.jsonl", Assert.IsType<FileFeedOptions>(Assert.Single(config.Feeds)).Path);
        Assert.False(config.Signatures["TRC-1018"].Enabled);
        Assert.True(config.Signatures["SIGS-1003"].Enabled);
        Assert.Equal(30, config.Signatures["SIGS-1003"].Config!.Value.GetProperty("windowSeconds").GetInt32());
    }

    [Fact]
    public void Parse_Empty_GivesDefaults()
    {
        SigsConfig config = ConfigLoader.Parse("", "empty.yaml", HostExtensions.Types);

        Assert.Null(config.Outputs); // the default: stdout
        Assert.IsType<StandardOutput>(Assert.Single(OutputTypes.Create(config.Outputs, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System)));
        Assert.Empty(config.Feeds);
    }

    [Theory]
    [InlineData("outputs:\n  - tipe: stdout\n", "outputs[0].tipe: unknown key")]
    [InlineData("outputs:\n  - type: stdout\n    colour: red\n", "outputs[0].colour: unknown key")]
    [InlineData("plugin:\n  dir: x\n", "plugin: unknown key")]
    [InlineData("plugins:\n  dir: 5\n", "plugins.dir: must be a string")]
    [InlineData("plugins:\n  dir: \"\"\n", "plugins.dir: must not be empty")]
    [InlineData("outputs:\n  - type: carrier-pigeon\n", "outputs[0].type: must be one of: file, http, nats, stdout")]
    [InlineData("outputs:\n  - type: http\n", "outputs[0].url: required for type 'http'")]
    [InlineData("outputs:\n  - type: stdout\n    path: x\n", "outputs[0].path: not used by type 'stdout' (it takes: format, minSeverity)")]
    [InlineData("feeds:\n  - type: falco-http\n    fallback: native\n", "feeds[0].fallback: not used by type 'falco-http'")]
    [InlineData("feeds:\n  - type: tracee\n    fallback: falco\n", "feeds[0].fallback")]
    [InlineData("feeds:\n  - type: tracee\n    fallbackGraceSeconds: 5\n", "feeds[0].fallbackGraceSeconds: needs fallback: native")]
    [InlineData("outputs:\n  - type: file\n    path: x\n    url: http://x/\n", "outputs[0].url: not used by type 'file'")]
    [InlineData("outputs:\n  - type: http\n    url: http://x/\n    format: splunk\n", "outputs[0].format: must be one of: sigs, falco")]
    [InlineData("outputs:\n  - type: file\n    path: x\n    maxSizeMB: 0\n", "outputs[0].maxSizeMB")]
    [InlineData("outputs:\n  - path: x\n", "outputs[0].type: required key is missing")]
    [InlineData("outputs:\n  - type: file\n", "outputs[0].path: required for type 'file'")]
    [InlineData("signatures:\n  TRC-1018:\n    enabled: maybe\n", "signatures.TRC-1018.enabled: must be true or false")]
    [InlineData("outputs: stdout\n", "outputs: must be a list")]
    [InlineData("feeds:\n  - type: file\n", "feeds[0].path: required for type 'file'")]
    [InlineData("engine:\n  isolatedQueueCapacity: 99999999999\n", "engine.isolatedQueueCapacity: must be at most 2147483647")]
    [InlineData("outputs:\n  - type: file\n    path: x\n    maxFiles: 99999999999\n", "outputs[0].maxFiles: must be at most 2147483647")]
    public void Parse_BadConfig_NamesTheKeyPath(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "sigs.yaml", HostExtensions.Types));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("outputs: [\n", "sigs.yaml:2:1: invalid YAML")]
    [InlineData("a: 1\na: 2\n", "sigs.yaml:2:1: invalid YAML: Duplicate key")]
    [InlineData("plugins:\n : dir0 /opt\noutputs: []\n", "sigs.yaml: invalid YAML: The current event is of an unsupported type")] // found by fuzzing
    public void Parse_InvalidYaml_SaysWhereAndWhy(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "sigs.yaml", HostExtensions.Types));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: &a [*a]\n", "sigs.yaml:1:4: YAML anchors and aliases are not allowed")]
    [InlineData("x: &x [1, 1]\ny: [*x, *x]\n", "sigs.yaml:1:4: YAML anchors and aliases are not allowed")]
    [InlineData("signatures:\n  TRC-1018:\n    config: *undefined\n", "sigs.yaml:3:13: YAML anchors and aliases are not allowed")]
    public void Parse_AnchorsOrAliases_AreRefusedNamingTheLine(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "sigs.yaml", HostExtensions.Types));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasBomb_IsRefusedAtOnce()
    {
        // Nine levels of nine aliases each would expand to 9^9 nodes; refused before anything is built.
        var yaml = new System.Text.StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 9; level++)
        {
            string previous = $"*l{level - 1}";
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat(previous, 9))}]\n");
        }

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml.ToString(), "bomb.yaml", HostExtensions.Types));

        Assert.Contains("anchors and aliases are not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_IsAConfigError()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/sigs.yaml", HostExtensions.Types));

        Assert.StartsWith("/nonexistent/sigs.yaml: cannot read the configuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_AFifoADeviceOrAHugeFile_IsRefusedAtOnceNamingThePath()
    {
        using var folder = new Sigs.Host.Tests.TestSupport.TempFolder();
        string fifo = Path.Combine(folder.Path, "sigs.yaml");
        using (System.Diagnostics.Process mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        string huge = folder.File("huge.yaml", "# " + new string('x', ConfigLoader.MaxBytes) + "\n");
        string link = Path.Combine(folder.Path, "linked.yaml");
        File.CreateSymbolicLink(link, folder.File("real.yaml", "feeds: []\n"));

        // Each on a thread of its own: a FIFO read the old way would block for good, and a test that hangs fails.
        ConfigException Refused(string path) => Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, HostExtensions.Types));
        ConfigException[] errors = await Task.Run(() => new[] { Refused(fifo), Refused("/dev/zero"), Refused(huge), Refused(folder.Path) }).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal($"{fifo}: cannot read the configuration: not a regular file (a FIFO)", errors[0].Message);
        Assert.Equal("/dev/zero: cannot read the configuration: not a regular file (a character device)", errors[1].Message);
        Assert.Equal($"{huge}: cannot read the configuration: larger than {ConfigLoader.MaxBytes:N0} bytes", errors[2].Message);
        Assert.EndsWith("not a regular file (a directory)", errors[3].Message, StringComparison.Ordinal);
        Assert.Empty(ConfigLoader.Load(link, HostExtensions.Types).Feeds); // a link to a regular file, as Kubernetes mounts a ConfigMap
    }
}
