using MongoDB.Bson;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus;

/// <summary>
/// A handle on one container (one workflow run) and the latest state the database returned to it. Every change is
/// one atomic <c>findAndModify</c>, and the handle then holds the state that write committed. Thread-safe.
/// </summary>
public sealed partial class TaskContainer
{
    private readonly TaskStatusClient client;
    private readonly object sync = new();
    private readonly ProgressReporters reporters = new();
    private ContainerSummary summary;
    private List<TaskState> tasks;

    internal TaskContainer(TaskStatusClient client, BsonDocument document)
    {
        this.client = client;
        summary = DocumentReader.ReadSummary(document);
        tasks = [.. ReadTasks(document)];
    }

    /// <summary>The time before which a running task's last progress makes it stalled, by this client's clock.</summary>
    private DateTime StalledBefore => client.TimeProvider.GetUtcNow().UtcDateTime - client.Options.StallAfter;

    /// <summary>The container's unique name.</summary>
    public string Name => summary.Name;

    /// <summary>The stored document's <c>_id</c>: which incarnation of the name this handle is on.</summary>
    internal BsonValue Id => Snapshot.Id;

    /// <summary>True when every task completed or failed for good; an empty container is complete.</summary>
    public bool IsComplete => Snapshot.IsComplete;

    /// <summary>True when any task failed for good.</summary>
    public bool HasFailed => Snapshot.HasFailed;

    /// <summary>
    /// The weighted mean of the tasks' percentages (0 to 100), where finished tasks count 100; 100 for an empty container.
    /// </summary>
    public double PercentageComplete => Snapshot.PercentageComplete;

    /// <summary>How many tasks the container holds.</summary>
    public int TaskCount => Snapshot.TaskCount;

    /// <summary>How many tasks completed successfully.</summary>
    public int CompletedCount => Snapshot.CompletedCount;

    /// <summary>How many tasks failed for good.</summary>
    public int FailedCount => Snapshot.FailedCount;

    /// <summary>The tasks this handle knows that are stalled (see <see cref="TaskState.IsStalled"/>).</summary>
    public IReadOnlyList<TaskState> StalledTasks => Tasks.Where(t => t.IsStalled).ToArray();

    /// <summary>When the container will be removed by the retention settings (UTC), or null.</summary>
    public DateTime? ExpiresAt => Snapshot.ExpiresAt;

    /// <summary>How many tasks are running.</summary>
    public int RunningCount => Snapshot.RunningCount;

    /// <summary>When the container was created (UTC).</summary>
    public DateTime CreatedAt => Snapshot.CreatedAt;

    /// <summary>When anything in the container last changed (UTC).</summary>
    public DateTime UpdatedAt => Snapshot.UpdatedAt;

    /// <summary>
    /// The tasks in insertion order, as this handle last saw them: all of them after a read or
    /// <see cref="RefreshAsync"/>; a change updates only the task it changed.
    /// </summary>
    public IReadOnlyList<TaskState> Tasks
    {
        get
        {
            lock (sync)
            {
                return [.. tasks];
            }
        }
    }

    private ContainerSummary Snapshot
    {
        get
        {
            lock (sync)
            {
                return summary;
            }
        }
    }

    /// <summary>
    /// Adds a task, persisted at once. Its name must be unique within the container. A task that depends on a task
    /// that already failed for good is added failed (error type <see cref="TaskError.DependencyFailedType"/>, naming
    /// the dependency), in the same write, as it would have failed had it been there: no task waits on a failed one.
    /// </summary>
    /// <param name="name">The task's name (1 to 256 characters, no NUL; any other characters, such as <c>.</c> or <c>$</c>, are kept as they are).</param>
    /// <param name="options">Its input data, retries, delay, weight and dependencies; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">The name is invalid, the data cannot be written as a BSON document, or a dependency is repeated or names the task itself.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Retries, delay or weight is negative.</exception>
    /// <exception cref="DuplicateTaskException">The container already has a task of that name.</exception>
    /// <exception cref="TaskDependencyException">A dependency names no task added before.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    /// <exception cref="TaskContainerTooLargeException">The container would pass MongoDB's 16 MB document limit.</exception>
    public async Task<TaskState> AddTaskAsync(string name, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        Validation.TaskName(Name, name);
        options ??= new TaskOptions();
        var task = BuildTask(name, options, options.DependsOn ?? [], nameof(options));
        var dependsOn = options.DependsOn ?? [];
        var reply = await client.Store.WriteAsync("AddTask", ContainerCommands.AddTask(Name, task, dependsOn, options.RunAfterPrevious), Name, name, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            throw await ExplainAddFailureAsync([name], dependsOn, cancellationToken).ConfigureAwait(false);
        }

        return Apply(reply, name);
    }

