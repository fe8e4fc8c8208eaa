using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Rules;

/// <summary>A compiled test of one value against one (non-list) field value: text, long, bool or null.</summary>
internal delegate bool ValueTest(Sigs.Plugins.SecurityEvent securityEvent, object? value);

/// <summary>
/// Compiles one field condition (<c>Field|modifier|modifier: value or list of values</c>) against a logsource's
/// mapping: the field must be the taxonomy's or a contract path, every modifier one Sigs knows, every value of the
/// type its modifiers need. A field whose value is a list on the event matches when any element does. Values of a
/// list are alternatives, or all required with <c>|all</c>.
/// </summary>
internal sealed class SigmaFieldCompiler(LogSourceMapping mapping, IReadOnlyDictionary<string, IReadOnlyList<string>> placeholders, string file)
{
    public const int MaxValues = 4096;
    public const int MaxRegexLength = 4096;

    /// <summary>What to cut from the base64 of the value shifted by 0, 1, 2 bytes: the characters that depend on the bytes around it.</summary>
    private static readonly int[] OffsetStarts = [0, 2, 3];
    private static readonly int[] OffsetEnds = [0, 3, 2];

    private static readonly HashSet<string> WindowsOnly = new(["windash", "utf16le", "utf16be", "utf16", "wide"], StringComparer.Ordinal);

    private static readonly HashSet<string> Known = new(
        ["contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cased", "exists", "cidr", "base64", "base64offset", "lt", "lte", "gt", "gte", "fieldref", "expand"],
        StringComparer.Ordinal);

    /// <summary>
    /// The field's name (without modifiers), its reader, the test of the whole condition on an event, and its gate:
    /// texts one of which the field holds whenever the test holds (null when no such texts are known).
    /// </summary>
    public (string Field, FieldReader Reader, Func<Sigs.Plugins.SecurityEvent, bool> Test, RuleGate Gate) Compile(YamlScalarNode key, YamlNode value)
    {
        string[] parts = (key.Value ?? string.Empty).Split('|');
        string field = parts[0];
        string[] modifiers = [.. parts.Skip(1).Select(m => m.ToLowerInvariant())];
        Mark at = key.Start;
        if (field.Length == 0)
        {
            throw Refuse(at, "a field condition without a field name (keyword searches are not supported: name the field)");
        }

        foreach (string modifier in modifiers)
        {
            if (WindowsOnly.Contains(modifier))
            {
                throw Refuse(at, $"modifier '{modifier}' is for Windows events (UTF-16 or Windows command-line dashes); it means nothing on Linux and Kubernetes events");
            }

            if (!Known.Contains(modifier))
            {
                throw Refuse(at, $"unknown modifier '{modifier}'");
            }
        }

        FieldReader reader = mapping.Field(field) ?? throw Refuse(at, mapping.Unmapped.TryGetValue(field, out string? why)
            ? $"field '{field}' of {mapping.Name} is not one Sigs can fill: {why}"
            : $"unknown field '{field}' for {mapping.Name} (neither its taxonomy nor a contract path such as process.executable)");
        YamlScalarNode[] values = value switch
        {
            YamlScalarNode one => [one],
            YamlSequenceNode { Children.Count: <= MaxValues } list => [.. list.Children.Select(c => c as YamlScalarNode ?? throw Refuse(c.Start, $"the values of '{key.Value}' must be plain values"))],
            YamlSequenceNode => throw Refuse(value.Start, $"more than {MaxValues} values"),
            _ => throw Refuse(value.Start, $"the value of '{key.Value}' must be a value or a list of values"),
        };
        if (values.Length == 0)
        {
            throw Refuse(value.Start, $"'{key.Value}' has an empty list of values");
        }

        var required = new List<string[]?>();
        var prefixes = new List<string[]?>();
        ValueTest[] tests = [.. Tests(field, modifiers, values, at, required, prefixes)];
        bool all = modifiers.Contains("all");
        return (field, reader, e =>
        {
            object? actual = reader(e);
            return all ? tests.All(t => Holds(t, e, actual)) : tests.Any(t => Holds(t, e, actual));
        }, new RuleGate(Gate(field, reader, required, all) is { } gate ? [gate] : null, PathFields.Contains(field) ? Combined(prefixes, all) : null));
    }

    /// <summary>The fields holding the path of an event's file.</summary>
    private static readonly HashSet<string> PathFields = new(["TargetFilename", "file.path"], StringComparer.Ordinal);

    /// <summary>Per value, what one of which holds: with <c>all</c> the first value's, else all values' (none when one has none).</summary>
    private static string[]? Combined(List<string[]?> perValue, bool all) =>
        all ? perValue.FirstOrDefault(p => p is not null)
        : perValue.Count > 0 && perValue.All(p => p is not null) ? [.. perValue.SelectMany(p => p!).Distinct(StringComparer.Ordinal)]
        : null;

