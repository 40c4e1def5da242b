using Microsoft.Extensions.Logging;

namespace PersistentTaskStatus.Dashboard.Diagnostics;

/// <summary>The dashboard's log messages (category <c>PersistentTaskStatus.Dashboard</c>).</summary>
internal static partial class Log
{
    public const string Category = "PersistentTaskStatus.Dashboard";

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Dashboard watch of the task containers started for {Pages} open page(s)")]
    public static partial void WatchStarted(ILogger logger, int pages);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Dashboard watch of the task containers stopped: no page open")]
    public static partial void WatchStopped(ILogger logger);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Dashboard watch of the task containers failed; it starts again in {DelayMs} ms and open pages read afresh")]
    public static partial void WatchFailed(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Dashboard refused a request from {RemoteAddress} to {Path}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string? remoteAddress, string path, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Task '{Task}' of task container '{Container}' reset from the dashboard by {User} ({RemoteAddress})")]
    public static partial void TaskReset(ILogger logger, string task, string container, string user, string? remoteAddress);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Dashboard reset of task '{Task}' of task container '{Container}' by {User} refused: {Reason}")]
    public static partial void ResetRefused(ILogger logger, string task, string container, string user, string reason);
}
