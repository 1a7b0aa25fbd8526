using System.Text.Json;
using PbDeploy.Hosts;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace PbDeploy.Cli.Output;

/// <summary>
/// <c>status --json</c>: exactly an array of <c>{"name", "port", "pidfile", "state", "pid", "pids"}</c> (and
/// <c>"ports": [A, B]</c> after <c>port</c>, the active one, for a blue-green service), written with
/// <see cref="Utf8JsonWriter"/> (no reflection, so NativeAOT-safe).
/// </summary>
internal static class StatusJson
{
    public static void Write(TextWriter output, IReadOnlyList<ServiceStatus> statuses) =>
        Write(output, statuses.Select(s => (default(string), (ServiceStatus?)s, default(HostStatus))));

    /// <summary>
    /// Over hosts: the same rows, each with <c>"host"</c> first; a host that could not say is one row
    /// <c>{"host", "name": null, ..., "state": "unreachable" or "error", "error": "..."}</c>.
    /// </summary>
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
                WriteNullable(json, "port", status.Port);
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
                WriteNullable(json, "pid", status.Pid);
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

    public static string StateName(ServiceState state) => state switch
    {
        ServiceState.Running => "running",
        ServiceState.Stopped => "stopped",
        ServiceState.Foreign => "foreign",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
