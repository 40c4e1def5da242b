using System.Threading.Channels;

namespace PersistentTaskStatus;

/// <summary>
/// An <see cref="IProgress{T}"/> bound to one task (through its container or its lease) that persists the reports.
/// <see cref="IProgress{T}.Report"/> never blocks: writes happen in the background, in order. A failed write does not
/// throw from <c>Report</c>; the next <see cref="FlushAsync"/> or <see cref="DisposeAsync"/> throws it.
/// </summary>
public sealed class TaskProgressReporter : IProgress<double>, IProgress<ProgressReport>, IAsyncDisposable
{
    private readonly Func<ProgressReport, Task> persist;
    private readonly ProgressReporterOptions options;
    private readonly TimeProvider timeProvider;
    private readonly Channel<Item> channel = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task writer;
    private readonly string containerName;
    private readonly string taskName;
    private readonly Action<TaskProgressReporter>? onDisposed;
    private Exception? failure;
    private int disposed;

    internal TaskProgressReporter(
        string containerName,
        string taskName,
        Func<ProgressReport, Task> persist,
        ProgressReporterOptions options,
        TimeProvider timeProvider,
        Action<TaskProgressReporter>? onDisposed)
    {
        this.containerName = containerName;
        this.taskName = taskName;
        this.persist = persist;
        this.options = options;
        this.timeProvider = timeProvider;
        this.onDisposed = onDisposed;
        writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>How many reports were written to the database so far.</summary>
    public int Writes { get; private set; }

    /// <summary>Reports a percentage (0 to 100).</summary>
    /// <param name="value">The progress, from 0 to 100.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or outside 0–100.</exception>
    /// <exception cref="ObjectDisposedException">The reporter was disposed.</exception>
    public void Report(double value) => Report(new ProgressReport(value, null));

    /// <summary>Reports a percentage with a status text.</summary>
    /// <param name="value">The report.</param>
    /// <exception cref="ArgumentOutOfRangeException">The percentage is NaN or outside 0–100.</exception>
    /// <exception cref="ObjectDisposedException">The reporter was disposed.</exception>
    public void Report(ProgressReport value)
    {
        Validation.Percentage(containerName, taskName, value.Percentage, nameof(value));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        channel.Writer.TryWrite(new Item(value, null));
    }

    /// <summary>Writes every report made so far that is not written yet, and throws the first write error since the last flush.</summary>
    /// <param name="cancellationToken">Stops waiting (the writes still happen).</param>
    /// <returns>A task that completes when the reports are written.</returns>
    /// <exception cref="TaskStatusException">A write failed (for example <see cref="LeaseLostException"/>).</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (channel.Writer.TryWrite(new Item(null, done)))
        {
            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ThrowFailure();
    }

    /// <summary>Writes what is pending, then stops the reporter.</summary>
    /// <returns>A task that completes when the last report is written.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        channel.Writer.TryComplete();
        await writer.ConfigureAwait(false);
        onDisposed?.Invoke(this);
        ThrowFailure();
    }

    private void ThrowFailure()
    {
        var error = Interlocked.Exchange(ref failure, null);
        if (error is not null)
        {
            throw error;
        }
    }

    private async Task WriteLoopAsync()
    {
        ProgressReport? pending = null;
        ProgressReport? lastWritten = null;
        var lastWrite = DateTimeOffset.MinValue;
        var reader = channel.Reader;
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                if (item.Flush is { } flush)
                {
                    if (pending is { } unwritten)
                    {
                        await WriteAsync(unwritten).ConfigureAwait(false);
                        (lastWritten, lastWrite, pending) = (unwritten, timeProvider.GetUtcNow(), null);
                    }

                    flush.TrySetResult();
                }
                else if (!options.Coalesces)
                {
                    await WriteAsync(item.Report!.Value).ConfigureAwait(false);
                }
                else
                {
                    pending = item.Report;
                }
            }

            var waitForMore = reader.WaitToReadAsync().AsTask();
            if (waitForMore.IsCompleted && !await waitForMore.ConfigureAwait(false))
            {
                // Disposed: the last value is never lost.
                if (pending is { } last)
                {
                    await WriteAsync(last).ConfigureAwait(false);
                }

                return;
            }

            if (pending is { } report && WorthWriting(report, lastWritten))
            {
                var wait = lastWrite + options.MinInterval - timeProvider.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    await WriteAsync(report).ConfigureAwait(false);
                    (lastWritten, lastWrite, pending) = (report, timeProvider.GetUtcNow(), null);
                    continue;
                }

                // Wait out the interval, unless newer reports or a flush come first.
                await Task.WhenAny(waitForMore, Task.Delay(wait, timeProvider)).ConfigureAwait(false);
                continue;
            }

            // Nothing worth writing now: sleep until more comes (or the reporter is disposed).
            await waitForMore.ConfigureAwait(false);
        }
    }

    private bool WorthWriting(ProgressReport report, ProgressReport? lastWritten) =>
        lastWritten is not { } last ||
        Math.Abs(report.Percentage - last.Percentage) >= options.MinChange ||
        (report.StatusText is not null && report.StatusText != last.StatusText);

    private async Task WriteAsync(ProgressReport report)
    {
        try
        {
            await persist(report).ConfigureAwait(false);
            Writes++;
        }
        catch (Exception ex) when (ex is TaskStatusException or MongoDB.Driver.MongoException or TimeoutException)
        {
            Interlocked.CompareExchange(ref failure, ex, null);
        }
    }

    private sealed record Item(ProgressReport? Report, TaskCompletionSource? Flush);
}
