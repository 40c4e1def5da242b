using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PersistentTaskStatus.Dashboard.Live;

namespace PersistentTaskStatus;

/// <summary>Registers the services of the PersistentTaskStatus dashboard.</summary>
public static class PersistentTaskStatusDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dashboard's services: its options (validated when the application starts), the one watch of
    /// the task containers that every open page shares, and ASP.NET Core's antiforgery. Registering twice is
    /// harmless. The <see cref="TaskStatusClient"/> it reads comes from <c>AddPersistentTaskStatus</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddPersistentTaskStatusDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<DashboardMarker>();
        services.AddOptions<DashboardOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        services.AddAntiforgery();
        services.TryAddSingleton<SharedWatch>();
        services.TryAddSingleton<Dashboard.Hosting.DashboardEndpoints>();
        return services;
    }

    /// <summary>Registers the dashboard's services (see <see cref="AddPersistentTaskStatusDashboard(IServiceCollection)"/>) and configures its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options, for example <c>o =&gt; o.AllowReset = true</c>.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddPersistentTaskStatusDashboard(this IServiceCollection services, Action<DashboardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddPersistentTaskStatusDashboard();
        services.Configure(configure);
        return services;
    }

    /// <summary>Says that the dashboard's services are registered.</summary>
    internal sealed class DashboardMarker;

    /// <summary>Names every invalid setting in the error, rather than one generic sentence.</summary>
    private sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
    {
        public ValidateOptionsResult Validate(string? name, DashboardOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
