namespace Sigs.Host.Common;

/// <summary>A secret kept in a file (a bearer token, a NATS password or token): read once at start, trimmed.</summary>
internal static class SecretFile
{
    private const int MaxBytes = 64 * 1024;

    /// <exception cref="ConfigException">The file cannot be read; the message names the setting and the file.</exception>
    public static string Read(string path, string setting, string what)
    {
        try
        {
            return BoundedFile.ReadText(path, MaxBytes).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{setting} '{path}': cannot read {what}: {ex.Message}");
        }
    }
}
