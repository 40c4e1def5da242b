using Microsoft.Extensions.Configuration;
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

        // Checked when the options are first read, and at start-up where a host runs the start-up validators.
        services.AddOptions<TaskStatusOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskStatusOptions>, TaskStatusOptionsValidator>());
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

    /// <summary>
    /// Registers a singleton <see cref="TaskStatusClient"/> that connects with <paramref name="connectionString"/>, with
    /// the other options set by <paramref name="configure"/> (for example a collection name or a timeout).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="connectionString">A MongoDB connection string; it names the database unless <paramref name="configure"/> sets <see cref="TaskStatusOptions.DatabaseName"/>.</param>
    /// <param name="configure">Sets the other options; it runs after the connection string is set.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="connectionString"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or whitespace.</exception>
    public static IServiceCollection AddPersistentTaskStatus(this IServiceCollection services, string connectionString, Action<TaskStatusOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddPersistentTaskStatus(options =>
        {
            options.ConnectionString = connectionString;
            configure(options);
        });
    }

    /// <summary>
    /// Registers a singleton <see cref="TaskStatusClient"/> whose options are read from a configuration section, such as
    /// <c>configuration.GetSection("PersistentTaskStatus")</c>. Its keys are the names of the
    /// <see cref="TaskStatusOptions"/> properties that are values: <c>ConnectionString</c>, <c>DatabaseName</c>,
    /// <c>CollectionName</c>, <c>WriteConcern</c> (<c>majority</c> or a number of members), <c>OperationTimeout</c>
    /// (or <c>Infinite</c>), <c>CreateIndexes</c>, <c>MaxRetryDelay</c>, <c>RenewLeases</c>, <c>StallAfter</c>,
    /// <c>CompletedRetention</c>, <c>FailedRetention</c> and <c>WatchPollInterval</c>; durations are written
    /// <c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>. The section is read when the options are first needed (at start-up with a
    /// host); later changes to it are not seen. Keys missing from the section keep their defaults, and other
    /// registrations (<c>services.Configure&lt;TaskStatusOptions&gt;</c>) may change the options further.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section that holds the options (not the whole configuration).</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    /// <remarks>
    /// An unknown key, a bad value or an invalid setting fails with an <see cref="OptionsValidationException"/> that
    /// names every such key by its path (for example <c>PersistentTaskStatus:OperationTimeout</c>) when the options
    /// are first read: at start-up where a host runs the start-up validators, else when the client is first resolved.
    /// </remarks>
    public static IServiceCollection AddPersistentTaskStatus(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddPersistentTaskStatus();
        services.AddSingleton<IConfigureOptions<TaskStatusOptions>>(new TaskStatusConfiguration(configuration));
        return services;
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

    /// <summary>The options' own checks (<see cref="TaskStatusOptions"/>), as an options validation failure naming the setting.</summary>
    private sealed class TaskStatusOptionsValidator : IValidateOptions<TaskStatusOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaskStatusOptions options)
        {
            try
            {
                options.Validate(requireConnection: false);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message.Replace(" (Parameter 'options')", "", StringComparison.Ordinal));
            }
        }
    }
}
