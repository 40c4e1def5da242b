namespace PersistentTaskStatus;

/// <summary>The reporters made for one task handle or lease, so that finishing the task first writes what they hold.</summary>
internal sealed class ProgressReporters
{
    private readonly List<(string TaskName, TaskProgressReporter Reporter)> reporters = [];

    public TaskProgressReporter Create(
        string containerName,
        string taskName,
        Func<ProgressReport, Task> persist,
        ProgressReporterOptions? options,
        TimeProvider timeProvider)
    {
        options ??= new ProgressReporterOptions();
        options.Validate();
        var reporter = new TaskProgressReporter(containerName, taskName, persist, options, timeProvider, Remove);
        lock (reporters)
        {
            reporters.Add((taskName, reporter));
        }

        return reporter;
    }

    /// <summary>Writes what the task's reporters hold; their write errors are left to the reporters' owners.</summary>
    public async Task FlushAsync(string taskName)
    {
        TaskProgressReporter[] flushing;
        lock (reporters)
        {
            flushing = [.. reporters.Where(r => r.TaskName == taskName).Select(r => r.Reporter)];
        }

        foreach (var reporter in flushing)
        {
            try
            {
                await reporter.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TaskStatusException or MongoDB.Driver.MongoException or TimeoutException or ObjectDisposedException)
            {
                // The reporter's owner sees it; finishing the task must not wait on a stale progress report.
            }
        }
    }

    private void Remove(TaskProgressReporter reporter)
    {
        lock (reporters)
        {
            reporters.RemoveAll(r => ReferenceEquals(r.Reporter, reporter));
        }
    }
}
