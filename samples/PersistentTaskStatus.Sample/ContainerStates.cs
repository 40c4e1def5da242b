using System.Threading.Channels;

namespace PersistentTaskStatus.Sample;

/// <summary>
/// The container's committed states as the library's watch delivers them (a change stream; polling by itself on a
/// standalone server), for a loop that must also act when nothing changes (a worker that exited, a deadline):
/// <see cref="NextAsync"/> returns the newest state as soon as one arrives, or the last one again after a tick.
/// </summary>
internal sealed class ContainerStates : IAsyncDisposable
{
    // Only the newest state matters: each is the whole container.
    private readonly Channel<TaskContainer> states = Channel.CreateBounded<TaskContainer>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource stop;
    private readonly Task watching;
    private TaskContainer current;

    public ContainerStates(TaskContainer container, CancellationToken cancellationToken)
    {
        current = container;
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watching = WatchAsync(container, stop.Token);
    }

    /// <summary>
    /// The newest state, waiting at most <paramref name="tick"/> for one (then the last state again); null once the
    /// container was deleted. An error of the watch is thrown here.
    /// </summary>
    public async Task<TaskContainer?> NextAsync(TimeSpan tick, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(tick);
        try
        {
            if (!await states.Reader.WaitToReadAsync(timer.Token))
            {
                await states.Reader.Completion;
                return null;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return current;
        }

        while (states.Reader.TryRead(out var state))
        {
            current = state;
        }

        return current;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await watching;
        stop.Dispose();
    }

    private async Task WatchAsync(TaskContainer container, CancellationToken cancellationToken)
    {
        try
        {
            // The current state first, read once the watch has started, so that no change in between is missed.
            await foreach (var state in container.WatchAsync(includeCurrentState: true, cancellationToken))
            {
                states.Writer.TryWrite(state);
            }

            states.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            states.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            states.Writer.TryComplete(ex);
        }
    }
}
