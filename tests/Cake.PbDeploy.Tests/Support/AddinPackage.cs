namespace Cake.PbDeploy.Tests.Support;

/// <summary>The addin as the test project's build packed it into <see cref="CakeRunner.Feed"/>.</summary>
public static class AddinPackage
{
    /// <summary>The one Cake.PbDeploy.VERSION.nupkg of the feed.</summary>
    public static string Path => Directory.GetFiles(CakeRunner.Feed, "Cake.PbDeploy.*.nupkg").ShouldHaveSingleItem();

    /// <summary>Its symbols package, next to it.</summary>
    public static string SymbolsPath => System.IO.Path.ChangeExtension(Path, ".snupkg");

    /// <summary>Its version, from the file name.</summary>
    public static string Version => System.IO.Path.GetFileNameWithoutExtension(Path)["Cake.PbDeploy.".Length..];

    /// <summary>The first line of a script that loads it from the feed (run the script with <see cref="SourceArgument"/>).</summary>
    public static string Directive => $"#addin nuget:?package=Cake.PbDeploy&version={Version}\n";

    /// <summary>The argument of <c>dotnet cake</c> that makes the feed its package source.</summary>
    public static string SourceArgument => $"--nuget_source={CakeRunner.Feed}";
}
