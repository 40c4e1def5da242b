namespace PersistentTaskStatus;

/// <summary>How a task is added to a container.</summary>
public sealed class TaskOptions
{
    /// <summary>The default of <see cref="MaxRetries"/>.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>
    /// The task's input: a <see cref="MongoDB.Bson.BsonDocument"/> or any object the MongoDB BSON serializer writes as a
    /// document. Immutable by convention.
    /// </summary>
    /// <value>Null (no input) by default.</value>
    public object? TaskData { get; set; }

    /// <summary>How many times a failed attempt is retried before the task fails for good; 0 or more.</summary>
    /// <value>3 by default.</value>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>
    /// The base of the exponential back-off between attempts: attempt n waits <c>RetryDelay × 2^(n−1)</c>.
    /// Zero or more.
    /// </summary>
    /// <value>30 seconds by default.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The task's weight in the container's percentage complete; zero or more.</summary>
    /// <value>1 by default.</value>
    public double Weight { get; set; } = 1;

    /// <summary>
    /// The names of tasks of the same container, added before this one, that must complete successfully before this
    /// one runs.
    /// </summary>
    /// <value>None by default: the task may run at once (side by side with others).</value>
    public IReadOnlyCollection<string> DependsOn { get; set; } = [];

    /// <summary>
    /// Whether the task runs after the task added just before it (a sequential step): that task is added to
    /// <see cref="DependsOn"/> in the same atomic write, so concurrent additions cannot slip in between.
    /// </summary>
    /// <value>False by default.</value>
    public bool RunAfterPrevious { get; set; }

    /// <summary>The status text the task starts with.</summary>
    /// <value>Null by default.</value>
    public string? StatusText { get; set; }
}
