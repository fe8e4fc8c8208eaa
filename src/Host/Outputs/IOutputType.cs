using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>
/// An output type: its name, its options record (the schema is generated from it) and its factory, declared in
/// one class beside the output. <see cref="OutputTypes"/> finds them all.
/// </summary>
internal interface IOutputType : IExtensionType
{
    IFindingOutput Create(OutputOptions options, ILoggerFactory loggerFactory, TimeProvider clock);
}

/// <summary>The typed base of an output type.</summary>
internal abstract class OutputType<TOptions> : IOutputType
    where TOptions : OutputOptions
{
    public abstract string Name { get; }

    public abstract string Summary { get; }

    public Type OptionsType => typeof(TOptions);

    public string? Problem(object options) => Problem((TOptions)options);

    public IFindingOutput Create(OutputOptions options, ILoggerFactory loggerFactory, TimeProvider clock) => Create((TOptions)options, loggerFactory, clock);

    protected virtual string? Problem(TOptions options) => null;

    protected abstract IFindingOutput Create(TOptions options, ILoggerFactory loggerFactory, TimeProvider clock);
}
