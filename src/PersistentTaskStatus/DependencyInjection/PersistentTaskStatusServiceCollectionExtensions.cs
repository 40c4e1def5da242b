using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace PersistentTaskStatus;

/// <summary>Registers <see cref="TaskStatusClient"/> with dependency injection.</summary>
public static class PersistentTaskStatusServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="TaskStatusClient"/> on the <see cref="IMongoDatabase"/> already registered, or on
    /// the registered <see cref="IMongoClient"/> and <see cref="TaskStatusOptions.DatabaseName"/> (set through
    /// <c>services.Configure&lt;TaskStatusOptions&gt;</c>). Registering twice is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddPersistentTaskStatus(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TaskStatusOptions>()
            .Validate(
                options => !string.IsNullOrWhiteSpace(options.CollectionName),
                "TaskStatusOptions.CollectionName is required.")
            .Validate(
                options => options.WriteConcern is not null,
                "TaskStatusOptions.WriteConcern is required.");
        services.TryAddSingleton(CreateClient);
        return services;
    }

    /// <summary>Registers a singleton <see cref="TaskStatusClient"/> configured by <paramref name="configure"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options: a connection string and database name, or only what differs from the defaults when an <see cref="IMongoClient"/> or <see cref="IMongoDatabase"/> is registered.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddPersistentTaskStatus(this IServiceCollection services, Action<TaskStatusOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddPersistentTaskStatus();
        services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="TaskStatusClient"/> that connects with <paramref name="connectionString"/>, which
    /// must name the database (<c>mongodb://host/database</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="connectionString">A MongoDB connection string naming the database.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="connectionString"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or whitespace.</exception>
    public static IServiceCollection AddPersistentTaskStatus(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPersistentTaskStatus(options => options.ConnectionString = connectionString);
    }

    private static TaskStatusClient CreateClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TaskStatusOptions>>().Value;
        if (services.GetService<TimeProvider>() is { } timeProvider && ReferenceEquals(options.TimeProvider, TimeProvider.System))
        {
            options.TimeProvider = timeProvider;
        }

        if (services.GetService<Microsoft.Extensions.Logging.ILoggerFactory>() is { } loggerFactory &&
            ReferenceEquals(options.LoggerFactory, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance))
        {
            options.LoggerFactory = loggerFactory;
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new TaskStatusClient(options);
        }

        if (services.GetService<IMongoDatabase>() is { } database)
        {
            return new TaskStatusClient(database, options);
        }

        if (services.GetService<IMongoClient>() is { } client)
        {
            if (string.IsNullOrWhiteSpace(options.DatabaseName))
            {
                throw new OptionsValidationException(
                    nameof(TaskStatusOptions),
                    typeof(TaskStatusOptions),
                    ["TaskStatusOptions.DatabaseName is required to use the registered IMongoClient."]);
            }

            return new TaskStatusClient(client.GetDatabase(options.DatabaseName), options);
        }

        throw new OptionsValidationException(
            nameof(TaskStatusOptions),
            typeof(TaskStatusOptions),
            ["PersistentTaskStatus has no MongoDB to use: set TaskStatusOptions.ConnectionString, or register an IMongoDatabase, or an IMongoClient together with TaskStatusOptions.DatabaseName."]);
    }
}
