using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using PbDeploy;
using PbDeploy.Manifest;

namespace Cake.PbDeploy.Internal;

/// <summary>Loads a manifest for an alias: relative to Cake's working folder, warnings to the log, failures as <see cref="CakeException"/>.</summary>
internal static class Manifests
{
    public static DeployManifest Load(ICakeContext context, FilePath manifest)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(manifest);
        var path = manifest.MakeAbsolute(context.Environment).FullPath;
        var loaded = Run(() => ManifestLoader.Load(path));
        // Which manifest runs, as the CLI says it: the one Cake was given may not be the one a reader expects.
        context.Log.Information("PbDeploy: manifest: {0}", loaded.Path);
        foreach (var warning in loaded.Warnings)
        {
            context.Log.Warning("{0}", warning.ToString());
        }

        return loaded;
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
