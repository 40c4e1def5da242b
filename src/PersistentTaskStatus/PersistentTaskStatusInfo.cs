namespace PersistentTaskStatus;

/// <summary>
/// Facts about this package that callers and diagnostics share.
/// </summary>
public static class PersistentTaskStatusInfo
{
    /// <summary>
    /// The name used for the package's <c>ActivitySource</c>, <c>Meter</c> and log categories.
    /// </summary>
    public const string Name = "PersistentTaskStatus";

    /// <summary>
    /// The default name of the MongoDB collection that holds one document per task container.
    /// </summary>
    public const string DefaultCollectionName = "taskContainers";
}
