using System.Text.Json;

namespace Sigs.Plugins.Tests;

public class ConfigBindingTests
{
    public enum Mode
    {
        Off,
        Strict,
    }

    public sealed class Nested
    {
        public int Depth { get; init; }
    }

    public sealed class Settings
    {
        public string[] Names { get; init; } = ["default"];

        public IReadOnlyList<int> Numbers { get; init; } = [];

        public int WindowSeconds { get; init; } = 60;

        public bool Enabled { get; init; } = true;

        public Mode Mode { get; init; }

        public double? Ratio { get; init; }

        public IReadOnlyDictionary<string, string> Pins { get; init; } = new Dictionary<string, string>();

        public Nested Inner { get; init; } = new();
    }

    private sealed class Context(string json) : SignatureContext
    {
        public override JsonElement Config { get; } = JsonDocument.Parse(json).RootElement.Clone();

        public override TimeProvider Clock => TimeProvider.System;

        public override void Log(SignatureLogLevel level, string message)
        {
        }

        public override void Report(SecurityEvent trigger, IReadOnlyDictionary<string, object?>? data = null)
        {
        }
    }

    [Fact]
    public void GetConfig_EverySupportedShape_IsBoundCaseInsensitively()
    {
        Settings settings = new Context("""
            {"names":["a","b"],"NUMBERS":[1,2],"windowSeconds":5,"enabled":false,"mode":"strict","ratio":0.5,
             "pins":{"x.dll":"00"},"inner":{"depth":3},"unknown":1}
            """).GetConfig<Settings>();

        Assert.Equal(["a", "b"], settings.Names);
        Assert.Equal([1, 2], settings.Numbers);
        Assert.Equal((5, false, Mode.Strict, 0.5), (settings.WindowSeconds, settings.Enabled, settings.Mode, settings.Ratio));
        Assert.Equal("00", settings.Pins["x.dll"]);
        Assert.Equal(3, settings.Inner.Depth);
    }

    [Fact]
    public void GetConfig_MissingKeys_KeepTheDefaults()
    {
        Settings settings = new Context("""{"windowSeconds":7}""").GetConfig<Settings>();

        Assert.Equal(["default"], settings.Names);
        Assert.Equal(7, settings.WindowSeconds);
        Assert.True(settings.Enabled);
    }

    [Theory]
    [InlineData("""{"windowSeconds":"soon"}""", "config $.windowSeconds: cannot bind String to Int32")]
    [InlineData("""{"names":["a",1]}""", "config $.names[1]: cannot bind Number to String")]
    [InlineData("""{"inner":{"depth":true}}""", "config $.inner.depth: cannot bind True to Int32")]
    public void GetConfig_ValueOfTheWrongShape_NamesItsPath(string json, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Context(json).GetConfig<Settings>());

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
