using PersistentTaskStatus.Docs.Tests.Checking;

namespace PersistentTaskStatus.Docs.Tests;

/// <summary>The check itself: what it finds in Markdown and C# sources, and what it reports.</summary>
public sealed class CheckingTests
{
    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n');

    /// <summary>
    /// A C# source for the reader, written with @begin and @end for the markers: the real marker text on a line of
    /// this file would make it a snippet of the repository.
    /// </summary>
    private static string[] Source(string text) => Lines(text.Replace("@begin ", "// begin-snippet: ", StringComparison.Ordinal).Replace("@end", "// end-snippet", StringComparison.Ordinal));

    private static IReadOnlyDictionary<string, Snippet> Snippets(string source)
    {
        var (snippets, problems) = SnippetSources.Read([("Example.cs", Source(source))]);
        Assert.Empty(problems);
        return snippets;
    }

    private static readonly IReadOnlyDictionary<string, Snippet> Hello = Snippets("""
        class Example
        {
            void Run()
            {
                @begin hello
                Console.WriteLine("hello");
                @end
            }
        }
        """);

    [Fact]
    public void A_new_csharp_block_that_is_no_snippet_is_reported_with_its_file_and_line()
    {
        var markdown = Lines("""
            # Title

            ```csharp
            var x = NotCompiledAnywhere();
            ```
            """);

        var problems = DocumentationCheck.Problems(MarkdownCodeBlocks.Parse("docs/README.md", markdown), Hello).ToList();

        var problem = Assert.Single(problems);
        Assert.StartsWith("docs/README.md:3: this C# block is not compiled by any project.", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("```cs")]
    [InlineData("```C#")]
    [InlineData("~~~csharp title=\"x\"")]
    [InlineData("  ```csharp")]
    public void Every_spelling_of_a_csharp_fence_is_checked(string fence)
    {
        var close = fence.Trim().StartsWith('~') ? "~~~" : "```";
        var markdown = Lines($"- a step:\n\n{fence}\nvar x = 1;\n{close}\n");

        Assert.Single(DocumentationCheck.Problems(MarkdownCodeBlocks.Parse("README.md", markdown), Hello));
    }

    [Fact]
    public void Blocks_in_other_languages_and_fences_inside_longer_fences_are_not_csharp_blocks()
    {
        var markdown = Lines("""
            ```sh
            dotnet test
            ```

            ````text
            ```csharp
            shown as text, not a block of its own
            ```
            ````

            ```
            no language
            ```
            """);

        var blocks = MarkdownCodeBlocks.Parse("README.md", markdown);

        Assert.Equal(["sh", "text", ""], blocks.Select(b => b.Language));
        Assert.Empty(DocumentationCheck.Problems(blocks, Hello));
    }

    [Fact]
    public void A_marked_block_equal_to_its_snippet_passes_and_one_that_drifted_is_reported_at_the_first_difference()
    {
        var markdown = Lines("""
            <!-- snippet: hello -->
            ```csharp
            Console.WriteLine("hello");
            ```

            <!-- snippet: hello -->

            ```csharp
            Console.WriteLine("hello, world");
            ```
            """);

        var problems = DocumentationCheck.Problems(MarkdownCodeBlocks.Parse("README.md", markdown), Hello).ToList();

        var problem = Assert.Single(problems);
        Assert.StartsWith(
            "README.md:8: the block differs from snippet 'hello' (Example.cs:5): line 1 of the block is 'Console.WriteLine(\"hello, world\");', the snippet has 'Console.WriteLine(\"hello\");'.",
            problem,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_marker_that_names_no_snippet_is_reported()
    {
        var markdown = Lines("<!-- snippet: missing -->\n```csharp\nConsole.WriteLine(\"hello\");\n```");

        var problem = Assert.Single(DocumentationCheck.Problems(MarkdownCodeBlocks.Parse("README.md", markdown), Hello));

        Assert.StartsWith("README.md:2: snippet 'missing' is defined in no compiled C# file.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snippet_in_parts_is_shown_as_its_parts_without_their_indentation_one_blank_line_apart()
    {
        var snippets = Snippets("""
            @begin usings
            using PersistentTaskStatus;
            @end
            class Example
            {
                void Run()
                {
                    @begin usings
                    if (true)
                    {
                        Console.WriteLine();
                    }
                    @end
                }
            }
            """);

        Assert.Equal("using PersistentTaskStatus;\n\nif (true)\n{\n    Console.WriteLine();\n}", snippets["usings"].Code);
    }

    [Theory]
    [InlineData("@begin a\n@begin b\n@end\n@end", "Example.cs:2: snippet 'b' begins inside snippet 'a'")]
    [InlineData("@end", "Example.cs:1: end-snippet without a begin-snippet.")]
    [InlineData("@begin a\nx();", "Example.cs:1: snippet 'a' has no end-snippet.")]
    public void Badly_nested_markers_are_reported(string source, string expected)
    {
        var (_, problems) = SnippetSources.Read([("Example.cs", Source(source))]);

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_snippet_name_used_in_two_files_is_reported()
    {
        var source = Source("@begin a\nx();\n@end");

        var (_, problems) = SnippetSources.Read([("One.cs", source), ("Two.cs", source)]);

        Assert.Equal(["Two.cs:1: snippet 'a' is also defined at One.cs:1; snippet names are unique in the repository."], problems);
    }

    [Fact]
    public void Updating_copies_the_snippet_into_the_marked_block_keeping_the_fence_indentation()
    {
        var markdown = Lines("1. Say hello:\n\n   <!-- snippet: hello -->\n   ```csharp\n   Console.WriteLine(\"old\");\n   ```\n");
        var blocks = MarkdownCodeBlocks.Parse("README.md", markdown);

        var updated = DocumentationCheck.WithSnippets(markdown, blocks, Hello);

        Assert.Equal(Lines("1. Say hello:\n\n   <!-- snippet: hello -->\n   ```csharp\n   Console.WriteLine(\"hello\");\n   ```\n"), updated);
        Assert.Empty(DocumentationCheck.Problems(MarkdownCodeBlocks.Parse("README.md", updated), Hello));
    }
}
