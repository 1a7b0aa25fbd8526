using PbDeploy.Manifest;

namespace PbDeploy.Deployment;

/// <summary>
/// Runs one piece of work per service in <c>depends_on</c> order, independent services at the same time: each service
/// waits for the services it depends on (or, in reverse, for those that depend on it) among the selected ones, also
/// through services that are not selected (with a → b → c and only a and c selected, a still waits for c). A piece of
/// work is one phase of a service, or its whole pipeline (before → start/restart → after): a service then waits for
/// the whole pipelines of its dependencies.
/// </summary>
internal static class DependencyScheduler
{
    /// <returns>The result of each service's work, in the order of <paramref name="services"/>.</returns>
    public static async Task<IReadOnlyList<T>> RunAsync<T>(
        DeployManifest manifest, IReadOnlyList<ServiceDefinition> services, bool reverse, Func<ServiceDefinition, Task<T>> work)
    {
        var selected = services.Select(s => s.Name).ToHashSet();
        var dependsOn = services.ToDictionary(s => s.Name, s => SelectedDependencies(manifest, s, selected));
        var waitsFor = services.ToDictionary(
            s => s.Name,
            s => reverse
                ? services.Where(other => dependsOn[other.Name].Contains(s.Name)).Select(other => other.Name).ToList()
                : dependsOn[s.Name]);

        var tasks = new Dictionary<string, Task<T>>();
        Task<T> Schedule(ServiceDefinition service)
        {
            if (tasks.TryGetValue(service.Name, out var existing))
            {
                return existing;
            }

            var before = waitsFor[service.Name].Select(name => Schedule(services.First(s => s.Name == name))).ToList();
            var task = RunAfterAsync(before, service, work);
            tasks[service.Name] = task;
            return task;
        }

        foreach (var service in services)
        {
            _ = Schedule(service);
        }

        await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        return [.. services.Select(s => tasks[s.Name].Result)];
    }

    /// <summary>The selected services <paramref name="service"/> depends on, directly or through unselected ones.</summary>
    private static List<string> SelectedDependencies(DeployManifest manifest, ServiceDefinition service, HashSet<string> selected)
    {
        var found = new List<string>();
        var seen = new HashSet<string>();
        var pending = new Stack<string>(service.DependsOn);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!seen.Add(name))
            {
                continue;
            }

            if (selected.Contains(name))
            {
                found.Add(name); // its own dependencies are awaited through it
            }
            else
            {
                foreach (var next in manifest.GetService(name).DependsOn)
                {
                    pending.Push(next);
                }
            }
        }

        return found;
    }

    private static async Task<T> RunAfterAsync<T>(List<Task<T>> before, ServiceDefinition service, Func<ServiceDefinition, Task<T>> work)
    {
        try
        {
            await Task.WhenAll(before).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Their failure is reported by their own tasks; this one still runs (or is skipped by the work itself).
        }

        await Task.Yield(); // independent services run concurrently, not one after another on this thread
        return await work(service).ConfigureAwait(false);
    }
}
