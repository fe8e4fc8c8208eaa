using NJsonSchema;
using NJsonSchema.Validation;

namespace Sigs.Host.Configuration;

/// <summary>JSON Schema validation with problems reported as "key.path: what is wrong".</summary>
internal static class SchemaValidation
{
    /// <summary>Parses a schema. NJsonSchema's parser is async only for external references, which are not used.</summary>
    public static JsonSchema Parse(string schemaJson) => JsonSchema.FromJsonAsync(schemaJson).GetAwaiter().GetResult();

    /// <summary>
    /// Makes NJsonSchema's first use (about 200 ms of loading and compiling its code) happen now, on a thread of
    /// its own, so that the first signature or configuration validated does not wait for it.
    /// </summary>
    public static void WarmUpInBackground() => _ = Task.Run(() => Validate(Parse("""{"type":"object","properties":{"n":{"type":"integer"}}}"""), """{"n":1}"""));

    /// <summary>A schema file embedded in the host (<c>schema/NAME</c>).</summary>
    public static string ReadEmbedded(string fileName)
    {
        using Stream stream = typeof(SchemaValidation).Assembly.GetManifestResourceStream($"schema/{fileName}")
            ?? throw new InvalidOperationException($"schema/{fileName} is not embedded in the host");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static IReadOnlyList<string> Validate(JsonSchema schema, string json) => [.. Problems(schema, json).Select(p => p.ToString())];

    /// <summary>Each problem with its key path and kind, for callers that word some kinds their own way.</summary>
    public static IReadOnlyList<SchemaProblem> Problems(JsonSchema schema, string json)
    {
        var problems = new List<SchemaProblem>();
        foreach (ValidationError error in schema.Validate(json))
        {
            Collect(error, problems);
        }

        return problems;
    }

    private static void Collect(ValidationError error, List<SchemaProblem> problems)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            foreach (ValidationError nested in child.Errors.SelectMany(e => e.Value))
            {
                Collect(nested, problems);
            }

            return;
        }

        problems.Add(new SchemaProblem(KeyPath(error.Path), error.Kind, Describe(error)));
    }

    /// <summary>NJsonSchema paths look like <c>#/outputs[0].type</c>; shown as <c>outputs[0].type</c>.</summary>
    private static string KeyPath(string? path)
    {
        string trimmed = (path ?? "#").TrimStart('#').TrimStart('/');
        return trimmed.Length == 0 ? "(root)" : trimmed;
    }

    private static string Describe(ValidationError error) => error.Kind switch
    {
        ValidationErrorKind.NoAdditionalPropertiesAllowed => "unknown key",
        ValidationErrorKind.PropertyRequired => "required key is missing",
        ValidationErrorKind.StringExpected => "must be a string",
        ValidationErrorKind.IntegerExpected => "must be an integer",
        ValidationErrorKind.NumberExpected => "must be a number",
        ValidationErrorKind.BooleanExpected => "must be true or false",
        ValidationErrorKind.ArrayExpected => "must be a list",
        ValidationErrorKind.ObjectExpected => "must be a mapping",
        ValidationErrorKind.NotInEnumeration when error.Schema is { } s =>
            $"must be one of: {string.Join(", ", s.Enumeration.Select(v => v?.ToString()))}",
        ValidationErrorKind.StringTooShort => "must not be empty",
        ValidationErrorKind.PatternMismatch when error.Schema is { Pattern: { } pattern } => $"must match the pattern {pattern}",
        ValidationErrorKind.NumberTooSmall when error.Schema is { Minimum: { } minimum } => $"must be at least {minimum}",
        ValidationErrorKind.NumberTooBig when error.Schema is { Maximum: { } maximum } => $"must be at most {maximum}",
        _ => Humanize(error.Kind.ToString()),
    };

    private static string Humanize(string kind) =>
        string.Concat(kind.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString())).ToLowerInvariant();
}

/// <summary>One schema violation: the key path (<c>outputs[0].url</c>), its kind, and the words for it.</summary>
internal sealed record SchemaProblem(string Path, ValidationErrorKind Kind, string Text)
{
    public override string ToString() => $"{Path}: {Text}";
}
