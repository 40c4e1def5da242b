using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace PersistentTaskStatus;

/// <summary>
/// A task as the database held it when this object was read: an immutable snapshot. All times are UTC.
/// </summary>
public sealed class TaskState
{
    internal TaskState()
    {
    }

    /// <summary>The task's name, unique within its container.</summary>
    public string Name { get; internal init; } = "";

    /// <summary>Where the task is in its life.</summary>
    public TaskRunStatus Status { get; internal init; }

    /// <summary>True once the task completed or failed for good.</summary>
    public bool IsComplete { get; internal init; }

    /// <summary>True when the task failed for good; only ever true together with <see cref="IsComplete"/>.</summary>
    public bool HasFailed { get; internal init; }

    /// <summary>The progress reported, from 0 to 100.</summary>
    public double PercentageComplete { get; internal init; }

    /// <summary>The last status text reported, if any.</summary>
    public string? StatusText { get; internal init; }

    /// <summary>The task's input, immutable by convention, as stored.</summary>
    public BsonDocument? TaskData { get; internal init; }

    /// <summary>The task's checkpoint or intermediate results, so that work resumes after a failure.</summary>
    public BsonDocument? ProcessingData { get; internal init; }

    /// <summary>How many times the task was started (leased).</summary>
    public int InvokeCount { get; internal init; }

    /// <summary>When the task was last started.</summary>
    public DateTime? LastInvokedAt { get; internal init; }

    /// <summary>When the task completed or failed for good.</summary>
    public DateTime? TaskEndedAt { get; internal init; }

    /// <summary>How long the last successful or final attempt ran, from its start to its end.</summary>
    public TimeSpan? Duration { get; internal init; }

    /// <summary>Until when the current lease holds, by the database clock; null when not leased.</summary>
    public DateTime? LeasedTill { get; internal init; }

    /// <summary>Who holds (or last held) the lease.</summary>
    public string? LeaseOwner { get; internal init; }

    /// <summary>The fencing token of the newest lease; every lease operation must carry it.</summary>
    public long FencingToken { get; internal init; }

    /// <summary>How many times a failed attempt is retried before the task fails for good.</summary>
    public int MaxRetries { get; internal init; }

    /// <summary>The base of the exponential back-off between attempts.</summary>
    public TimeSpan RetryDelay { get; internal init; }

    /// <summary>The earliest time of the next attempt, by the database clock, after a failed attempt.</summary>
    public DateTime? NextAttemptAt { get; internal init; }

    /// <summary>The last error recorded, if any.</summary>
    public TaskError? LastError { get; internal init; }

    /// <summary>The tasks of the same container that must complete successfully before this one runs.</summary>
    public IReadOnlyList<string> DependsOn { get; internal init; } = [];

    /// <summary>The task's weight in its container's <see cref="TaskContainer.PercentageComplete"/>.</summary>
    public double Weight { get; internal init; }

    /// <summary>When the task was added.</summary>
    public DateTime CreatedAt { get; internal init; }

    /// <summary>When the task last changed.</summary>
    public DateTime UpdatedAt { get; internal init; }

    /// <summary>
    /// True when the task is running but its percentage has not changed for <see cref="TaskStatusOptions.StallAfter"/>
    /// (judged when this snapshot was read): alive, its lease renewed, but not progressing.
    /// </summary>
    public bool IsStalled { get; internal init; }

    /// <summary>When the task's percentage last changed, or its current attempt started (what stall detection looks at).</summary>
    public DateTime? ProgressChangedAt { get; internal init; }

    /// <summary>The task data deserialized as <typeparamref name="T"/> through the BSON serializer, or default.</summary>
    /// <typeparam name="T">A type the MongoDB BSON serializer can read from a document.</typeparam>
    /// <exception cref="FormatException">The stored data does not fit <typeparamref name="T"/>.</exception>
    public T? GetTaskData<T>() => TaskData is null ? default : BsonSerializer.Deserialize<T>(TaskData);

    /// <summary>The processing data deserialized as <typeparamref name="T"/> through the BSON serializer, or default.</summary>
    /// <typeparam name="T">A type the MongoDB BSON serializer can read from a document.</typeparam>
    /// <exception cref="FormatException">The stored data does not fit <typeparamref name="T"/>.</exception>
    public T? GetProcessingData<T>() => ProcessingData is null ? default : BsonSerializer.Deserialize<T>(ProcessingData);
}
