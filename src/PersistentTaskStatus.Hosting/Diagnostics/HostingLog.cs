using Microsoft.Extensions.Logging;

namespace PersistentTaskStatus.Diagnostics;

/// <summary>The log messages of the hosted workers and the health check.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Task worker for prefix '{Prefix}' started as '{Owner}' with {Slots} slot(s)")]
    public static partial void WorkerStarted(ILogger logger, string prefix, string owner, int slots);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Task worker for prefix '{Prefix}' stops taking work; {Running} task(s) still running may finish within the host's shutdown timeout")]
    public static partial void WorkerStopping(ILogger logger, string prefix, int running);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Task worker for prefix '{Prefix}': the host's shutdown timeout ran out with {Running} task(s) running; their leases are released for another instance")]
    public static partial void ShutdownTimeoutReached(ILogger logger, string prefix, int running);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Released task '{Task}' of task container '{Container}' at shutdown, for another instance to take")]
    public static partial void TaskReleased(ILogger logger, string task, string container);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Task worker for prefix '{Prefix}' could not list or lease tasks ({Error}); it tries again")]
    public static partial void WorkerOperationFailed(ILogger logger, string prefix, string error, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Could not end the lease on task '{Task}' of task container '{Container}' ({Error}); the task is taken up again when the lease expires")]
    public static partial void EndFailed(ILogger logger, string task, string container, string error, Exception exception);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Task '{Task}' of task container '{Container}' starts on '{Owner}' (attempt {Attempt})")]
    public static partial void TaskStarting(ILogger logger, string task, string container, string owner, int attempt);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "Task worker for prefix '{Prefix}' stopped")]
    public static partial void WorkerStopped(ILogger logger, string prefix);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "PersistentTaskStatus health check: MongoDB did not answer ({Error})")]
    public static partial void HealthCheckFailed(ILogger logger, string error, Exception exception);
}
