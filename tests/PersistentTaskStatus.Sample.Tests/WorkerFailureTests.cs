using System.Diagnostics;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Sample.Tests;

/// <summary>
/// A worker that fails reports the whole exception, and the supervisor shows it type and message first: the report
/// used to show only the last 20 lines of standard error, a stack trace's tail without the exception's own line.
/// </summary>
public sealed class WorkerFailureTests(MongoFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_that_fails_exits_with_1_and_writes_its_whole_exception_type_and_message_first()
    {
        var start = new ProcessStartInfo(SampleProcess.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "worker", "--uri", fixture.ConnectionString, "--database", MongoFixture.DatabaseNameFor(typeof(WorkerFailureTests)), "--container", "no-such-container", "--name", "worker-9" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var worker = new WorkerProcess("worker-9", process);
        var errors = process.StandardError.ReadToEndAsync(Token);
        _ = process.StandardOutput.ReadToEndAsync(Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        foreach (var line in (await errors).Split('\n'))
        {
            worker.OnError(line.TrimEnd('\r'));
        }

        Assert.Equal(1, process.ExitCode);
        Assert.Equal("System.InvalidOperationException: No task container 'no-such-container'.", worker.Failure[0]);
        Assert.Contains(worker.Failure, line => line.TrimStart().StartsWith("at PersistentTaskStatus.Sample.Worker", StringComparison.Ordinal));
    }

    [Fact]
    public void The_failure_shown_is_the_whole_exception_after_the_marker_however_long_and_whatever_came_before()
    {
        using var process = new Process();
        var worker = new WorkerProcess("worker-1", process);
        worker.OnError("warn: a log line before the failure");
        worker.OnError(Worker.FailurePrefix);
        worker.OnError("System.AggregateException: One or more errors occurred. (disk full)");
        worker.OnError(" ---> System.IO.IOException: disk full");
        for (var i = 0; i < 40; i++)
        {
            worker.OnError($"   at Frame{i}()");
        }

        Assert.Equal(42, worker.Failure.Count);
        Assert.Equal("System.AggregateException: One or more errors occurred. (disk full)", worker.Failure[0]);
        Assert.Equal(" ---> System.IO.IOException: disk full", worker.Failure[1]);
        Assert.Equal("   at Frame39()", worker.Failure[^1]);
    }

    [Fact]
    public void A_crash_the_worker_could_not_report_is_shown_from_the_runtimes_unhandled_exception_line()
    {
        using var process = new Process();
        var worker = new WorkerProcess("worker-1", process);
        worker.OnError("some output");
        worker.OnError("Unhandled exception. System.OutOfMemoryException: Insufficient memory.");
        for (var i = 0; i < 30; i++)
        {
            worker.OnError($"   at Frame{i}()");
        }

        Assert.Equal(31, worker.Failure.Count);
        Assert.Equal("Unhandled exception. System.OutOfMemoryException: Insufficient memory.", worker.Failure[0]);
    }
}
