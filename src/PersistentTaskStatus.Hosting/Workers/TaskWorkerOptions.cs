namespace PersistentTaskStatus;

/// <summary>How a hosted worker registered with <c>AddPersistentTaskStatusWorker</c> works its task containers.</summary>
public sealed class TaskWorkerOptions
{
    /// <summary>The name prefix of the containers this worker works, as given at registration.</summary>
    public string NamePrefix { get; internal set; } = "";

    /// <summary>
    /// How many tasks this worker runs at the same time, across all its containers: a lease is taken only when one
    /// of these slots is free, so a busy instance leaves the other tasks to the other instances. From 1 to 1,024.
    /// </summary>
    /// <value>1 by default.</value>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>
    /// How long each lease lasts between renewals (the lease renews itself every third of it): more than zero, at
    /// most <see cref="TaskContainer.MaxLeaseDuration"/>. A crashed instance's tasks are taken up again after it.
    /// </summary>
    /// <value>One minute by default.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the worker lists the incomplete containers under its prefix and asks each again for a ready task:
    /// this finds tasks whose retry time came and tasks whose holder crashed (its lease expired), which no change
    /// announces. Other changes (new containers and tasks, tasks released or finished) are seen at once where the
    /// deployment has change streams. More than zero.
    /// </summary>
    /// <value>Five seconds by default.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The owner name stamped on this worker's leases (1 to 256 characters).</summary>
    /// <value>The machine name, the process id and a short random suffix, for example <c>web-3:4711:9f2c1a</c>.</value>
    public string Owner { get; set; } = DefaultOwner();

    private static string DefaultOwner() =>
        $"{Environment.MachineName}:{Environment.ProcessId}:{Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 3).ToLowerInvariant()}";
}
