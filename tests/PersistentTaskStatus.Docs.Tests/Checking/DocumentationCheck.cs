namespace PersistentTaskStatus.Docs.Tests.Checking;

/// <summary>
/// The rule: every C# block of a Markdown file is preceded by <c>&lt;!-- snippet: name --&gt;</c> and equals that
/// snippet, a region of a compiled C# file. So no block can show code that does not compile, or drift from it.
/// </summary>
public static class DocumentationCheck
{
    public const string HowToFix =
        "Put the code in a compiled C# file between '// begin-snippet: NAME' and '// end-snippet' " +
        "(tests/PersistentTaskStatus.Docs.Tests/Snippets/ is the place, see that project's README.md), " +
        "and put '<!-- snippet: NAME -->' on the line before the block.";

    /// <summary>What is wrong with the C# blocks of one Markdown file: one line each, naming the file and line.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<CodeBlock> blocks, IReadOnlyDictionary<string, Snippet> snippets)
    {
        foreach (var block in blocks.Where(b => b.IsCSharp))
        {
            if (block.SnippetName is null)
            {
                yield return $"{block.Location}: this C# block is not compiled by any project. {HowToFix}";
            }
            else if (!snippets.TryGetValue(block.SnippetName, out var snippet))
            {
                yield return $"{block.Location}: snippet '{block.SnippetName}' is defined in no compiled C# file. {HowToFix}";
            }
            else if (Difference(snippet.Code, block.Code) is { } difference)
            {
                yield return $"{block.Location}: the block differs from snippet '{snippet.Name}' ({snippet.Location}): {difference} " +
                    "Make them equal (UPDATE_README_SNIPPETS=1 copies the snippets into the blocks).";
            }
        }
    }

    /// <summary>The first line where the block differs from the snippet (trailing spaces aside), or null when they are equal.</summary>
    public static string? Difference(string snippet, string block)
    {
        var expected = Lines(snippet);
        var actual = Lines(block);
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var want = i < expected.Count ? expected[i] : null;
            var have = i < actual.Count ? actual[i] : null;
            if (want != have)
            {
                return $"line {i + 1} of the block is {Show(have)}, the snippet has {Show(want)}.";
            }
        }

        return null;
    }

    /// <summary>The file's lines with every marked C# block replaced by its snippet (for UPDATE_README_SNIPPETS).</summary>
    public static List<string> WithSnippets(IReadOnlyList<string> lines, IReadOnlyList<CodeBlock> blocks, IReadOnlyDictionary<string, Snippet> snippets)
    {
        var result = new List<string>(lines);
        foreach (var block in blocks.Where(b => b.IsCSharp && b.SnippetName is not null).OrderByDescending(b => b.FenceLine))
        {
            if (snippets.TryGetValue(block.SnippetName!, out var snippet) && Difference(snippet.Code, block.Code) is not null)
            {
                result.RemoveRange(block.FenceLine + 1, block.ContentEnd - block.FenceLine - 1);
                result.InsertRange(block.FenceLine + 1, snippet.Code.Split('\n').Select(l => l.Length == 0 ? "" : block.Indent + l));
            }
        }

        return result;
    }

    private static List<string> Lines(string code)
    {
        var lines = code.Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static string Show(string? line) => line is null ? "missing" : $"'{line}'";
}
