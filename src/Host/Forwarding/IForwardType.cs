using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Forwarding;

/// <summary>
/// A forward type: its name, its options record (the schema is generated from it) and its factory, declared in one
/// class beside it. <see cref="ForwardTypes"/> finds them all.
/// </summary>
internal interface IForwardType : IExtensionType
{
    /// <summary>The signature ids whose events this forward sends.</summary>
    IReadOnlyList<string> Signatures(ForwardOptions options);

    /// <summary>Whether those signatures also run here.</summary>
    bool RunLocally(ForwardOptions options);

    IEventPublisher Create(ForwardOptions options, ILoggerFactory loggerFactory, TimeProvider clock);
}

/// <summary>The typed base of a forward type.</summary>
internal abstract class ForwardType<TOptions> : IForwardType
    where TOptions : ForwardOptions
{
    public abstract string Name { get; }

    public abstract string Summary { get; }

    public Type OptionsType => typeof(TOptions);

    public string? Problem(object options) => Problem((TOptions)options);

    public IReadOnlyList<string> Signatures(ForwardOptions options) => Signatures((TOptions)options);

    public bool RunLocally(ForwardOptions options) => RunLocally((TOptions)options);

    public IEventPublisher Create(ForwardOptions options, ILoggerFactory loggerFactory, TimeProvider clock) => Create((TOptions)options, loggerFactory, clock);

    protected virtual string? Problem(TOptions options) => null;

    protected abstract IReadOnlyList<string> Signatures(TOptions options);

    protected abstract bool RunLocally(TOptions options);

    protected abstract IEventPublisher Create(TOptions options, ILoggerFactory loggerFactory, TimeProvider clock);
}
