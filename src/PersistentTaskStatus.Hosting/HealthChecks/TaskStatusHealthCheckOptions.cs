namespace PersistentTaskStatus;

/// <summary>Settings of the health check registered with <c>AddHealthChecks().AddPersistentTaskStatus()</c>.</summary>
public sealed class TaskStatusHealthCheckOptions
{
    /// <summary>Only the containers whose name starts with this text; null for all.</summary>
    /// <value>Null (all containers) by default.</value>
    public string? NamePrefix { get; set; }

    /// <summary>
    /// How long the check waits for MongoDB before it reports the registration's failure status (unhealthy by
    /// default). More than zero.
    /// </summary>
    /// <value>Five seconds by default.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How recent a failed container's last change must be for the check to report it (degraded): a run that failed
    /// within this window. More than zero.
    /// </summary>
    /// <value>One hour by default.</value>
    public TimeSpan FailedWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many stalled and how many failed containers one check reads at most (newest change first): the counts in
    /// the result stop there, and <c>Data["truncated"]</c> says so. From 1 to 1,000.
    /// </summary>
    /// <value>100 by default.</value>
    public int MaxContainers { get; set; } = 100;
}
