using System.Text.Json;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace PbDeploy.Hosts;

/// <summary>
/// <c>status --json</c>: exactly an array of <c>{"name", "port", "pidfile", "state", "pid", "pids"}</c> (and
/// <c>"ports": [A, B]</c> after <c>port</c>, the active one, for a blue-green service), written with
/// <see cref="Utf8JsonWriter"/> (no reflection, so NativeAOT-safe), and read back from a host by <see cref="HostDeployer"/>:
/// the format is defined here once.
/// </summary>
public static class StatusJson
{
    /// <summary>Writes the statuses as <c>status --json</c> prints them.</summary>
    /// <param name="output">Where the JSON goes.</param>
    /// <param name="statuses">The services' statuses, in manifest order.</param>
    public static void Write(TextWriter output, IReadOnlyList<ServiceStatus> statuses) =>
        Write(output, statuses.Select(s => (default(string), (ServiceStatus?)s, default(HostStatus))));

    /// <summary>
    /// Over hosts: the same rows, each with <c>"host"</c> first; a host that could not say is one row
    /// <c>{"host", "name": null, ..., "state": "unreachable" or "error", "error": "..."}</c>.
    /// </summary>
    /// <param name="output">Where the JSON goes.</param>
    /// <param name="hosts">Each host's statuses, or why it could not say.</param>
    public static void WriteHosts(TextWriter output, IReadOnlyList<HostStatus> hosts) =>
        Write(output, hosts.SelectMany(h => h.Error is null
            ? h.Services.Select(s => ((string?)h.Host, (ServiceStatus?)s, (HostStatus?)null))
            : [((string?)h.Host, (ServiceStatus?)null, (HostStatus?)h)]));

    private static void Write(TextWriter output, IEnumerable<(string? Host, ServiceStatus? Status, HostStatus? Failed)> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var (host, status, failed) in rows)
            {
                json.WriteStartObject();
                if (host is not null)
                {
                    json.WriteString("host", host);
                }

                if (status is null)
                {
                    json.WriteNull("name");
                    json.WriteNull("port");
                    json.WriteNull("pidfile");
                    json.WriteString("state", failed!.Unreachable ? "unreachable" : "error");
                    json.WriteNull("pid");
                    json.WriteStartArray("pids");
                    json.WriteEndArray();
                    json.WriteString("error", failed.Error);
                    json.WriteEndObject();
                    continue;
                }

                json.WriteString("name", status.Name);
                DeployEventJson.WriteNullable(json, "port", status.Port);
                if (status.Ports is { } ports)
                {
                    json.WriteStartArray("ports");
                    foreach (var port in ports)
                    {
                        json.WriteNumberValue(port);
                    }

                    json.WriteEndArray();
                }

                json.WriteString("pidfile", status.Pidfile);
                json.WriteString("state", StateName(status.State));
                DeployEventJson.WriteNullable(json, "pid", status.Pid);
                json.WriteStartArray("pids");
                foreach (var pid in status.Pids)
                {
                    json.WriteNumberValue(pid);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Reads what <see cref="Write(TextWriter, IReadOnlyList{ServiceStatus})"/> wrote (a host's <c>pbdeploy status --json</c>).</summary>
    internal static List<ServiceStatus> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => new ServiceStatus
        {
            Name = e.GetProperty("name").GetString()!,
            Port = e.GetProperty("port").ValueKind == JsonValueKind.Number ? e.GetProperty("port").GetInt32() : null,
            Ports = e.TryGetProperty("ports", out var ports) ? [.. ports.EnumerateArray().Select(p => p.GetInt32())] : null,
            Pidfile = e.GetProperty("pidfile").GetString(),
            State = ParseState(e.GetProperty("state").GetString()),
            Pid = e.GetProperty("pid").ValueKind == JsonValueKind.Number ? e.GetProperty("pid").GetInt32() : null,
            Pids = [.. e.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32())],
        })];
    }

    private static readonly (ServiceState State, string Name)[] StateNames =
        [(ServiceState.Running, "running"), (ServiceState.Stopped, "stopped"), (ServiceState.Foreign, "foreign")];

    private static string StateName(ServiceState state) =>
        StateNames.FirstOrDefault(s => s.State == state).Name ?? throw new ArgumentOutOfRangeException(nameof(state), state, null);

    private static ServiceState ParseState(string? name) =>
        StateNames.FirstOrDefault(s => s.Name == name) is { Name: not null } known ? known.State : throw new FormatException($"unknown state '{name}'");

}
