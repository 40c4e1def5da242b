using MongoDB.Bson;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus;

/// <summary>
/// A worker's hold on one task, from <see cref="TaskContainer.TryLeaseNextTaskAsync"/>. Every operation is one atomic
/// write that carries the lease's fencing token: once another worker has taken the task over (after this lease
/// expired), every operation throws <see cref="LeaseLostException"/> and changes nothing, and <see cref="LeaseLost"/>
/// fires. While held, the lease renews itself every third of its duration (unless
/// <see cref="TaskStatusOptions.RenewLeases"/> is off). Dispose it when done: that stops the renewal; a lease that
/// was neither completed, failed nor released then simply expires, as a crashed worker's would.
/// </summary>
public sealed class TaskLease : IAsyncDisposable
{
    private readonly TaskContainer container;
    private readonly TaskStatusClient client;
    private readonly LeaseKey key;
    private readonly CancellationTokenSource lost = new();
    private readonly CancellationTokenSource stopRenewal = new();
    private readonly object sync = new();
    private readonly ProgressReporters reporters = new();
    private readonly Task renewal;
    private TaskState task;
    private string? endedAs;

    internal TaskLease(TaskContainer container, TaskStatusClient client, TaskState task, string owner, TimeSpan duration)
    {
        this.container = container;
        this.client = client;
        this.task = task;
        Owner = owner;
        key = new LeaseKey(container.Name, container.Id, task.Name, task.FencingToken, duration);
        renewal = client.Options.RenewLeases ? RenewInBackgroundAsync() : Task.CompletedTask;
    }

    /// <summary>The container's name.</summary>
    public string ContainerName => key.ContainerName;

    /// <summary>The leased task's name.</summary>
    public string TaskName => key.TaskName;

    /// <summary>Who holds the lease.</summary>
    public string Owner { get; }

    /// <summary>The lease's fencing token: greater than every earlier lease's on the same container.</summary>
    public long FencingToken => key.FencingToken;

    /// <summary>How long the lease lasts from each renewal, by the database clock.</summary>
    public TimeSpan Duration => key.Duration;

    /// <summary>The task as the last operation of this lease committed it (its checkpoint data, attempts, expiry).</summary>
    public TaskState State
    {
        get
        {
            lock (sync)
            {
                return task;
            }
        }
    }

    /// <summary>Which attempt this is: 1 for the first lease of the task, counting expired leases.</summary>
    public int Attempt => State.InvokeCount;

    /// <summary>Fires when an operation (or the background renewal) finds the lease lost, so that work can stop.</summary>
    public CancellationToken LeaseLost => lost.Token;

    /// <summary>True once the lease was found lost.</summary>
    public bool IsLost => lost.IsCancellationRequested;

    /// <summary>True once the lease was completed, failed or released.</summary>
    public bool IsEnded
    {
        get
        {
            lock (sync)
            {
                return endedAs is not null;
            }
        }
    }

    /// <summary>
    /// Reports progress; in the same write renews the lease and, when <paramref name="checkpoint"/> is given, saves it
    /// as the task's processing data, so that a successor resumes from there.
    /// </summary>
    /// <param name="percentage">The progress, from 0 to 100.</param>
    /// <param name="statusText">A status text; null keeps the current one.</param>
    /// <param name="checkpoint">Checkpoint data (a <see cref="BsonDocument"/> or a BSON-serializable object); null keeps the current one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentage"/> is NaN or outside 0–100.</exception>
    /// <exception cref="ArgumentException"><paramref name="checkpoint"/> cannot be written as a BSON document.</exception>
    /// <exception cref="LeaseLostException">Another worker took the task over; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The lease was already completed, failed or released.</exception>
    /// <exception cref="TaskContainerTooLargeException">The container would pass MongoDB's 16 MB document limit.</exception>
    public Task<TaskState> ReportProgressAsync(double percentage, string? statusText = null, object? checkpoint = null, CancellationToken cancellationToken = default)
    {
        Validation.Percentage(ContainerName, TaskName, percentage);
        var data = ContainerStore.SerializeData(checkpoint, ContainerName, TaskName, "checkpoint");
        return WriteAsync(ContainerCommands.LeaseProgress(key, percentage, statusText, data), ends: null, cancellationToken);
    }

