namespace PbDeploy.Cli.Output;

/// <summary>How much a deploy or stop says (<c>-q/--quiet</c>, the default, <c>-v/--verbose</c>).</summary>
internal enum Verbosity
{
    /// <summary>Failures (with their output), warnings and the closing line.</summary>
    Quiet,

    /// <summary>Also the manifest, a line per step that did something (started, restarted, left running, before done ...) and each rendered file.</summary>
    Normal,

    /// <summary>Also every command as it starts, its exit and duration when it ends, each wait, and a table of every step.</summary>
    Verbose,
}
