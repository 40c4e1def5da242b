namespace PersistentTaskStatus.Workers;

/// <summary>
/// The containers a worker knows under its prefix, and which of them are due to be asked for a ready task, first
/// come first served: a container that gave a lease goes to the back, so containers share the worker's slots.
/// </summary>
internal sealed class ContainerQueue
{
    private readonly object sync = new();
    private readonly Dictionary<string, TaskContainer?> handles = new(StringComparer.Ordinal);
    private readonly LinkedList<string> due = new();
    private readonly HashSet<string> dueNames = new(StringComparer.Ordinal);
    private TaskCompletionSource changed = NewSignal();

    /// <summary>Marks a container due (adding it when new), keeping the freshest handle known.</summary>
    public void MarkDue(string name, TaskContainer? handle)
    {
        TaskCompletionSource signal;
        lock (sync)
        {
            if (handle is not null || !handles.ContainsKey(name))
            {
                handles[name] = handle ?? handles.GetValueOrDefault(name);
            }

            if (!dueNames.Add(name))
            {
                return;
            }

            due.AddLast(name);
            signal = changed;
            changed = NewSignal();
        }

        signal.TrySetResult();
    }

    /// <summary>Forgets a container (complete or deleted) until it is seen incomplete again.</summary>
    public void Forget(string name)
    {
        lock (sync)
        {
            handles.Remove(name);
            if (dueNames.Remove(name))
            {
                due.Remove(name);
            }
        }
    }

    /// <summary>Waits for a due container and takes it off the due list.</summary>
    public async Task<(string Name, TaskContainer? Handle)> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (sync)
            {
                if (due.First is { } first)
                {
                    due.RemoveFirst();
                    dueNames.Remove(first.Value);
                    return (first.Value, handles.GetValueOrDefault(first.Value));
                }

                wait = changed.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Keeps the handle read for a container that was known by name only.</summary>
    public void SetHandle(string name, TaskContainer handle)
    {
        lock (sync)
        {
            if (handles.ContainsKey(name))
            {
                handles[name] = handle;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
