using System.Diagnostics;
using System.Net.Sockets;
using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Manifest;

/// <summary>
/// Whose manifest may run (as git's safe.directory) and what may be read as one: each attack is a file another user
/// (uid 65534, nobody) owns or could have written, or a special file that would block or never end.
/// </summary>
public sealed class ManifestTrustTests
{
    private const string Valid = """{ "services": { "web": { "port": 8000, "start": "true" } } }""";
    private const int Nobody = 65534;

    [Fact]
    public void A_manifest_another_user_owns_is_refused_saying_whose_it_is_and_how_to_allow_it()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", Valid);
        Chown(manifest, Nobody);

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} belongs to uid 65534 (nobody), not to you (root), so it could make you run anything; " +
            $"if you trust that user, set PBDEPLOY_TRUSTED_OWNERS=65534 or PBDEPLOY_ALLOW_MANIFEST={manifest}");
    }

    [Fact]
    public void A_manifest_in_a_folder_another_user_owns_is_refused_even_when_the_file_is_roots()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("theirs/pbdeploy.json", Valid);
        Chown(dir.Combine("theirs"), Nobody);

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} is in the folder {dir.Combine("theirs")}, which belongs to uid 65534 (nobody), not to you (root), so that user could replace it; " +
            $"if you trust that user, set PBDEPLOY_TRUSTED_OWNERS=65534 or PBDEPLOY_ALLOW_MANIFEST={manifest}");
    }

    [Fact]
    public void A_manifest_every_user_can_write_is_refused()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", Valid);
        File.SetUnixFileMode(manifest, (UnixFileMode)Convert.ToInt32("666", 8));

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} is writable by every user (mode 0666), so anyone could have written it; run chmod o-w {manifest}, or set PBDEPLOY_ALLOW_MANIFEST={manifest} if you trust its content");
    }

    [Fact]
    public void A_manifest_in_a_folder_every_user_can_write_without_the_sticky_bit_is_refused()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("open/pbdeploy.json", Valid);
        File.SetUnixFileMode(dir.Combine("open"), (UnixFileMode)Convert.ToInt32("777", 8));

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} is in the folder {dir.Combine("open")}, which every user can write and is not sticky (mode 0777), so anyone could have replaced it; " +
            $"run chmod o-w {dir.Combine("open")} (or chmod +t), or set PBDEPLOY_ALLOW_MANIFEST={manifest} if you trust its content");
    }

    /// <summary>Once the manifest is read, another user could swap the project's folder for a link to a folder of theirs, where its commands would run.</summary>
    [Fact]
    public void A_manifest_in_roots_folder_under_a_folder_every_user_can_write_without_the_sticky_bit_is_refused()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("open/project/pbdeploy.json", Valid);
        File.SetUnixFileMode(dir.Combine("open"), (UnixFileMode)Convert.ToInt32("777", 8));

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} is in the folder {dir.Combine("open/project")}, and the folder {dir.Combine("open")} above it is writable by other users (mode 0777) and not sticky, "
            + $"so another user could replace {dir.Combine("open/project")} with a link; run chmod o-w,g-w {dir.Combine("open")} (or chmod +t), or choose another place; "
            + $"or set PBDEPLOY_ALLOW_MANIFEST={manifest} if you trust that folder");
        ManifestLoader.Load(manifest, ManifestTrust.Parse(null, manifest)).Services.Count.ShouldBe(1);
    }

    [Fact]
    public void A_manifest_in_roots_folder_under_a_folder_another_user_owns_is_refused_unless_that_user_is_trusted()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("theirs/project/pbdeploy.json", Valid);
        Chown(dir.Combine("theirs"), Nobody);

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} is in the folder {dir.Combine("theirs/project")}, and the folder {dir.Combine("theirs")} above it belongs to uid 65534, another user, "
            + $"who could replace {dir.Combine("theirs/project")} with a link; choose another place, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS=65534; or set PBDEPLOY_ALLOW_MANIFEST={manifest} if you trust that folder");
        ManifestLoader.Load(manifest, ManifestTrust.Parse("65534", null)).Services.Count.ShouldBe(1);
    }

    /// <summary>Root runs pbdeploy below a folder as /tmp: another user's link there names a manifest of root's, whose commands would run in that folder.</summary>
    [Fact(Timeout = 30_000)]
    public async Task A_link_another_user_made_in_a_sticky_shared_folder_to_roots_manifest_is_refused()
    {
        using var dir = new TempDirectory();
        var roots = dir.Write("srv/pbdeploy.json", Valid);
        var shared = OtherUser.SharedFolder(dir, "shared");
        var manifest = Path.Combine(shared, "pbdeploy.json");
        await OtherUser.RunAsync($"ln -s {roots} {manifest}");

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} is a symbolic link of uid 65534 (nobody), not yours (root), so that user chose which manifest runs, and in which folder; "
            + $"pass the real manifest with --manifest, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS=65534 or PBDEPLOY_ALLOW_MANIFEST={manifest}");
        ManifestLoader.Load(roots, ManifestTrust.Strict).Services.Count.ShouldBe(1);
    }

    /// <summary>Where fs.protected_hardlinks is off, another user can hard-link root's manifest into a shared folder.</summary>
    [Fact(Timeout = 30_000)]
    public async Task A_second_hard_link_to_roots_manifest_in_a_folder_every_user_can_write_is_refused()
    {
        using var dir = new TempDirectory();
        var roots = dir.Write("srv/pbdeploy.json", Valid);
        var shared = OtherUser.SharedFolder(dir, "shared");
        var manifest = Path.Combine(shared, "pbdeploy.json");
        using (var ln = Process.Start("ln", [roots, manifest]))
        {
            await ln.WaitForExitAsync();
        }

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict));

        error.Message.ShouldBe(
            $"manifest {manifest} has 2 hard links and is in the folder {shared} that every user can write, so another user may have linked it there from elsewhere; "
            + $"pass the real manifest with --manifest, or set PBDEPLOY_ALLOW_MANIFEST={manifest} if you trust it");
    }

    [Fact]
    public void The_callers_own_manifest_in_a_sticky_folder_every_user_can_write_is_loaded()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", Valid);
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("1777", 8));

        ManifestLoader.Load(manifest, ManifestTrust.Strict).Services.Single().Name.ShouldBe("web");
    }

    [Fact]
    public void A_trusted_owner_or_an_allowed_path_lets_another_users_manifest_load()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("theirs/pbdeploy.json", Valid);
        Chown(manifest, Nobody);
        Chown(dir.Combine("theirs"), Nobody);

        ManifestLoader.Load(manifest, ManifestTrust.Parse("1000, 65534", null)).Services.Count.ShouldBe(1);
        ManifestLoader.Load(manifest, ManifestTrust.Parse("*", null)).Services.Count.ShouldBe(1);
        ManifestLoader.Load(manifest, ManifestTrust.Parse(null, "/elsewhere/pbdeploy.json:" + manifest)).Services.Count.ShouldBe(1);
        Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Parse("1000", "/elsewhere/pbdeploy.json")));
    }

    [Fact]
    public void A_trusted_owner_does_not_make_a_manifest_every_user_can_write_trusted()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", Valid);
        Chown(manifest, Nobody);
        File.SetUnixFileMode(manifest, (UnixFileMode)Convert.ToInt32("666", 8));

        Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Parse("65534", null)))
            .Message.ShouldContain("is writable by every user (mode 0666)");
    }

    [Theory]
    [InlineData("alice", null, "PBDEPLOY_TRUSTED_OWNERS: 'alice' is not a uid; give numeric uids separated by commas (e.g. PBDEPLOY_TRUSTED_OWNERS=1000,1001), or * for any owner")]
    [InlineData("-1", null, "PBDEPLOY_TRUSTED_OWNERS: '-1' is not a uid; give numeric uids separated by commas (e.g. PBDEPLOY_TRUSTED_OWNERS=1000,1001), or * for any owner")]
    [InlineData(null, "pbdeploy.json", "PBDEPLOY_ALLOW_MANIFEST: 'pbdeploy.json' is not an absolute path; give the full paths of the manifests to allow, separated by ':'")]
    public void A_bad_trust_variable_is_an_error_saying_what_it_should_hold(string? owners, string? allowed, string message) =>
        Should.Throw<PbDeployException>(() => ManifestTrust.Parse(owners, allowed)).Message.ShouldBe(message);

    [Fact]
    public void The_parent_search_stops_at_another_users_manifest_and_loading_it_is_refused_not_skipped()
    {
        using var dir = new TempDirectory();
        dir.Write("pbdeploy.json", Valid); // the caller's, further up
        var theirs = dir.Write("shared/pbdeploy.json", Valid);
        Chown(theirs, Nobody);
        Directory.CreateDirectory(dir.Combine("shared", "project"));

        var found = ManifestLoader.Find(dir.Combine("shared", "project"));

        found.ShouldBe(theirs);
        Should.Throw<PbDeployException>(() => ManifestLoader.Load(found, ManifestTrust.Strict)).Message.ShouldContain("belongs to uid 65534 (nobody)");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_fifo_as_manifest_is_refused_at_once_without_waiting_for_a_writer()
    {
        using var dir = new TempDirectory();
        var fifo = dir.Combine("pbdeploy.json");
        Process.Start("mkfifo", [fifo])!.WaitForExit();

        var error = await Task.Run(() => Should.Throw<PbDeployException>(() => ManifestLoader.Load(fifo, ManifestTrust.Strict)));

        error.Message.ShouldBe($"manifest {fifo} is a FIFO (named pipe), not a regular file; pass the path of the pbdeploy.json file");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_fifo_found_by_the_parent_search_is_refused_at_once()
    {
        using var dir = new TempDirectory();
        Process.Start("mkfifo", [dir.Combine("pbdeploy.json")])!.WaitForExit();
        Directory.CreateDirectory(dir.Combine("app"));

        var error = await Task.Run(() => Should.Throw<PbDeployException>(() => ManifestLoader.Load(ManifestLoader.Find(dir.Combine("app")), ManifestTrust.Strict)));

        error.Message.ShouldContain("is a FIFO (named pipe), not a regular file");
    }

    [Theory(Timeout = 10_000)]
    [InlineData("/dev/zero", "character device")]
    [InlineData("/dev/null", "character device")]
    public async Task A_device_as_manifest_is_refused_at_once_without_reading_it(string device, string kind)
    {
        var error = await Task.Run(() => Should.Throw<PbDeployException>(() => ManifestLoader.Load(device, ManifestTrust.Strict)));

        error.Message.ShouldBe($"manifest {device} is a {kind}, not a regular file; pass the path of the pbdeploy.json file");
    }

    [Fact]
    public void A_socket_as_manifest_is_refused()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("pbdeploy.json");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        Should.Throw<PbDeployException>(() => ManifestLoader.Load(path, ManifestTrust.Strict))
            .Message.ShouldBe($"manifest {path} is a socket, not a regular file; pass the path of the pbdeploy.json file");
    }

    [Fact]
    public void A_folder_as_manifest_is_refused()
    {
        using var dir = new TempDirectory();

        Should.Throw<PbDeployException>(() => ManifestLoader.Load(dir.Path, ManifestTrust.Strict))
            .Message.ShouldBe($"manifest {dir.Path} is a folder; pass the path of the pbdeploy.json file");
    }

    [Fact]
    public void A_manifest_larger_than_16_MiB_is_refused_without_reading_it_whole()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Combine("pbdeploy.json");
        using (var file = File.Create(manifest))
        {
            file.SetLength(16L * 1024 * 1024 + 1); // sparse: no disk used
        }

        Should.Throw<PbDeployException>(() => ManifestLoader.Load(manifest, ManifestTrust.Strict))
            .Message.ShouldBe($"manifest {manifest} is larger than 16 MiB; a manifest is a few KiB: pass the right file");
    }

    [Fact]
    public void A_manifest_of_exactly_16_MiB_is_read()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Combine("pbdeploy.json");
        File.WriteAllText(manifest, Valid.PadRight(16 * 1024 * 1024));

        ManifestLoader.Load(manifest, ManifestTrust.Strict).Services.Count.ShouldBe(1);
    }

    private static void Chown(string path, int uid)
    {
        using var chown = Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
        chown.WaitForExit();
        chown.ExitCode.ShouldBe(0, "chown needs root, as CI runs the tests");
    }
}
