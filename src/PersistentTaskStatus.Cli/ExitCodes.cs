namespace PersistentTaskStatus.Cli;

/// <summary>The exit codes of <c>pts</c>, documented in README.md; scripts rely on them, so they never change meaning.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for <c>watch</c>: the run completed without a failed task).</summary>
    public const int Ok = 0;

    /// <summary><c>watch</c>: the run ended with a task that failed for good.</summary>
    public const int RunFailed = 1;

    /// <summary>The command line is wrong: an unknown command or option, a bad value, no connection string, no database.</summary>
    public const int Usage = 2;

    /// <summary>The container or task does not exist (or was deleted while it was watched).</summary>
    public const int NotFound = 3;

    /// <summary>MongoDB cannot be reached or used: no server within the timeout, an operation timed out, authentication refused.</summary>
    public const int Unavailable = 4;

    /// <summary>The change is not allowed in the task's state, for example resetting a task that has not failed.</summary>
    public const int Conflict = 5;

    /// <summary><c>delete</c>: the confirmation was declined; nothing was deleted.</summary>
    public const int Declined = 6;

    /// <summary>An error the tool did not expect (reported in one line, never with a stack trace).</summary>
    public const int Internal = 70;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