    /// <summary>
    /// Adds several tasks in one atomic write: all of them or none. The obvious call for a group of steps that run
    /// side by side (give them the same dependencies, or none) and for a step that plans the steps after it. A task
    /// may depend on tasks of the container and on tasks before it in <paramref name="tasks"/>;
    /// <see cref="TaskOptions.RunAfterPrevious"/> means the entry before it (for the first entry, the container's
    /// last task). As with <see cref="AddTaskAsync"/>, a task that depends on a failed task is added failed.
    /// </summary>
    /// <param name="tasks">The tasks, in the order they are appended; names unique.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tasks as committed, in the order given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/>, one of its entries, or a name is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty, names a task twice, holds an invalid name, bad data, or a dependency on a later entry.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Retries, delay or weight is negative.</exception>
    /// <exception cref="DuplicateTaskException">The container already has a task of one of these names; nothing was written.</exception>
    /// <exception cref="TaskDependencyException">A dependency names no task of the container or of the batch; nothing was written.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    /// <exception cref="TaskContainerTooLargeException">The container would pass MongoDB's 16 MB document limit.</exception>
    public async Task<IReadOnlyList<TaskState>> AddTasksAsync(IReadOnlyList<TaskDefinition> tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            throw new ArgumentException($"There are no tasks to add to task container '{Name}'.", nameof(tasks));
        }

