using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Packaging.Tests;

/// <summary>
/// What the library's package carries for the gallery and for debugging: its own README with absolute links only,
/// an icon, release notes, the license expression, and a symbol package whose PDBs map the sources to the repository
/// (Source Link), whatever the clone's git origin.
/// </summary>
public sealed partial class PackageContentTests(PackedLibrary packed, MongoFixture fixture)
{
    private const string RepositoryUrl = "https://github.com/persistent-task-status/PersistentTaskStatus";

    // Source Link's custom debug information (https://github.com/dotnet/runtime/blob/main/docs/design/specs/PortablePdb-Metadata.md#source-link-c-and-vb-compilers).
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void The_package_README_is_the_projects_PACKAGE_md_with_absolute_https_links_only()
    {
        Assert.Equal("README.md", Element("readme"));
        var readme = Encoding.UTF8.GetString(packed.ReadEntry("README.md") ?? throw new InvalidOperationException("The package has no README.md."));

        Assert.Equal(Normalize(File.ReadAllText(Path.Combine(packed.ProjectDirectory, "PACKAGE.md"))), Normalize(readme));
        Assert.Empty(NonHttpsLinks(readme));
        Assert.Contains(Links(readme), link => link.StartsWith(RepositoryUrl, StringComparison.Ordinal));
    }

    [Fact]
    public void The_package_has_a_128_by_128_PNG_icon()
    {
        Assert.Equal("icon.png", Element("icon"));
        var icon = packed.ReadEntry("icon.png") ?? throw new InvalidOperationException("The package has no icon.png.");

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], icon[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(icon, 12, 4));
        Assert.Equal((128, 128), (BinaryPrimitives.ReadInt32BigEndian(icon.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(icon.AsSpan(20))));
    }

