namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// Splits Tetragon's <c>process.arguments</c> back into argv. Tetragon (pkg/process/args.go, <c>ArgsDecoder</c>)
/// sends argv without argv[0] as one string: elements joined by one space, an element that contains a space
/// wrapped in double quotes. This undoes that join as far as it can be undone:
/// <list type="bullet">
/// <item>an empty element was dropped by the join and stays lost;</item>
/// <item>elements that begin or end with a quote themselves can merge: <c>"a</c> and <c>b"</c> were joined as
/// <c>"a b"</c>, which reads back as the one element <c>a b</c>;</item>
/// <item>tabs and newlines were not quoted and stay inside their element;</item>
/// <item>what Tetragon cut (a long argv; its flags then say <c>truncArgs</c>) is missing.</item>
/// </list>
/// </summary>
internal static class TetragonArguments
{
    public static List<string> Split(string arguments)
    {
        var elements = new List<string>();
        ReadOnlySpan<char> rest = arguments;
        while (true)
        {
            rest = rest.TrimStart(' ');
            if (rest.IsEmpty)
            {
                return elements;
            }

            if (rest[0] == '"' && QuotedEnd(rest) is int end)
            {
                elements.Add(rest[1..end].ToString());
                rest = rest[(end + 1)..];
                continue;
            }

            int space = rest.IndexOf(' ');
            elements.Add((space < 0 ? rest : rest[..space]).ToString());
            rest = space < 0 ? [] : rest[space..];
        }
    }

    /// <summary>
    /// The closing quote of an element the join quoted: the first quote followed by a space or the end with a
    /// space somewhere before it (the join quoted only elements holding one); null when the text starts with a
    /// quote of the element's own.
    /// </summary>
    private static int? QuotedEnd(ReadOnlySpan<char> text)
    {
        for (int i = 1; i < text.Length; i++)
        {
            if (text[i] == '"' && (i == text.Length - 1 || text[i + 1] == ' ') && text[1..i].Contains(' '))
            {
                return i;
            }
        }

        return null;
    }
}
