using System.Reflection;

namespace PersistentTaskStatus.Docs.Tests.Checking;

/// <summary>The repository's own files: its Markdown files and the C# files that its projects compile.</summary>
public static class RepositoryFiles
{
    /// <summary>Folders that hold no file of the repository's own: build output, tools' output, dependencies.</summary>
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "bin", "obj", "node_modules", "TestResults", "BenchmarkDotNet.Artifacts", "artifacts",
    };

    /// <summary>The repository's root, recorded at build time.</summary>
    public static string Root { get; } = typeof(RepositoryFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>Every file of the repository whose name ends with <paramref name="suffix"/>, relative paths with '/'.</summary>
    /// <remarks>
    /// Skips build output, hidden folders, symbolic links, and folders that are repositories of their own (such as a
    /// checkout of MongoDB's specifications beside the sources on a CI runner).
    /// </remarks>
    public static IReadOnlyList<string> Find(string suffix)
    {
        var found = new List<string>();
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(Root)]);
        while (pending.TryPop(out var directory))
        {
            foreach (var file in directory.EnumerateFiles())
            {
                if (file.Name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && file.LinkTarget is null)
                {
                    found.Add(Path.GetRelativePath(Root, file.FullName).Replace('\\', '/'));
                }
            }

            foreach (var child in directory.EnumerateDirectories())
            {
                if (!child.Name.StartsWith('.') && !Skipped.Contains(child.Name) && child.LinkTarget is null && !Path.Exists(Path.Combine(child.FullName, ".git")))
                {
                    pending.Push(child);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    public static string[] ReadLines(string relativePath) =>
        File.ReadAllText(Path.Combine(Root, relativePath)).ReplaceLineEndings("\n").Split('\n');

    /// <summary>Whether a C# file is compiled by a project: it lies in the folder of a project file, or below it.</summary>
    public static bool IsInProject(string relativePath)
    {
        var directory = Path.GetDirectoryName(Path.Combine(Root, relativePath));
        while (directory is not null && directory.Length >= Root.Length)
        {
            if (Directory.EnumerateFiles(directory, "*.csproj").Any())
            {
                return true;
            }

            directory = Path.GetDirectoryName(directory);
        }

        return false;
    }
}