        var names = new List<string>(tasks.Count);
        var documents = new List<BsonDocument>(tasks.Count);
        var external = new List<string>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var (name, options) = tasks[i] ?? throw new ArgumentNullException(nameof(tasks), $"Entry {i} of the tasks to add to task container '{Name}' is null.");
            options ??= new TaskOptions();
            Validation.TaskName(Name, name, nameof(tasks));
            if (names.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"The tasks to add to task container '{Name}' name '{name}' twice.", nameof(tasks));
            }

            var dependsOn = new List<string>(options.DependsOn ?? []);
            if (options.RunAfterPrevious && i > 0 && !dependsOn.Contains(names[^1], StringComparer.Ordinal))
            {
                dependsOn.Add(names[^1]);
            }

            foreach (var dependency in dependsOn)
            {
                if (tasks.Skip(i + 1).Any(t => t?.Name == dependency))
                {
                    throw new ArgumentException($"Task '{name}' of task container '{Name}' depends on '{dependency}', which comes after it in the batch.", nameof(tasks));
                }

                if (!names.Contains(dependency, StringComparer.Ordinal) && !external.Contains(dependency, StringComparer.Ordinal))
                {
                    external.Add(dependency);
                }
            }

            documents.Add(BuildTask(name, options, dependsOn, nameof(tasks)));
            names.Add(name);
        }

        var write = ContainerCommands.AddTasks(Name, documents, external, tasks[0].Options?.RunAfterPrevious == true);
        ContainerStore.EnsureFits(write, Name, names[0]);
        var reply = await client.Store.WriteAsync("AddTasks", write, Name, names[0], cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            throw await ExplainAddFailureAsync(names, external, cancellationToken).ConfigureAwait(false);
        }

        var added = ReadTasks(reply);
        lock (sync)
        {
            summary = DocumentReader.ReadSummary(reply);
            this.tasks.AddRange(added.Where(task => this.tasks.TrueForAll(t => t.Name != task.Name)));
        }

        return [.. names.Select(n => added.First(t => t.Name == n))];
    }

    /// <summary>Validates a task's options and builds its stored document (without its times, which the database stamps).</summary>
    private BsonDocument BuildTask(string name, TaskOptions options, IReadOnlyCollection<string> dependsOn, string parameterName)
    {
        Validation.TaskName(Name, name, parameterName);
        if (options.MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, options.MaxRetries, $"MaxRetries of task '{name}' of task container '{Name}' cannot be negative.");
        }

        Validation.NonNegative(Name, name, options.RetryDelay, "retry delay", parameterName);
        Validation.NonNegative(Name, name, options.Weight, "weight", parameterName);
        foreach (var dependency in dependsOn)
        {
            Validation.TaskName(Name, dependency, parameterName);
            if (dependency == name)
            {
                throw new ArgumentException($"Task '{name}' of task container '{Name}' cannot depend on itself.", parameterName);
            }
        }

        if (dependsOn.Distinct(StringComparer.Ordinal).Count() != dependsOn.Count)
        {
            throw new ArgumentException($"The dependencies of task '{name}' of task container '{Name}' name a task twice.", parameterName);
        }

        var taskData = ContainerStore.SerializeData(options.TaskData, Name, name, "task data");
        var task = new BsonDocument
        {
            { Fields.Name, name },
            { Fields.Status, Fields.StatusValues.Pending },
            { Fields.IsComplete, false },
            { Fields.HasFailed, false },
            { Fields.PercentageComplete, 0.0 },
        };
        if (options.StatusText is not null)
        {
            task[Fields.StatusText] = options.StatusText;
        }

        if (taskData is not null)
        {
            task[Fields.TaskData] = taskData;
        }

        task[Fields.InvokeCount] = 0;
        task[Fields.FencingToken] = 0L;
        task[Fields.MaxRetries] = options.MaxRetries;
        task[Fields.RetryDelayMs] = (long)options.RetryDelay.TotalMilliseconds;
        task[Fields.DependsOn] = new BsonArray(dependsOn);
        task[Fields.Weight] = options.Weight;
        return task;
    }

    /// <summary>Reads one task from the database (only that task travels).</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as the database holds it now.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is invalid.</exception>
    /// <exception cref="TaskNotFoundException">The container has no such task.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    public async Task<TaskState> GetTaskAsync(string name, CancellationToken cancellationToken = default)
    {
        Validation.TaskName(Name, name);
        var document = await client.Store.FindAsync(Name, ContainerCommands.OneTaskProjection(name), cancellationToken).ConfigureAwait(false)
            ?? throw new TaskContainerNotFoundException(Name, name);
        return Apply(document, name);
    }

    /// <summary>Reads all tasks from the database, in insertion order, and refreshes this handle.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tasks as the database holds them now.</returns>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    public async Task<IReadOnlyList<TaskState>> GetTasksAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return Tasks;
    }

    /// <summary>Reads the whole container again, so that this handle holds its current state.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the handle is refreshed.</returns>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var document = await client.Store.FindAsync(Name, projection: null, cancellationToken).ConfigureAwait(false)
            ?? throw new TaskContainerNotFoundException(Name);
        lock (sync)
        {
            summary = DocumentReader.ReadSummary(document);
            tasks = [.. ReadTasks(document)];
        }
    }

    /// <summary>
    /// Reports a task's progress: the hot path, one small write whose reply carries only this task and the
    /// container's summary, whatever the container's size. A pending task becomes running.
    /// </summary>
    /// <param name="name">The task's name.</param>
    /// <param name="percentage">The progress, from 0 to 100.</param>
    /// <param name="statusText">A status text to store with it; null keeps the current one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentage"/> is NaN or outside 0–100.</exception>
    /// <exception cref="TaskNotFoundException">The container has no such task.</exception>
    /// <exception cref="TaskStateException">The task already completed or failed.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    public async Task<TaskState> UpdateProgressAsync(string name, double percentage, string? statusText = null, CancellationToken cancellationToken = default)
    {
        Validation.TaskName(Name, name);
        Validation.Percentage(Name, name, percentage);
        var reply = await client.Store.WriteAsync("UpdateProgress", ContainerCommands.UpdateProgress(Name, name, percentage, statusText), Name, name, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            var current = await FindTaskAsync(name, cancellationToken).ConfigureAwait(false);
            throw current.IsComplete
                ? new TaskStateException(Name, name, $"it is {Fields.StatusValues.Of(current.Status)}; its progress can no longer change.")
                : new TaskStatusException($"Task '{name}' of task container '{Name}' changed while its progress was written; try again.")
                {
                    ContainerName = Name,
                    TaskName = name,
                };
        }

        return Apply(reply, name);
    }

    /// <summary>
    /// An <see cref="IProgress{T}"/> that persists a task's progress through <see cref="UpdateProgressAsync"/>: every
    /// report by default, or coalesced (<paramref name="options"/>). Completing or failing the task through
    /// <see cref="UpdateTaskAsync"/> on this handle first writes what it holds, and so do disposing and flushing it.
    /// </summary>
    /// <param name="name">The task's name.</param>
    /// <param name="options">Coalescing; none by default.</param>
    /// <returns>The reporter; dispose it when the work is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public TaskProgressReporter CreateProgressReporter(string name, ProgressReporterOptions? options = null)
    {
        Validation.TaskName(Name, name);
        return reporters.Create(Name, name, report => UpdateProgressAsync(name, report.Percentage, report.StatusText), options, client.TimeProvider);
    }

    /// <summary>Changes a task: every property set in <paramref name="changes"/>, in one atomic write.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="changes">What to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task as committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="changes"/> is null.</exception>
    /// <exception cref="ArgumentException">The name is invalid, nothing is to change, or the data cannot be written as a BSON document.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of its range.</exception>
    /// <exception cref="TaskNotFoundException">The container has no such task.</exception>
    /// <exception cref="TaskStateException">
    /// The change makes the task pending or running while a task it depends on has failed for good (it could never
    /// run); <see cref="TaskStateException.FailedDependencies"/> names the tasks to reset instead. Nothing was written.
    /// </exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    /// <exception cref="TaskContainerTooLargeException">The container would pass MongoDB's 16 MB document limit.</exception>
    public async Task<TaskState> UpdateTaskAsync(string name, TaskChanges changes, CancellationToken cancellationToken = default)
    {
        Validation.TaskName(Name, name);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.IsEmpty)
        {
            throw new ArgumentException($"The changes to task '{name}' of task container '{Name}' change nothing.", nameof(changes));
        }

        if (changes.PercentageComplete is { } percentage)
        {
            Validation.Percentage(Name, name, percentage, nameof(changes));
        }

        if (changes.MaxRetries is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(changes), changes.MaxRetries, $"MaxRetries of task '{name}' of task container '{Name}' cannot be negative.");
        }

        if (changes.RetryDelay is { } delay)
        {
            Validation.NonNegative(Name, name, delay, "retry delay", nameof(changes));
        }

        if (changes.Weight is { } weight)
        {
            Validation.NonNegative(Name, name, weight, "weight", nameof(changes));
        }

        var processingData = ContainerStore.SerializeData(changes.ProcessingData, Name, name, "processing data");
        if (changes.Status is TaskRunStatus.Completed or TaskRunStatus.Failed)
        {
            await reporters.FlushAsync(name).ConfigureAwait(false);
        }

        var reply = await client.Store.WriteAsync("UpdateTask", ContainerCommands.UpdateTask(Name, name, changes, processingData), Name, name, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            if (changes.Status is not (TaskRunStatus.Pending or TaskRunStatus.Running))
            {
                await FindTaskAsync(name, cancellationToken).ConfigureAwait(false);
                throw new TaskNotFoundException(Name, name);
            }

            var (_, failedDependencies) = await FindTaskAndFailedDependenciesAsync(name, cancellationToken).ConfigureAwait(false);
            throw failedDependencies.Count > 0
                ? new TaskStateException(
                    Name,
                    name,
                    $"it cannot be {Fields.StatusValues.Of(changes.Status.Value)} while a task it depends on has failed for good; reset {Quoted(failedDependencies)} instead.")
                {
                    FailedDependencies = failedDependencies,
                }
                : ChangedMeanwhile(name, "changed");
        }

        if (changes.Status == TaskRunStatus.Failed)
        {
            Diagnostics.Telemetry.TasksFailed.Add(1);
        }

        return Apply(reply, name);
    }

    /// <summary>Deletes a task. A task that other tasks depend on cannot be deleted.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the task existed and was deleted; false when the container has no such task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is invalid.</exception>
    /// <exception cref="TaskStateException">Other tasks depend on it.</exception>
    /// <exception cref="TaskContainerNotFoundException">The container no longer exists.</exception>
    public async Task<bool> DeleteTaskAsync(string name, CancellationToken cancellationToken = default)
    {
        Validation.TaskName(Name, name);
        var reply = await client.Store.WriteAsync("DeleteTask", ContainerCommands.DeleteTask(Name, name), Name, name, cancellationToken).ConfigureAwait(false);
        if (reply is not null)
        {
            lock (sync)
            {
                summary = DocumentReader.ReadSummary(reply);
                tasks.RemoveAll(t => t.Name == name);
            }

            return true;
        }

        var document = await client.Store.FindAsync(Name, new BsonDocument($"{Fields.Tasks}.{Fields.Name}", 1).Add($"{Fields.Tasks}.{Fields.DependsOn}", 1), cancellationToken).ConfigureAwait(false)
            ?? throw new TaskContainerNotFoundException(Name, name);
        var stored = ReadTasks(document);
        if (stored.All(t => t.Name != name))
        {
            return false;
        }

        var dependents = stored.Where(t => t.DependsOn.Contains(name)).Select(t => $"'{t.Name}'").ToList();
        throw new TaskStateException(Name, name, $"it cannot be deleted while {string.Join(", ", dependents)} depend{(dependents.Count == 1 ? "s" : "")} on it.");
    }

    /// <summary>
    /// Yields this container's new state after each committed change, as a new handle, until the container is
    /// deleted or the watch is cancelled. Through a MongoDB change stream where the deployment has them (a replica set
    /// or sharded cluster), resuming by itself after a transient error without skipping or repeating a change; on a
    /// standalone server by polling every <see cref="TaskStatusOptions.WatchPollInterval"/>. The current state is not
    /// yielded; <see cref="WatchAsync(bool, CancellationToken)"/> can start with it.
    /// </summary>
    /// <returns>The container's states, one per change (per poll that saw a change, when polling).</returns>
    public IAsyncEnumerable<TaskContainer> WatchAsync() => WatchAsync(includeCurrentState: false, CancellationToken.None);

    /// <inheritdoc cref="WatchAsync()"/>
    /// <param name="cancellationToken">Stops the watch.</param>
    public IAsyncEnumerable<TaskContainer> WatchAsync(CancellationToken cancellationToken) => WatchAsync(includeCurrentState: false, cancellationToken);

    /// <summary>
    /// Yields this container's new state after each committed change, as a new handle, until the container is
    /// deleted or <paramref name="cancellationToken"/> fires; first its current state when
    /// <paramref name="includeCurrentState"/> is true. Through a MongoDB change stream where the deployment has
    /// them (a replica set or sharded cluster), resuming by itself after a transient error without skipping or
    /// repeating a change; on a standalone server by polling every <see cref="TaskStatusOptions.WatchPollInterval"/>.
    /// </summary>
    /// <param name="includeCurrentState">
    /// Whether the first state yielded is the current one, read once the watch has started, so that no change between
    /// reading and watching can be missed (a "read, then follow until complete" loop needs it).
    /// </param>
    /// <param name="cancellationToken">Stops the watch.</param>
    /// <returns>The container's states, one per change (per poll that saw a change, when polling).</returns>
    public async IAsyncEnumerable<TaskContainer> WatchAsync(bool includeCurrentState, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var id = Snapshot.Id;
        if (id.IsBsonNull)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            id = Snapshot.Id;
        }

        await foreach (var document in new Watching.ContainerWatcher(client).WatchOneAsync(id, Name, includeCurrentState, cancellationToken).ConfigureAwait(false))
        {
            yield return new TaskContainer(client, document);
        }
    }

    /// <summary>Takes the state a write or read returned: the summary and the one task it carried.</summary>
    internal TaskState Apply(BsonDocument reply, string taskName)
    {
        var returned = ReadTasks(reply);
        if (returned.Count == 0)
        {
            throw new TaskNotFoundException(Name, taskName);
        }

        var task = returned[0];
        lock (sync)
        {
            summary = DocumentReader.ReadSummary(reply);
            var index = tasks.FindIndex(t => t.Name == task.Name);
            if (index >= 0)
            {
                tasks[index] = task;
            }
            else
            {
                tasks.Add(task);
            }
        }

        return task;
    }

    private IReadOnlyList<TaskState> ReadTasks(BsonDocument document) => DocumentReader.ReadTasks(document, StalledBefore);

    /// <summary>The task as stored now, for explaining a write that matched nothing.</summary>
    private async Task<TaskState> FindTaskAsync(string name, CancellationToken cancellationToken)
    {
        var document = await client.Store.FindAsync(Name, ContainerCommands.OneTaskProjection(name), cancellationToken).ConfigureAwait(false)
            ?? throw new TaskContainerNotFoundException(Name, name);
        var returned = ReadTasks(document);
        return returned.Count > 0 ? returned[0] : throw new TaskNotFoundException(Name, name);
    }

    /// <summary>
    /// The task as stored now and, when tasks it depends on failed for good, those of them (followed through the
    /// failed ones) that failed on their own: the ones an operator can reset. Only names, states and dependencies travel.
    /// </summary>
    private async Task<(TaskState Task, IReadOnlyList<string> FailedDependencies)> FindTaskAndFailedDependenciesAsync(string name, CancellationToken cancellationToken)
    {
        var projection = new BsonDocument
        {
            { $"{Fields.Tasks}.{Fields.Name}", 1 },
            { $"{Fields.Tasks}.{Fields.Status}", 1 },
            { $"{Fields.Tasks}.{Fields.IsComplete}", 1 },
            { $"{Fields.Tasks}.{Fields.HasFailed}", 1 },
            { $"{Fields.Tasks}.{Fields.DependsOn}", 1 },
        };
        var document = await client.Store.FindAsync(Name, projection, cancellationToken).ConfigureAwait(false)
            ?? throw new TaskContainerNotFoundException(Name, name);
        var stored = DocumentReader.ReadTasks(document);
        var task = stored.FirstOrDefault(t => t.Name == name) ?? throw new TaskNotFoundException(Name, name);
        var byName = stored.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var roots = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(task.DependsOn);
        while (pending.TryPop(out var dependency))
        {
            if (!seen.Add(dependency) || !byName.TryGetValue(dependency, out var found) || !found.HasFailed)
            {
                continue;
            }

            var failedBelow = found.DependsOn.Where(d => byName.TryGetValue(d, out var below) && below.HasFailed).ToList();
            if (failedBelow.Count == 0)
            {
                roots.Add(dependency);
            }

            failedBelow.ForEach(pending.Push);
        }

        return (task, [.. stored.Where(t => roots.Contains(t.Name)).Select(t => t.Name)]);
    }

    private static string Quoted(IReadOnlyList<string> names) => names.Count == 1
        ? $"'{names[0]}'"
        : $"{string.Join(", ", names.Take(names.Count - 1).Select(n => $"'{n}'"))} and '{names[^1]}'";

    private TaskStatusException ChangedMeanwhile(string name, string what) =>
        new($"Task '{name}' of task container '{Name}' changed while it was being {what}; try again.")
        {
            ContainerName = Name,
            TaskName = name,
        };

    private async Task<Exception> ExplainAddFailureAsync(IReadOnlyList<string> names, IReadOnlyCollection<string> dependsOn, CancellationToken cancellationToken)
    {
        var name = names[0];
        var document = await client.Store.FindAsync(Name, new BsonDocument($"{Fields.Tasks}.{Fields.Name}", 1), cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return new TaskContainerNotFoundException(Name, name);
        }

        var existing = ReadTasks(document).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (names.FirstOrDefault(existing.Contains) is { } taken)
        {
            return new DuplicateTaskException(Name, taken);
        }

        var missing = dependsOn.Where(d => !existing.Contains(d)).ToList();
        return missing.Count > 0
            ? new TaskDependencyException(Name, name, missing)
            : new TaskStatusException($"Task '{name}' could not be added to task container '{Name}' because the container changed at the same moment; try again.")
            {
                ContainerName = Name,
                TaskName = name,
            };
    }
}
