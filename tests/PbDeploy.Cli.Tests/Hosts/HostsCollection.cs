using PbDeploy.Cli.Tests.Support;

namespace PbDeploy.Cli.Tests.Hosts;

/// <summary>
/// The host tests share one set of <see cref="SshHosts"/> and run one after the other: they set
/// <c>PBDEPLOY_SSH_COMMAND</c> for the in-process pbdeploy, and each namespace serves one test's ports at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HostsCollection : ICollectionFixture<SshHosts>
{
    public const string Name = "ssh hosts";
}
