namespace Sigs.TestPlugins;

/// <summary>Built against Sigs.Plugins 2.0: the host must refuse it.</summary>
public sealed class FutureSignature() : TestSignature("TEST-FUTURE");
