using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace PersistentTaskStatus.Packaging.Tests;

/// <summary>
/// The library packed once per test run, as a release would pack it (<c>dotnet pack -c Release</c>), into a
/// temporary folder, with its build outputs under that folder too (<c>--artifacts-path</c>) so that it shares nothing
/// with the builds of the repository.
/// </summary>
public sealed class PackedLibrary : IAsyncLifetime
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"pts-pack-{Guid.NewGuid():N}");

    /// <summary>The repository's root folder (the one that holds the solution).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public string ProjectDirectory => Path.Combine(RepositoryRoot, "src", "PersistentTaskStatus");

    public string PackagePath { get; private set; } = "";

    public string SymbolPackagePath { get; private set; } = "";

    /// <summary>The package's nuspec, its metadata element.</summary>
    public XElement Metadata { get; private set; } = new("metadata");

    public XNamespace Namespace => Metadata.Name.Namespace;

    /// <summary>Reads an entry of the package (a path inside it, with forward slashes), or null when it has none.</summary>
    public byte[]? ReadEntry(string path) => ReadEntry(PackagePath, path);

    public static byte[]? ReadEntry(string package, string path)
    {
        using var archive = ZipFile.OpenRead(package);
        var entry = archive.GetEntry(path);
        if (entry is null)
        {
            return null;
        }

        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static IReadOnlyList<string> Entries(string package)
    {
        using var archive = ZipFile.OpenRead(package);
        return [.. archive.Entries.Select(e => e.FullName)];
    }

    public async ValueTask InitializeAsync()
    {
        var output = Path.Combine(root, "packages");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in new[]
        {
            "pack", Path.Combine(ProjectDirectory, "PersistentTaskStatus.csproj"), "-c", "Release",
            "-o", output, "--artifacts-path", Path.Combine(root, "artifacts"), "-nologo",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        var log = await standardOutput + await standardError;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack exited with {process.ExitCode}:\n{log}");
        }

        PackagePath = Directory.GetFiles(output, "PersistentTaskStatus.*.nupkg").Single();
        SymbolPackagePath = Path.ChangeExtension(PackagePath, ".snupkg");
        using var archive = ZipFile.OpenRead(PackagePath);
        await using var nuspec = archive.GetEntry("PersistentTaskStatus.nuspec")!.Open();
        Metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PersistentTaskStatus.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No PersistentTaskStatus.sln above {AppContext.BaseDirectory}.");
    }
}
