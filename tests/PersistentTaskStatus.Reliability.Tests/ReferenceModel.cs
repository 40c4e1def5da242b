namespace PersistentTaskStatus.Reliability.Tests;

/// <summary>
/// A plain C# model of one container's semantics, as the README and the XML docs state them: what each operation
/// does to the tasks and what it throws. Leases last long enough never to expire during a run, except those the run
/// lets expire on purpose (<see cref="Expire"/>, once the database clock has passed them), and retry delays are
/// zero, so the model needs no clock.
/// </summary>
public sealed class ReferenceModel
{
    public const string DependencyFailed = TaskError.DependencyFailedType;

    public bool Exists { get; private set; }

    public long LastToken { get; private set; }

    /// <summary>Which incarnation of the container (each create is a new one).</summary>
    public int Incarnation { get; private set; }

    public List<ModelTask> Tasks { get; } = [];

    public ModelTask? Find(string name) => Tasks.Find(t => t.Name == name);

    /// <summary>GetOrCreate: true when it created the container.</summary>
    public bool GetOrCreate()
    {
        if (Exists)
        {
            return false;
        }

        Exists = true;
        Incarnation++;
        LastToken = 0;
        Tasks.Clear();
        return true;
    }

    public bool DeleteContainer()
    {
        var existed = Exists;
        Exists = false;
        Tasks.Clear();
        return existed;
    }

    public string Add(string name, IReadOnlyList<string> dependsOn, int maxRetries)
    {
        if (!Exists)
        {
            return nameof(TaskContainerNotFoundException);
        }

        if (Find(name) is not null)
        {
            return nameof(DuplicateTaskException);
        }

        if (dependsOn.Any(d => Find(d) is null))
        {
            return nameof(TaskDependencyException);
        }

        // A task that depends on a failed one is added failed: no task waits on a failed one.
        var task = new ModelTask { Name = name, MaxRetries = maxRetries, DependsOn = [.. dependsOn] };
        Tasks.Add(task);
        PropagateFailures();
        return task.Describe();
    }

    public string Progress(string name, double percentage)
    {
        if (!Exists)
        {
            return nameof(TaskContainerNotFoundException);
        }

        var task = Find(name);
        if (task is null)
        {
            return nameof(TaskNotFoundException);
        }

        if (task.IsComplete)
        {
            return nameof(TaskStateException);
        }

        task.Percentage = percentage;
        if (task.Status == "pending")
        {
            task.Status = "running";
        }

        return task.Describe();
    }

    public string SetStatus(string name, TaskRunStatus status)
    {
        if (!Exists)
        {
            return nameof(TaskContainerNotFoundException);
        }

        var task = Find(name);
        if (task is null)
        {
            return nameof(TaskNotFoundException);
        }

        switch (status)
        {
            case TaskRunStatus.Completed:
                task.Finish(failed: false);
                break;
            case TaskRunStatus.Failed:
                task.Finish(failed: true);
                PropagateFailures();
                break;
            default:
                if (FailedDependencies(task) is { Count: > 0 } blockedBy)
                {
                    return Refused(blockedBy);
                }

                task.Status = status == TaskRunStatus.Pending ? "pending" : "running";
                task.IsComplete = false;
                task.HasFailed = false;
                break;
        }

        return task.Describe();
    }

    public string DeleteTask(string name)
    {
        if (!Exists)
        {
            return nameof(TaskContainerNotFoundException);
        }

        var task = Find(name);
        if (task is null)
        {
            return "False";
        }

        if (Tasks.Any(t => t.DependsOn.Contains(name)))
        {
            return nameof(TaskStateException);
        }

        Tasks.Remove(task);
        return "True";
    }

