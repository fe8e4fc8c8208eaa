namespace Sigs.Plugins.Tests;

public class SignatureTests
{
    private sealed class ReportingSignature : Signature
    {
        public override SignatureMetadata Metadata { get; } = new()
        {
            Id = "X", Version = "1", Name = "x", EventName = "x", Description = "x", Severity = Severity.Low,
        };

        public override IReadOnlyList<EventSelector> Selectors { get; } = [new(EventNames.FileOpen)];

        public override void OnEvent(SecurityEvent securityEvent) => Context.Report(securityEvent);
    }

    [Fact]
    public void OnEvent_BeforeInit_ThrowsNamingTheType()
    {
        var signature = new ReportingSignature();

        var error = Assert.Throws<InvalidOperationException>(() =>
            signature.OnEvent(new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = "s", Name = "n" }));

        Assert.Contains("ReportingSignature is used before Init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new ReportingSignature().Init(null!));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(0x8000, true)]
    [InlineData(0x8001, false)]
    [InlineData(0x241, false)]
    public void AllowsRead_UsesTheAccessModeBits(int flags, bool expected)
    {
        Assert.Equal(expected, OpenFlags.AllowsRead(flags));
    }
}
