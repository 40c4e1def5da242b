using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PersistentTaskStatus.Dashboard.Hosting;

namespace PersistentTaskStatus;

/// <summary>Maps the PersistentTaskStatus dashboard's pages into an ASP.NET Core application.</summary>
public static class PersistentTaskStatusDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the dashboard under <paramref name="pattern"/>: the runs list at <c>{pattern}/</c>, a run's page at
    /// <c>{pattern}/run?name=…</c>, their live updates, a task's data on demand, the reset action and the dashboard's
    /// own CSS, script and icon.
    /// Every link is relative, so a path base or a reverse proxy that maps the path works.
    /// <para>
    /// Safe by default: while the returned builder carries no authorization requirement, only requests from this
    /// machine (a loopback address) that carry no forwarding header are served, and every other gets 403. Add one
    /// with <c>.RequireAuthorization("policy")</c> to open it to the users that policy admits.
    /// </para>
    /// </summary>
    /// <param name="endpoints">The application's endpoint route builder, for example the <c>WebApplication</c>.</param>
    /// <param name="pattern">Where the dashboard lives, for example <c>/tasks</c>.</param>
    /// <returns>A builder of conventions applied to every endpoint of the dashboard (authorization, CORS, rate limiting, …).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// <c>AddPersistentTaskStatusDashboard</c> or <c>AddPersistentTaskStatus</c> was not called on the services.
    /// </exception>
    public static IEndpointConventionBuilder MapPersistentTaskStatusDashboard(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var services = endpoints.ServiceProvider.GetRequiredService<IServiceProviderIsService>();
        if (!services.IsService(typeof(PersistentTaskStatusDashboardServiceCollectionExtensions.DashboardMarker)))
        {
            throw new InvalidOperationException("The dashboard's services are not registered: call services.AddPersistentTaskStatusDashboard() before mapping it.");
        }

        if (!services.IsService(typeof(TaskStatusClient)))
        {
            throw new InvalidOperationException("The dashboard reads the registered TaskStatusClient, and there is none: call services.AddPersistentTaskStatus(...) too.");
        }

        var group = endpoints.MapGroup(pattern);
        group.MapGet("/", DashboardEndpoints.Guarded((d, c) => d.RunsAsync(c))).WithDisplayName("PersistentTaskStatus dashboard: runs");
        group.MapGet("/run", DashboardEndpoints.Guarded((d, c) => d.RunAsync(c))).WithDisplayName("PersistentTaskStatus dashboard: run");
        group.MapGet("/data", DashboardEndpoints.Guarded((d, c) => d.DataAsync(c))).WithDisplayName("PersistentTaskStatus dashboard: task data");
        group.MapGet("/events", DashboardEndpoints.Guarded((d, c) => d.EventsAsync(c))).WithDisplayName("PersistentTaskStatus dashboard: live updates");
        group.MapPost("/reset", DashboardEndpoints.Guarded((d, c) => d.ResetAsync(c))).WithDisplayName("PersistentTaskStatus dashboard: reset a task");
        group.MapGet("/assets/{file}", DashboardEndpoints.Guarded((_, c) => DashboardEndpoints.AssetAsync(c))).WithDisplayName("PersistentTaskStatus dashboard: assets");
        group.ExcludeFromDescription();
        return group;
    }
}
