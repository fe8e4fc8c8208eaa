namespace Sigs.TestPlugins;

/// <summary>
/// Leaves a handler on a host-owned static event and never removes it, so its load context can never be
/// collected: the host must notice and say so.
/// </summary>
public sealed class LeakySignature() : TestSignature("TEST-LEAKY")
{
    protected override void OnInit(Sigs.Plugins.SignatureContext context) => AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

    private void OnProcessExit(object? sender, EventArgs e) => GC.KeepAlive(this);
}
