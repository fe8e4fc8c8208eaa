using System.Text.Json;

namespace Sigs.Plugins;

/// <summary>What the host gives a signature: its configuration, a clock, a log, and a way to report findings.</summary>
public abstract class SignatureContext
{
    /// <summary>The signature's configuration, already validated against its schema; an empty object when unset.</summary>
    public abstract JsonElement Config { get; }

    /// <summary>The host's clock. Use it instead of <see cref="DateTimeOffset.UtcNow"/> so tests control time.</summary>
    public abstract TimeProvider Clock { get; }

    /// <summary>Writes one line to the host's log, attributed to this signature.</summary>
    public abstract void Log(SignatureLogLevel level, string message);

    /// <summary>Emits a finding triggered by <paramref name="trigger"/>, with signature-specific details.</summary>
    public abstract void Report(SecurityEvent trigger, IReadOnlyDictionary<string, object?>? data = null);

    /// <summary>
    /// Counts items the signature's state dropped because a bound was reached (SDK 1.6; shown on <c>/metrics</c> as
    /// <c>sigs_signature_evictions_total</c>). <see cref="KeyedWindow{TItem}"/> calls it; a signature keeping its own
    /// bounded state may too. The default does nothing.
    /// </summary>
    public virtual void CountEvictions(long count)
    {
    }

    /// <summary>
    /// Binds <see cref="Config"/> to <typeparamref name="T"/>: JSON names match public settable properties
    /// case-insensitively; strings, numbers, booleans, enums, arrays, lists, string-keyed dictionaries and nested
    /// classes are supported. Properties the JSON does not mention keep their defaults.
    /// </summary>
    /// <exception cref="InvalidOperationException">A value does not fit its property; the message names its path.</exception>
    public T GetConfig<T>() where T : new() =>
        Config.ValueKind == JsonValueKind.Object ? (T)ConfigBinder.Bind(Config, typeof(T), "$")! : new T();
}

/// <summary>Levels for <see cref="SignatureContext.Log"/>.</summary>
public enum SignatureLogLevel
{
    /// <summary>Detail for troubleshooting.</summary>
    Debug,

    /// <summary>Normal operation.</summary>
    Information,

    /// <summary>Something unexpected that the signature handled.</summary>
    Warning,

    /// <summary>Something the signature could not handle.</summary>
    Error,
}
