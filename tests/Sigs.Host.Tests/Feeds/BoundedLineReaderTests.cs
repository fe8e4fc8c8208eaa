using System.Text;
using Sigs.Host.Feeds.Files;

namespace Sigs.Host.Tests.Feeds;

public class BoundedLineReaderTests
{
    private static async Task<List<(long Number, string? Text)>> ReadAll(string input, int max)
    {
        var lines = new List<(long, string?)>();
        await foreach (InputLine line in BoundedLineReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(input)), max))
        {
            lines.Add((line.Number, line.TooLong ? null : Encoding.UTF8.GetString(line.Bytes.Span)));
        }

        return lines;
    }

    [Fact]
    public async Task ReadAsync_MixedLines_NumbersThemAndSkipsBlanks()
    {
        var lines = await ReadAll("a\r\n\n  \nb\nlast-without-newline", max: 100);

        Assert.Equal([(1L, "a"), (4L, "b"), (5L, "last-without-newline")], lines);
    }

    [Fact]
    public async Task ReadAsync_LineOverLimit_IsReportedTooLongAndReadingGoesOn()
    {
        string longLine = new('x', 300_000);

        var lines = await ReadAll($"first\n{longLine}\nthird\n{longLine}", max: 1000);

        Assert.Equal([(1L, "first"), (2L, null), (3L, "third"), (4L, null)], lines);
    }
}
