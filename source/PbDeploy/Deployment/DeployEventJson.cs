using System.Buffers;
using System.Text;
using System.Text.Json;
using PbDeploy.Processes;
using PbDeploy.Templating;

namespace PbDeploy.Deployment;

/// <summary>
/// Deploy events as JSON Lines (<c>pbdeploy deploy --events json</c>, what a host streams back over ssh): one object a
/// line, the kind first (<c>{"event":"service_finished",...}</c>), snake_case fields, durations in seconds, and a last
/// <c>{"event":"finished",...}</c> with every outcome and the exit code. Written with <see cref="Utf8JsonWriter"/> and
/// read with <see cref="JsonDocument"/>: no reflection, NativeAOT-safe.
/// </summary>
public static class DeployEventJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>The event as one line of JSON (without the line end).</summary>
    public static string Encode(DeployEvent deployEvent)
    {
        ArgumentNullException.ThrowIfNull(deployEvent);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            Write(json, deployEvent);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Reads one line of a JSON event stream.
    /// </summary>
    /// <param name="line">The line.</param>
    /// <param name="deployEvent">The event; null for an event of a kind this version does not know (skip it).</param>
    /// <returns>False when the line is not an event at all (a remote shell's greeting, an older pbdeploy): show it as text.</returns>
    public static bool TryDecode(string line, out DeployEvent? deployEvent)
    {
        ArgumentNullException.ThrowIfNull(line);
        deployEvent = null;
        var trimmed = line.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var kind) || kind.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            deployEvent = Read(kind.GetString()!, root);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            // Not JSON, or not an event this version can read: the caller shows the line as it is.
            deployEvent = null;
            return false;
        }
    }

    private static void Write(Utf8JsonWriter json, DeployEvent deployEvent)
    {
        switch (deployEvent)
        {
            case DeployStarted started:
                json.WriteString("event", "deploy_started");
                WriteStrings(json, "services", started.Services);
                json.WriteBoolean("quick", started.Quick);
                break;
            case PhaseStarted phase:
                json.WriteString("event", "phase_started");
                json.WriteString("phase", PhaseName(phase.Phase));
                WriteStrings(json, "services", phase.Services);
                break;
            case CommandStarted command:
                json.WriteString("event", "command_started");
                json.WriteString("service", command.Service);
                json.WriteString("phase", PhaseName(command.Phase));
                json.WriteString("kind", command.Kind);
                json.WriteString("command", command.Command);
                break;
            case CommandFinished finished:
                json.WriteString("event", "command_finished");
                json.WriteString("service", finished.Service);
                json.WriteString("phase", PhaseName(finished.Phase));
                json.WriteString("kind", finished.Kind);
                json.WriteString("command", finished.Result.Command);
                WriteNullable(json, "exit_code", finished.Result.Exit.Code);
                WriteNullable(json, "signal", finished.Result.Exit.Signal);
                json.WriteString("output", finished.Result.Output);
                json.WriteNumber("duration", finished.Result.Duration.TotalSeconds);
                json.WriteBoolean("timed_out", finished.Result.TimedOut);
                break;
            case Waiting waiting:
                json.WriteString("event", "waiting");
                json.WriteString("service", waiting.Service);
                json.WriteString("what", waiting.What);
                json.WriteNumber("timeout", waiting.Timeout.TotalSeconds);
                break;
            case TemplatesRendered rendered:
                json.WriteString("event", "templates_rendered");
                json.WriteString("service", rendered.Service);
                json.WriteStartArray("files");
                foreach (var file in rendered.Files)
                {
                    json.WriteStartObject();
                    json.WriteString("source", file.Source);
                    json.WriteString("target", file.Target);
                    json.WriteBoolean("changed", file.Changed);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                break;
            case DeployWarning warning:
                json.WriteString("event", "warning");
                json.WriteString("service", warning.Service);
                json.WriteString("message", warning.Message);
                break;
            case WaitingForLock waiting:
                json.WriteString("event", "waiting_for_lock");
                json.WriteString("lock_path", waiting.LockPath);
                json.WriteString("holder", waiting.Holder);
                break;
            case SwitchingOver switching:
                json.WriteString("event", "switching_over");
                json.WriteString("service", switching.Service);
                json.WriteNumber("from_port", switching.FromPort);
                json.WriteNumber("to_port", switching.ToPort);
                WriteStrings(json, "dependents", switching.Dependents);
                break;
            case ServiceFinished finished:
                json.WriteString("event", "service_finished");
                json.WritePropertyName("outcome");
                WriteOutcome(json, finished.Outcome);
                break;
            case DeployFinished finished:
                json.WriteString("event", "finished");
                json.WriteStartArray("outcomes");
                foreach (var outcome in finished.Result.Outcomes)
                {
                    WriteOutcome(json, outcome);
                }

                json.WriteEndArray();
                json.WriteBoolean("interrupted", finished.Result.Interrupted);
                json.WriteNumber("exit_code", finished.ExitCode);
                break;
            default:
                throw new ArgumentException($"{deployEvent.GetType().Name} has no JSON form", nameof(deployEvent));
        }
    }

    private static DeployEvent? Read(string kind, JsonElement e) => kind switch
    {
        "deploy_started" => new DeployStarted(Strings(e, "services"), e.GetProperty("quick").GetBoolean()),
        "phase_started" => new PhaseStarted(ParsePhase(Text(e, "phase")), Strings(e, "services")),
        "command_started" => new CommandStarted(Text(e, "service"), ParsePhase(Text(e, "phase")), Text(e, "kind"), Text(e, "command")),
        "command_finished" => new CommandFinished(
            Text(e, "service"),
            ParsePhase(Text(e, "phase")),
            Text(e, "kind"),
            new CommandResult(Text(e, "command"), new ExitStatus(Int(e, "exit_code"), Int(e, "signal")), Text(e, "output"), Seconds(e, "duration"))
            {
                TimedOut = e.GetProperty("timed_out").GetBoolean(),
            }),
        "waiting" => new Waiting(Text(e, "service"), Text(e, "what"), Seconds(e, "timeout")),
        "templates_rendered" => new TemplatesRendered(
            Text(e, "service"),
            [.. e.GetProperty("files").EnumerateArray().Select(f => new RenderedFile(Text(f, "source"), Text(f, "target"), f.GetProperty("changed").GetBoolean()))]),
        "warning" => new DeployWarning(NullableText(e, "service"), Text(e, "message")),
        "waiting_for_lock" => new WaitingForLock(Text(e, "lock_path"), Text(e, "holder")),
        "switching_over" => new SwitchingOver(Text(e, "service"), e.GetProperty("from_port").GetInt32(), e.GetProperty("to_port").GetInt32(), Strings(e, "dependents")),
        "service_finished" => new ServiceFinished(ReadOutcome(e.GetProperty("outcome"))),
        "finished" => new DeployFinished(
            new DeployResult([.. e.GetProperty("outcomes").EnumerateArray().Select(ReadOutcome)]) { Interrupted = e.GetProperty("interrupted").GetBoolean() },
            e.GetProperty("exit_code").GetInt32()),
        _ => null,
    };

    private static void WriteOutcome(Utf8JsonWriter json, ServiceOutcome outcome)
    {
        json.WriteStartObject();
        json.WriteString("service", outcome.Service);
        json.WriteString("phase", PhaseName(outcome.Phase));
        json.WriteString("action", ActionName(outcome.Action));
        WriteNullable(json, "old_pid", outcome.OldPid);
        WriteNullable(json, "pid", outcome.Pid);
        json.WriteNumber("duration", outcome.Duration.TotalSeconds);
        json.WriteString("message", outcome.Message);
        json.WriteString("output", outcome.Output);
        json.WriteEndObject();
    }

    private static ServiceOutcome ReadOutcome(JsonElement e) => new()
    {
        Service = Text(e, "service"),
        Phase = ParsePhase(Text(e, "phase")),
        Action = ParseAction(Text(e, "action")),
        OldPid = Int(e, "old_pid"),
        Pid = Int(e, "pid"),
        Duration = Seconds(e, "duration"),
        Message = NullableText(e, "message"),
        Output = NullableText(e, "output"),
    };

    /// <summary><c>before</c>, <c>start_or_restart</c>, <c>after</c>, <c>stop</c>.</summary>
    public static string PhaseName(Phase phase) => phase switch
    {
        Phase.Before => "before",
        Phase.StartOrRestart => "start_or_restart",
        Phase.After => "after",
        Phase.Stop => "stop",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    /// <summary><c>started</c>, <c>restarted</c>, <c>left_running</c>, <c>stopped</c>, <c>not_running</c>, <c>commands_ran</c>, <c>nothing</c>, <c>failed</c>, <c>skipped</c>.</summary>
    public static string ActionName(ServiceAction action) => action switch
    {
        ServiceAction.Started => "started",
        ServiceAction.Restarted => "restarted",
        ServiceAction.LeftRunning => "left_running",
        ServiceAction.Stopped => "stopped",
        ServiceAction.NotRunning => "not_running",
        ServiceAction.CommandsRan => "commands_ran",
        ServiceAction.Nothing => "nothing",
        ServiceAction.Failed => "failed",
        ServiceAction.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private static Phase ParsePhase(string name) =>
        Enum.GetValues<Phase>().FirstOrDefault(p => PhaseName(p) == name, (Phase)(-1)) is var phase && phase != (Phase)(-1)
            ? phase
            : throw new FormatException($"unknown phase '{name}'");

    private static ServiceAction ParseAction(string name) =>
        Enum.GetValues<ServiceAction>().FirstOrDefault(a => ActionName(a) == name, (ServiceAction)(-1)) is var action && action != (ServiceAction)(-1)
            ? action
            : throw new FormatException($"unknown action '{name}'");

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    internal static void WriteNullable(Utf8JsonWriter json, string name, int? value)
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

    private static string Text(JsonElement e, string name) =>
        NullableText(e, name) ?? throw new FormatException($"'{name}' is missing");

    private static string? NullableText(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static TimeSpan Seconds(JsonElement e, string name) =>
        TimeSpan.FromSeconds(e.GetProperty(name).GetDouble());

    private static List<string> Strings(JsonElement e, string name) =>
        [.. e.GetProperty(name).EnumerateArray().Select(v => v.GetString() ?? throw new FormatException($"'{name}' holds a non-string"))];
}
