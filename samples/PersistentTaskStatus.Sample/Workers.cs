using System.Diagnostics;
using System.Text.Json;
using MongoDB.Driver;

namespace PersistentTaskStatus.Sample;

/// <summary>
/// The worker process: the sample's own executable started again with <c>worker</c>. It knows nothing of the
/// supervisor's plans; it connects to MongoDB and works the container until it is complete, as a worker on
/// another machine would.
/// </summary>
internal static class Worker
{
    public const string ResultPrefix = "RESULT ";

    /// <summary>The line on standard error after which a worker writes the exception that ended it, whole.</summary>
    public const string FailurePrefix = "WORKER FAILED";

    public static async Task<int> RunAsync(SampleOptions options)
    {
        ExitWhenTheSupervisorIsGone();
        try
        {
            return await WorkAsync(options);
        }
        catch (Exception ex)
        {
            // The whole exception (type and message first, then inner exceptions and stack traces) behind a marker, so
            // that the supervisor can show it however much else went to standard error before.
            await Console.Error.WriteLineAsync(FailurePrefix);
            await Console.Error.WriteLineAsync(ex.ToString());
            return 1;
        }
    }

    private static async Task<int> WorkAsync(SampleOptions options)
    {
        using var mongo = new MongoClient(options.ConnectionString);
        var database = mongo.GetDatabase(options.Database);
        using var client = new TaskStatusClient(database);
        var container = await client.GetTaskContainerAsync(options.Container!)
            ?? throw new InvalidOperationException($"No task container '{options.Container}'.");
        var job = new ImportJob(container, new SampleCollections(database), options.WorkerName, new FailureInjector(options.FailureRate, options.Seed));

        var result = await container.RunAsync(options.WorkerName, job.RunStepAsync, new TaskRunOptions
        {
            MaxDegreeOfParallelism = 2,
            LeaseDuration = ImportJob.LeaseDuration,
            PollInterval = ImportJob.PollInterval,
        });

        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(new WorkerResult(result.Leased, result.Completed, result.FailedAttempts, result.LeasesLost)));
        return 0;
    }

    /// <summary>
    /// The supervisor holds this process's standard input; when the supervisor dies, however abruptly, the pipe
    /// closes and this process exits too, so no worker outlives the run.
    /// </summary>
    private static void ExitWhenTheSupervisorIsGone()
    {
        if (!Console.IsInputRedirected)
        {
            return;
        }

        var watcher = new Thread(() =>
        {
            while (Console.In.Read() != -1)
            {
            }

            Environment.Exit(3);
        })
        { IsBackground = true, Name = "supervisor watch" };
        watcher.Start();
    }
}

/// <summary>What a worker process reports when it ends normally (a killed one reports nothing).</summary>
internal sealed record WorkerResult(int Leased, int Completed, int FailedAttempts, int LeasesLost);

/// <summary>A worker process as the supervisor sees it.</summary>
internal sealed class WorkerProcess(string name, Process process)
{
    private readonly List<string> errors = [];

    public string Name { get; } = name;

    public Process Process { get; } = process;

    public bool Killed { get; set; }

    public WorkerResult? Result { get; private set; }

    public bool HasExited => Process.HasExited;

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (errors)
            {
                return [.. errors];
            }
        }
    }

    /// <summary>
    /// The exception that ended the worker, whole, its type and message line first: what the worker wrote after
    /// <see cref="Worker.FailurePrefix"/>, else (a crash the worker could not report, e.g. a runtime abort) what the
    /// runtime wrote from its "Unhandled exception." line on, else everything on standard error. Empty when nothing
    /// was written there.
    /// </summary>
    public IReadOnlyList<string> Failure
    {
        get
        {
            var lines = Errors;
            var reported = LastIndexOf(lines, line => line == Worker.FailurePrefix);
            if (reported >= 0)
            {
                return [.. lines.Skip(reported + 1)];
            }

            var unhandled = LastIndexOf(lines, line => line.StartsWith("Unhandled exception.", StringComparison.Ordinal));
            return unhandled >= 0 ? [.. lines.Skip(unhandled)] : lines;
        }
    }

    private static int LastIndexOf(IReadOnlyList<string> lines, Func<string, bool> predicate)
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (predicate(lines[i]))
            {
                return i;
            }
        }

        return -1;
    }

    internal void OnOutput(string? line)
    {
        if (line?.StartsWith(Worker.ResultPrefix, StringComparison.Ordinal) == true)
        {
            Result = JsonSerializer.Deserialize<WorkerResult>(line[Worker.ResultPrefix.Length..]);
        }
    }

    internal void OnError(string? line)
    {
        if (line is not null)
        {
            lock (errors)
            {
                errors.Add(line);
            }
        }
    }
}

/// <summary>
/// Starts worker processes, kills them on request (abruptly: <see cref="Process.Kill(bool)"/>, no chance to clean
/// up, as a crash or an OOM kill would), and makes sure none is left behind when the run ends, however it ends.
/// </summary>
internal sealed class WorkerFleet : IDisposable
{
    private readonly SampleOptions options;
    private readonly string connectionString;
    private readonly string container;
    private readonly List<WorkerProcess> workers = [];
    private readonly object sync = new();

    public WorkerFleet(SampleOptions options, string connectionString, string container)
    {
        this.options = options;
        this.connectionString = connectionString;
        this.container = container;

        // Covers SIGTERM and a normal exit; Ctrl+C goes through the supervisor's cancellation, and a SIGKILL of this
        // process through the workers' standard input (see Worker).
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public IReadOnlyList<WorkerProcess> Workers
    {
        get
        {
            lock (sync)
            {
                return [.. workers];
            }
        }
    }

    public int Live => Workers.Count(w => !w.HasExited);

    public int KilledCount => Workers.Count(w => w.Killed);

    public WorkerProcess Start()
    {
        lock (sync)
        {
            var name = $"worker-{workers.Count + 1}";
            var start = new ProcessStartInfo
            {
                FileName = Environment.ProcessPath!,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };

            // Started as 'dotnet PersistentTaskStatus.Sample.dll' (as tests do), the process path is the dotnet host:
            // start the workers the same way.
            if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                start.ArgumentList.Add(typeof(WorkerFleet).Assembly.Location);
            }

            foreach (var argument in options.WorkerArguments(connectionString, container, name))
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            var worker = new WorkerProcess(name, process);
            process.OutputDataReceived += (_, e) => worker.OnOutput(e.Data);
            process.ErrorDataReceived += (_, e) => worker.OnError(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            workers.Add(worker);
            return worker;
        }
    }

    public static void Kill(WorkerProcess worker)
    {
        worker.Killed = true;
        try
        {
            worker.Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
    }

    /// <summary>Waits for every worker to end by itself (they do once the container is complete).</summary>
    public async Task<bool> WaitForAllAsync(TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await Task.WhenAll(Workers.Select(w => w.Process.WaitForExitAsync(timer.Token)));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void KillAll()
    {
        foreach (var worker in Workers.Where(w => !w.HasExited))
        {
            try
            {
                worker.Process.Kill(entireProcessTree: true);
                worker.Process.WaitForExit(5_000);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        KillAll();
        foreach (var worker in Workers)
        {
            worker.Process.Dispose();
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => KillAll();
}
