using System.Globalization;

namespace PbDeploy.Manifest;

/// <summary>Reads the manifest's <c>hosts</c> and <c>rollout</c>, with one-line errors naming the file, line and column.</summary>
internal static class HostReader
{
    /// <summary>The settings of a host.</summary>
    public static readonly string[] Settings = ["ssh", "dir", "pbdeploy"];

    private static readonly string[] RolloutKeys = ["batch", "wait"];

    public static List<HostDefinition> ReadHosts(ManifestValue value)
    {
        if (value.IsNull)
        {
            return [];
        }

        if (value.Kind != ManifestValueKind.Object)
        {
            throw new ManifestException(
                value.Location,
                $"hosts: must be an object of hosts {{ \"NAME\": {{ \"ssh\": \"user@host\", \"dir\": \"/srv/site\" }} }}, got {ManifestJson.Describe(value)}");
        }

        var hosts = new List<HostDefinition>();
        foreach (var host in value.Properties)
        {
            if (!Names.IsServiceName(host.Name))
            {
                throw new ManifestException(
                    host.Location,
                    $"hosts: {Names.Quote(host.Name)} is not a valid host name; use letters, digits, '_' and '-', starting with a letter or '_'");
            }

            hosts.Add(ReadHost(host));
        }

        return hosts;
    }

    public static RolloutSettings? ReadRollout(ManifestValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        if (value.Kind != ManifestValueKind.Object)
        {
            throw new ManifestException(
                value.Location, $"rollout: must be an object {{ \"batch\": 1, \"wait\": 5 }}, got {ManifestJson.Describe(value)}");
        }

        var rollout = new RolloutSettings();
        foreach (var property in value.Properties)
        {
            var setting = property.Value;
            if (setting.IsNull)
            {
                continue;
            }

            switch (property.Name)
            {
                case "batch":
                    rollout = setting.TryGetInt64(out var batch) && setting.IsInteger && batch is >= 1 and <= 10_000
                        ? rollout with { Batch = (int)batch }
                        : throw new ManifestException(setting.Location, $"rollout.batch: must be an integer from 1 to 10000 (how many hosts deploy at once), got {ManifestJson.Describe(setting)}");
                    break;
                case "wait":
                    rollout = setting.Kind == ManifestValueKind.Number && setting.ToDouble() is >= 0 and <= 86_400
                        ? rollout with { Wait = TimeSpan.FromSeconds(setting.ToDouble()) }
                        : throw new ManifestException(setting.Location, $"rollout.wait: must be a number of seconds from 0 to 86400 (the wait between two batches), got {ManifestJson.Describe(setting)}");
                    break;
                default:
                    throw Unknown(property, "rollout", RolloutKeys);
            }
        }

        return rollout;
    }

    private static HostDefinition ReadHost(ManifestProperty host)
    {
        var key = $"hosts.{host.Name}";
        var value = host.Value;
        if (value.Kind != ManifestValueKind.Object)
        {
            throw new ManifestException(
                value.Location, $"{key}: must be an object {{ \"ssh\": \"user@host\", \"dir\": \"/srv/site\" }}, got {ManifestJson.Describe(value)}");
        }

        string? ssh = null, dir = null, pbdeploy = null;
        foreach (var property in value.Properties)
        {
            var setting = property.Value;
            if (setting.IsNull)
            {
                continue;
            }

            switch (property.Name)
            {
                case "ssh":
                    ssh = ReadText(setting, $"{key}.ssh");
                    if (ssh.StartsWith('-'))
                    {
                        throw new ManifestException(
                            setting.Location, $"{key}.ssh: must not start with '-' (ssh would read it as an option), got {ManifestJson.Quote(ssh)}; give a host, user@host or ssh://user@host:port");
                    }

                    if (ssh.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                    {
                        throw new ManifestException(
                            setting.Location, $"{key}.ssh: must be one ssh destination without spaces, got {ManifestJson.Quote(ssh)}; put options in ~/.ssh/config or PBDEPLOY_SSH_COMMAND");
                    }

                    if (!ssh.StartsWith("ssh://", StringComparison.Ordinal) && ssh.Contains(':', StringComparison.Ordinal))
                    {
                        throw new ManifestException(
                            setting.Location,
                            $"{key}.ssh: {ManifestJson.Quote(ssh)} has a ':', which ssh does not take for a port and rsync (--sync) reads as a remote path or a daemon (host::module); " +
                            "give a port as ssh://user@host:port, and an IPv6 address through a Host alias in ~/.ssh/config");
                    }

                    break;
                case "dir":
                    dir = ReadText(setting, $"{key}.dir");
                    if (!dir.StartsWith('/'))
                    {
                        throw new ManifestException(
                            setting.Location, $"{key}.dir: must be an absolute path (the project folder on the host), got {ManifestJson.Quote(dir)}");
                    }

                    if (NotAProjectFolder(dir) is { } why)
                    {
                        throw new ManifestException(
                            setting.Location,
                            $"{key}.dir: {ManifestJson.Quote(dir)} {why}, not a project folder: --sync makes the host's dir an exact copy of the project (rsync --delete " +
                            "removes everything else there); give the project's own folder, such as \"/srv/site\"");
                    }

                    break;
                case "pbdeploy":
                    pbdeploy = ReadText(setting, $"{key}.pbdeploy");
                    break;
                default:
                    throw Unknown(property, key, Settings);
            }
        }

        if (ssh is null || dir is null)
        {
            var missing = ssh is null ? "ssh" : "dir";
            throw new ManifestException(
                value.Location,
                $"{key}: '{missing}' is required: {(missing == "ssh" ? "where ssh connects (\"deploy@web1.example.org\", an ssh config alias)" : "the project folder on the host (\"/srv/site\")")}");
        }

        return new HostDefinition { Name = host.Name, Ssh = ssh, Dir = dir, Pbdeploy = pbdeploy, Location = host.Location };
    }

    /// <summary>Top-level folders of a Linux system: a host's <c>dir</c> there would have <c>--sync</c> delete the system's files.</summary>
    private static readonly HashSet<string> SystemFolders = new(StringComparer.Ordinal)
    {
        "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
    };

    /// <summary>Why <paramref name="dir"/> (absolute) cannot be a project folder: the root, a system folder, or a path through <c>.</c> or <c>..</c>; null when it can.</summary>
    private static string? NotAProjectFolder(string dir)
    {
        var segments = dir.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Any(s => s is "." or "..") ? "goes through . or .., so it may be any folder"
            : segments.Length == 0 ? "is the root folder"
            : segments.Length == 1 && SystemFolders.Contains(segments[0]) ? "is a system folder"
            : null;
    }

    private static string ReadText(ManifestValue value, string key)
    {
        if (value.String is not { } text)
        {
            throw new ManifestException(value.Location, $"{key}: must be a string, got {ManifestJson.Describe(value)}");
        }

        if (string.IsNullOrWhiteSpace(text.Text))
        {
            throw new ManifestException(value.Location, $"{key}: must not be empty");
        }

        return text.Text;
    }

    private static ManifestException Unknown(ManifestProperty property, string key, string[] known)
    {
        var list = string.Join(", ", known);
        return new ManifestException(property.Location, NearMiss.Find(property.Name, known) is { } suggestion
            ? string.Create(CultureInfo.InvariantCulture, $"{key}: unknown key '{property.Name}'; did you mean '{suggestion}'? The keys are {list}")
            : $"{key}: unknown key '{property.Name}'; the keys are {list}");
    }
}
