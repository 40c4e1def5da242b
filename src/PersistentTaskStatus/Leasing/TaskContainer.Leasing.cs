using MongoDB.Bson;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus;

/// <summary>The worker side of a container: leasing, the operator's reset, and the run loop.</summary>
public sealed partial class TaskContainer
{
    /// <summary>The longest lease <see cref="TryLeaseNextTaskAsync"/> accepts.</summary>
    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromDays(1);

    /// <summary>
    /// Leases the next ready task in one atomic write: the first, in insertion order, that is not complete, not
    /// leased (or whose lease expired), whose retry time has come and whose dependencies all completed successfully,
    /// judged by the database clock. It is marked running, stamped with the owner, the lease's expiry and a new
    /// fencing token, its attempt count goes up by one and its last start time is set. The same write fails the
    /// tasks whose lease expired with no attempt left (error "lease expired") and the tasks whose dependencies failed.
    /// </summary>
    /// <param name="owner">Who takes the lease (a worker or process name, 1 to 256 characters).</param>
    /// <param name="leaseDuration">How long the lease holds unless renewed: more than zero, at most <see cref="MaxLeaseDuration"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lease, or null when no task is ready now.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="owner"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is empty, whitespace, too long or holds a NUL.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leaseDuration"/> is zero, negative or longer than <see cref="MaxLeaseDuration"/>.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    public async Task<TaskLease?> TryLeaseNextTaskAsync(string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        Validation.Owner(Name, owner);
        if (leaseDuration <= TimeSpan.Zero || leaseDuration > MaxLeaseDuration)
        {
            throw new ArgumentOutOfRangeException(
                nameof(leaseDuration),
                leaseDuration,
                $"A lease on a task of task container '{Name}' must last more than zero and at most {MaxLeaseDuration.TotalHours:0} hours.");
        }

        var leaseId = ObjectId.GenerateNewId();
        var reply = await client.Store.WriteAsync("TryLease", ContainerCommands.TryLease(Name, owner, leaseDuration, leaseId), Name, null, cancellationToken).ConfigureAwait(false)
            ?? throw new TaskContainerNotFoundException(Name);
        var leased = ReadTasks(reply);
        if (leased.Count == 0)
        {
            ApplySummary(reply);
            return null;
        }

        var task = Apply(reply, leased[0].Name);
        Diagnostics.Telemetry.LeasesAcquired.Add(1);
        Diagnostics.Log.LeaseAcquired(client.Store.Logger, task.Name, Name, owner, task.InvokeCount, task.FencingToken);
        return new TaskLease(this, client, task, owner, leaseDuration);
    }

    /// <summary>
    /// The operator's reset: puts a failed task back to pending with its attempts reset, together with the tasks that
    /// failed because it failed (transitively), in one atomic write. A task that failed only because a task it depends
    /// on failed cannot be reset by itself (it could never run): the call is refused, nothing is written, and the
    /// exception names the tasks to reset instead (<see cref="TaskStateException.FailedDependencies"/>). A dependent
    /// that another failed task still blocks stays failed.
    /// </summary>
    /// <param name="name">The failed task.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is invalid.</exception>
    /// <exception cref="TaskStateException">
    /// The task has not failed, or a task it depends on failed for good (<see cref="TaskStateException.FailedDependencies"/>
    /// names the tasks to reset instead); nothing was written.
    /// </exception>
    /// <exception cref="TaskNotFoundException">The container has no such task.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    public async Task<TaskState> ResetTaskAsync(string name, CancellationToken cancellationToken = default)
    {
        Validation.TaskName(Name, name);
        var reply = await client.Store.WriteAsync("Reset", ContainerCommands.Reset(Name, name), Name, name, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            var (current, failedDependencies) = await FindTaskAndFailedDependenciesAsync(name, cancellationToken).ConfigureAwait(false);
            if (current.Status != TaskRunStatus.Failed)
            {
                throw new TaskStateException(Name, name, $"it is {Fields.StatusValues.Of(current.Status)}, not failed; only a failed task can be reset.");
            }

            throw failedDependencies.Count > 0
                ? new TaskStateException(
                    Name,
                    name,
                    $"it failed because {(failedDependencies.Count == 1 ? "a task it depends on" : "tasks it depends on")} failed; reset {Quoted(failedDependencies)} instead (that also resets the tasks that failed because of {(failedDependencies.Count == 1 ? "it" : "them")}).")
                {
                    FailedDependencies = failedDependencies,
                }
                : ChangedMeanwhile(name, "reset");
        }

        lock (sync)
        {
            summary = DocumentReader.ReadSummary(reply);
            tasks = [.. ReadTasks(reply)];
        }

        return Tasks.First(t => t.Name == name);
    }

    /// <summary>
    /// Works the container until it is complete: leases ready tasks, up to <see cref="TaskRunOptions.MaxDegreeOfParallelism"/>
    /// at a time, runs <paramref name="work"/> for each with its lease (progress, checkpoints, and a token that fires
    /// when the lease is lost or the run is cancelled), then completes the task when the delegate returns or fails the
    /// attempt when it throws. Several processes may run it on the same container at once.
    /// </summary>
    /// <param name="owner">This worker's name, stamped on its leases.</param>
    /// <param name="work">The work of one task. It may complete, fail or release the lease itself.</param>
    /// <param name="options">Parallelism, lease duration and polling interval; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run: running tasks see it on their token and their leases are released.</param>
    /// <returns>What this worker did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="owner"/> or <paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container was deleted while it ran.</exception>
    public Task<TaskRunResult> RunAsync(
        string owner,
        Func<TaskLease, CancellationToken, Task> work,
        TaskRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Validation.Owner(Name, owner);
        ArgumentNullException.ThrowIfNull(work);
        options ??= new TaskRunOptions();
        options.Validate(Name);
        return new TaskRunner(this, client, owner, work, options).RunAsync(cancellationToken);
    }

    private void ApplySummary(BsonDocument reply)
    {
        lock (sync)
        {
            summary = DocumentReader.ReadSummary(reply);
        }
    }
}