    /// <summary>
    /// An <see cref="IProgress{T}"/> that persists progress through <see cref="ReportProgressAsync"/> (renewing the
    /// lease with each write): every report by default, or coalesced (<paramref name="options"/>). Completing, failing
    /// or releasing the lease first writes what it holds, and so do disposing and flushing it.
    /// </summary>
    /// <param name="options">Coalescing; none by default.</param>
    /// <returns>The reporter.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public TaskProgressReporter CreateProgressReporter(ProgressReporterOptions? options = null) =>
        reporters.Create(ContainerName, TaskName, report => ReportProgressAsync(report.Percentage, report.StatusText), options, client.TimeProvider);

    /// <summary>Saves checkpoint data (the task's processing data) and renews the lease, in one write.</summary>
    /// <param name="checkpoint">A <see cref="BsonDocument"/> or a BSON-serializable object.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="checkpoint"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="checkpoint"/> cannot be written as a BSON document.</exception>
    /// <exception cref="LeaseLostException">Another worker took the task over; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The lease was already completed, failed or released.</exception>
    /// <exception cref="TaskContainerTooLargeException">The container would pass MongoDB's 16 MB document limit.</exception>
    public Task<TaskState> SaveCheckpointAsync(object checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var data = ContainerStore.SerializeData(checkpoint, ContainerName, TaskName, "checkpoint");
        return WriteAsync(ContainerCommands.LeaseProgress(key, null, null, data), ends: null, cancellationToken);
    }

    /// <summary>Extends the lease to <see cref="Duration"/> from the database's now.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed, with its new expiry in <see cref="TaskState.LeasedTill"/>.</returns>
    /// <exception cref="LeaseLostException">Another worker took the task over; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The lease was already completed, failed or released.</exception>
    public Task<TaskState> RenewAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(ContainerCommands.LeaseRenew(key), ends: null, cancellationToken);

    /// <summary>Completes the task: 100%, its end time and duration recorded; the lease ends.</summary>
    /// <param name="result">Result data to store as the task's processing data; null keeps the current one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentException"><paramref name="result"/> cannot be written as a BSON document.</exception>
    /// <exception cref="LeaseLostException">Another worker took the task over; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The lease was already completed, failed or released.</exception>
    public Task<TaskState> CompleteAsync(object? result = null, CancellationToken cancellationToken = default)
    {
        var data = ContainerStore.SerializeData(result, ContainerName, TaskName, "result");
        return WriteAsync(ContainerCommands.LeaseComplete(key, data), ends: "completed", cancellationToken);
    }

    /// <summary>
    /// Records a failed attempt (the error's type and message). With attempts left, the task is retried after
    /// <see cref="TaskState.RetryDelay"/> × 2^(attempt−1), at most <see cref="TaskStatusOptions.MaxRetryDelay"/>, by the
    /// database clock; with none left it fails for good, and so do the tasks that depend on it. The lease ends.
    /// </summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <exception cref="LeaseLostException">Another worker took the task over; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The lease was already completed, failed or released.</exception>
    public async Task<TaskState> FailAsync(Exception error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        var state = await WriteAsync(ContainerCommands.LeaseFail(key, error, RetryDelayAfter(State)), ends: "failed", cancellationToken).ConfigureAwait(false);
        var outcome = state.HasFailed ? "the task failed for good" : $"retry at {state.NextAttemptAt:O}";
        (state.HasFailed ? Diagnostics.Telemetry.TasksFailed : Diagnostics.Telemetry.Retries).Add(1);
        Diagnostics.Log.AttemptFailed(client.Store.Logger, state.InvokeCount, TaskName, ContainerName, error.GetType().FullName ?? error.GetType().Name, error.Message, outcome);
        return state;
    }

