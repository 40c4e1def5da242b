// The README's examples of hosted workers and health checks, compiled exactly as written there (between the
// begin and end markers), and tests that build hosts from them.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PersistentTaskStatus.Hosting.Tests;

public static class ReadmeExamples
{
    public static async Task ProgramAsync(string[] args)
    {
        // begin-snippet: hosted-worker
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddPersistentTaskStatus("mongodb://localhost:27017/jobs");
        builder.Services.AddPersistentTaskStatusWorker("feed-import:", async (lease, cancellationToken) =>
        {
            await ImportAsync(lease, cancellationToken);   // return: completed; throw: the attempt failed (retried)
        }, o => o.MaxDegreeOfParallelism = 4);
        builder.Services.AddHealthChecks().AddPersistentTaskStatus(o => o.FailedWindow = TimeSpan.FromHours(1));
        await builder.Build().RunAsync();
        // end-snippet
    }

    public static void AddTypedWorker(HostApplicationBuilder builder)
    {
        // begin-snippet: typed-worker
        builder.Services.AddScoped<FeedDatabase>();
        builder.Services.AddPersistentTaskStatusWorker<FeedImportHandler>("feed-import:", o => o.MaxDegreeOfParallelism = 4);
        // end-snippet
    }

    public static Task ImportAsync(TaskLease lease, CancellationToken cancellationToken) => lease.ReportProgressAsync(100, cancellationToken: cancellationToken);
}

// begin-snippet: typed-handler
public sealed class FeedImportHandler(FeedDatabase database) : ITaskHandler   // one per task, from a scope of its own
{
    public async Task HandleAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        var offset = lease.State.GetProcessingData<Checkpoint>()?.Offset ?? 0;   // resume from the last checkpoint
        await database.ImportAsync(lease.TaskName, offset, cancellationToken);
    }
}
// end-snippet

public sealed class Checkpoint
{
    public long Offset { get; set; }
}

public sealed class FeedDatabase
{
    public Task ImportAsync(string file, long offset, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_registrations_make_a_worker_with_its_options_and_a_health_check()
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPersistentTaskStatus("mongodb://localhost:27017/jobs");
        builder.Services.AddPersistentTaskStatusWorker("feed-import:", ReadmeExamples.ImportAsync, o => o.MaxDegreeOfParallelism = 4);
        builder.Services.AddHealthChecks().AddPersistentTaskStatus(o => o.FailedWindow = TimeSpan.FromHours(1));
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptionsMonitor<TaskWorkerOptions>>().Get("PersistentTaskStatus.Worker:feed-import:");
        Assert.Equal(4, options.MaxDegreeOfParallelism);
        Assert.Equal("feed-import:", options.NamePrefix);
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "TaskWorker");
        var registration = Assert.Single(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.Equal("persistent-task-status", registration.Name);
    }

    [Fact]
    public void The_readme_typed_handler_is_scoped()
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPersistentTaskStatus("mongodb://localhost:27017/jobs");
        ReadmeExamples.AddTypedWorker(builder);
        using var host = builder.Build();

        using var first = host.Services.CreateScope();
        using var second = host.Services.CreateScope();
        Assert.Same(first.ServiceProvider.GetRequiredService<FeedImportHandler>(), first.ServiceProvider.GetRequiredService<FeedImportHandler>());
        Assert.NotSame(first.ServiceProvider.GetRequiredService<FeedImportHandler>(), second.ServiceProvider.GetRequiredService<FeedImportHandler>());
        Assert.Equal(4, host.Services.GetRequiredService<IOptionsMonitor<TaskWorkerOptions>>().Get("PersistentTaskStatus.Worker:feed-import:").MaxDegreeOfParallelism);
    }
}
