using System.Diagnostics;
using System.Runtime.InteropServices;
using MongoDB.Driver;
using PersistentTaskStatus.TestServer;
using Spectre.Console;

namespace PersistentTaskStatus.Sample;

/// <summary>A worker killed by the supervisor, and what it held at that moment.</summary>
internal sealed record KillRecord(string Worker, IReadOnlyList<string> Steps, TimeSpan At);

/// <summary>
/// The main process: generates the feed, hosts MongoDB (unless MONGODB_URI names one), creates the hour's container
/// with its first step, starts the worker processes, shows their progress, kills some of them in mid-step, and in
/// the end proves from the database that nothing was lost or done twice.
/// </summary>
internal static class Supervisor
{
    private const int ChunkBytes = 256 * 1024;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(SampleOptions options)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        // A SIGTERM (docker stop, systemd) stops the run the same way, so the workers and temporary files go too.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });

        var clock = Stopwatch.StartNew();
        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"pts-sample-{Guid.NewGuid():N}");
        try
        {
            return await RunInAsync(options, workDirectory, clock, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("[yellow]Interrupted: the workers were stopped; the container keeps the run's state.[/]");
            return 130;
        }
        finally
        {
            if (options.WorkDirectory is null && Directory.Exists(workDirectory))
            {
                Directory.Delete(workDirectory, recursive: true);
            }
        }
    }

    private static async Task<int> RunInAsync(SampleOptions options, string workDirectory, Stopwatch clock, CancellationToken cancellationToken)
    {
        // The feed, on the "remote" side.
        var feedDirectory = Path.Combine(workDirectory, "feed");
        var downloadDirectory = Path.Combine(workDirectory, "downloads");
        if (Directory.Exists(downloadDirectory))
        {
            Directory.Delete(downloadDirectory, recursive: true);
        }

        var feed = Feed.Generate(feedDirectory, options.Files, (long)(options.FileSizeMb * 1024 * 1024), options.Seed);
        AnsiConsole.MarkupLine($"Feed: [bold]{feed.Count}[/] files of {options.FileSizeMb:0.##} MB ({feed.Sum(f => f.Rows):N0} rows) in {Markup.Escape(feedDirectory)}");

        // MongoDB: the one in MONGODB_URI, else the in-process test server, which the workers reach over TCP.
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        await using var embedded = string.IsNullOrWhiteSpace(uri) ? await MongoTestServer.StartAsync(new MongoTestServerOptions { Port = 0 }) : null;
        var connectionString = embedded?.ConnectionString ?? uri!;
        AnsiConsole.MarkupLine(embedded is null
            ? $"MongoDB: from MONGODB_URI, database [bold]{Markup.Escape(options.Database)}[/]"
            : $"MongoDB: the in-process test server at {Markup.Escape(connectionString)}, database [bold]{Markup.Escape(options.Database)}[/] (set MONGODB_URI to use another)");

        using var mongo = new MongoClient(connectionString);
        await mongo.DropDatabaseAsync(options.Database, cancellationToken);
        var database = mongo.GetDatabase(options.Database);
        using var client = new TaskStatusClient(database);
        await using var dashboard = options.DashboardPort is { } port
            ? await SampleDashboard.StartAsync(connectionString, options.Database, port, cancellationToken)
            : null;

        // The hour's run: one container, named after the hour, created with the feed check as its first step.
        var containerName = $"feed-import:{DateTime.UtcNow:yyyy-MM-dd'T'HH}:00Z";
        var (container, _) = await client.GetOrCreateTaskContainerAsync(containerName, cancellationToken);
        await ImportJob.AddFeedCheckAsync(container, new StepData
        {
            FeedDirectory = feedDirectory,
            DownloadDirectory = downloadDirectory,
            ChunkBytes = ChunkBytes,
            BytesPerSecond = options.SpeedMbPerSecond * 1024 * 1024,

            // Room for the injected failures (first and second attempts only) and for each kill to cost an attempt.
            MaxRetries = 3 + options.Kills,
        });
        AnsiConsole.MarkupLine($"Container [bold]{Markup.Escape(containerName)}[/]: {options.Workers} worker processes, {options.Kills} to be killed, failure rate {options.FailureRate:0.##}");

        using var fleet = new WorkerFleet(options, connectionString, containerName);
        var kills = new List<KillRecord>();
        var outcome = "";
        await ProgressDisplay.RunAsync(clock, options.Kills, async view =>
        {
            for (var i = 0; i < options.Workers; i++)
            {
                fleet.Start();
            }

            outcome = await SuperviseAsync(container, fleet, view, options, kills, clock, cancellationToken);
        });

        // Workers that are still running now are stuck: the fleet kills them (no worker outlives the run).
        fleet.KillAll();
        await container.RefreshAsync(cancellationToken);
        var report = await RunReport.BuildAsync(container, new SampleCollections(database), feed, downloadDirectory, fleet, kills, options.Kills, cancellationToken);
        report.Print(outcome, clock.Elapsed);
        await (dashboard?.LingerAsync(cancellationToken) ?? Task.CompletedTask);
        return report.ProofHolds ? 0 : 1;
    }

    /// <summary>Watches the run until the container is complete, killing workers along the way; says how it ended.</summary>
    private static async Task<string> SuperviseAsync(
        TaskContainer container,
        WorkerFleet fleet,
        IRunView view,
        SampleOptions options,
        List<KillRecord> kills,
        Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var lastKill = TimeSpan.Zero;
        while (true)
        {
            // The container's state as the workers wrote it; a watch API will replace this polling.
            await container.RefreshAsync(cancellationToken);
            view.Update(container, fleet);
            if (container.IsComplete)
            {
                break;
            }

            if (fleet.Live == 0)
            {
                return "every worker exited before the run was complete";
            }

            if (clock.Elapsed > Deadline)
            {
                return $"the run did not complete within {Deadline.TotalMinutes} minutes";
            }

            // Kill a worker abruptly in mid-step, spaced out so that each crash is seen on its own; a replacement is
            // started at once, as a process supervisor (systemd, Kubernetes) would restart a crashed worker.
            if (kills.Count < options.Kills && clock.Elapsed - lastKill > ImportJob.LeaseDuration * 1.5 && PickVictim(container, fleet) is { } victim)
            {
                WorkerFleet.Kill(victim.Worker);
                var replacement = fleet.Start();
                lastKill = clock.Elapsed;
                kills.Add(new KillRecord(victim.Worker.Name, victim.Steps, clock.Elapsed));
                view.Note($"killed {victim.Worker.Name} in {string.Join(", ", victim.Steps)}; {replacement.Name} started");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        // Complete: each worker sees it at its next poll and exits by itself.
        var exited = await fleet.WaitForAllAsync(TimeSpan.FromSeconds(15));
        view.Update(container, fleet);
        return exited ? "complete" : "complete, but some workers did not exit by themselves";
    }

    /// <summary>
    /// A live worker whose every step is a download or an import well under way (so the kill interrupts real work
    /// that has a checkpoint to resume from), or null.
    /// </summary>
    private static (WorkerProcess Worker, IReadOnlyList<string> Steps)? PickVictim(TaskContainer container, WorkerFleet fleet)
    {
        foreach (var worker in fleet.Workers.Where(w => !w.Killed && !w.HasExited))
        {
            var held = container.Tasks.Where(t => t.Status == TaskRunStatus.Running && t.LeaseOwner == worker.Name).ToList();
            var midStep = held.Count > 0 && held.All(t =>
                (t.Name.StartsWith("download ", StringComparison.Ordinal) || t.Name.StartsWith("import ", StringComparison.Ordinal))
                && t.PercentageComplete is >= 15 and <= 85);
            if (midStep)
            {
                return (worker, held.Select(t => t.Name).ToList());
            }
        }

        return null;
    }
}
