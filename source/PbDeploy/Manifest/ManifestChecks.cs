namespace PbDeploy.Manifest;

/// <summary>Checks across services: ports, pidfiles and template targets unique; dependencies known and acyclic.</summary>
internal static class ManifestChecks
{
    public static void Check(IReadOnlyList<ServiceDefinition> services)
    {
        CheckPorts(services);
        CheckUnique(services, "pidfile", s => s.Pidfile?.Text,
            (value, other) => $"{ManifestJson.Quote(value)} is also the pidfile of service '{other}'; give each service its own pidfile");
        CheckTemplateTargets(services);
        CheckDependencies(services);
    }

    private static void CheckUnique(
        IReadOnlyList<ServiceDefinition> services,
        string setting,
        Func<ServiceDefinition, string?> valueOf,
        Func<string, string, string> problem)
    {
        var owners = new Dictionary<string, ServiceDefinition>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (valueOf(service) is not { } value)
            {
                continue;
            }

            if (owners.TryGetValue(value, out var other))
            {
                var where = service.Values[setting]!;
                var otherLine = other.Values[setting]!.Location.Line;
                throw new ManifestException(
                    where.Location,
                    $"services.{service.Name}.{setting}: {problem(value, other.Name)} (line {otherLine})");
            }

            owners[value] = service;
        }
    }

    /// <summary>Each port belongs to one service: a blue-green service's two ports count as its own.</summary>
    private static void CheckPorts(IReadOnlyList<ServiceDefinition> services)
    {
        var owners = new Dictionary<int, (ServiceDefinition Service, ManifestValue Token)>();
        foreach (var service in services)
        {
            foreach (var (port, setting, token) in PortTokens(service))
            {
                if (owners.TryGetValue(port, out var other))
                {
                    throw new ManifestException(
                        token.Location,
                        $"services.{service.Name}.{setting}: port {port} is also the port of service '{other.Service.Name}'; give each service its own port (line {other.Token.Location.Line})");
                }

                owners[port] = (service, token);
            }
        }
    }

    private static IEnumerable<(int Port, string Setting, ManifestValue Token)> PortTokens(ServiceDefinition service)
    {
        if (service.Ports is { } ports)
        {
            var array = service.Values["ports"]!;
            for (var i = 0; i < ports.Count; i++)
            {
                yield return (ports[i], string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ports[{i}]"), array.Items[i]);
            }
        }
        else if (service.Port is { } port)
        {
            yield return (port, "port", service.Values["port"]!);
        }
    }

    private static void CheckTemplateTargets(IReadOnlyList<ServiceDefinition> services)
    {
        var writers = new Dictionary<string, (ServiceDefinition Service, TemplateSpec Template)>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            for (var i = 0; i < service.Templates.Count; i++)
            {
                var template = service.Templates[i];
                var target = NormalizeTarget(template.Target);
                if (writers.TryGetValue(target, out var other))
                {
                    var who = ReferenceEquals(other.Service, service) ? "this service's template" : $"service '{other.Service.Name}'";
                    throw new ManifestException(
                        template.Location,
                        $"services.{service.Name}.templates[{i}]: target {ManifestJson.Quote(template.Target)} is also written by {who} (line {other.Template.Location.Line}); each file can have one template");
                }

                writers[target] = (service, template);
            }
        }
    }

    private static void CheckDependencies(IReadOnlyList<ServiceDefinition> services)
    {
        var byName = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var service in services)
        {
            for (var i = 0; i < service.DependsOn.Count; i++)
            {
                var dependency = service.DependsOn[i];
                if (dependency == service.Name)
                {
                    throw new ManifestException(
                        DependencyToken(service, i).Location,
                        $"services.{service.Name}.depends_on: a service cannot depend on itself ('{dependency}')");
                }

                if (!byName.ContainsKey(dependency))
                {
                    throw new ManifestException(
                        DependencyToken(service, i).Location,
                        $"services.{service.Name}.depends_on: there is no service '{dependency}'; the services are: {string.Join(", ", services.Select(s => s.Name))}");
                }
            }
        }

        // Depth-first in manifest order; a service met again while still on the path closes a cycle.
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var service in services)
        {
            Visit(service);
        }

        void Visit(ServiceDefinition service)
        {
            if (done.Contains(service.Name))
            {
                return;
            }

            path.Add(service.Name);
            for (var i = 0; i < service.DependsOn.Count; i++)
            {
                var dependency = service.DependsOn[i];
                var onPath = path.IndexOf(dependency);
                if (onPath >= 0)
                {
                    var cycle = string.Join(" -> ", path.Skip(onPath).Append(dependency));
                    throw new ManifestException(
                        DependencyToken(service, i).Location,
                        $"services.{service.Name}.depends_on: dependency cycle {cycle}; remove one of these dependencies");
                }

                Visit(byName[dependency]);
            }

            path.RemoveAt(path.Count - 1);
            done.Add(service.Name);
        }
    }

    /// <summary>A target as compared for clashes: <c>./x.conf</c> and <c>x.conf</c> are one file.</summary>
    private static string NormalizeTarget(string target)
    {
        var normalized = target.Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        return normalized;
    }

    /// <summary>Where the <paramref name="index"/>th dependency is written: an element of the array, or the single string.</summary>
    private static ManifestValue DependencyToken(ServiceDefinition service, int index) =>
        service.Values["depends_on"] is { Kind: ManifestValueKind.Array } array ? array.Items[index] : service.Values["depends_on"]!;
}
