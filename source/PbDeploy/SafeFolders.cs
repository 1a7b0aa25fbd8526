using PbDeploy.Platform;

namespace PbDeploy;

/// <summary>
/// Whether a folder is safe for this user to write into or run in: no other user could swap it for a link (through a
/// folder above it they own or can write) or put files in it (it is theirs, or others can write it and it is not
/// sticky). The same rule PbDeploy applies to template targets, logs and <c>cwd</c>, for front ends that write files
/// of their own (the git hooks of <c>pbdeploy hook install</c>).
/// </summary>
public static class SafeFolders
{
    /// <summary>Why <paramref name="folder"/> (a full path to an existing folder) is not safe, as a clause; null when it is.</summary>
    public static string? Problem(string folder) => WritePlace.FolderProblem(folder);
}
