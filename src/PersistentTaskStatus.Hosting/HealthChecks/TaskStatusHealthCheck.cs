using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using PersistentTaskStatus.Diagnostics;

namespace PersistentTaskStatus.HealthChecks;

/// <summary>
/// Two index-backed queries through the query API, sent together: the containers with a stalled task (index
/// <c>tasks_status_progressChangedAt</c>) and the containers that failed within the window (index
/// <c>hasFailed_updatedAt</c>). No answer within the timeout: the registration's failure status. Stalled or failed:
/// degraded, naming them. Else healthy. The data carries the counts.
/// </summary>
internal sealed class TaskStatusHealthCheck(TaskStatusClient client, TaskStatusHealthCheckOptions options, ILogger logger) : IHealthCheck
{
    /// <summary>How many names the description lists of each kind.</summary>
    private const int NamesInDescription = 5;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var failedSince = client.Options.TimeProvider.GetUtcNow().UtcDateTime - options.FailedWindow;
        IReadOnlyList<TaskContainerSummary> stalled;
        IReadOnlyList<TaskContainerSummary> failed;
        try
        {
            var stalledQuery = client.QueryTaskContainersAsync(
                new TaskContainerQuery { State = TaskContainerStates.Stalled, NamePrefix = options.NamePrefix, PageSize = options.MaxContainers },
                timeout.Token);
            var failedQuery = client.QueryTaskContainersAsync(
                new TaskContainerQuery { State = TaskContainerStates.Failed, NamePrefix = options.NamePrefix, ChangedSince = failedSince, PageSize = options.MaxContainers },
                timeout.Token);
            await Task.WhenAll(stalledQuery, failedQuery).ConfigureAwait(false);
            stalled = stalledQuery.Result.Containers;
            failed = failedQuery.Result.Containers;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or TimeoutException or MongoException)
        {
            HostingLog.HealthCheckFailed(logger, ex.Message, ex);
            var description = timeout.IsCancellationRequested
                ? $"MongoDB did not answer within {options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s."
                : $"MongoDB did not answer: {ex.Message}";
            return new HealthCheckResult(context.Registration.FailureStatus, description, ex);
        }

        var stalledTasks = stalled.Sum(c => c.StalledCount);
        var data = new Dictionary<string, object>
        {
            ["stalledContainers"] = stalled.Count,
            ["stalledTasks"] = stalledTasks,
            ["failedContainers"] = failed.Count,
            ["stalledContainerNames"] = stalled.Select(c => c.Name).ToArray(),
            ["failedContainerNames"] = failed.Select(c => c.Name).ToArray(),
            ["truncated"] = stalled.Count >= options.MaxContainers || failed.Count >= options.MaxContainers,
        };
        if (stalled.Count == 0 && failed.Count == 0)
        {
            return HealthCheckResult.Healthy("No stalled tasks, no failed task containers.", data);
        }

        var parts = new List<string>();
        if (stalled.Count > 0)
        {
            parts.Add($"{stalledTasks} stalled task(s) in {stalled.Count} container(s): {List(stalled.Select(c => $"{c.Name} ({c.StalledCount})"), stalled.Count)}");
        }

        if (failed.Count > 0)
        {
            parts.Add($"{failed.Count} container(s) failed in the last {options.FailedWindow}: {List(failed.Select(c => c.Name), failed.Count)}");
        }

        return HealthCheckResult.Degraded(string.Join("; ", parts) + ".", data: data);
    }

    private static string List(IEnumerable<string> names, int count) =>
        string.Join(", ", names.Take(NamesInDescription)) + (count > NamesInDescription ? $" and {count - NamesInDescription} more" : "");
}
