using System.Text.Json;

namespace Sigs.Benchmarks;

/// <summary>
/// The floor a replay is measured against: a program that reads every line of a file and walks every token with
/// <see cref="Utf8JsonReader"/>, and does nothing else. Run as its own process, so its time includes a .NET
/// start-up as a replay's does.
/// </summary>
internal static class TokenizerFloor
{
    public static int Run(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        byte[] buffer = new byte[1 << 20];
        int length = 0;
        long lines = 0, tokens = 0;
        while (true)
        {
            int read = file.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                break;
            }

            length += read;
            int start = 0;
            int newline;
            while ((newline = buffer.AsSpan(start, length - start).IndexOf((byte)'\n')) >= 0)
            {
                var reader = new Utf8JsonReader(buffer.AsSpan(start, newline));
                while (reader.Read())
                {
                    tokens++;
                }

                lines++;
                start += newline + 1;
            }

            buffer.AsSpan(start, length - start).CopyTo(buffer);
            length -= start;
        }

        Console.WriteLine($"{lines} lines, {tokens} tokens");
        return 0;
    }
}
