using System.Text.RegularExpressions;

namespace PersistentTaskStatus.Docs.Tests.Checking;

/// <summary>One fenced code block of a Markdown file.</summary>
/// <param name="File">The file, relative to the repository.</param>
/// <param name="FenceLine">The opening fence's line (0-based index into the file's lines).</param>
/// <param name="Language">The first word of the info string, lower case ("" when there is none).</param>
/// <param name="Code">The content, without the fences' indentation, lines joined by "\n".</param>
/// <param name="SnippetName">The name in a <c>&lt;!-- snippet: name --&gt;</c> line just before the fence, if any.</param>
/// <param name="ContentEnd">The index of the line after the content (the closing fence, or the end of the file).</param>
/// <param name="Indent">The opening fence's indentation, which the content lines carry too.</param>
public sealed record CodeBlock(string File, int FenceLine, string Language, string Code, string? SnippetName, int ContentEnd, string Indent)
{
    /// <summary>The C# blocks: their info string starts with one of these.</summary>
    public static readonly IReadOnlySet<string> CSharpLanguages = new HashSet<string>(StringComparer.Ordinal) { "csharp", "cs", "c#" };

    public bool IsCSharp => CSharpLanguages.Contains(Language);

    /// <summary>Where a reader finds it: file and 1-based line of the opening fence.</summary>
    public string Location => $"{File}:{FenceLine + 1}";
}

/// <summary>
/// Finds the fenced code blocks of a Markdown file as CommonMark does (a run of three or more backticks or tildes opens
/// a block, a run of the same character at least as long closes it), leniently about indentation so that blocks in
/// list items are found too.
/// </summary>
public static partial class MarkdownCodeBlocks
{
    [GeneratedRegex(@"^(?<indent>[ \t]*)(?<fence>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<name>\S+)\s*-->\s*$")]
    private static partial Regex Marker();

    public static IReadOnlyList<CodeBlock> Parse(string file, IReadOnlyList<string> lines)
    {
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Count; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success || (open.Groups["fence"].Value[0] == '`' && open.Groups["info"].Value.Contains('`', StringComparison.Ordinal)))
            {
                continue;
            }

            var fence = open.Groups["fence"].Value;
            var indent = open.Groups["indent"].Value;
            var language = open.Groups["info"].Value.Trim().Split(' ', 2)[0].ToLowerInvariant();
            var end = i + 1;
            while (end < lines.Count && !Closes(lines[end], fence))
            {
                end++;
            }

            var content = lines.Skip(i + 1).Take(end - i - 1).Select(line => Unindent(line, indent.Length));
            blocks.Add(new CodeBlock(file, i, language, string.Join("\n", content), SnippetNameBefore(lines, i), end, indent));
            i = end;
        }

        return blocks;
    }

    /// <summary>The snippet named by the nearest non-blank line above the fence, when it is a snippet marker.</summary>
    private static string? SnippetNameBefore(IReadOnlyList<string> lines, int fenceLine)
    {
        for (var i = fenceLine - 1; i >= 0; i--)
        {
            if (lines[i].Trim().Length > 0)
            {
                var marker = Marker().Match(lines[i]);
                return marker.Success ? marker.Groups["name"].Value : null;
            }
        }

        return null;
    }

    private static bool Closes(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    private static string Unindent(string line, int indent)
    {
        var remove = 0;
        while (remove < indent && remove < line.Length && line[remove] is ' ' or '\t')
        {
            remove++;
        }

        return line[remove..];
    }
}
