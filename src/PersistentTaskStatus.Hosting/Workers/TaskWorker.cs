using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using PersistentTaskStatus.Diagnostics;

namespace PersistentTaskStatus.Workers;

/// <summary>
/// One hosted worker: finds the incomplete containers under its prefix (a scan through the query API every poll
/// interval, and the watch, which is a change stream where the deployment has them), and runs their ready tasks
/// through the lease API with one parallelism limit across all containers. At shutdown it stops leasing, lets the
/// running tasks finish within the host's shutdown timeout, then releases what is still leased.
/// </summary>
internal sealed class TaskWorker(
    string optionsName,
    Func<IServiceProvider, TaskLease, CancellationToken, Task> handle,
    IServiceProvider services) : BackgroundService
{
    private readonly CancellationTokenSource abortRunning = new();
    private readonly ConcurrentDictionary<RunningTask, byte> running = new();
    private readonly ContainerQueue queue = new();
    private readonly ILogger logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("PersistentTaskStatus.Hosting");
    private TaskWorkerOptions options = new();
    private TaskStatusClient? client;

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolved here so that a missing or invalid registration fails the host's start, not a background loop.
        options = services.GetRequiredService<IOptionsMonitor<TaskWorkerOptions>>().Get(optionsName);
        client = services.GetRequiredService<TaskStatusClient>();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        HostingLog.WorkerStopping(logger, options.NamePrefix, running.Count);
        var executing = ExecuteTask;

        // Cancels the stopping token (no new leases) and waits for the running tasks, or for the host's shutdown
        // timeout, which fires cancellationToken.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (executing is not null && !executing.IsCompleted)
        {
            await ReleaseRunningAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        abortRunning.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var client = this.client!;
        var time = client.Options.TimeProvider;
        HostingLog.WorkerStarted(logger, options.NamePrefix, options.Owner, options.MaxDegreeOfParallelism);
        using var slots = new SemaphoreSlim(options.MaxDegreeOfParallelism, options.MaxDegreeOfParallelism);
        var scan = ScanLoopAsync(client, time, stoppingToken);
        var watch = WatchLoopAsync(client, time, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var started = false;
                try
                {
                    var (name, handle) = await queue.TakeAsync(stoppingToken).ConfigureAwait(false);
                    var lease = await TryLeaseAsync(client, name, handle, stoppingToken).ConfigureAwait(false);
                    if (lease is not null)
                    {
                        started = true;
                        Start(lease, slots);

                        // Maybe more is ready there; the other due containers go first.
                        queue.MarkDue(name, null);
                    }
                }
                finally
                {
                    if (!started)
                    {
                        slots.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // No new work from here on. The running tasks finish, or are released at the shutdown timeout.
        await Task.WhenAll(scan, watch).ConfigureAwait(false);
        await Task.WhenAll(running.Keys.Select(r => r.Done)).ConfigureAwait(false);
        HostingLog.WorkerStopped(logger, options.NamePrefix);
    }

    private async Task<TaskLease?> TryLeaseAsync(TaskStatusClient client, string name, TaskContainer? handle, CancellationToken stoppingToken)
    {
        try
        {
            if (handle is null)
            {
                handle = await client.GetTaskContainerAsync(name, stoppingToken).ConfigureAwait(false);
                if (handle is null)
                {
                    queue.Forget(name);
                    return null;
                }

                queue.SetHandle(name, handle);
            }

            var lease = await handle.TryLeaseNextTaskAsync(options.Owner, options.LeaseDuration, stoppingToken).ConfigureAwait(false);
            if (lease is null && handle.IsComplete)
            {
                queue.Forget(name);
            }

            return lease;
        }
        catch (TaskContainerNotFoundException)
        {
            queue.Forget(name);
            return null;
        }
        catch (Exception ex) when (IsPassing(ex) && !stoppingToken.IsCancellationRequested)
        {
            // The next scan marks the container due again.
            HostingLog.WorkerOperationFailed(logger, options.NamePrefix, ex.Message, ex);
            return null;
        }
    }

    private void Start(TaskLease lease, SemaphoreSlim slots)
    {
        var task = new RunningTask(lease);
        running.TryAdd(task, 0);
        task.Done = Task.Run(async () =>
        {
            try
            {
                await RunAsync(task).ConfigureAwait(false);
            }
            finally
            {
                running.TryRemove(task, out _);
                slots.Release();

                // A finished task may make its dependents ready.
                queue.MarkDue(lease.ContainerName, null);
            }
        });
    }

    private async Task RunAsync(RunningTask task)
    {
        var lease = task.Lease;
        await using (lease.ConfigureAwait(false))
        {
            HostingLog.TaskStarting(logger, lease.TaskName, lease.ContainerName, lease.Owner, lease.Attempt);
            Exception? failure = null;
            using (var token = CancellationTokenSource.CreateLinkedTokenSource(abortRunning.Token, lease.LeaseLost))
            {
                try
                {
                    await handle(services, lease, token.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            }

            if (task.TryClaimEnd())
            {
                try
                {
                    await EndAsync(lease, failure).ConfigureAwait(false);
                }
                finally
                {
                    task.Ended.TrySetResult();
                }
            }
            else
            {
                // The shutdown timeout ran out and the worker is releasing this lease: dispose it only after that.
                await task.Ended.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Completes the task when the work returned, fails the attempt when it threw, releases it when cut short by shutdown.</summary>
    private async Task EndAsync(TaskLease lease, Exception? failure)
    {
        if (lease.IsLost || lease.IsEnded)
        {
            return;
        }

        try
        {
            if (failure is null)
            {
                await lease.CompleteAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            else if (failure is OperationCanceledException && abortRunning.IsCancellationRequested)
            {
                await ReleaseAsync(lease).ConfigureAwait(false);
            }
            else
            {
                await lease.FailAsync(failure, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (LeaseLostException)
        {
            // Taken over by another worker: its outcome stands, this one's work is discarded.
        }
        catch (InvalidOperationException) when (lease.IsEnded)
        {
        }
        catch (Exception ex) when (IsPassing(ex))
        {
            HostingLog.EndFailed(logger, lease.TaskName, lease.ContainerName, ex.Message, ex);
        }
    }

    private async Task ReleaseAsync(TaskLease lease)
    {
        await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        HostingLog.TaskReleased(logger, lease.TaskName, lease.ContainerName);
    }

    /// <summary>At the host's shutdown timeout: cancels the work still running and gives its tasks back, at once.</summary>
    private async Task ReleaseRunningAsync()
    {
        var left = running.Keys.ToList();
        HostingLog.ShutdownTimeoutReached(logger, options.NamePrefix, left.Count);
        await abortRunning.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(left.Select(async task =>
        {
            if (!task.TryClaimEnd())
            {
                // The work returned in the meantime and ends its lease itself.
                await task.Ended.Task.ConfigureAwait(false);
                return;
            }

            try
            {
                if (!task.Lease.IsLost && !task.Lease.IsEnded)
                {
                    await ReleaseAsync(task.Lease).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is LeaseLostException || (ex is InvalidOperationException && task.Lease.IsEnded))
            {
            }
            catch (Exception ex) when (IsPassing(ex))
            {
                HostingLog.EndFailed(logger, task.Lease.TaskName, task.Lease.ContainerName, ex.Message, ex);
            }
            finally
            {
                task.Ended.TrySetResult();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Lists the incomplete containers under the prefix every poll interval: new ones, retry times, expired leases.</summary>
    private async Task ScanLoopAsync(TaskStatusClient client, TimeProvider time, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                string? continuation = null;
                do
                {
                    var page = await client.QueryTaskContainersAsync(
                        new TaskContainerQuery
                        {
                            State = TaskContainerStates.Incomplete,
                            NamePrefix = options.NamePrefix,
                            PageSize = TaskContainerQuery.MaxPageSize,
                            ContinuationToken = continuation,
                        },
                        stoppingToken).ConfigureAwait(false);
                    foreach (var container in page.Containers)
                    {
                        queue.MarkDue(container.Name, null);
                    }

                    continuation = page.ContinuationToken;
                }
                while (continuation is not null);

                await Task.Delay(options.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsPassing(ex))
            {
                HostingLog.WorkerOperationFailed(logger, options.NamePrefix, ex.Message, ex);
                await DelayQuietlyAsync(time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reacts at once to changes under the prefix: a new container or task, a task released or finished.</summary>
    private async Task WatchLoopAsync(TaskStatusClient client, TimeProvider time, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var container in client.WatchAsync(options.NamePrefix, stoppingToken).ConfigureAwait(false))
                {
                    if (container.IsComplete)
                    {
                        queue.Forget(container.Name);
                    }
                    else if (HasReadyTask(container, time.GetUtcNow().UtcDateTime))
                    {
                        queue.MarkDue(container.Name, container);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsPassing(ex))
            {
                HostingLog.WorkerOperationFailed(logger, options.NamePrefix, ex.Message, ex);
                await DelayQuietlyAsync(time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether a committed state shows a task that looks ready, so that a progress report (the most frequent change)
    /// does not cost a lease attempt. Only a hint: the lease itself is judged by the database clock, and the scan
    /// catches what this misses.
    /// </summary>
    internal static bool HasReadyTask(TaskContainer container, DateTime now)
    {
        var completed = container.Tasks.Where(t => t.Status == TaskRunStatus.Completed).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return container.Tasks.Any(t =>
            !t.IsComplete &&
            (t.LeasedTill is null || t.LeasedTill <= now) &&
            (t.NextAttemptAt is null || t.NextAttemptAt <= now) &&
            t.DependsOn.All(completed.Contains));
    }

    private async Task DelayQuietlyAsync(TimeProvider time, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.PollInterval, time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>MongoDB unreachable, slow or refusing for now: worth another try later, never a reason to stop the host.</summary>
    private static bool IsPassing(Exception ex) => ex is MongoException or TimeoutException or TaskStatusException;

    private sealed class RunningTask(TaskLease lease)
    {
        private int endClaimed;

        public TaskLease Lease { get; } = lease;

        public Task Done { get; set; } = Task.CompletedTask;

        /// <summary>Completes when the lease was ended (or ending it failed): the lease may then be disposed.</summary>
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True for the one caller (the work's end or the shutdown) that ends the lease.</summary>
        public bool TryClaimEnd() => Interlocked.Exchange(ref endClaimed, 1) == 0;
    }
}
