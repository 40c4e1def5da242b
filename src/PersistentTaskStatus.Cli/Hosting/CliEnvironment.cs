namespace PersistentTaskStatus.Cli;

/// <summary>
/// What a run of <c>pts</c> talks to: its output and error writers, its input, whether those are terminals, its
/// environment variables and clock. <see cref="FromConsole"/> gives the real ones; tests pass writers of their own.
/// </summary>
public sealed class CliEnvironment
{
    /// <summary>Standard output: tables, JSON, progress.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: error messages and prompts.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Standard input, read for the confirmation of <c>delete</c>.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Whether standard input is a terminal (a person who can answer a prompt).</summary>
    public bool IsInputTerminal { get; init; }

    /// <summary>Whether standard output is a terminal (colours, live progress bars) rather than a file or a pipe.</summary>
    public bool IsOutputTerminal { get; init; }

    /// <summary>Reads an environment variable (<c>MONGODB_URI</c>, <c>NO_COLOR</c>).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = _ => null;

    /// <summary>The clock for relative times (<c>--since 2h</c>, "3m ago", lease expiry).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Whether Ctrl+C and SIGTERM cancel the command (true for the real console only).</summary>
    public bool HandleTermination { get; init; }

    /// <summary>How often a watch polls where MongoDB offers no change streams.</summary>
    internal TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a watch re-reads what it watches, besides the change stream, so that no final change is missed.</summary>
    internal TimeSpan WatchRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The process's console.</summary>
    public static CliEnvironment FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        IsInputTerminal = !Console.IsInputRedirected,
        IsOutputTerminal = !Console.IsOutputRedirected,
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
        HandleTermination = true,
    };
}
