namespace PersistentTaskStatus.Cli;

/// <summary>An error the tool reports as it is, with its exit code: a usage error, a missing container, a declined prompt.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
