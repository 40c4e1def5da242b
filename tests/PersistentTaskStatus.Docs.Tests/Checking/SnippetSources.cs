using System.Text.RegularExpressions;

namespace PersistentTaskStatus.Docs.Tests.Checking;

/// <summary>A region of compiled C# that a Markdown block must show exactly.</summary>
/// <param name="Name">Its name, unique in the repository.</param>
/// <param name="File">The source file, relative to the repository.</param>
/// <param name="Line">The 1-based line of its first <c>begin-snippet</c> marker.</param>
/// <param name="Code">Its parts, each without its common indentation, joined by one blank line; lines joined by "\n".</param>
public sealed record Snippet(string Name, string File, int Line, string Code)
{
    public string Location => $"{File}:{Line}";
}

/// <summary>
/// Reads snippet regions from C# sources: the lines between <c>// begin-snippet: name</c> and <c>// end-snippet</c>.
/// A snippet may come in several parts (the same name begun and ended again later in the same file), for example the
/// <c>using</c> directives at the top of a file and the statements inside a method: the parts are joined with one
/// blank line.
/// </summary>
public static partial class SnippetSources
{
    [GeneratedRegex(@"^\s*//\s*begin-snippet:\s*(?<name>\S+)\s*$")]
    private static partial Regex Begin();

    [GeneratedRegex(@"^\s*//\s*end-snippet\s*$")]
    private static partial Regex End();

    /// <summary>The snippets of the given files, and what is wrong with their markers.</summary>
    public static (IReadOnlyDictionary<string, Snippet> Snippets, IReadOnlyList<string> Problems) Read(IEnumerable<(string File, IReadOnlyList<string> Lines)> sources)
    {
        var snippets = new Dictionary<string, Snippet>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (file, lines) in sources)
        {
            var parts = new Dictionary<string, (int Line, List<string> Parts)>(StringComparer.Ordinal);
            string? open = null;
            var openLine = 0;
            for (var i = 0; i < lines.Count; i++)
            {
                var begin = Begin().Match(lines[i]);
                if (begin.Success)
                {
                    if (open is not null)
                    {
                        problems.Add($"{file}:{i + 1}: snippet '{begin.Groups["name"].Value}' begins inside snippet '{open}' (begun on line {openLine + 1}); end that one first.");
                    }

                    open = begin.Groups["name"].Value;
                    openLine = i;
                }
                else if (End().IsMatch(lines[i]))
                {
                    if (open is null)
                    {
                        problems.Add($"{file}:{i + 1}: end-snippet without a begin-snippet.");
                        continue;
                    }

                    if (!parts.TryGetValue(open, out var snippet))
                    {
                        parts[open] = snippet = (openLine + 1, []);
                    }

                    snippet.Parts.Add(Unindent(lines.Skip(openLine + 1).Take(i - openLine - 1).ToList()));
                    open = null;
                }
            }

            if (open is not null)
            {
                problems.Add($"{file}:{openLine + 1}: snippet '{open}' has no end-snippet.");
            }

            foreach (var (name, (line, texts)) in parts)
            {
                if (snippets.TryGetValue(name, out var other))
                {
                    problems.Add($"{file}:{line}: snippet '{name}' is also defined at {other.Location}; snippet names are unique in the repository.");
                    continue;
                }

                snippets[name] = new Snippet(name, file, line, string.Join("\n\n", texts));
            }
        }

        return (snippets, problems);
    }

    /// <summary>The lines without the indentation they all share (blank lines aside), joined by "\n".</summary>
    private static string Unindent(IReadOnlyList<string> lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Trim().Length == 0 ? "" : l[indent..].TrimEnd()));
    }
}
