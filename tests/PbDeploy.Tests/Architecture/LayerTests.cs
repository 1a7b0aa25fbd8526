using System.Text.RegularExpressions;

namespace PbDeploy.Tests.Architecture;

/// <summary>
/// The core's folders are layers: each may use only those below it, so there is no cycle between them. Read from the
/// source: a folder's namespace (<c>PbDeploy.X</c>, <c>PbDeploy.X.Y</c>) is layer X, and every <c>using PbDeploy.Y</c>
/// or <c>PbDeploy.Y.</c> in its code is a use of layer Y. The root namespace (<c>PbDeployException</c>, locations) is
/// open to all.
/// </summary>
public sealed partial class LayerTests
{
    /// <summary>What each layer may use; a new folder must be placed here.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Platform"] = [],
        ["Manifest"] = ["Platform"],
        ["Processes"] = ["Platform"],
        ["Templating"] = ["Manifest", "Platform"],
        ["Status"] = ["Manifest", "Templating", "Processes", "Platform"],
        ["Import"] = ["Manifest", "Processes", "Platform"],
        ["Deployment"] = ["Manifest", "Templating", "Status", "Processes", "Platform"],
        ["Hosts"] = ["Deployment", "Manifest", "Status", "Processes", "Platform"],
    };

    [Fact]
    public void Each_folder_of_the_core_uses_only_the_layers_below_it()
    {
        var uses = Uses(CoreSource());
        var unknown = uses.Keys.Where(layer => !Allowed.ContainsKey(layer)).ToList();
        unknown.ShouldBeEmpty("folders of the core that LayerTests.Allowed does not place; add them to the table");

        var wrong = (from layer in uses
                     from used in layer.Value
                     where !Allowed[layer.Key].Contains(used.Key)
                     select $"{layer.Key} -> {used.Key} ({string.Join(", ", used.Value.Order())})").ToList();
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void The_core_has_no_cycle_between_its_folders()
    {
        var graph = Uses(CoreSource()).ToDictionary(l => l.Key, l => (IReadOnlyCollection<string>)l.Value.Keys.ToList());
        FindCycle(graph).ShouldBeNull();
        FindCycle(Allowed.ToDictionary(l => l.Key, l => (IReadOnlyCollection<string>)l.Value)).ShouldBeNull();
    }

    [Fact]
    public void The_cycle_finder_finds_a_cycle_through_three_folders_and_none_in_a_chain()
    {
        FindCycle(new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["Status"] = ["Templating"], ["Templating"] = ["Processes"], ["Processes"] = ["Status"], ["Manifest"] = [],
        }).ShouldBe("Processes -> Status -> Templating -> Processes");
        FindCycle(new Dictionary<string, IReadOnlyCollection<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = [] }).ShouldBeNull();
    }

    [Fact]
    public void Uses_are_read_from_usings_and_qualified_names_but_not_from_comments_or_the_own_namespace()
    {
        var uses = Uses(
        [
            ("Status/A.cs", "using PbDeploy.Processes;\nnamespace PbDeploy.Status;\n// PbDeploy.Deployment is only named here\nclass A { PbDeploy.Templating.X x; }"),
            ("Processes/Linux/B.cs", "namespace PbDeploy.Processes.Linux;\nusing PbDeploy.Processes;\nclass B { }"),
        ]);
        uses["Status"].Keys.Order().ShouldBe(["Processes", "Templating"]);
        uses["Processes"].ShouldBeEmpty();
    }

    /// <summary>For each layer, the layers its files use, with the files that use each.</summary>
    private static Dictionary<string, Dictionary<string, HashSet<string>>> Uses(IEnumerable<(string Path, string Text)> files)
    {
        var uses = new Dictionary<string, Dictionary<string, HashSet<string>>>();
        foreach (var (path, text) in files)
        {
            var code = Comment().Replace(text, "");
            var layer = Namespace().Match(code) is { Success: true } m ? m.Groups[1].Value : null;
            if (layer is null)
            {
                continue; // the root namespace
            }

            var used = uses.TryGetValue(layer, out var existing) ? existing : uses[layer] = [];
            foreach (Match reference in Reference().Matches(Namespace().Replace(code, "")))
            {
                var other = reference.Groups[1].Value;
                if (other != layer)
                {
                    (used.TryGetValue(other, out var byFiles) ? byFiles : used[other] = []).Add(path);
                }
            }
        }

        return uses;
    }

    /// <summary>A cycle as "A -> B -> A" (starting at its smallest name), or null.</summary>
    private static string? FindCycle(Dictionary<string, IReadOnlyCollection<string>> graph)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        string? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0)
            {
                var cycle = path[at..];
                var start = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
                var rotated = cycle[start..].Concat(cycle[..start]).ToList();
                return string.Join(" -> ", rotated.Append(rotated[0]));
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static IEnumerable<(string Path, string Text)> CoreSource()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "PbDeploy.slnx")))
        {
            root = root.Parent;
        }

        root.ShouldNotBeNull("the repository root (PbDeploy.slnx) above the test's folder");
        var core = Path.Combine(root.FullName, "source", "PbDeploy");
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(core, f))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .ToList();
        files.Count.ShouldBeGreaterThan(50);
        return files.Select(f => (f, File.ReadAllText(Path.Combine(core, f))));
    }

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^namespace PbDeploy\.([A-Za-z]+)[\w.]*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\bPbDeploy\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex Reference();
}