    [Fact]
    public void The_package_has_the_projects_release_notes_and_the_MIT_license_expression()
    {
        var notes = File.ReadAllText(Path.Combine(packed.ProjectDirectory, "RELEASE-NOTES.txt")).Trim();
        var license = packed.Metadata.Element(packed.Namespace + "license")!;

        Assert.NotEmpty(notes);
        Assert.Equal(Normalize(notes), Normalize(Element("releaseNotes")));
        Assert.Equal(("expression", "MIT"), (license.Attribute("type")?.Value, license.Value));
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(PackedLibrary.RepositoryRoot, "LICENSE")), StringComparison.Ordinal);
    }

    // The SDK's Source Link providers map a source root only when the git origin is on GitHub, GitLab, Azure Repos or
    // Bitbucket: this clone's origin may be anything, and the mapping must still point at the published repository
    // (eng/SourceLink.targets).
    [Fact]
    public void The_symbol_package_maps_every_source_to_the_repository_at_the_packed_commit()
    {
        var repository = packed.Metadata.Element(packed.Namespace + "repository")!;
        var commit = repository.Attribute("commit")?.Value ?? throw new InvalidOperationException("The package names no commit.");
        Assert.Equal(RepositoryUrl, repository.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", commit);
        Assert.True(File.Exists(packed.SymbolPackagePath), $"No symbol package beside {packed.PackagePath}.");

        var pdbs = PackedLibrary.Entries(packed.SymbolPackagePath).Where(e => e.EndsWith(".pdb", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["lib/net10.0/PersistentTaskStatus.pdb", "lib/net8.0/PersistentTaskStatus.pdb"], pdbs);
        foreach (var pdb in pdbs)
        {
            var documents = SourceLinkDocuments(PackedLibrary.ReadEntry(packed.SymbolPackagePath, pdb)!);
            var (_, target) = Assert.Single(documents);
            Assert.Equal($"https://raw.githubusercontent.com/persistent-task-status/PersistentTaskStatus/{commit}/*", target);
        }
    }

    // The rule of eng/Package.targets, checked without packing: every package project (any project that imports the
    // shared packaging settings) has a gallery README (PACKAGE.md, else README.md, beside it) with absolute https
    // links only, and release notes (its own RELEASE-NOTES.txt, else the shared eng/RELEASE-NOTES.txt).
    [Fact]
    public void Every_package_project_has_a_gallery_safe_README_and_release_notes()
    {
        var packageProjects = new[] { "src", "tests", "samples" }
            .Select(folder => Path.Combine(PackedLibrary.RepositoryRoot, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, "*.csproj", SearchOption.AllDirectories))
            .Where(p => Regex.IsMatch(File.ReadAllText(p), @"eng[\\/](Library|Tool|Package)\.targets"))
            .ToList();

        Assert.Contains(packageProjects, p => Path.GetFileName(p) == "PersistentTaskStatus.csproj");
        Assert.Contains(packageProjects, p => Path.GetFileName(p) == "PersistentTaskStatus.Cli.csproj");
        Assert.NotEmpty(File.ReadAllText(Path.Combine(PackedLibrary.RepositoryRoot, "eng", "RELEASE-NOTES.txt")).Trim());
        Assert.All(packageProjects, project =>
        {
            var directory = Path.GetDirectoryName(project)!;
            var readme = new[] { "PACKAGE.md", "README.md" }.Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
            Assert.True(readme is not null, $"{project} has no PACKAGE.md or README.md beside it.");
            Assert.Empty(NonHttpsLinks(File.ReadAllText(readme)));
        });
    }

    [Theory]
    [InlineData("see [the guide](docs/guide.md)", "docs/guide.md")]
    [InlineData("![logo](images/logo.png)", "images/logo.png")]
    [InlineData("[anchor](#install)", "#install")]
    [InlineData("[plain](http://example.com/)", "http://example.com/")]
    [InlineData("[ref]: ../README.md", "../README.md")]
    [InlineData("<img src=\"logo.png\">", "logo.png")]
    [InlineData("<a href='https://example.com/ok'>ok</a> <a href='bad.html'>bad</a>", "bad.html")]
    public void The_link_check_finds_links_that_are_not_absolute_https(string markdown, string link) =>
        Assert.Equal([link], NonHttpsLinks(markdown));

    [Fact]
    public void The_README_example_is_the_compiled_one()
    {
        var readme = File.ReadAllText(Path.Combine(packed.ProjectDirectory, "PACKAGE.md"));
        var block = Regex.Match(Normalize(readme), $"<!-- snippet: {PackageReadmeExample.Name} -->\n+```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        var source = Normalize(File.ReadAllText(Path.Combine(PackedLibrary.RepositoryRoot, "tests", "PersistentTaskStatus.Packaging.Tests", "PackageReadmeExample.cs")));
        var lines = source.Split('\n');
        var begin = Array.FindIndex(lines, l => l.Trim() == $"// begin-snippet: {PackageReadmeExample.Name}");
        var end = Array.FindIndex(lines, l => l.Trim() == "// end-snippet");
        var indent = lines[begin].Length - lines[begin].TrimStart().Length;
        var compiled = string.Concat(lines[(begin + 1)..end].Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()) + "\n"));

        Assert.NotEmpty(block);
        Assert.Equal(compiled, block);
    }

    [Fact]
    public async Task The_README_example_runs_both_tasks_to_completion()
    {
        var database = fixture.CreateDatabase(typeof(PackageContentTests));

        await PackageReadmeExample.RunAsync(database);

        var stored = await database.GetCollection<MongoDB.Bson.BsonDocument>("taskContainers")
            .Find(new MongoDB.Bson.BsonDocument("name", "import:2026-11-28")).SingleAsync(Token);
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.False(stored["hasFailed"].AsBoolean);
        Assert.Equal(["completed", "completed"], stored["tasks"].AsBsonArray.Select(t => t["status"].AsString));
        await fixture.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName, Token);
    }

    private string Element(string name) => packed.Metadata.Element(packed.Namespace + name)?.Value ?? "";

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").Trim() + "\n";

    /// <summary>The links and image sources of Markdown or HTML text: inline, reference definitions, src and href.</summary>
    private static List<string> Links(string markdown) =>
        [.. LinkPattern().Matches(markdown).Select(m => m.Groups.Cast<Group>().Skip(1).First(g => g.Success && g.Name is "inline" or "reference" or "html").Value)];

    private static List<string> NonHttpsLinks(string markdown) =>
        [.. Links(markdown).Where(link => !link.StartsWith("https://", StringComparison.Ordinal))];

    [GeneratedRegex("""\]\((?<inline>[^)\s]*)[^)]*\)|(?m:^\s*\[[^\]]+\]:\s*(?<reference>\S+))|(?:src|href)\s*=\s*["'](?<html>[^"']*)""")]
    private static partial Regex LinkPattern();

    private static Dictionary<string, string> SourceLinkDocuments(byte[] pdb)
    {
        using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb));
        var reader = provider.GetMetadataReader();
        var json = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(c => reader.GetGuid(c.Kind) == SourceLinkKind)
            .Select(c => reader.GetBlobBytes(c.Value))
            .SingleOrDefault() ?? throw new InvalidOperationException("The PDB has no Source Link.");
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("documents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
