using System.Text;

namespace PersistentTaskStatus;

/// <summary>Checks of the caller's input, made before anything is written.</summary>
internal static class Validation
{
    /// <summary>The longest container or task name, in characters.</summary>
    public const int MaxNameLength = 256;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void ContainerName(string? name, string parameterName = "name")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        CheckCharacters(name, parameterName, "Task container name", relation: null, containerName: null);
    }

    public static void TaskName(string containerName, string? name, string parameterName = "name")
    {
        if (name is null)
        {
            throw new ArgumentNullException(parameterName, $"A task name of task container '{containerName}' cannot be null.");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"A task name of task container '{containerName}' cannot be empty or whitespace.", parameterName);
        }

        CheckCharacters(name, parameterName, "Task name", "of", containerName);
    }

    public static void Owner(string containerName, string? owner)
    {
        if (owner is null)
        {
            throw new ArgumentNullException(nameof(owner), $"The lease owner for task container '{containerName}' cannot be null.");
        }

        if (string.IsNullOrWhiteSpace(owner))
        {
            throw new ArgumentException($"The lease owner for task container '{containerName}' cannot be empty or whitespace.", nameof(owner));
        }

        CheckCharacters(owner, nameof(owner), "Lease owner", "for", containerName);
    }

    public static void Percentage(string containerName, string taskName, double percentage, string parameterName = "percentage")
    {
        if (double.IsNaN(percentage) || percentage < 0 || percentage > 100)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                percentage,
                $"The percentage of task '{taskName}' of task container '{containerName}' must be a number from 0 to 100.");
        }
    }

    public static void NonNegative(string containerName, string taskName, double value, string what, string parameterName)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                value,
                $"The {what} of task '{taskName}' of task container '{containerName}' must be a finite number of zero or more.");
        }
    }

    public static void NonNegative(string containerName, string taskName, TimeSpan value, string what, string parameterName)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                value,
                $"The {what} of task '{taskName}' of task container '{containerName}' cannot be negative.");
        }
    }

    /// <summary>Checks length and characters; the message's subject is only built when there is an error to report.</summary>
    private static void CheckCharacters(string name, string parameterName, string what, string? relation, string? containerName)
    {
        string Subject() => containerName is null
            ? $"{what} '{Shorten(name)}'"
            : $"{what} '{Shorten(name)}' {relation} task container '{containerName}'";

        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"{Subject()} is {name.Length} characters long; names are at most {MaxNameLength}.", parameterName);
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{Subject()} contains a NUL character (\\0), which names cannot hold.", parameterName);
        }

        try
        {
            StrictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{Subject()} is not valid UTF-16 (it holds an unpaired surrogate), so it has no UTF-8 form to store.", parameterName);
        }
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
