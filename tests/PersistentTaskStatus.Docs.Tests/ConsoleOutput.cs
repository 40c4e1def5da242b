using System.Text;

namespace PersistentTaskStatus.Docs.Tests;

/// <summary>
/// What the README's examples print: <see cref="Console.Out"/> captured while a test runs. The tests that capture it
/// are in one collection that runs alone, since the console is shared by the whole process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleOutput : TextWriter
{
    public const string Name = "Console output";

    private readonly StringBuilder text = new();
    private readonly TextWriter original = Console.Out;

    private ConsoleOutput()
    {
    }

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>What was printed so far, lines ending in "\n".</summary>
    public string Text
    {
        get
        {
            lock (text)
            {
                return text.ToString().ReplaceLineEndings("\n");
            }
        }
    }

    /// <summary>Captures the console until the result is disposed.</summary>
    public static ConsoleOutput Capture()
    {
        var capture = new ConsoleOutput();
        Console.SetOut(capture);
        return capture;
    }

    public override void Write(char value)
    {
        lock (text)
        {
            text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (text)
        {
            text.Append(value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        Console.SetOut(original);
        base.Dispose(disposing);
    }
}
