using System.Globalization;
using System.Text.RegularExpressions;
using CsCheck;
using Sigs.Host.Engine;
using Sigs.Host.Outputs;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Outputs;

/// <summary>A finding's text line: one line whatever the event holds, and no terminal code but the severity's colour.</summary>
public class FindingTextTests
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char['\u0000', '\u00ff'], 0, 60],
        Gen.String[Gen.Char.AlphaNumeric, 0, 20],
        Gen.Const("\u001b[2J\u001b]0;title\u0007"),
        Gen.Const("\r\n2025-01-01T00:00:00.0000000Z Info     FAKE all clear"),
        Gen.Const("\u009b31m\u0085"),
        Gen.Const("\" pid=1 /bin/true \\u000a"),
        Gen.String[Gen.OneOf(Gen.Char['\u2000', '\u206f'], Gen.Char['\ud800', '\udfff'], Gen.Const('"'), Gen.Const('\\'), Gen.Char.AlphaNumeric), 0, 30]);

    private static Finding Finding(string name, string path, string[] args, string pod, Severity severity) => new(
        DateTimeOffset.UnixEpoch,
        new SignatureMetadata { Id = "SIGS-1", Version = "1", Name = name, EventName = "e", Description = "d", Severity = severity },
        new SecurityEvent
        {
            Time = DateTimeOffset.UnixEpoch,
            Source = EventSources.Tracee,
            Name = EventNames.FileOpen,
            Origin = EventOrigin.Container,
            Process = new ProcessInfo { HostPid = 7, Name = "cat", Executable = "/usr/bin/cat", Args = args },
            Container = new ContainerInfo { Id = "c0ffee", Name = "web" },
            Kubernetes = new KubernetesInfo { PodName = pod, Namespace = "shop" },
            File = new FileEventInfo { Path = path, Flags = 0 },
        },
        new Dictionary<string, object?>());

    [Fact]
    public void AnyEventAndRuleName_GiveOneLine_WithoutControlCharacters_ButTheSeverityColour()
    {
        Gen.Select(Text, Text, Text.Array[0, 4], Text, Gen.Enum<Severity>(), Gen.Bool).Sample((name, path, args, pod, severity, colour) =>
        {
            string line = FindingText.Format(Finding(name, path, args, pod, severity), colour);
            string plain = Regex.Replace(line, @"^(\S+ )\u001b\[[0-9;]+m(\w+)\u001b\[0m", "$1$2");

            Assert.Equal(colour, plain != line);
            Assert.DoesNotContain(plain, char.IsControl);
            Assert.DoesNotContain(plain, c => char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
            Assert.Single(plain.Split('\n'));
            Assert.StartsWith("1970-01-01T00:00:00.0000000Z ", line, StringComparison.Ordinal);
            Assert.Contains($"{severity}", line, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void ALine_NamesTheSeverityIdNameProcessContainerPodAndFile()
    {
        string line = FindingText.Format(Finding("Token read", "/var/run/secrets/token", ["cat", "/var/run/secrets/token"], "web-1", Severity.Critical), colour: false);

        Assert.Equal("1970-01-01T00:00:00.0000000Z Critical SIGS-1 Token read: tracee security_file_open pod=shop/web-1 container=web pid=7 /usr/bin/cat \"cat /var/run/secrets/token\" /var/run/secrets/token read flags=0x0", line);
    }

    [Fact]
    public void AnArgumentCannotCloseItsQuotes_NorPassForAnEscape()
    {
        string line = FindingText.Format(Finding("n", "/p", ["sh", "-c", "\" pid=1 /bin/true \\u000a", "\u202etxt.exe"], "p", Severity.High), colour: false);

        Assert.Contains("\"sh -c \\\" pid=1 /bin/true \\\\u000a \\u202etxt.exe\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ASeverityOutsideTheScale_StillGivesALine()
    {
        string line = FindingText.Format(Finding("n", "/p", ["a"], "p", (Severity)1_000_000_000), colour: false);

        Assert.Contains(" 1000000000 SIGS-1 n: ", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Severity.Critical, "\u001b[1;31mCritical\u001b[0m ")]
    [InlineData(Severity.High, "\u001b[31mHigh\u001b[0m     ")]
    [InlineData(Severity.Info, "\u001b[2mInfo\u001b[0m     ")]
    public void Colour_WrapsOnlyTheSeverity_AndKeepsTheColumns(Severity severity, string expected)
    {
        string line = FindingText.Format(Finding("n", "/p", ["a"], "p", severity), colour: true);

        Assert.Equal(expected, line[29..(29 + expected.Length)]);
    }
}
