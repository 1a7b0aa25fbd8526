namespace PbDeploy.Manifest;

/// <summary>
/// Whose manifests may run, as git's <c>safe.directory</c>: by default only those of the caller or root, in a folder
/// no other user can replace them in. A manifest runs its commands as the caller, so one that another user wrote or
/// could have written would let that user run anything as the caller (often root).
/// </summary>
internal sealed record ManifestTrust
{
    /// <summary>The environment variable of <see cref="TrustedOwners"/>: uids separated by commas, or <c>*</c> for any owner.</summary>
    public const string TrustedOwnersVariable = "PBDEPLOY_TRUSTED_OWNERS";

    /// <summary>The environment variable of <see cref="AllowedManifests"/>: manifest paths separated by <c>:</c>.</summary>
    public const string AllowedManifestsVariable = "PBDEPLOY_ALLOW_MANIFEST";

    /// <summary>Trusts only the caller and root; nothing else is allowed.</summary>
    public static ManifestTrust Strict { get; } = new();

    /// <summary>Users (besides the caller and root) whose manifests and folders are trusted; <c>null</c> trusts every owner.</summary>
    public IReadOnlySet<uint>? TrustedOwners { get; init; } = new HashSet<uint>();

    /// <summary>Manifests (full paths) used whoever owns them and whoever can write them: the caller vouches for them.</summary>
    public IReadOnlySet<string> AllowedManifests { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The trust the caller's environment grants: <c>PBDEPLOY_TRUSTED_OWNERS</c> and <c>PBDEPLOY_ALLOW_MANIFEST</c>.</summary>
    /// <exception cref="PbDeployException">A variable holds something else than it should.</exception>
    public static ManifestTrust FromEnvironment() => Parse(
        Environment.GetEnvironmentVariable(TrustedOwnersVariable),
        Environment.GetEnvironmentVariable(AllowedManifestsVariable));

    /// <summary>The trust those two variables' values grant (null or empty: none).</summary>
    /// <exception cref="PbDeployException">A value is not a uid, or a path is not absolute.</exception>
    public static ManifestTrust Parse(string? trustedOwners, string? allowedManifests)
    {
        HashSet<uint>? owners = [];
        foreach (var item in (trustedOwners ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item == "*")
            {
                owners = null;
                break;
            }

            if (!uint.TryParse(item, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var uid))
            {
                throw new InputException(
                    $"{TrustedOwnersVariable}: '{item}' is not a uid; give numeric uids separated by commas (e.g. {TrustedOwnersVariable}=1000,1001), or * for any owner");
            }

            owners.Add(uid);
        }

        var manifests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in (allowedManifests ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Path.IsPathFullyQualified(item))
            {
                throw new InputException(
                    $"{AllowedManifestsVariable}: '{item}' is not an absolute path; give the full paths of the manifests to allow, separated by ':'");
            }

            _ = manifests.Add(Path.GetFullPath(item));
        }

        return new ManifestTrust { TrustedOwners = owners, AllowedManifests = manifests };
    }

    /// <summary>Whether files and folders of <paramref name="uid"/> are trusted by <paramref name="caller"/>.</summary>
    internal bool Trusts(uint uid, uint caller) => uid == caller || uid == 0 || TrustedOwners is null || TrustedOwners.Contains(uid);
}
