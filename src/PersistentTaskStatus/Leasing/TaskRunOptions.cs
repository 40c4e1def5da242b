namespace PersistentTaskStatus;

/// <summary>How <see cref="TaskContainer.RunAsync"/> works a container.</summary>
public sealed class TaskRunOptions
{
    /// <summary>How many tasks this worker runs at the same time; 1 or more.</summary>
    /// <value>1 by default.</value>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>How long each lease lasts between renewals; more than zero, at most <see cref="TaskContainer.MaxLeaseDuration"/>.</summary>
    /// <value>One minute by default.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the worker waits before asking again when no task is ready (retries wait, dependencies run elsewhere).</summary>
    /// <value>One second by default.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate(string containerName)
    {
        if (MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, $"The run of task container '{containerName}' needs a degree of parallelism of 1 or more.");
        }

        if (LeaseDuration <= TimeSpan.Zero || LeaseDuration > TaskContainer.MaxLeaseDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, $"The leases of the run of task container '{containerName}' must last more than zero and at most one day.");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, $"The poll interval of the run of task container '{containerName}' must be more than zero.");
        }
    }
}
