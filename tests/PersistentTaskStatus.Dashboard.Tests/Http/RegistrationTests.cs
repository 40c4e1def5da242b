using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersistentTaskStatus.Dashboard.Live;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Http;

/// <summary>Registration and mapping: options validated at start, clear errors, harmless repetition, the README's code.</summary>
public sealed class RegistrationTests(MongoFixture fixture) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(RegistrationTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task The_READMEs_registration_serves_the_dashboard_to_the_users_of_its_policy()
    {
        await context.FailedRunAsync("feed-import:2026-11-28T16:00Z");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Configuration["ConnectionStrings:Jobs"] = new MongoUrlBuilder(fixture.ConnectionString) { DatabaseName = context.DatabaseName }.ToString();
        HeaderAuthentication.Register(builder.Services);

        await using var app = ReadmeDashboardExample(builder);
        await app.StartAsync(Token);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/tasks/";
        using var http = new HttpClient();

        using var anonymous = await http.GetAsync(url, Token);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Test-User", "alice");
        request.Headers.Add("X-Test-Role", "ops");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var allowed = await http.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("feed-import:2026-11-28T16:00Z", await allowed.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.True(app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.AllowReset);
        await app.StopAsync(Token);
    }

    [Fact]
    public async Task Invalid_options_stop_the_application_at_start_naming_each_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await context.StartHostAsync(new HostSettings
        {
            Dashboard = o =>
            {
                o.PageSize = 0;
                o.Title = " ";
                o.LiveUpdateInterval = TimeSpan.Zero;
                o.HeartbeatInterval = TimeSpan.FromHours(1);
            },
        }));
        Assert.Equal(4, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("DashboardOptions.PageSize must be from 1 to 1000, not 0", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("DashboardOptions.Title", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("DashboardOptions.LiveUpdateInterval", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("DashboardOptions.HeartbeatInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_the_documented_ones_and_valid()
    {
        var options = new DashboardOptions();
        Assert.False(options.AllowReset);
        Assert.Equal("Task status", options.Title);
        Assert.Equal(50, options.PageSize);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.LiveUpdateInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), options.HeartbeatInterval);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Registering_twice_is_harmless_and_both_configurations_apply()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IMongoClient>(fixture.Client);
        services.AddPersistentTaskStatus(o => o.DatabaseName = context.DatabaseName);
        services.AddPersistentTaskStatusDashboard(o => o.AllowReset = true);
        services.AddPersistentTaskStatusDashboard(o => o.PageSize = 10);
        Assert.Single(services, d => d.ServiceType == typeof(SharedWatch));
        Assert.Single(services, d => d.ServiceType == typeof(Hosting.DashboardEndpoints));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<DashboardOptions>>().Value;
        Assert.True(options.AllowReset);
        Assert.Equal(10, options.PageSize);
        Assert.Same(provider.GetRequiredService<SharedWatch>(), provider.GetRequiredService<SharedWatch>());
    }

    [Fact]
    public void Mapping_without_the_services_says_which_registration_is_missing()
    {
        var withoutDashboard = WebApplication.CreateSlimBuilder();
        withoutDashboard.Services.AddPersistentTaskStatus("mongodb://127.0.0.1/jobs");
        var app = withoutDashboard.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapPersistentTaskStatusDashboard("/tasks"));
        Assert.Contains("call services.AddPersistentTaskStatusDashboard()", error.Message, StringComparison.Ordinal);

        var withoutClient = WebApplication.CreateSlimBuilder();
        withoutClient.Services.AddPersistentTaskStatusDashboard();
        app = withoutClient.Build();
        error = Assert.Throws<InvalidOperationException>(() => app.MapPersistentTaskStatusDashboard("/tasks"));
        Assert.Contains("call services.AddPersistentTaskStatus(...) too", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentNullException>(() => app.MapPersistentTaskStatusDashboard(null!));
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddPersistentTaskStatusDashboard());
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddPersistentTaskStatusDashboard(null!));
    }

    /// <summary>The "Dashboard" section of the README, exactly as written there (compiled and run here).</summary>
    private static WebApplication ReadmeDashboardExample(WebApplicationBuilder builder)
    {
        // begin-snippet: dashboard-registration
        builder.Services.AddPersistentTaskStatus(builder.Configuration.GetConnectionString("Jobs")!);
        builder.Services.AddPersistentTaskStatusDashboard(options => options.AllowReset = true);

        var app = builder.Build();
        app.MapPersistentTaskStatusDashboard("/tasks").RequireAuthorization("ops");   // a policy of yours
        // end-snippet
        return app;
    }
}
