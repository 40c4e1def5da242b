using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MongoDB.Driver.Core.Events;
using PersistentTaskStatus.Dashboard.Live;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Dashboard.Tests.Infrastructure;

/// <summary>How a test hosts the dashboard.</summary>
public sealed class HostSettings
{
    public string Pattern { get; init; } = "/tasks";

    /// <summary>A path base put in front by <c>app.UsePathBase</c>, or null.</summary>
    public string? PathBase { get; init; }

    public Action<DashboardOptions>? Dashboard { get; init; }

    public Action<TaskStatusOptions>? Library { get; init; }

    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Middleware before the dashboard (authentication, authorization).</summary>
    public Action<WebApplication>? Pipeline { get; init; }

    /// <summary>Conventions on the dashboard's endpoints, such as <c>RequireAuthorization</c>.</summary>
    public Action<IEndpointConventionBuilder>? Conventions { get; init; }
}

/// <summary>
/// The dashboard in a real ASP.NET Core application on Kestrel at 127.0.0.1 (an ephemeral port), in the test process,
/// over the fixture's MongoDB: a browser reaches it as it would reach any site. Its <see cref="TaskStatusClient"/>
/// runs on a MongoDB client of its own whose <c>$changeStream</c> aggregations are counted.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly MongoClient mongo;
    private readonly StrongBox<int> changeStreams;
    private int disposed;

    private DashboardHost(WebApplication app, MongoClient mongo, StrongBox<int> changeStreams, string baseAddress, string databaseName, HostSettings settings)
    {
        this.app = app;
        this.mongo = mongo;
        this.changeStreams = changeStreams;
        BaseAddress = baseAddress;
        DatabaseName = databaseName;
        Settings = settings;
    }

    /// <summary><c>http://127.0.0.1:port</c>, no trailing slash.</summary>
    public string BaseAddress { get; }

    public string DatabaseName { get; }

    /// <summary>The application name of the dashboard's MongoDB client, which fail points can target.</summary>
    public string ApplicationName { get; private init; } = "";

    public HostSettings Settings { get; }

    /// <summary>The dashboard's folder: <c>http://127.0.0.1:port{pathBase}{pattern}/</c>.</summary>
    public string Url => $"{BaseAddress}{Settings.PathBase}{Settings.Pattern.TrimEnd('/')}/";

    public IServiceProvider Services => app.Services;

    /// <summary>The <see cref="TaskStatusClient"/> the dashboard reads.</summary>
    public TaskStatusClient DashboardClient => app.Services.GetRequiredService<TaskStatusClient>();

    internal SharedWatch Watch => app.Services.GetRequiredService<SharedWatch>();

    /// <summary>How many change streams the dashboard opened on the database so far (<c>$changeStream</c> aggregations the server answered).</summary>
    public int ChangeStreamsOpened => Volatile.Read(ref changeStreams.Value);

    public string RunUrl(string name) => Url + "run?name=" + Uri.EscapeDataString(name);

    public static async Task<DashboardHost> StartAsync(MongoFixture fixture, string databaseName, HostSettings? settings = null)
    {
        settings ??= new HostSettings();
        var changeStreams = new StrongBox<int>();
        var clientSettings = fixture.CreateClientSettings();
        var opening = new ConcurrentDictionary<int, bool>();
        clientSettings.ApplicationName = "dashboard-" + Guid.NewGuid().ToString("N")[..8];
        clientSettings.ClusterConfigurator = cluster => cluster
            .Subscribe<CommandStartedEvent>(e =>
            {
                if (e.CommandName == "aggregate" && e.Command.TryGetValue("pipeline", out var pipeline) &&
                    pipeline.AsBsonArray.Any(stage => stage.AsBsonDocument.Contains("$changeStream")))
                {
                    opening[e.RequestId] = true;
                }
            })
            .Subscribe<CommandSucceededEvent>(e =>
            {
                // Counted once the server answered: the stream is open from then on.
                if (opening.TryRemove(e.RequestId, out _))
                {
                    Interlocked.Increment(ref changeStreams.Value);
                }
            });
        var mongo = new MongoClient(clientSettings);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IMongoClient>(mongo);
        builder.Services.AddPersistentTaskStatus(options =>
        {
            options.DatabaseName = databaseName;
            options.RenewLeases = false;
            settings.Library?.Invoke(options);
        });
        builder.Services.AddPersistentTaskStatusDashboard(options => settings.Dashboard?.Invoke(options));
        settings.Services?.Invoke(builder.Services);

        var app = builder.Build();
        if (settings.PathBase is not null)
        {
            app.UsePathBase(settings.PathBase);
        }

        app.UseRouting();
        settings.Pipeline?.Invoke(app);
        var dashboard = app.MapPersistentTaskStatusDashboard(settings.Pattern);
        settings.Conventions?.Invoke(dashboard);
        await app.StartAsync(TestContext.Current.CancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DashboardHost(app, mongo, changeStreams, address.TrimEnd('/'), databaseName, settings) { ApplicationName = clientSettings.ApplicationName };
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        mongo.Dispose();
    }
}
