using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PersistentTaskStatus.Diagnostics;

/// <summary>
/// The library's traces and metrics, both named <c>PersistentTaskStatus</c>: a span per operation (container and task
/// as tags) and counters and a histogram that carry only low-cardinality tags (operation, outcome).
/// </summary>
internal static class Telemetry
{
    public const string Name = "PersistentTaskStatus";

    private static readonly string? Version = typeof(Telemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource ActivitySource = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    public static readonly Counter<long> Operations =
        Meter.CreateCounter<long>("pts.operations", "{operation}", "Operations sent to MongoDB, by operation and outcome.");

    public static readonly Histogram<double> OperationDuration =
        Meter.CreateHistogram<double>("pts.operation.duration", "ms", "How long an operation took, round trip included.");

    public static readonly Counter<long> LeasesAcquired =
        Meter.CreateCounter<long>("pts.leases.acquired", "{lease}", "Leases taken.");

    public static readonly Counter<long> LeasesLost =
        Meter.CreateCounter<long>("pts.leases.lost", "{lease}", "Leases found taken over by another worker.");

    public static readonly Counter<long> Retries =
        Meter.CreateCounter<long>("pts.retries", "{attempt}", "Failed attempts with a retry scheduled.");

    public static readonly Counter<long> TasksFailed =
        Meter.CreateCounter<long>("pts.tasks.failed", "{task}", "Tasks that failed for good.");

    /// <summary>Starts the span of one operation; null when nobody listens.</summary>
    public static Activity? StartOperation(string operation, string containerName, string? taskName)
    {
        var activity = ActivitySource.StartActivity(operation, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("pts.container", containerName);
            if (taskName is not null)
            {
                activity.SetTag("pts.task", taskName);
            }

            activity.SetTag("db.system", "mongodb");
        }

        return activity;
    }
}
