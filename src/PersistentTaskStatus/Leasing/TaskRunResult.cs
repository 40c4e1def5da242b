namespace PersistentTaskStatus;

/// <summary>What one worker did in <see cref="TaskContainer.RunAsync"/>.</summary>
public sealed class TaskRunResult
{
    internal TaskRunResult(int leased, int completed, int failedAttempts, int leasesLost, int released)
    {
        Leased = leased;
        Completed = completed;
        FailedAttempts = failedAttempts;
        LeasesLost = leasesLost;
        Released = released;
    }

    /// <summary>How many leases this worker took.</summary>
    public int Leased { get; }

    /// <summary>How many tasks this worker completed.</summary>
    public int Completed { get; }

    /// <summary>How many attempts failed here (each either scheduled a retry or failed its task for good).</summary>
    public int FailedAttempts { get; }

    /// <summary>How many leases were lost to other workers (this worker's work on them was discarded).</summary>
    public int LeasesLost { get; }

    /// <summary>How many leases were given back unfinished because the run was cancelled.</summary>
    public int Released { get; }
}