    /// <summary>
    /// With <c>all</c>, every value must match, so the first value's texts gate; else any value may, so every value
    /// needs texts and the gate is all of them. None when a value has none (a wildcard, a number, a regex...).
    /// </summary>
    private FieldGate? Gate(string field, FieldReader reader, List<string[]?> required, bool all)
    {
        string[]? texts = Combined(required, all);
        return texts is { Length: > 0 } ? new FieldGate(mapping.Name + "|" + field, reader, mapping.JoinedList(field), texts) : null;
    }

    /// <summary>A test holds for a list when it holds for one of its elements.</summary>
    private static bool Holds(ValueTest test, Sigs.Plugins.SecurityEvent e, object? actual) => actual is IReadOnlyList<string> list
        ? list.Any(element => test(e, element))
        : test(e, actual);

    /// <summary>The tests of the values; <paramref name="required"/> gets, per value, the texts one of which a match contains (or null).</summary>
    /// <remarks><paramref name="prefixes"/> gets, per value, the absolute paths one of which a matching value starts with (or null).</remarks>
    private IEnumerable<ValueTest> Tests(string field, string[] modifiers, YamlScalarNode[] values, Mark at, List<string[]?> required, List<string[]?> prefixes)
    {
        bool Has(string m) => modifiers.Contains(m);
        if (Has("exists"))
        {
            bool wanted = values is [var only] && Classify(only) is bool b ? b : throw Refuse(at, "'exists' takes one value, true or false");
            return [(_, v) => (v is not null) == wanted];
        }

        if (Has("cidr"))
        {
            IPNetwork[] networks = [.. values.Select(v => IPNetwork.TryParse(v.Value, out IPNetwork n) ? n : throw Refuse(v.Start, $"'{v.Value}' is not a network (CIDR)"))];
            return networks.Select(n => (ValueTest)((_, v) => Text(v) is { } text && IPAddress.TryParse(text, out IPAddress? ip) && n.Contains(ip)));
        }

        if (modifiers.FirstOrDefault(m => m is "lt" or "lte" or "gt" or "gte") is { } comparison)
        {
            return values.Select(v => Compare(comparison, Classify(v) is long n ? n : throw Refuse(v.Start, $"'{comparison}' compares with a number, not '{v.Value}'")));
        }

        if (Has("re"))
        {
            return values.Select(v => Regex(v, modifiers));
        }

        TextMatch match = TextMatchOf(modifiers, at);
        bool cased = Has("cased");
        if (Has("fieldref"))
        {
            return values.Select(v => FieldRef(v, match, cased));
        }

        if ((Has("i") || Has("m") || Has("s")) && !Has("re"))
        {
            throw Refuse(at, "modifiers 'i', 'm' and 's' go with 're'");
        }

        var tests = new List<ValueTest>();
        foreach (YamlScalarNode node in values)
        {
            object? literal = Classify(node);
            if (literal is not string text)
            {
                if (modifiers.Length > 0 && !(modifiers is ["all"]))
                {
                    throw Refuse(node.Start, $"modifiers of '{field}' need text values, not '{node.Value}'");
                }

                tests.Add(Equal(literal));
                required.Add(null);
                prefixes.Add(null);
                continue;
            }

            // One value's forms (its expansions, its three base64 offsets) are alternatives, also under 'all'.
            var texts = new List<string>();
            var forms = new List<SigmaPattern>();
            bool gated = true;
            foreach (string expanded in Has("expand") ? Expand(text, node.Start) : [text])
            {
                foreach (string encoded in Encoded(expanded, modifiers, match, node.Start))
                {
                    SigmaPattern pattern = SigmaPattern.Compile(encoded, match, cased);
                    forms.Add(pattern);
                    if (pattern.RequiredText is { } needed)
                    {
                        texts.Add(needed);
                    }
                    else
                    {
                        gated = false;
                    }
                }
            }

            SigmaPattern[] alternatives = [.. forms];
            tests.Add((_, v) => Text(v) is { } actual && alternatives.Any(p => p.IsMatch(actual)));
            required.Add(gated && texts.Count > 0 ? [.. texts] : null);
            string[] anchored = [.. forms.Select(f => f.AbsolutePathPrefix).OfType<string>()];
            prefixes.Add(anchored.Length == forms.Count && forms.Count > 0 && !modifiers.Contains("base64") ? anchored : null);
        }

        return tests;
    }

    private TextMatch TextMatchOf(string[] modifiers, Mark at)
    {
        TextMatch[] kinds = [.. modifiers.Select(m => m switch
        {
            "contains" => TextMatch.Contains,
            "startswith" => TextMatch.StartsWith,
            "endswith" => TextMatch.EndsWith,
            _ => (TextMatch?)null,
        }).OfType<TextMatch>()];
        return kinds.Length switch
        {
            0 => TextMatch.Equals,
            1 => kinds[0],
            _ => throw Refuse(at, "at most one of 'contains', 'startswith' and 'endswith'"),
        };
    }

