using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PersistentTaskStatus.HealthChecks;

namespace PersistentTaskStatus;

/// <summary>Registers the PersistentTaskStatus health check.</summary>
public static class PersistentTaskStatusHealthChecksBuilderExtensions
{
    /// <summary>The default name of the health check.</summary>
    public const string DefaultName = "persistent-task-status";

    /// <summary>
    /// Adds a health check on the registered <see cref="TaskStatusClient"/>: the registration's failure status
    /// (unhealthy by default) when MongoDB does not answer within <see cref="TaskStatusHealthCheckOptions.Timeout"/>;
    /// degraded, naming them, when tasks are stalled (see <see cref="TaskStatusOptions.StallAfter"/>) or containers
    /// failed within <see cref="TaskStatusHealthCheckOptions.FailedWindow"/>; healthy otherwise. Each check sends two
    /// index-backed queries, together. The result's data holds <c>stalledContainers</c>, <c>stalledTasks</c>,
    /// <c>failedContainers</c>, <c>stalledContainerNames</c>, <c>failedContainerNames</c> and <c>truncated</c>.
    /// The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the check's options; the defaults when null.</param>
    /// <param name="name">The check's name, unique among the health checks.</param>
    /// <param name="failureStatus">The status reported when MongoDB does not answer; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>); none when null.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or whitespace.</exception>
    public static IHealthChecksBuilder AddPersistentTaskStatus(
        this IHealthChecksBuilder builder,
        Action<TaskStatusHealthCheckOptions>? configure = null,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = builder.Services.AddOptions<TaskStatusHealthCheckOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => o.Timeout > TimeSpan.Zero, $"TaskStatusHealthCheckOptions.Timeout of health check '{name}' must be more than zero.")
            .Validate(o => o.FailedWindow > TimeSpan.Zero, $"TaskStatusHealthCheckOptions.FailedWindow of health check '{name}' must be more than zero.")
            .Validate(o => o.MaxContainers is >= 1 and <= TaskContainerQuery.MaxPageSize, $"TaskStatusHealthCheckOptions.MaxContainers of health check '{name}' must be from 1 to {TaskContainerQuery.MaxPageSize}.")
            .ValidateOnStart();
        builder.Add(new HealthCheckRegistration(
            name,
            services => new TaskStatusHealthCheck(
                services.GetRequiredService<TaskStatusClient>(),
                services.GetRequiredService<IOptionsMonitor<TaskStatusHealthCheckOptions>>().Get(name),
                (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("PersistentTaskStatus.Hosting")),
            failureStatus,
            tags));
        return builder;
    }
}
