using Sigs.Plugins;

namespace Sigs.TestPlugins;

/// <summary>Its constructor throws: refused.</summary>
public sealed class ThrowingConstructorSignature : TestSignature
{
    public ThrowingConstructorSignature()
        : base("TEST-CTOR-THROWS") => throw new InvalidOperationException("constructor failure on purpose");
}

/// <summary>Its Init throws: refused.</summary>
public sealed class ThrowingInitSignature() : TestSignature("TEST-INIT-THROWS")
{
    protected override void OnInit(SignatureContext context) => throw new InvalidOperationException("init failure on purpose");
}

/// <summary>Loads beside its faulty siblings.</summary>
public sealed class HealthySignature() : TestSignature("TEST-HEALTHY");

/// <summary>Throws on every event: the engine counts it and the other signatures still see every event.</summary>
public sealed class AlwaysThrowsSignature() : TestSignature("TEST-ALWAYS-THROWS")
{
    public override void OnEvent(SecurityEvent securityEvent) => throw new InvalidOperationException("event failure on purpose");
}

/// <summary>Takes configuration validated against its schema.</summary>
public sealed class ConfiguredSignature() : TestSignature("TEST-CONFIGURED")
{
    public override string? ConfigSchema => """
        { "type": "object", "additionalProperties": false, "required": ["threshold"], "properties": { "threshold": { "type": "integer", "minimum": 1 } } }
        """;

    protected override IReadOnlyDictionary<string, object?> Details() => new Dictionary<string, object?>
    {
        ["threshold"] = Context.Config.GetProperty("threshold").GetInt32(),
    };
}