    /// <summary>TryLease: the leased task, or null when none is ready; throws the exception's name as a string outcome.</summary>
    public (string Outcome, ModelLease? Lease) Lease()
    {
        if (!Exists)
        {
            return (nameof(TaskContainerNotFoundException), null);
        }

        // The same write first fails the tasks whose lease expired after their last allowed attempt.
        foreach (var expired in Tasks.Where(t => t.Status == "running" && t.LeaseExpired && t.InvokeCount >= t.MaxRetries + 1))
        {
            expired.Finish(failed: true);
            expired.ErrorType = TaskError.LeaseExpiredType;
        }

        PropagateFailures();
        var completed = Tasks.Where(t => t.Status == "completed").Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var task = Tasks.Find(t => !t.IsComplete && (!t.Leased || t.LeaseExpired) && t.DependsOn.All(completed.Contains));
        if (task is null)
        {
            return ("no task", null);
        }

        task.Status = "running";
        task.Leased = true;
        task.LeaseExpired = false;
        task.FencingToken = ++LastToken;
        task.InvokeCount++;
        return ($"leased {task.Describe()}", new ModelLease(task.Name, task.FencingToken, Incarnation));
    }

    /// <summary>
    /// The lease has expired by the database clock and its holder is gone: the task stays running with its expired
    /// lease until a lease attempt takes it over or, with no attempt left, fails it.
    /// </summary>
    public void Expire(ModelLease lease)
    {
        var task = Find(lease.Task);
        if (task is not null && task.FencingToken == lease.Token && !task.IsComplete)
        {
            task.LeaseExpired = true;
        }

        lease.Ended = true;
    }

    /// <summary>A lease holder's write: progress, renew, complete, fail or release.</summary>
    public string LeaseWrite(ModelLease lease, string kind, double percentage = 0)
    {
        if (lease.Ended)
        {
            return nameof(InvalidOperationException);
        }

        if (lease.Lost)
        {
            return nameof(LeaseLostException);
        }

        if (!Exists)
        {
            lease.Lost = true;
            return nameof(TaskContainerNotFoundException);
        }

        // A lease belongs to one incarnation of the container: after a delete and a new create of the same name, its
        // writes are refused even when the new container's task holds the same fencing token.
        var task = Find(lease.Task);
        if (lease.Incarnation != Incarnation || task is null || task.FencingToken != lease.Token || task.IsComplete)
        {
            if (lease.Incarnation != Incarnation && task is not null && task.FencingToken == lease.Token && !task.IsComplete)
            {
                StaleIncarnationWritesRefused++;
            }

            lease.Lost = true;
            return nameof(LeaseLostException);
        }

        switch (kind)
        {
            case "progress":
                task.Percentage = percentage;
                task.Leased = true;
                break;
            case "renew":
                task.Leased = true;
                break;
            case "complete":
                task.Finish(failed: false);
                lease.Ended = true;
                break;
            case "fail":
                task.ErrorType = typeof(InvalidOperationException).FullName;
                if (task.InvokeCount >= task.MaxRetries + 1)
                {
                    task.Finish(failed: true);
                }
                else
                {
                    task.Status = "pending";
                    task.Leased = false;
                    task.LeaseExpired = false;
                }

                PropagateFailures();
                lease.Ended = true;
                break;
            case "release":
                task.Status = "pending";
                task.Leased = false;
                task.LeaseExpired = false;
                task.InvokeCount = Math.Max(0, task.InvokeCount - 1);
                lease.Ended = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        return task.Describe();
    }

    /// <summary>Lease writes from a handle of an earlier incarnation of the container (same name, same token), refused.</summary>
    public int StaleIncarnationWritesRefused { get; private set; }

    public string Reset(string name)
    {
        if (!Exists)
        {
            return nameof(TaskContainerNotFoundException);
        }

        var target = Find(name);
        if (target is null)
        {
            return nameof(TaskNotFoundException);
        }

        // A task that a failed dependency blocks could never run: the reset is refused, naming what to reset instead.
        if (target.Status != "failed")
        {
            return nameof(TaskStateException);
        }

        if (FailedDependencies(target) is { Count: > 0 } blockedBy)
        {
            return Refused(blockedBy);
        }

        // The dependents it failed come back with it, unless another failed task still blocks them.
        var reset = new HashSet<string>(StringComparer.Ordinal);
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in Tasks)
        {
            var failedByIt = task.Status == "failed" && task.ErrorType == DependencyFailed &&
                task.DependsOn.Any(reset.Contains) && !task.DependsOn.Any(failed.Contains);
            if (task.Status == "failed" && task != target && !failedByIt)
            {
                failed.Add(task.Name);
            }

            if (task == target || failedByIt)
            {
                task.Status = "pending";
                task.IsComplete = false;
                task.HasFailed = false;
                task.InvokeCount = 0;
                task.Leased = false;
                task.LeaseExpired = false;
                task.ErrorType = null;
                reset.Add(task.Name);
            }
        }

        return target.Describe();
    }

