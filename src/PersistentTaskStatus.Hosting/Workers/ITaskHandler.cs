namespace PersistentTaskStatus;

/// <summary>
/// The work of one task, for a hosted worker registered with
/// <see cref="PersistentTaskStatusWorkerServiceCollectionExtensions.AddPersistentTaskStatusWorker{THandler}(Microsoft.Extensions.DependencyInjection.IServiceCollection, string)"/>. The
/// handler is resolved from a dependency injection scope of its own for each task (so it may take scoped services,
/// such as a database context), and the scope is disposed when the task's work returns.
/// </summary>
public interface ITaskHandler
{
    /// <summary>
    /// Does the work of the leased task. Return to complete the task; throw to fail the attempt (it is retried with
    /// back-off while attempts are left). The lease reports progress and saves checkpoints
    /// (<see cref="TaskLease.ReportProgressAsync"/>); its <see cref="TaskLease.State"/> holds the task's data and the
    /// last checkpoint, to resume from. The handler may also complete, fail or release the lease itself.
    /// </summary>
    /// <param name="lease">The lease on the task; the worker disposes it.</param>
    /// <param name="cancellationToken">
    /// Fires when the lease is lost to another worker, or when the host's shutdown timeout runs out; the worker then
    /// releases the task (without consuming an attempt) so another instance takes it at once.
    /// </param>
    /// <returns>A task that completes when the work is done.</returns>
    Task HandleAsync(TaskLease lease, CancellationToken cancellationToken);
}
