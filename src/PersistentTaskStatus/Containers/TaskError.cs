namespace PersistentTaskStatus;

/// <summary>The last error recorded for a task.</summary>
public sealed class TaskError
{
    /// <summary>The <see cref="Type"/> of the error recorded on a task that failed because a dependency failed for good.</summary>
    public const string DependencyFailedType = "PersistentTaskStatus.DependencyFailed";

    /// <summary>The <see cref="Type"/> of the error recorded on a task whose last lease expired with no attempt left.</summary>
    public const string LeaseExpiredType = "PersistentTaskStatus.LeaseExpired";

    internal TaskError(string type, string message, DateTime occurredAt)
    {
        Type = type;
        Message = message;
        OccurredAt = occurredAt;
    }

    /// <summary>The error's type, usually the full name of the exception type.</summary>
    public string Type { get; }

    /// <summary>The error's message.</summary>
    public string Message { get; }

    /// <summary>When the database recorded it (UTC).</summary>
    public DateTime OccurredAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Type}: {Message}";
}
