using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using PbDeploy;
using PbDeploy.Manifest;

namespace Cake.PbDeploy.Internal;

/// <summary>Loads a manifest for an alias: relative to Cake's working folder, warnings to the log, failures as <see cref="CakeException"/>.</summary>
internal static class Manifests
{
    /// <summary>The manifest's absolute path, as Cake resolves a relative one (from the script's working folder).</summary>
    public static string PathOf(ICakeContext context, FilePath manifest)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.MakeAbsolute(context.Environment).FullPath;
    }

    /// <summary>Loads the manifest; <paramref name="caller"/> (<c>PbDeploy</c>, <c>PbDeployTasks</c> ...) is the alias a missing one is passed to.</summary>
    public static DeployManifest Load(ICakeContext context, FilePath manifest, string caller, string prefix = "")
    {
        var loaded = Read(context, PathOf(context, manifest), caller);
        // Which manifest runs, as the CLI says it: the one Cake was given may not be the one a reader expects.
        context.Log.Information("{0}", $"{prefix}PbDeploy: manifest: {loaded.Path}");
        foreach (var warning in loaded.Warnings)
        {
            context.Log.Warning("{0}", prefix + warning.ToString());
        }

        return loaded;
    }

    /// <summary>Reads the manifest at <paramref name="path"/>, without a word to the log.</summary>
    public static DeployManifest Read(ICakeContext context, string path, string caller)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            // The core's own message names the command line's --manifest, which a script has no use for.
            throw new CakeException(
                $"PbDeploy: the manifest {path} does not exist; create it (an earlier task may write it), or pass its path to {caller}(\"path/to/pbdeploy.json\"), relative to the script's working folder {context.Environment.WorkingDirectory.FullPath}.");
        }

        return Run(() => ManifestLoader.Load(path));
    }

    /// <summary>Runs <paramref name="action"/>, turning a <see cref="PbDeployException"/> (an expected failure, its message says it all) into a <see cref="CakeException"/>.</summary>
    public static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (PbDeployException e)
        {
            throw new CakeException($"PbDeploy: {e.Message}", e);
        }
    }

    /// <inheritdoc cref="Run{T}(Func{T})"/>
    public static async Task<T> RunAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (PbDeployException e)
        {
            throw new CakeException($"PbDeploy: {e.Message}", e);
        }
    }

    /// <summary>Throws a <see cref="CakeException"/> naming every failed or skipped service, with its reason.</summary>
    public static void ThrowOnFailure(string what, IEnumerable<global::PbDeploy.Deployment.ServiceOutcome> outcomes)
    {
        if (global::PbDeploy.Deployment.DeployText.Failures(what, outcomes) is { } failure)
        {
            throw new CakeException(failure);
        }
    }
}
