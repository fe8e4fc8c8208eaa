using Newtonsoft.Json;

namespace Sigs.TestPlugins;

/// <summary>Reports the Newtonsoft.Json version its own load context resolved, to prove private dependencies.</summary>
public sealed class NewtonsoftV13Signature() : TestSignature("TEST-NEWTONSOFT-13")
{
    protected override IReadOnlyDictionary<string, object?> Details() => new Dictionary<string, object?>
    {
        ["newtonsoft"] = typeof(JsonConvert).Assembly.GetName().Version!.ToString(),
        ["serialized"] = JsonConvert.SerializeObject(new { version = 13 }),
    };
}
