using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace PersistentTaskStatus.Sample;

/// <summary>
/// <c>--dashboard [PORT]</c>: the PersistentTaskStatus dashboard on 127.0.0.1 while the run goes on, so that a
/// newcomer opens the printed URL and watches the workers (and may reset a failed step). It reads the same database
/// as the supervisor; served to this machine only, as the dashboard is by default.
/// </summary>
internal sealed class SampleDashboard : IAsyncDisposable
{
    public const int DefaultPort = 5080;

    private readonly WebApplication app;

    private SampleDashboard(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<SampleDashboard> StartAsync(string connectionString, string database, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        builder.Services.AddPersistentTaskStatus(options =>
        {
            options.ConnectionString = connectionString;
            options.DatabaseName = database;
        });
        builder.Services.AddPersistentTaskStatusDashboard(options =>
        {
            options.Title = "PersistentTaskStatus sample";
            options.AllowReset = true;
        });

        var app = builder.Build();
        app.MapPersistentTaskStatusDashboard("/tasks");
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var dashboard = new SampleDashboard(app, address.TrimEnd('/') + "/tasks/");
        AnsiConsole.WriteLine($"Dashboard: {dashboard.Url} (live while the run goes on)");
        return dashboard;
    }

    /// <summary>On a terminal, keeps the page up after the run until Enter, so its end can be looked at.</summary>
    public async Task LingerAsync(CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected)
        {
            return;
        }

        AnsiConsole.WriteLine($"The dashboard stays at {Url}; press Enter (or Ctrl+C) to stop.");
        try
        {
            await Task.Run(Console.ReadLine, cancellationToken).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over and reported: Ctrl+C here only closes the page.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
