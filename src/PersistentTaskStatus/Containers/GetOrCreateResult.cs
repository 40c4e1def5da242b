namespace PersistentTaskStatus;

/// <summary>What <see cref="TaskStatusClient.GetOrCreateTaskContainerAsync"/> found or made.</summary>
public sealed class GetOrCreateResult
{
    internal GetOrCreateResult(TaskContainer container, bool created)
    {
        Container = container;
        Created = created;
    }

    /// <summary>The container, as the database holds it now.</summary>
    public TaskContainer Container { get; }

    /// <summary>True for exactly one caller: the one whose call created the container.</summary>
    public bool Created { get; }

    /// <summary>Deconstructs into the container and whether this call created it.</summary>
    /// <param name="container">The container.</param>
    /// <param name="created">Whether this call created it.</param>
    public void Deconstruct(out TaskContainer container, out bool created)
    {
        container = Container;
        created = Created;
    }
}
