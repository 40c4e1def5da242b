using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PersistentTaskStatus.Workers;

namespace PersistentTaskStatus;

/// <summary>Registers hosted workers that run the tasks of the containers under a name prefix.</summary>
public static class PersistentTaskStatusWorkerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a hosted worker (an <see cref="IHostedService"/>) that finds the incomplete task containers whose
    /// name starts with <paramref name="namePrefix"/> and runs their ready tasks with <paramref name="handler"/>, at
    /// most <see cref="TaskWorkerOptions.MaxDegreeOfParallelism"/> at a time across all of them. Several instances of
    /// the host on the same database share the work. At shutdown the worker stops taking work, lets the running tasks
    /// finish within the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>), then cancels them and releases
    /// their leases so that another instance takes them at once. The options are validated when the host starts.
    /// Also registers the <see cref="TaskStatusClient"/> (as <c>AddPersistentTaskStatus()</c> does) when none is.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="namePrefix">The prefix of the containers' names, for example <c>feed-import:</c>.</param>
    /// <param name="handler">The work of one task: return to complete it, throw to fail the attempt; see <see cref="ITaskHandler.HandleAsync"/>.</param>
    /// <param name="configure">Sets the worker's options; the defaults when null.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="namePrefix"/> or <paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="namePrefix"/> is empty or whitespace.</exception>
    /// <exception cref="InvalidOperationException">A worker for the same prefix is already registered.</exception>
    public static IServiceCollection AddPersistentTaskStatusWorker(
        this IServiceCollection services,
        string namePrefix,
        Func<TaskLease, CancellationToken, Task> handler,
        Action<TaskWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(handler);
        return services.AddWorker(namePrefix, (_, lease, cancellationToken) => handler(lease, cancellationToken), configure);
    }

    /// <summary>
    /// Registers a hosted worker, as <see cref="AddPersistentTaskStatusWorker(IServiceCollection, string, Func{TaskLease, CancellationToken, Task}, Action{TaskWorkerOptions}?)"/>
    /// does, whose work is done by <typeparamref name="THandler"/>: resolved for each task from a dependency injection
    /// scope of its own (registered as a scoped service unless it already is), the scope disposed when the work returns.
    /// </summary>
    /// <typeparam name="THandler">The handler class.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="namePrefix">The prefix of the containers' names, for example <c>feed-import:</c>.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="namePrefix"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="namePrefix"/> is empty or whitespace.</exception>
    /// <exception cref="InvalidOperationException">A worker for the same prefix is already registered.</exception>
    public static IServiceCollection AddPersistentTaskStatusWorker<THandler>(this IServiceCollection services, string namePrefix)
        where THandler : class, ITaskHandler =>
        services.AddPersistentTaskStatusWorker<THandler>(namePrefix, _ => { });

    /// <summary>
    /// Registers a hosted worker whose work is done by <typeparamref name="THandler"/>, resolved for each task from a
    /// scope of its own, with the options set by <paramref name="configure"/>; see
    /// <see cref="AddPersistentTaskStatusWorker{THandler}(IServiceCollection, string)"/>.
    /// </summary>
    /// <typeparam name="THandler">The handler class.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="namePrefix">The prefix of the containers' names, for example <c>feed-import:</c>.</param>
    /// <param name="configure">Sets the worker's options.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="namePrefix"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="namePrefix"/> is empty or whitespace.</exception>
    /// <exception cref="InvalidOperationException">A worker for the same prefix is already registered.</exception>
    public static IServiceCollection AddPersistentTaskStatusWorker<THandler>(
        this IServiceCollection services,
        string namePrefix,
        Action<TaskWorkerOptions> configure)
        where THandler : class, ITaskHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddScoped<THandler>();
        return services.AddWorker(namePrefix, HandleInScopeAsync<THandler>, configure);
    }

    private static IServiceCollection AddWorker(
        this IServiceCollection services,
        string namePrefix,
        Func<IServiceProvider, TaskLease, CancellationToken, Task> handle,
        Action<TaskWorkerOptions>? configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(namePrefix);
        if (services.Any(d => d.ServiceType == typeof(WorkerRegistration) && d.ImplementationInstance is WorkerRegistration r && r.NamePrefix == namePrefix))
        {
            throw new InvalidOperationException($"A task worker for the name prefix '{namePrefix}' is already registered: its tasks would run twice over.");
        }

        var optionsName = "PersistentTaskStatus.Worker:" + namePrefix;
        services.AddSingleton(new WorkerRegistration(namePrefix));
        services.AddPersistentTaskStatus();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskWorkerOptions>, TaskWorkerOptionsValidator>());
        var options = services.AddOptions<TaskWorkerOptions>(optionsName).Configure(o => o.NamePrefix = namePrefix);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();

        // Not AddHostedService: it registers one service per implementation type, and each worker is one.
        services.AddSingleton<IHostedService>(provider => new TaskWorker(optionsName, handle, provider));
        return services;
    }

    private static async Task HandleInScopeAsync<THandler>(IServiceProvider services, TaskLease lease, CancellationToken cancellationToken)
        where THandler : class, ITaskHandler
    {
        var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var handler = scope.ServiceProvider.GetRequiredService<THandler>();
            await handler.HandleAsync(lease, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a prefix as taken, so that a second worker for it is refused at registration.</summary>
    private sealed record WorkerRegistration(string NamePrefix);
}
