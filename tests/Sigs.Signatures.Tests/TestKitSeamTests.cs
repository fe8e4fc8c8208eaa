using System.Reflection;
using System.Runtime.CompilerServices;
using Sigs.Plugins;
using Sigs.Plugins.Testing;

namespace Sigs.Signatures.Tests;

/// <summary>The test kit meets the host as a third party would: through one public seam, with the loader's checks.</summary>
public class TestKitSeamTests
{
    [Fact]
    public void TheHostsOnlyPublicType_IsTheSeam_AndTheKitSeesNoInternals()
    {
        Assembly host = Assembly.Load("sigs"); // shipped inside the kit's package, not referenced by its users

        // Program is the entry point the compiler makes public for the top-level statements; it has no members to call.
        Assert.Equal(["Program", "Sigs.Host.TestKit.SignatureHarness"], host.GetExportedTypes().Select(t => t.FullName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(host.GetCustomAttributes<InternalsVisibleToAttribute>(), a => a.AssemblyName == "Sigs.Plugins.Testing");
    }

    [Fact]
    public void AMistypedSelector_IsRefusedByTheKit_AsTheLoaderRefusesIt()
    {
        var refused = Assert.Throws<SignatureConfigException>(() => new SignatureTestHost<Mistyped>());

        Assert.Contains("selector 0 names event 'security_file_opne'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'security_file_open'?", refused.Message, StringComparison.Ordinal);
    }

    public sealed class Mistyped : Signature
    {
        public override SignatureMetadata Metadata { get; } = new()
        {
            Id = "TEST-1", Version = "1", Name = "Mistyped", EventName = "mistyped", Description = "Selects nothing.", Severity = Severity.Low,
        };

        public override IReadOnlyList<EventSelector> Selectors { get; } = [new("security_file_opne")];

        public override void OnEvent(SecurityEvent securityEvent)
        {
        }
    }
}
