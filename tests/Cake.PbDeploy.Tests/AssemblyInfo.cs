using System.Runtime.Versioning;

// The tests drive real Linux processes and sockets.
[assembly: SupportedOSPlatform("linux")]
