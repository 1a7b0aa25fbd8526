using System.CommandLine;
using System.Text;
using PbDeploy.Manifest;

namespace PbDeploy.Cli.Commands;

/// <summary>
/// <c>pbdeploy hook install REPO.git --worktree DIR [--branch main] [--force]</c>: writes the bare repository's
/// <c>pre-receive</c> hook (checks the pushed commit, rejects a bad manifest or template) and <c>post-receive</c> hook
/// (checks the commit out into DIR and deploys it there). See docs/git-push.md.
/// </summary>
internal static class HookCommand
{
    private const string PreReceive = "pre-receive";
    private const string PostReceive = "post-receive";

    /// <summary>rwxr-xr-x: git runs the hooks as the pushing user; nobody else may change what they run.</summary>
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static Command Create(CliConsole console)
    {
        var repository = PathValue.NonEmpty(
            new Argument<string>("repository") { Description = "The bare git repository pushes go to (git init --bare REPO.git)" },
            "the repository");
        var worktree = PathValue.NonEmpty(
            new Option<string>("--worktree", "-w")
            {
                Description = $"The folder each push to the branch is checked out into and deployed from (its {ManifestLoader.FileName})",
                Required = true,
            },
            "--worktree");
        var branch = new Option<string>("--branch", "-b") { Description = "The branch whose pushes deploy", DefaultValueFactory = _ => "main" };
        branch.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && !IsBranchName(value))
            {
                result.AddError($"--branch must be a branch name such as main (letters, digits, '.', '_', '-', '/'), got '{value}'");
            }
        });
        var force = new Option<bool>("--force", "-f") { Description = "Replace hooks that exist" };
        var install = new Command("install", "Write the repository's pre-receive hook (rejects a push whose manifest or templates are bad) and post-receive hook (checks the push out into the worktree and deploys it)")
        {
            repository, worktree, branch, force,
        };
        install.SetAction(parsed =>
        {
            Install(console, parsed.GetValue(repository)!, parsed.GetValue(worktree)!, parsed.GetValue(branch)!, parsed.GetValue(force));
            return ExitCodes.Success;
        });
        return new Command("hook", "Set up git push to deploy: see docs/git-push.md") { install };
    }

    private static bool IsBranchName(string name) =>
        name.Length > 0 && name[0] is not ('-' or '/' or '.') && !name.EndsWith('/') && !name.EndsWith(".lock", StringComparison.Ordinal)
        && !name.Contains("..", StringComparison.Ordinal) && !name.Contains("//", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/');

    private static void Install(CliConsole console, string repositoryArgument, string worktreeArgument, string branch, bool force)
    {
        var repository = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repositoryArgument));
        var worktree = Path.TrimEndingDirectorySeparator(Path.GetFullPath(worktreeArgument));
        CheckRepository(repository, repositoryArgument);
        CheckWorktree(worktree, repository);

        var hooks = Path.Combine(repository, "hooks");
        var preReceive = Path.Combine(hooks, PreReceive);
        var postReceive = Path.Combine(hooks, PostReceive);
        if (!force)
        {
            foreach (var hook in (string[])[preReceive, postReceive])
            {
                if (File.Exists(hook) || Directory.Exists(hook) || new FileInfo(hook).LinkTarget is not null)
                {
                    throw new InputException($"{hook} already exists; pass --force to replace it (and merge what it did into docs/git-push.md's hooks by hand), nothing was written");
                }
            }
        }

        // Root's hooks and root's checkouts: no other user may be able to swap the repository, its hooks folder or the
        // worktree for a link, or put files in them (read-tree would write through a link planted there).
        var worktreeFolder = Directory.Exists(worktree) ? worktree : Path.GetDirectoryName(worktree)!;
        foreach (var (folder, what) in (ReadOnlySpan<(string, string)>)[(repository, "the repository"), (hooks, "its hooks folder"), (worktreeFolder, "--worktree")])
        {
            if (Directory.Exists(folder) && SafeFolders.Problem(folder) is { } problem)
            {
                throw new InputException($"{what} {folder}: {problem}; nothing was written");
            }
        }

        var tool = ToolCommand();
        Directory.CreateDirectory(hooks);
        Directory.CreateDirectory(worktree);
        Write(preReceive, PreReceiveScript(tool, branch));
        Write(postReceive, PostReceiveScript(tool, branch, repository, worktree));
        console.Writer.WriteLine($"wrote {preReceive}: a push to {branch} is checked (pbdeploy check) and rejected when its manifest or templates are bad");
        console.Writer.WriteLine($"wrote {postReceive}: a push to {branch} is checked out into {worktree} and deployed there");
        console.Writer.WriteLine($"the hooks run {string.Join(' ', tool)}");
    }

    private static void CheckRepository(string repository, string given)
    {
        if (!Directory.Exists(repository))
        {
            throw new InputException(File.Exists(repository)
                ? $"{repository}: a file, not a bare git repository; give the repository's folder (create one with git init --bare {given})"
                : $"{repository}: no such folder; create the bare repository first: git init --bare {given}");
        }

        if (Directory.Exists(Path.Combine(repository, ".git")))
        {
            throw new InputException(
                $"{repository}: a working copy, not a bare git repository (git refuses pushes to its checked-out branch); create a bare one with git init --bare REPO.git and push there");
        }

        if (!File.Exists(Path.Combine(repository, "HEAD")) || !Directory.Exists(Path.Combine(repository, "objects")) || !Directory.Exists(Path.Combine(repository, "refs")))
        {
            throw new InputException(
                $"{repository}: not a bare git repository (no HEAD, objects and refs); create one with git init --bare {given}");
        }
    }

    private static void CheckWorktree(string worktree, string repository)
    {
        if (File.Exists(worktree))
        {
            throw new InputException($"--worktree {worktree}: a file, not a folder; give the folder pushes are checked out into");
        }

        if (worktree == repository || worktree.StartsWith(repository + "/", StringComparison.Ordinal) || repository.StartsWith(worktree + "/", StringComparison.Ordinal))
        {
            throw new InputException($"--worktree {worktree}: inside the repository {repository} or around it; give a folder of its own, e.g. /srv/app");
        }

        var parent = Path.GetDirectoryName(worktree);
        if (!Directory.Exists(worktree) && (parent is null || !Directory.Exists(parent)))
        {
            throw new InputException($"--worktree {worktree}: its folder {parent} does not exist; create it, or give another folder");
        }
    }

    /// <summary>The command the hooks run pbdeploy with: this executable, or <c>dotnet pbdeploy.dll</c> when run through dotnet.</summary>
    private static string[] ToolCommand()
    {
        var process = Environment.ProcessPath ?? throw new EnvironmentException("cannot tell the path of the pbdeploy executable (no /proc/self/exe?); run pbdeploy hook install by its full path");
        var dll = Path.Combine(AppContext.BaseDirectory, "pbdeploy.dll");
        return Path.GetFileNameWithoutExtension(process) == "pbdeploy" || !File.Exists(dll)
            ? [process]
            : [process, dll];
    }

    private static void Write(string path, string text)
    {
        var temporary = $"{path}.pbdeploy-tmp-{Environment.ProcessId}";
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Executable,
            }))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(text));
                File.SetUnixFileMode(stream.SafeFileHandle, Executable); // whatever the umask; on the open file, never through a path
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new EnvironmentException($"{path}: cannot write the hook: {e.Message}; run pbdeploy hook install as the repository's owner", e);
        }
    }

    /// <summary>A shell word: single-quoted, with each <c>'</c> written as <c>'\''</c>.</summary>
    internal static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Header(string[] tool, string branch)
    {
        var dotnetRoot = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        return $$"""
            #!/bin/sh
            # Written by pbdeploy hook install (see docs/git-push.md); pbdeploy hook install --force rewrites it.
            set -u
            branch={{Quote(branch)}}
            {{(string.IsNullOrEmpty(dotnetRoot) ? "" : $": \"${{DOTNET_ROOT:={Quote(dotnetRoot)}}}\"; export DOTNET_ROOT\n")}}pbdeploy() {
                # Without git's variables: the services pbdeploy starts must not see this repository as theirs.
                (
                    for variable in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$variable"; done
                    exec {{string.Join(' ', tool.Select(Quote))}} "$@"
                )
            }


            """;
    }

    private static string PreReceiveScript(string[] tool, string branch) => Header(tool, branch) + """
        # Checks a push to the branch before it lands: its manifest and templates, in a temporary copy of the commit.
        # Any other ref is accepted. Exit 1 rejects the whole push.
        rejected=0
        while read -r old new ref; do
            [ "$ref" = "refs/heads/$branch" ] || continue
            case "$new" in *[!0]*) ;; *) continue ;; esac # the branch is deleted: nothing to check
            work=$(mktemp -d "${TMPDIR:-/tmp}/pbdeploy-push.XXXXXXXX") || {
                echo "pbdeploy: error: cannot create a temporary folder in ${TMPDIR:-/tmp} to check the push; push rejected" >&2
                exit 1
            }
            trap 'rm -rf "$work"' EXIT
            trap 'rm -rf "$work"; exit 1' HUP INT TERM
            short=$(git rev-parse --short "$new")
            mkdir "$work/tree"
            if ! git archive --format=tar -o "$work/commit.tar" "$new" || ! tar -xf "$work/commit.tar" -C "$work/tree"; then
                echo "pbdeploy: error: cannot copy commit $short into $work to check it; push to $branch rejected" >&2
                rejected=1
            elif [ ! -f "$work/tree/pbdeploy.json" ]; then
                echo "pbdeploy: error: commit $short has no pbdeploy.json at its root; push to $branch rejected (add it, or push another branch)" >&2
                rejected=1
            else
                # Paths in the messages are the repository's, not the temporary copy's.
                output=$(cd "$work/tree" && pbdeploy check --manifest "$work/tree/pbdeploy.json" 2>&1)
                code=$?
                printf '%s\n' "$output" | awk -v p="$work/tree/" '{ while ((i = index($0, p)) > 0) $0 = substr($0, 1, i - 1) substr($0, i + length(p)); print }' >&2
                if [ "$code" -ne 0 ]; then
                    echo "pbdeploy: push to $branch rejected: commit $short does not check (pbdeploy check exited $code); fix the line above and push again" >&2
                    rejected=1
                fi
            fi
            rm -rf "$work"
            trap - EXIT HUP INT TERM
        done
        exit $rejected

        """;

    private static string PostReceiveScript(string[] tool, string branch, string repository, string worktree) => Header(tool, branch) + $$"""
        # Deploys a push to the branch: checks it out into the worktree and runs pbdeploy deploy there. Its output is
        # what git push shows. The push has landed whatever this exits: a failed deploy is reported, not undone.
        repository={{Quote(repository)}}
        worktree={{Quote(worktree)}}
        status=0
        while read -r old new ref; do
            [ "$ref" = "refs/heads/$branch" ] || continue
            case "$new" in *[!0]*) ;; *)
                echo "pbdeploy: branch $branch was deleted: nothing deployed, what runs keeps running"
                continue ;;
            esac
            short=$(git --git-dir="$repository" rev-parse --short "$new")
            echo "pbdeploy: checking out $branch ($short) into $worktree"
            # read-tree --reset -u: the worktree becomes the commit (files the previous commit had and this one has not
            # are removed; files git does not track, such as logs, stay), and the repository's HEAD is left alone.
            if ! mkdir -p "$worktree" || ! git --git-dir="$repository" --work-tree="$worktree" read-tree --reset -u "$new"; then
                echo "pbdeploy: error: cannot check out $short into $worktree; nothing deployed, what runs keeps running. Check that this user can write $worktree, then push again." >&2
                status=1
                continue
            fi
            echo "pbdeploy: deploying $short: pbdeploy deploy --manifest $worktree/pbdeploy.json"
            (cd "$worktree" && pbdeploy deploy --manifest "$worktree/pbdeploy.json")
            code=$?
            if [ "$code" -ne 0 ]; then
                echo "pbdeploy: error: the deploy of $short failed (exit $code); the push is in the repository and checked out in $worktree. The lines above say what was done; fix it and push again, or run pbdeploy deploy in $worktree." >&2
                status=$code
            else
                echo "pbdeploy: deployed $short"
            fi
        done
        exit $status

        """;
}