    /// <summary>Gives the task back, pending, without consuming an attempt. The lease ends.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="LeaseLostException">Another worker took the task over; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The lease was already completed, failed or released.</exception>
    public Task<TaskState> ReleaseAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(ContainerCommands.LeaseRelease(key), ends: "released", cancellationToken);

    /// <summary>Stops the background renewal. The lease itself is not released.</summary>
    /// <returns>A task that completes when the renewal has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!stopRenewal.IsCancellationRequested)
        {
            await stopRenewal.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await renewal.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        stopRenewal.Dispose();
        lost.Dispose();
    }

    /// <summary>The back-off before the next attempt: delay × 2^(attempt−1), capped.</summary>
    internal TimeSpan RetryDelayAfter(TaskState state)
    {
        var exponent = Math.Max(0, state.InvokeCount - 1);
        var milliseconds = state.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(exponent, 62));
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, client.Options.MaxRetryDelay.TotalMilliseconds));
    }

    private async Task<TaskState> WriteAsync(ContainerWrite write, string? ends, CancellationToken cancellationToken)
    {
        if (ends is not null)
        {
            // The last progress value is never lost: it is written before the lease ends.
            await reporters.FlushAsync(TaskName).ConfigureAwait(false);
        }

        lock (sync)
        {
            if (endedAs is not null)
            {
                throw new InvalidOperationException($"The lease on task '{TaskName}' of task container '{ContainerName}' (fencing token {FencingToken}) was already {endedAs}.");
            }
        }

        if (IsLost)
        {
            throw new LeaseLostException(ContainerName, TaskName, FencingToken, "it was found lost before");
        }

        var reply = await client.Store.WriteAsync(write.Operation, write, ContainerName, TaskName, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            var error = await ExplainLossAsync(cancellationToken).ConfigureAwait(false);
            MarkLost();
            Diagnostics.Telemetry.LeasesLost.Add(1);
            Diagnostics.Log.LeaseLost(client.Store.Logger, TaskName, ContainerName, FencingToken, error.Message);
            throw error;
        }

        var state = container.Apply(reply, TaskName);
        lock (sync)
        {
            task = state;
            endedAs ??= ends;
        }

        if (ends is not null)
        {
            await stopRenewal.CancelAsync().ConfigureAwait(false);
        }

        return state;
    }

    private async Task<TaskStatusException> ExplainLossAsync(CancellationToken cancellationToken)
    {
        var document = await client.Store.FindAsync(ContainerName, ContainerCommands.OneTaskProjection(TaskName), cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return new TaskContainerNotFoundException(ContainerName, TaskName);
        }

        if (!document[Fields.Id].Equals(key.ContainerId))
        {
            return new LeaseLostException(ContainerName, TaskName, FencingToken, "the container was deleted and created again");
        }

        var current = DocumentReader.ReadTasks(document).FirstOrDefault();
        var reason = current switch
        {
            null => "the task was deleted",
            { FencingToken: var token } when token != FencingToken =>
                $"the task is now held by '{current.LeaseOwner}' with fencing token {token}",
            { IsComplete: true } => $"the task is {Fields.StatusValues.Of(current.Status)} already",
            _ => "the task changed",
        };
        return new LeaseLostException(ContainerName, TaskName, FencingToken, reason);
    }

    private void MarkLost()
    {
        try
        {
            lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task RenewInBackgroundAsync()
    {
        var interval = TimeSpan.FromTicks(Math.Max(key.Duration.Ticks / 3, TimeSpan.FromMilliseconds(10).Ticks));
        var token = stopRenewal.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, client.TimeProvider, token).ConfigureAwait(false);
                await RenewAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (LeaseLostException)
            {
                return;
            }
            catch (InvalidOperationException) when (IsEnded)
            {
                return;
            }
            catch (Exception ex) when (ex is MongoDB.Driver.MongoException or TimeoutException or TaskStatusException)
            {
                // A passing failure (a failover, a dropped connection): the next renewal may succeed, and the lease
                // lasts three intervals.
            }
        }
    }
}
