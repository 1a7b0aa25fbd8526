using System.Text.Json;
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
    public static void Write(TextWriter output, IReadOnlyList<ServiceStatus> statuses)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var status in statuses)
            {
                json.WriteStartObject();
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
