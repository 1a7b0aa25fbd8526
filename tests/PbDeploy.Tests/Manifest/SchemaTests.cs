using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using PbDeploy.Manifest;

namespace PbDeploy.Tests.Manifest;

/// <summary>
/// <c>pbdeploy.schema.json</c> against the loader, which stays the authority: every manifest of the repository (examples,
/// docs, the manifests the tests load) is valid under the schema; the schema refuses wrong types and ranges; and it never
/// refuses a manifest the loader accepts, over a generated set of edge cases.
/// </summary>
public sealed partial class SchemaTests
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        // What editors read pbdeploy.json as (JSON with comments) and what the loader accepts besides strict JSON.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaFile)));

    internal static string RepositoryRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "PbDeploy.slnx")))
            {
                root = root.Parent;
            }

            root.ShouldNotBeNull("the repository root (PbDeploy.slnx) above the test's folder");
            return root.FullName;
        }
    }

    private static string SchemaFile => Path.Combine(RepositoryRoot, "pbdeploy.schema.json");

    [Fact]
    public void The_schema_is_draft_2020_12_ascii_and_describes_every_setting_the_loader_reads()
    {
        var bytes = File.ReadAllBytes(SchemaFile);
        bytes.ShouldAllBe(b => b < 0x80, "pbdeploy.schema.json is ASCII, so that pbdeploy schema prints it byte for byte on any terminal");
        bytes[^1].ShouldBe((byte)'\n');
        using var schema = JsonDocument.Parse(bytes);
        var root = schema.RootElement;
        root.GetProperty("$schema").GetString().ShouldBe("https://json-schema.org/draft/2020-12/schema");

        string[] topLevel = ["$schema", "variables", "env", "shell", "services", "hosts", "rollout"];
        Names(root.GetProperty("properties")).ShouldBe(topLevel);
        root.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();

        var service = root.GetProperty("$defs").GetProperty("service").GetProperty("properties");
        Names(service).ShouldBe(ManifestLoader.ServiceSettings, ignoreOrder: true);
        foreach (var property in service.EnumerateObject().Concat(root.GetProperty("properties").EnumerateObject()))
        {
            property.Value.GetProperty("description").GetString().ShouldNotBeNullOrWhiteSpace(property.Name);
        }

        static List<string> Names(JsonElement properties) => [.. properties.EnumerateObject().Select(p => p.Name)];
    }

    [Fact]
    public void Every_pbdeploy_json_of_the_repository_loads_and_is_valid_under_the_schema()
    {
        var files = Directory.EnumerateFiles(RepositoryRoot, "pbdeploy.json", SearchOption.AllDirectories)
            .Where(f => !Regex.IsMatch(Path.GetRelativePath(RepositoryRoot, f), @"(^|/)(bin|obj|\.git|publish|artifacts)/"))
            .Order(StringComparer.Ordinal)
            .ToList();

        string[] known = ["examples/blue-green/pbdeploy.json", "examples/dotnet-app/pbdeploy.json", "examples/nginx-gunicorn/pbdeploy.json",
            "examples/quickstart/pbdeploy.json", "docs/migrating/django-nginx/pbdeploy.json", "docs/migrating/nginx-gunicorn-solr/pbdeploy.json"];
        known.ShouldBeSubsetOf(files.Select(f => Path.GetRelativePath(RepositoryRoot, f)), "the search must find at least the manifests the repository is known to hold");
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Loads(text).ShouldBeNull(file);
            Validate(text).ShouldBeNull(file);
        }
    }

    [Fact]
    public void The_examples_name_the_schema_by_a_path_that_resolves_to_it()
    {
        var examples = Directory.GetDirectories(Path.Combine(RepositoryRoot, "examples"));
        examples.ShouldNotBeEmpty();
        foreach (var example in examples)
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(example, "pbdeploy.json")), JsonOptions);
            var reference = manifest.RootElement.GetProperty("$schema").GetString()!;
            Path.GetFullPath(Path.Combine(example, reference)).ShouldBe(SchemaFile, example);
        }
    }

    [Fact]
    public void Every_whole_manifest_in_the_docs_loads_and_is_valid_under_the_schema()
    {
        var blocks = new List<(string Doc, string Text)>();
        foreach (var doc in Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "docs"), "*.md", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(doc);
            blocks.AddRange(Fence().Matches(text).Where(m => m.Groups[1].Value is "json" or "jsonc").Select(m => (doc, m.Groups[2].Value)));
        }

        // A whole manifest is an object with "services"; the rest are fragments ("templates": [...]).
        var manifests = blocks.Where(b => b.Text.TrimStart().StartsWith('{') && b.Text.Contains("\"services\"", StringComparison.Ordinal)).ToList();
        manifests.Count.ShouldBeGreaterThanOrEqualTo(5);
        foreach (var (doc, text) in manifests)
        {
            Loads(text).ShouldBeNull($"{doc}:\n{text}");
            Validate(text).ShouldBeNull($"{doc}:\n{text}");
        }

        // The manifest doc's examples show "$schema" as a user writes it: the file beside the manifest.
        var manifestDoc = manifests.Where(b => b.Doc.EndsWith("manifest.md", StringComparison.Ordinal)).ToList();
        manifestDoc.ShouldNotBeEmpty();
        manifestDoc.ShouldAllBe(b => b.Text.Contains("\"$schema\": \"./pbdeploy.schema.json\"", StringComparison.Ordinal));
    }

    /// <summary>
    /// The raw-string manifests of the test sources (not interpolated ones): each one the loader accepts is valid under
    /// the schema. That covers what the test suites load successfully, written as tests write it.
    /// </summary>
    [Fact]
    public void Every_manifest_in_the_tests_that_the_loader_accepts_is_valid_under_the_schema()
    {
        var tests = Path.Combine(RepositoryRoot, "tests");
        var accepted = 0;
        var failures = new List<string>();
        foreach (var file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match match in RawString().Matches(File.ReadAllText(file)))
            {
                var text = Dedent(match.Groups["body"].Value, match.Groups["indent"].Value);
                if (!text.TrimStart().StartsWith('{') || !text.Contains("\"services\"", StringComparison.Ordinal) || Loads(text) is not null)
                {
                    continue;
                }

                accepted++;
                if (Validate(text) is { } error)
                {
                    failures.Add($"{Path.GetRelativePath(RepositoryRoot, file)}: {error}\n{text}");
                }
            }
        }

        failures.ShouldBeEmpty();
        accepted.ShouldBeGreaterThanOrEqualTo(20);
    }

    /// <summary>
    /// The bad-input corpus of the CLI tests: those the loader refuses for a type, a range, an enum or a name are refused
    /// by the schema too. The rest it cannot see: not JSON at all (syntax, encoding, depth), or a check across values
    /// (unique ports, pidfiles and targets, dependencies, variables of templates, files).
    /// </summary>
    [Fact]
    public void The_schema_refuses_the_bad_inputs_that_are_wrong_types_ranges_or_names()
    {
        string[] refusedBySchema =
        [
            "bad-env-name", "bad-service-name", "both-port-and-pidfile", "missing-any-service", "missing-port-and-pidfile",
            "missing-services", "missing-start", "missing-template-source", "range-port-0", "range-port-70000",
            "range-port-huge", "range-port-negative", "range-start-timeout-0", "range-start-timeout-negative",
            "range-stop-timeout-huge", "reserved-variable-name", "shell-empty", "shell-number", "shell-top-level-relative",
            "shell-unknown-name", "template-without-suffix", "type-after-list-with-number", "type-before-object",
            "type-cwd-bool", "type-daemonizes-string", "type-depends-on-number", "type-env-array", "type-env-null-value",
            "type-manifest-array", "type-port-float", "type-port-string", "type-service-string", "type-services-array",
            "type-start-number", "type-templates-number", "type-variables-string", "unknown-top-level-key",
            "duplicate-depends-on", "ports-and-pidfile", "ports-and-port", "ports-same-twice", "ports-three", "ports-with-restart",
        ];

        var folder = Path.Combine(RepositoryRoot, "tests", "PbDeploy.Cli.Tests", "BadInput");
        var refused = new List<string>();
        var notJson = new List<string>();
        var refusedLater = new List<string>();
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file))
                .Replace("__PORT__", "18001", StringComparison.Ordinal)
                .Replace("__LIVE__", "18002", StringComparison.Ordinal)
                .Replace("__FREE__", "18003", StringComparison.Ordinal);
            if (!IsJson(text))
            {
                notJson.Add(name);
            }
            else if (Loads(text) is null)
            {
                // Refused when the deploy renders it (a variable, a template file): the schema must accept it.
                Validate(text).ShouldBeNull(name);
                refusedLater.Add(name);
            }
            else if (Validate(text) is not null)
            {
                refused.Add(name);
            }
        }

        refused.ShouldBe(refusedBySchema, ignoreOrder: true);
        notJson.Count.ShouldBeGreaterThanOrEqualTo(10);
        refusedLater.ShouldNotBeEmpty();
    }

    /// <summary>
    /// The key property: over every setting and a spread of values for each (nulls that mean "unset", fractions,
    /// strings and arrays, templates as strings and objects, restart as a command or a boolean, shells, env values of
    /// every JSON type, names), the schema accepts whatever the loader accepts. Where they differ the other way, the
    /// loader alone knows why; those cases are listed.
    /// </summary>
    [Fact]
    public void The_schema_never_refuses_a_manifest_the_loader_accepts()
    {
        var cases = EdgeCases.All().ToList();
        var refusedButLoads = new List<string>();
        var acceptedButRefusedByLoader = new List<string>();
        foreach (var (label, text) in cases)
        {
            var loads = Loads(text) is null;
            var valid = Validate(text) is null;
            if (loads && !valid)
            {
                refusedButLoads.Add($"{label}: {Validate(text)}");
            }
            else if (!loads && valid)
            {
                acceptedButRefusedByLoader.Add(label);
            }
        }

        cases.Count.ShouldBeGreaterThan(200);
        refusedButLoads.ShouldBeEmpty();

        // What the loader alone refuses: checks across values, and JSON Schema's integers (8080.0 and 1e3 are integers there).
        acceptedButRefusedByLoader.ShouldBe(EdgeCases.LoaderOnly, ignoreOrder: true);
    }

    /// <summary>Null when the loader accepts <paramref name="text"/>, else its message.</summary>
    internal static string? Loads(string text)
    {
        try
        {
            ManifestLoader.LoadText("/srv/schema-test/pbdeploy.json", Encoding.UTF8.GetBytes(text));
            return null;
        }
        catch (ManifestException e)
        {
            return e.Message;
        }
    }

    /// <summary>Null when <paramref name="text"/> is valid under the schema, else what the schema says.</summary>
    internal static string? Validate(string text)
    {
        using var document = JsonDocument.Parse(text, JsonOptions);
        var result = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return null;
        }

        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
        return "refused by the schema: " + string.Join("; ", errors);
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, JsonOptions);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Dedent(string body, string indent) =>
        string.Join('\n', body.Split('\n').Select(line => line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line.TrimStart()));

    [GeneratedRegex(@"^```(\w*)\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    /// <summary>A raw string literal on lines of its own, not interpolated: its body and the closing quotes' indentation.</summary>
    [GeneratedRegex(@"(?<![$""])""""""[ \t]*\n(?<body>.*?)\n(?<indent>[ \t]*)""""""", RegexOptions.Singleline)]
    private static partial Regex RawString();
}
