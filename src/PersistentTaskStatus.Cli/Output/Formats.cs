using System.Globalization;
using Spectre.Console;

namespace PersistentTaskStatus.Cli;

/// <summary>How values read in text and JSON: state words, percentages, times, attempts, leases.</summary>
internal static class Formats
{
    public static string ContainerState(bool isComplete, bool hasFailed, int running, int stalled) =>
        hasFailed ? "failed"
        : isComplete ? "complete"
        : stalled > 0 ? "stalled"
        : running > 0 ? "running"
        : "pending";

    public static string Status(TaskRunStatus status) => status switch
    {
        TaskRunStatus.Pending => "pending",
        TaskRunStatus.Running => "running",
        TaskRunStatus.Completed => "completed",
        TaskRunStatus.Failed => "failed",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>The Spectre style of a container state or task status.</summary>
    public static string Style(string state) => state switch
    {
        "complete" or "completed" => "green",
        "failed" => "red",
        "stalled" => "yellow",
        "running" => "blue",
        _ => "grey",
    };

    public static string Styled(string state) => $"[{Style(state)}]{Markup.Escape(state)}[/]";

    /// <summary>A percentage to a tenth, rounded down, so that 99.96 reads 99.9% and only a finished run reads 100.0%.</summary>
    public static string Percent(double value) => $"{(Math.Floor(value * 10) / 10).ToString("0.0", CultureInfo.InvariantCulture)}%";

    /// <summary>A UTC time to the second: <c>2026-11-28 16:22:05Z</c>.</summary>
    public static string Time(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A UTC time of day: <c>16:22:05Z</c>.</summary>
    public static string Clock(DateTime time) => time.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>How long ago: <c>3m ago</c> (or <c>in 3m</c> for a time to come).</summary>
    public static string Ago(DateTime time, DateTime now) =>
        time <= now ? $"{Durations.Brief(now - time)} ago" : $"in {Durations.Brief(time - now)}";

    /// <summary>Attempts made of those allowed: invoke count / (max retries + 1).</summary>
    public static string Attempts(TaskState task) => $"{task.InvokeCount}/{task.MaxRetries + 1}";

    /// <summary>Who holds the lease and until when; empty when the task is not leased.</summary>
    public static string Lease(TaskState task, DateTime now)
    {
        if (task.LeasedTill is not { } till)
        {
            return "";
        }

        var owner = task.LeaseOwner ?? "?";
        return till > now
            ? $"{owner} till {Clock(till)} ({Ago(till, now)})"
            : $"{owner}, expired {Clock(till)}";
    }

    /// <summary>The last error in one line, shortened to <paramref name="length"/> characters.</summary>
    public static string Error(TaskError? error, int length = 100)
    {
        if (error is null)
        {
            return "";
        }

        // The type without its namespace (JSON has it whole); a failed dependency speaks for itself.
        var text = error.Type == DependencyFailedType ? error.Message : $"{error.Type[(error.Type.LastIndexOf('.') + 1)..]}: {error.Message}";
        return Clip(text.ReplaceLineEndings(" "), length);
    }

    public static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>The error type the library records on a task that failed because a dependency failed for good.</summary>
    public const string DependencyFailedType = TaskError.DependencyFailedType;

    /// <summary>The tasks that failed by themselves, not because a dependency failed: the ones to look at and reset.</summary>
    public static IReadOnlyList<TaskState> RootFailures(TaskContainer container) =>
        [.. container.Tasks.Where(t => t.HasFailed && t.LastError?.Type != DependencyFailedType)];

    /// <summary>A task's state in a few words, and its style: who runs it, why it waits, how it ended.</summary>
    public static (string Text, string Style) Describe(TaskState task, DateTime now)
    {
        var attempt = $"attempt {Attempts(task)}";
        return task.Status switch
        {
            TaskRunStatus.Completed => (task.InvokeCount > 1 ? $"completed after {task.InvokeCount} attempts" : "completed", "green"),
            TaskRunStatus.Failed => ($"FAILED: {Error(task.LastError)}", "red"),
            TaskRunStatus.Running when task.IsStalled => ($"STALLED, {attempt} by {task.LeaseOwner ?? "?"}: {task.StatusText}", "yellow"),
            TaskRunStatus.Running => (string.IsNullOrEmpty(task.StatusText)
                ? $"running, {attempt} by {task.LeaseOwner ?? "?"}"
                : $"running, {attempt} by {task.LeaseOwner ?? "?"}: {task.StatusText}", "blue"),
            _ when task.NextAttemptAt is { } next => ($"retry {(next > now ? Ago(next, now) : "due")} after {Error(task.LastError, 60)}", "yellow"),
            _ when task.InvokeCount > 0 => ($"pending, {task.InvokeCount} attempts so far", "yellow"),
            _ => ("pending", "grey"),
        };
    }
}