    /// <summary>The value as the event carries it: base64 of its UTF-8 bytes, or the three forms it takes at each offset in a longer base64 text.</summary>
    private IEnumerable<string> Encoded(string value, string[] modifiers, TextMatch match, Mark at)
    {
        if (modifiers.Contains("base64offset"))
        {
            if (match != TextMatch.Contains)
            {
                throw Refuse(at, "'base64offset' goes with 'contains'");
            }

            byte[] bytes = Encoding.UTF8.GetBytes(value);
            for (int shift = 0; shift < 3; shift++)
            {
                byte[] shifted = [.. Enumerable.Repeat((byte)' ', shift), .. bytes];
                string encoded = Convert.ToBase64String(shifted);
                yield return encoded[OffsetStarts[shift]..(encoded.Length - OffsetEnds[(bytes.Length + shift) % 3])];
            }

            yield break;
        }

        yield return modifiers.Contains("base64") ? Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) : value;
    }

    private IEnumerable<string> Expand(string value, Mark at)
    {
        Match placeholder = System.Text.RegularExpressions.Regex.Match(value, "%([A-Za-z0-9_.-]+)%");
        if (!placeholder.Success)
        {
            return [value];
        }

        string name = placeholder.Groups[1].Value;
        IReadOnlyList<string> replacements = placeholders.TryGetValue(name, out IReadOnlyList<string>? found) ? found
            : throw Refuse(at, $"placeholder '%{name}%' is not defined (rules.placeholders in the configuration)");
        return replacements.SelectMany(r => Expand(value[..placeholder.Index] + r + value[(placeholder.Index + placeholder.Length)..], at));
    }

    private ValueTest Regex(YamlScalarNode node, string[] modifiers)
    {
        string pattern = node.Value ?? string.Empty;
        if (pattern.Length > MaxRegexLength)
        {
            throw Refuse(node.Start, $"a regular expression longer than {MaxRegexLength} characters");
        }

        var options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking
            | (modifiers.Contains("i") ? RegexOptions.IgnoreCase : RegexOptions.None)
            | (modifiers.Contains("m") ? RegexOptions.Multiline : RegexOptions.None)
            | (modifiers.Contains("s") ? RegexOptions.Singleline : RegexOptions.None);
        try
        {
            var regex = new Regex(pattern, options);
            return (_, v) => Text(v) is { } text && regex.IsMatch(text);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw Refuse(node.Start, $"regular expression '{pattern}': {ex.Message.Split('\n')[0]} (Sigs matches with a non-backtracking engine: no backreferences or lookarounds)");
        }
    }

    private ValueTest FieldRef(YamlScalarNode node, TextMatch match, bool cased)
    {
        string other = node.Value ?? string.Empty;
        FieldReader reader = mapping.Field(other) ?? throw Refuse(node.Start, $"'fieldref' names '{other}', which is no field of {mapping.Name}");
        StringComparison comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return (e, v) => Text(v) is { } text && Text(reader(e)) is { } theirs && match switch
        {
            TextMatch.Contains => text.Contains(theirs, comparison),
            TextMatch.StartsWith => text.StartsWith(theirs, comparison),
            TextMatch.EndsWith => text.EndsWith(theirs, comparison),
            _ => text.Equals(theirs, comparison),
        };
    }

    private static ValueTest Compare(string comparison, long limit) => (_, v) => Number(v) is long n && comparison switch
    {
        "lt" => n < limit,
        "lte" => n <= limit,
        "gt" => n > limit,
        _ => n >= limit,
    };

    /// <summary>A value without modifiers that is not text: null (the field is missing or empty), a number, a boolean.</summary>
    private static ValueTest Equal(object? literal) => literal switch
    {
        null => (_, v) => v is null or "",
        long n => (_, v) => Number(v) == n,
        bool b => (_, v) => v is bool actual ? actual == b : Text(v) is { } text && text.Equals(b ? "true" : "false", StringComparison.OrdinalIgnoreCase),
        _ => (_, _) => false,
    };

    /// <summary>A plain YAML scalar as YAML reads it: null, a boolean, an integer, else text (quoted scalars are always text).</summary>
    public static object? Classify(YamlScalarNode node)
    {
        string text = node.Value ?? string.Empty;
        if (node.Style != ScalarStyle.Plain)
        {
            return text;
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) => n,
            _ => text,
        };
    }

    /// <summary>A field value as text: texts as they are, numbers in invariant form, booleans as true/false.</summary>
    public static string? Text(object? value) => value switch
    {
        string text => text,
        long n => n.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => null,
    };

    private static long? Number(object? value) => value switch
    {
        long n => n,
        string text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) => n,
        _ => null,
    };

    private RuleException Refuse(Mark at, string reason) => RuleException.At(file, at, reason);
}
