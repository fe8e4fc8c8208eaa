namespace Sigs.TestPlugins;

/// <summary>Loads first (type name order).</summary>
public sealed class DuplicateA() : TestSignature("TEST-DUPLICATE");

/// <summary>Same id as <see cref="DuplicateA"/>: refused.</summary>
public sealed class DuplicateB() : TestSignature("TEST-DUPLICATE");

/// <summary>Same id as a signature in the NewtonsoftV13 plugin, which loads earlier in name order: refused.</summary>
public sealed class DuplicateOfOtherPlugin() : TestSignature("TEST-NEWTONSOFT-13");
