using System.Collections;
using Cake.Core;

namespace Cake.PbDeploy;

/// <summary>
/// The tasks <c>PbDeployTasks</c> registered, by name without the prefix (<c>"Deploy"</c>, <c>"Before:web"</c>, <c>"Deploy@web1"</c> ...),
/// and the way to wire a task of the script before all of them at once.
/// </summary>
public sealed class PbDeployTaskCollection : IReadOnlyDictionary<string, CakeTaskBuilder>
{
    private readonly Dictionary<string, CakeTaskBuilder> _tasks;
    private readonly HashSet<string> _entryPoints;

    internal PbDeployTaskCollection(Dictionary<string, CakeTaskBuilder> tasks, IEnumerable<string> entryPoints)
    {
        _tasks = tasks;
        _entryPoints = new HashSet<string>(entryPoints, StringComparer.OrdinalIgnoreCase);
    }

    /// <inheritdoc/>
    public CakeTaskBuilder this[string key] => _tasks.TryGetValue(key, out var task)
        ? task
        : throw new KeyNotFoundException($"PbDeployTasks registered no task '{key}'; its tasks are: {string.Join(", ", _tasks.Keys)}.");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _tasks.Keys;

    /// <inheritdoc/>
    public IEnumerable<CakeTaskBuilder> Values => _tasks.Values;

    /// <inheritdoc/>
    public int Count => _tasks.Count;

    /// <summary>
    /// Makes every task that deploys (<c>Before</c>, <c>StartOrRestart</c>, <c>After</c>, <c>Deploy</c>, the same for
    /// each service: <c>Deploy:web</c> ..., and each host's <c>Deploy@web1</c>) depend on <paramref name="name"/>, so
    /// that whichever of them is the target, <paramref name="name"/> (Publish) runs first. The <c>Stop</c> tasks
    /// (<c>Stop@web1</c> too) are left alone: stopping needs no fresh build.
    /// </summary>
    /// <param name="name">The task to run first.</param>
    /// <returns>The same collection.</returns>
    public PbDeployTaskCollection IsDependentOn(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var entry in _entryPoints)
        {
            _ = _tasks[entry].IsDependentOn(name);
        }

        return this;
    }

    /// <inheritdoc cref="IsDependentOn(string)"/>
    /// <param name="task">The task to run first.</param>
    public PbDeployTaskCollection IsDependentOn(CakeTaskBuilder task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return IsDependentOn(task.Task.Name);
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _tasks.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out CakeTaskBuilder value) => _tasks.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, CakeTaskBuilder>> GetEnumerator() => _tasks.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
