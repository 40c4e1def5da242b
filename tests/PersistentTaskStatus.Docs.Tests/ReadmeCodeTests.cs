using PersistentTaskStatus.Docs.Tests.Checking;

namespace PersistentTaskStatus.Docs.Tests;

/// <summary>
/// Every C# block of every Markdown file of the repository must be a snippet of compiled C#, shown exactly: a block
/// that does not compile, or that drifts from the code, fails this test. With <c>UPDATE_README_SNIPPETS=1</c> it first
/// copies each snippet into the block that names it (the blocks without a snippet still fail).
/// </summary>
public sealed class ReadmeCodeTests
{
    private static readonly bool Update = Environment.GetEnvironmentVariable("UPDATE_README_SNIPPETS") is "1" or "true";

    private static (IReadOnlyDictionary<string, Snippet> Snippets, IReadOnlyList<string> Problems) ReadSnippets()
    {
        var sources = RepositoryFiles.Find(".cs")
            .Select(file => (File: file, Lines: (IReadOnlyList<string>)RepositoryFiles.ReadLines(file)))
            .Where(source => source.Lines.Any(line => line.Contains("begin-snippet:", StringComparison.Ordinal)))
            .ToList();
        var (snippets, problems) = SnippetSources.Read(sources);
        var outsideProjects = sources.Where(s => !RepositoryFiles.IsInProject(s.File))
            .Select(s => $"{s.File}: holds snippets but no project compiles it (it is in no project's folder).");
        return (snippets, [.. problems, .. outsideProjects]);
    }

    [Fact]
    public void Every_csharp_block_of_every_markdown_file_is_a_compiled_snippet_shown_exactly()
    {
        var (snippets, problems) = ReadSnippets();
        var all = new List<string>(problems);
        foreach (var file in RepositoryFiles.Find(".md"))
        {
            var lines = RepositoryFiles.ReadLines(file);
            var blocks = MarkdownCodeBlocks.Parse(file, lines);
            if (Update)
            {
                var updated = DocumentationCheck.WithSnippets(lines, blocks, snippets);
                if (!updated.SequenceEqual(lines))
                {
                    File.WriteAllText(Path.Combine(RepositoryFiles.Root, file), string.Join("\n", updated));
                    lines = [.. updated];
                    blocks = MarkdownCodeBlocks.Parse(file, lines);
                }
            }

            all.AddRange(DocumentationCheck.Problems(blocks, snippets));
        }

        Assert.True(all.Count == 0, $"{all.Count} problem(s) with the C# of the Markdown files:{Environment.NewLine}{string.Join(Environment.NewLine, all)}");
    }

    [Fact]
    public void The_check_reads_the_repositorys_markdown_files_and_their_csharp_blocks()
    {
        var markdown = RepositoryFiles.Find(".md");
        var csharp = markdown.SelectMany(f => MarkdownCodeBlocks.Parse(f, RepositoryFiles.ReadLines(f))).Where(b => b.IsCSharp).ToList();

        Assert.Contains("README.md", markdown);
        Assert.Contains("src/PersistentTaskStatus.Cli/README.md", markdown);
        Assert.Contains("tests/PersistentTaskStatus.Reliability.Tests/README.md", markdown);
        Assert.Contains("tests/PersistentTaskStatus.Docs.Tests/README.md", markdown);
        Assert.DoesNotContain(markdown, f => f.Contains("/bin/", StringComparison.Ordinal) || f.Contains("/obj/", StringComparison.Ordinal));
        Assert.True(csharp.Count(b => b.File == "README.md") >= 11, $"only {csharp.Count(b => b.File == "README.md")} C# blocks found in README.md");
    }

    [Fact]
    public void Every_snippet_is_well_formed_unique_and_in_a_compiled_project()
    {
        var (snippets, problems) = ReadSnippets();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.NotEmpty(snippets);
        Assert.All(snippets.Values, s => Assert.False(string.IsNullOrWhiteSpace(s.Code), $"snippet '{s.Name}' ({s.Location}) is empty"));
    }
}
