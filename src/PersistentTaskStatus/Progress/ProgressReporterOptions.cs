namespace PersistentTaskStatus;

/// <summary>
/// How a <see cref="TaskProgressReporter"/> writes. By default every report is persisted, in order. Coalescing writes
/// fewer times, never losing the last value: completing or failing the task through its lease or container handle,
/// disposing the reporter and <see cref="TaskProgressReporter.FlushAsync"/> write what is pending.
/// </summary>
public sealed class ProgressReporterOptions
{
    /// <summary>The least time between two writes; reports in between are coalesced into the latest.</summary>
    /// <value>Zero (no coalescing by time) by default.</value>
    public TimeSpan MinInterval { get; set; }

    /// <summary>
    /// The least change of percentage (in points) worth a write; smaller changes wait for a larger one or a flush.
    /// A changed status text is always worth a write.
    /// </summary>
    /// <value>Zero (no coalescing by change) by default.</value>
    public double MinChange { get; set; }

    internal bool Coalesces => MinInterval > TimeSpan.Zero || MinChange > 0;

    internal void Validate()
    {
        if (MinInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinInterval), MinInterval, "The minimum interval between progress writes cannot be negative.");
        }

        if (double.IsNaN(MinChange) || MinChange < 0 || MinChange > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MinChange), MinChange, "The minimum change of percentage worth a write must be from 0 to 100.");
        }
    }
}
