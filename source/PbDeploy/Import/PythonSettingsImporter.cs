using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PbDeploy.Manifest;
using PbDeploy.Processes;

namespace PbDeploy.Import;

/// <summary>
/// Converts a settings file of the Python tool pbdeploy 1.2 (<c>settings_deploy.py</c>) to a <c>pbdeploy.json</c>:
/// runs the file with <c>python3</c> in its own folder, reads its <c>SERVICES</c> (and <c>SHELL</c>), converts them,
/// and validates the result with <see cref="ManifestLoader"/>.
/// </summary>
/// <remarks>
/// Values the file computes (<c>os.getenv(...)</c>, arithmetic, imports of its own modules) become their values at
/// the time of the import. The conversion lists every place where the manifest means something else than the
/// settings file did under pbdeploy 1.2: see <see cref="ImportResult.Notes"/>.
/// </remarks>
/// <param name="pythonPath">The interpreter: a path, or a name looked up on <c>PATH</c>.</param>
/// <param name="timeout">How long the settings file may run (default 60 s); it is killed after that.</param>
/// <param name="environment">Environment variables to set (a null value removes one) for the settings file, on top of this process's.</param>
public sealed class PythonSettingsImporter(
    string pythonPath = "python3",
    TimeSpan? timeout = null,
    IReadOnlyDictionary<string, string?>? environment = null)
{
    /// <summary>The settings file's usual name.</summary>
    public const string SettingsFileName = "settings_deploy.py";

    private static readonly Lazy<string> Helper = new(LoadHelper);

    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="settingsPath"/> and converts its services to a validated manifest.</summary>
    /// <param name="settingsPath">The <c>settings_deploy.py</c> to convert.</param>
    /// <param name="manifestPath">
    /// Where the manifest will be written (default: <c>pbdeploy.json</c> beside the settings file). Its folder is the
    /// manifest's <c>{project_dir}</c>; nothing is written there but a temporary file, deleted again.
    /// </param>
    /// <param name="cancellationToken">Cancels the run; the interpreter is killed.</param>
    /// <exception cref="PbDeployException">
    /// python3 is missing, the file is missing or fails, <c>SERVICES</c> is missing or holds what JSON cannot express,
    /// or the converted manifest is invalid.
    /// </exception>
    public async Task<ImportResult> ImportAsync(string settingsPath, string? manifestPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(settingsPath);
        Platform.PlatformCheck.ThrowIfUnsupported();
        var settings = Path.GetFullPath(settingsPath);
        if (Directory.Exists(settings))
        {
            throw new InputException($"{settings} is a folder; pass the path of its {SettingsFileName}");
        }

        if (!File.Exists(settings))
        {
            throw new InputException($"settings file {settings} does not exist; pass the path of the Python tool's {SettingsFileName}");
        }

        CheckTrust(settings, ManifestTrust.FromEnvironment());
        var manifest = Path.GetFullPath(manifestPath ?? Path.Combine(Path.GetDirectoryName(settings)!, ManifestLoader.FileName));
        var output = await RunPythonAsync(settings, cancellationToken).ConfigureAwait(false);
        var document = ParseHelperOutput(settings, output);
        var conversion = SettingsConverter.Convert(settings, Path.GetDirectoryName(manifest)!, document);
        var json = ManifestText.Write(conversion.Manifest);
        var loaded = Validate(settings, manifest, json);
        var notes = conversion.Notes.Concat(loaded.Warnings.Select(w => w.Message)).ToList();
        return new ImportResult(json, notes, loaded);
    }

    private async Task<string> RunPythonAsync(string settings, CancellationToken cancellationToken)
    {
        var variables = ProgramRun.CurrentEnvironment();
        variables["PYTHONIOENCODING"] = "utf-8";
        variables["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                variables.Remove(name);
            }
            else
            {
                variables[name] = value;
            }
        }

        // -I: the helper's own imports never come from the settings file's folder (nor PYTHONPATH, nor the user's site).
        var request = new ProgramRequest(pythonPath, ["-I", "-B", "-c", Helper.Value, settings], Path.GetDirectoryName(settings)!, variables)
        {
            SeparateError = true, // stdout is one JSON document; stderr is what went wrong
            Timeout = _timeout,
        };
        if (ProgramRun.Resolve(pythonPath) is null)
        {
            throw new EnvironmentException(
                $"cannot run {pythonPath} to read {settings}: there is no such program{(pythonPath.Contains('/', StringComparison.Ordinal) ? "" : " on PATH")}; pbdeploy import runs the settings file with Python 3: install python3 (e.g. apt-get install python3) and make sure it is on PATH");
        }

        var run = await ProgramRun.RunAsync(request, cancellationToken).ConfigureAwait(false);
        if (run.TimedOut)
        {
            throw new InputException(string.Create(
                CultureInfo.InvariantCulture,
                $"{settings}: running it with {pythonPath} did not finish within {_timeout.TotalSeconds:0.#} s and was killed; a settings file should only define SERVICES, not wait for anything"));
        }

        if (run.Exit.Code != 0 || string.IsNullOrWhiteSpace(run.Output))
        {
            var error = LastLine(run.Error);
            throw new InputException(string.Create(
                CultureInfo.InvariantCulture,
                $"{settings}: {pythonPath} {(run.Exit.Code is { } code ? $"exited with code {code}" : run.Exit.ToString())} without converting it{(error is null ? "" : ": " + error)}; check that {pythonPath} is Python 3"));
        }

        return run.Output;
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();

    private static JsonObject ParseHelperOutput(string settings, string text)
    {
        JsonObject doc;
        try
        {
            doc = JsonNode.Parse(text) as JsonObject
                ?? throw new JsonException("the document is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new EnvironmentException($"{settings}: the Python helper printed no JSON document ({e.Message}); this is a bug of pbdeploy import, please report it", e);
        }

        if (doc["ok"]?.GetValueKind() == JsonValueKind.True)
        {
            return doc;
        }

        var name = Path.GetFileName(settings);
        throw new InputException(Text(doc, "error") switch
        {
            "raised" => Raised(settings, doc),
            "exit" => $"{settings}: {Text(doc, "message")} while it ran; a settings file must define SERVICES and not exit",
            "no-services" => $"{settings}: defines no SERVICES; a pbdeploy settings file sets SERVICES = {{ \"NAME\": {{ \"port\": ..., \"start\": ... }} }}",
            "services-type" => $"{settings}: SERVICES must be a dict of services {{ \"NAME\": {{ \"port\": ..., \"start\": ... }} }}, got {Text(doc, "got")}",
            "service-type" => $"{settings}: SERVICES[{PythonRepr(Text(doc, "service")!)}] must be a dict of settings {{ \"port\": ..., \"start\": ... }}, got {Text(doc, "got")}",
            "unsupported" => $"{settings}: {Text(doc, "where")} is {Text(doc, "got")}, which JSON cannot express; give a string, number, bool, None, list or dict (with string keys) in {name}",
            var other => $"{settings}: the Python helper reported '{other}'; this is a bug of pbdeploy import, please report it",
        });
    }

    private static string Raised(string settings, JsonObject doc)
    {
        var message = Text(doc, "message");
        var file = Text(doc, "file");
        var line = doc["line"]?.GetValueKind() == JsonValueKind.Number ? doc["line"]!.GetValue<int>() : (int?)null;
        var where = file is null ? settings : line is null ? file : string.Create(CultureInfo.InvariantCulture, $"{file}:{line}");
        var deepest = Text(doc, "deepest") is { } d ? $" (raised in {d})" : "";
        var hint = doc["syntax"]?.GetValueKind() == JsonValueKind.True
            ? "; fix its syntax (the import runs python3; pbdeploy 1.2 ran on Python 2, whose syntax, such as the print statement, needs porting)"
            : "; fix the file so that `python3 " + Path.GetFileName(settings) + "` runs in its folder";
        return $"{where}: running the settings file failed: {message}{deepest}{hint}";
    }

    /// <summary>The string <paramref name="name"/> of the helper's document, or null.</summary>
    private static string? Text(JsonObject doc, string name) =>
        doc[name]?.GetValueKind() == JsonValueKind.String ? doc[name]!.GetValue<string>() : null;


    /// <summary>
    /// The settings file runs as the caller (often root), and Python imports modules from its folder: both must be the
    /// caller's (or root's, or a trusted owner's), and no other user may write the folder, sticky or not.
    /// </summary>
    private static void CheckTrust(string settings, ManifestTrust trust)
    {
        if (trust.AllowedManifests.Contains(settings))
        {
            return;
        }

        var caller = Platform.NativeFile.Euid;
        var folder = Path.GetDirectoryName(settings)!;
        var allow = $"if you trust it, set {ManifestTrust.AllowedManifestsVariable}={settings}";
        var problem = Platform.FileStat.Stat(settings) is not { } file ? null
            : !trust.Trusts(file.Uid, caller) ? $"belongs to uid {file.Owner}, not to you (uid {caller}), so it could make you run anything"
            : Platform.WritePlace.OthersWrite(file) ? $"is writable by other users (mode {file.Octal}), so anyone could have written it"
            : Platform.FileStat.Stat(folder) is not { } dir ? null
            : !trust.Trusts(dir.Uid, caller) ? $"is in the folder {folder} of uid {dir.Owner}, not yours (uid {caller}), where that user could put modules it imports"
            : Platform.WritePlace.OthersWrite(dir) ? $"is in the folder {folder} that other users can write (mode {dir.Octal}), where they could put modules it imports"
            : Platform.WritePlace.AncestorProblem(folder, uid => trust.Trusts(uid, caller)) is { } above ? $"is in the folder {folder}, and {above}"
            : null;
        if (problem is not null)
        {
            throw new InputException($"settings file {settings} {problem}; pbdeploy import runs it with python3: copy it to a folder of yours that only you can write, or {allow}");
        }
    }

    /// <summary>Loads <paramref name="json"/> in memory, as the manifest at <paramref name="manifestPath"/>: nothing is written.</summary>
    private static DeployManifest Validate(string settings, string manifestPath, string json)
    {
        var folder = Path.GetDirectoryName(manifestPath)!;
        if (!Directory.Exists(folder))
        {
            throw new InputException($"cannot write {manifestPath}: the folder {folder} does not exist; create it or choose another output");
        }

        try
        {
            return ManifestLoader.LoadText(manifestPath, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(json));
        }
        catch (ManifestException e)
        {
            throw new InputException(
                $"{settings}: SERVICES converts to an invalid pbdeploy.json: {e.Problem}; change that value in {Path.GetFileName(settings)} and import again (nothing was written)",
                e);
        }
    }

    internal static string PythonRepr(string text) =>
        "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string LoadHelper()
    {
        using var stream = typeof(PythonSettingsImporter).Assembly.GetManifestResourceStream("PbDeploy.Import.settings_to_json.py")
            ?? throw new InvalidOperationException("the embedded resource settings_to_json.py is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
