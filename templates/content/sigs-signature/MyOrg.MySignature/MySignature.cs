using Sigs.Plugins;

namespace MyOrg.MySignature;

/// <summary>
/// An example detection: a read of /etc/shadow by a process that is not on the configured allow-list.
/// Replace the metadata, selectors and logic with your own.
/// </summary>
public sealed class MySignature : Signature
{
    private string[] _allowedProcesses = [];

    public override SignatureMetadata Metadata { get; } = new()
    {
        Id = "MYORG-0001",
        Version = "1",
        Name = "Shadow password file read",
        EventName = "shadow_file_read",
        Description = "A process outside the allow-list read /etc/shadow, which holds the local password hashes.",
        Severity = Severity.High,
        Tactics = ["TA0006"],
        Techniques = ["T1003.008"],
        Tags = ["linux", "credential-access"],
        References = ["https://attack.mitre.org/techniques/T1003/008/"],
    };

    // Which events the host delivers: file opens from any source, host or container.
    public override IReadOnlyList<EventSelector> Selectors { get; } = [new(EventNames.FileOpen)];

    // Lets feeds that filter at the source (the native probe) watch only this file.
    public override IReadOnlyList<string> FilePatterns { get; } = ["/etc/shadow"];

    // The host validates `signatures: { MYORG-0001: { config: ... } }` against this before Init.
    public override string? ConfigSchema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "allowedProcesses": { "type": "array", "items": { "type": "string", "minLength": 1 } }
          }
        }
        """;

    protected override void OnInit(SignatureContext context) => _allowedProcesses = context.GetConfig<Settings>().AllowedProcesses;

    public override void OnEvent(SecurityEvent securityEvent)
    {
        if (securityEvent.File is { Path: "/etc/shadow", Flags: int flags }
            && OpenFlags.AllowsRead(flags)
            && Array.IndexOf(_allowedProcesses, securityEvent.Process?.Name) < 0)
        {
            Context.Report(securityEvent, new Dictionary<string, object?>
            {
                ["process"] = securityEvent.Process?.Name,
                ["path"] = securityEvent.File.Path,
            });
        }
    }

    public sealed class Settings
    {
        public string[] AllowedProcesses { get; init; } = ["unix_chkpwd", "passwd", "sshd"];
    }
}