    /// <summary>The outcome of a change refused because failed tasks block the task: the exception and the tasks it names.</summary>
    public static string Refused(IEnumerable<string> failedDependencies) => $"{nameof(TaskStateException)}:{string.Join(",", failedDependencies)}";

    /// <summary>
    /// The tasks a reset or a return to pending must name instead of <paramref name="task"/>: following its failed
    /// dependencies down, those that failed on their own, in insertion order; empty when no dependency failed.
    /// </summary>
    public List<string> FailedDependencies(ModelTask task)
    {
        var roots = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Walk(ModelTask from)
        {
            foreach (var dependency in from.DependsOn.Select(Find).OfType<ModelTask>().Where(d => d.HasFailed && seen.Add(d.Name)))
            {
                if (dependency.DependsOn.Select(Find).Any(d => d is { HasFailed: true }))
                {
                    Walk(dependency);
                }
                else
                {
                    roots.Add(dependency.Name);
                }
            }
        }

        Walk(task);
        return [.. Tasks.Where(t => roots.Contains(t.Name)).Select(t => t.Name)];
    }

    /// <summary>Fails, in insertion order, every unfinished task with a failed dependency.</summary>
    private void PropagateFailures()
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in Tasks)
        {
            if (!task.IsComplete && task.DependsOn.Any(failed.Contains))
            {
                task.Finish(failed: true);
                task.ErrorType = DependencyFailed;
                failed.Add(task.Name);
            }
            else if (task.HasFailed)
            {
                failed.Add(task.Name);
            }
        }
    }
}

/// <summary>A task of the model.</summary>
public sealed class ModelTask
{
    public required string Name { get; init; }

    public string Status { get; set; } = "pending";

    public bool IsComplete { get; set; }

    public bool HasFailed { get; set; }

    public double Percentage { get; set; }

    public int InvokeCount { get; set; }

    public long FencingToken { get; set; }

    public bool Leased { get; set; }

    /// <summary>Leased, but the lease has expired: the task can be leased again (and is failed when no attempt is left).</summary>
    public bool LeaseExpired { get; set; }

    public int MaxRetries { get; init; }

    public List<string> DependsOn { get; init; } = [];

    public string? ErrorType { get; set; }

    public void Finish(bool failed)
    {
        Status = failed ? "failed" : "completed";
        IsComplete = true;
        HasFailed = failed;
        Leased = false;
        LeaseExpired = false;
        if (!failed)
        {
            Percentage = 100;
        }
    }

    /// <summary>What an operation's reply shows of the task.</summary>
    public string Describe() => $"{Name} {Status} {Percentage}% attempts {InvokeCount} token {FencingToken}";

    /// <summary>Everything the model knows of the task, to compare with the stored one.</summary>
    public string Full() => $"{Describe()} complete {IsComplete} failed {HasFailed} leased {Leased} retries {MaxRetries} deps [{string.Join(",", DependsOn)}] error {ErrorType ?? "-"}";

    public static string Full(BsonDocument stored)
    {
        var status = stored["status"].AsString;
        var describe = $"{stored["name"].AsString} {status} {stored["percentageComplete"].ToDouble()}% attempts {stored["invokeCount"].ToInt32()} token {stored["fencingToken"].ToInt64()}";
        var leased = stored.GetValue("leasedTill", BsonNull.Value) != BsonNull.Value;
        var deps = string.Join(",", stored["dependsOn"].AsBsonArray.Select(d => d.AsString));
        var error = stored.GetValue("lastError", BsonNull.Value) is BsonDocument e ? e["type"].AsString : "-";
        return $"{describe} complete {stored["isComplete"].ToBoolean()} failed {stored["hasFailed"].ToBoolean()} leased {leased} retries {stored["maxRetries"].ToInt32()} deps [{deps}] error {error}";
    }
}

/// <summary>A lease as the model knows it.</summary>
public sealed class ModelLease(string task, long token, int incarnation)
{
    public string Task { get; } = task;

    public long Token { get; } = token;

    public int Incarnation { get; } = incarnation;

    public bool Ended { get; set; }

    public bool Lost { get; set; }
}
