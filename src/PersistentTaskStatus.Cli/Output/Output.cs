using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PersistentTaskStatus.Cli;

/// <summary>
/// Where a command writes: JSON (indented for one document, one line per document for a stream), or text through a
/// Spectre console (colours and live bars on a terminal; plain, 200 columns wide, in a file or a pipe).
/// </summary>
internal sealed class CommandOutput
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions Compact = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly CliEnvironment environment;

    public CommandOutput(CliEnvironment environment, bool json)
    {
        this.environment = environment;
        Json = json;
        var colors = environment.IsOutputTerminal && string.IsNullOrEmpty(environment.GetEnvironmentVariable("NO_COLOR"));
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(environment.Out),
            Ansi = environment.IsOutputTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colors ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = environment.IsOutputTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!environment.IsOutputTerminal)
        {
            // In a file or a pipe, rows stay whole instead of wrapping at 80 columns.
            Console.Profile.Width = 200;
        }
    }

    /// <summary>True with <c>--json</c>.</summary>
    public bool Json { get; }

    /// <summary>The text console (tables, markup, progress).</summary>
    public IAnsiConsole Console { get; }

    /// <summary>True when live progress bars can be drawn.</summary>
    public bool IsLive => environment.IsOutputTerminal && Console.Profile.Capabilities.Interactive && Console.Profile.Capabilities.Ansi;

    public DateTime UtcNow => environment.TimeProvider.GetUtcNow().UtcDateTime;

    /// <summary>Writes one JSON document, indented.</summary>
    public void WriteJson<T>(T value) => environment.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>Writes one JSON document on one line (a stream of documents, as <c>watch --json</c> writes).</summary>
    public void WriteJsonLine<T>(T value) => environment.Out.WriteLine(ToJsonLine(value));

    public static string ToJsonLine<T>(T value) => JsonSerializer.Serialize(value, Compact);

    /// <summary>Writes a line as it is, bypassing the text console (a JSON line made by <see cref="ToJsonLine"/>).</summary>
    public void WriteRawLine(string line) => environment.Out.WriteLine(line);

    /// <summary>Writes a table or another renderable; in a file or a pipe without the padding at the end of its lines.</summary>
    public void Write(IRenderable renderable)
    {
        if (environment.IsOutputTerminal)
        {
            Console.Write(renderable);
            return;
        }

        using var text = new StringWriter();
        var plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        plain.Profile.Width = Console.Profile.Width;
        plain.Write(renderable);
        foreach (var line in text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
        {
            environment.Out.WriteLine(line.TrimEnd());
        }
    }

    /// <summary>Writes a line of plain text (no markup).</summary>
    public void WriteLine(string text = "") => Console.WriteLine(text);

    /// <summary>Writes a line of Spectre markup.</summary>
    public void MarkupLine(string markup) => Console.MarkupLine(markup);

    /// <summary>Writes a note to standard error (prompts, hints), keeping standard output clean for scripts.</summary>
    public void Note(string text) => environment.Error.WriteLine(text);
}
