using System.ComponentModel;

namespace Sigs.Host.Configuration;

/// <summary>
/// Which signatures run, by id or tag, as Falco's <c>-t</c>/<c>-T</c>/<c>-D</c> and Tracee's <c>--events</c> pick
/// rules: with <see cref="Enable"/>, only the signatures it names run; <see cref="Disable"/> then takes some out.
/// <c>--enable</c> and <c>--disable</c> add to these lists (see <see cref="Loading.SignatureSelection"/>).
/// </summary>
internal sealed record SelectConfig
{
    [Description("Signature ids or tags (any case): when any is given, only the signatures with one of them run.")]
    public IReadOnlyList<string> Enable { get; init; } = [];

    [Description("Signature ids or tags (any case): the signatures with one of them do not run.")]
    public IReadOnlyList<string> Disable { get; init; } = [];
}
