using Microsoft.Extensions.Logging;

namespace PersistentTaskStatus.Diagnostics;

/// <summary>The library's log messages. None carries a connection string.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Operation} on task container '{Container}' (task '{Task}') took {ElapsedMs:0.0} ms")]
    public static partial void OperationCompleted(ILogger logger, string operation, string container, string? task, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Operation} on task container '{Container}' (task '{Task}') failed: {Error}")]
    public static partial void OperationFailed(ILogger logger, string operation, string container, string? task, string error, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Leased task '{Task}' of task container '{Container}' to '{Owner}' (attempt {Attempt}, fencing token {Token})")]
    public static partial void LeaseAcquired(ILogger logger, string task, string container, string owner, int attempt, long token);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Lost the lease on task '{Task}' of task container '{Container}' (fencing token {Token}): {Reason}")]
    public static partial void LeaseLost(ILogger logger, string task, string container, long token, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Attempt {Attempt} of task '{Task}' of task container '{Container}' failed ({ErrorType}: {ErrorMessage}); {Outcome}")]
    public static partial void AttemptFailed(ILogger logger, int attempt, string task, string container, string errorType, string errorMessage, string outcome);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Watch of task containers resumes after a transient error: {Error}")]
    public static partial void WatchResuming(ILogger logger, string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "The deployment has no change streams; watching by polling every {IntervalMs} ms")]
    public static partial void WatchPolling(ILogger logger, double intervalMs);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Preparing the task containers' collection (version check, indexes) failed with a transient error (attempt {Attempt}); trying again in {DelayMs:0} ms: {Error}")]
    public static partial void IndexCreationRetrying(ILogger logger, int attempt, double delayMs, string error, Exception exception);
    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Watch of task containers met a change event over MongoDB's size limit ({Error}); it starts again from now and re-reads the containers changed since {Since:O}")]
    public static partial void WatchSkippedLargeEvent(ILogger logger, string error, DateTime since);
}
