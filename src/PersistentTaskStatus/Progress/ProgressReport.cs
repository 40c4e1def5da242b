namespace PersistentTaskStatus;

/// <summary>A progress report with a status text, for <see cref="TaskProgressReporter"/>.</summary>
public readonly struct ProgressReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="percentage">The progress, from 0 to 100.</param>
    /// <param name="statusText">The status text; null keeps the current one.</param>
    public ProgressReport(double percentage, string? statusText)
    {
        Percentage = percentage;
        StatusText = statusText;
    }

    /// <summary>The progress, from 0 to 100.</summary>
    public double Percentage { get; }

    /// <summary>The status text; null keeps the current one.</summary>
    public string? StatusText { get; }
}
