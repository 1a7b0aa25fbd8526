using System.Runtime.Versioning;

// The addin runs the core, which runs on Linux only; elsewhere the core's entry points refuse in one line
// (PbDeploy.PlatformSupport), and the addin's aliases fail with that line.
[assembly: SupportedOSPlatform("linux")]
