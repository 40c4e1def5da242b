using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersistentTaskStatus.Dashboard.Diagnostics;

namespace PersistentTaskStatus.Dashboard.Live;

/// <summary>
/// The one watch of the task containers in a process (<see cref="TaskStatusClient.WatchAsync(string?, CancellationToken)"/>:
/// a change stream, or polling where the deployment has none), shared by every open page. It starts with the first
/// subscriber and stops <see cref="Linger"/> after the last one leaves (so that going from one page to the next
/// does not reopen it), or when the application stops. Each state is handed to the subscribers that want it over
/// their own bounded channel, without ever waiting for a slow one: a subscriber whose channel is full is marked to
/// read afresh instead.
/// </summary>
internal sealed class SharedWatch : IAsyncDisposable, IDisposable
{
    /// <summary>How long the watch stays open after the last page closed.</summary>
    internal static readonly TimeSpan Linger = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after the watch (re)started its stream is taken to be open when no change came through yet. Pages
    /// that read their state before then read it once more after, since a change between their read and the
    /// stream's opening would not come through the stream.
    /// </summary>
    internal static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    /// <summary>How many states a subscriber's channel holds before it is marked to read afresh.</summary>
    internal const int SubscriberCapacity = 512;

    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    private readonly TaskStatusClient client;
    private readonly ILogger logger;
    private readonly object gate = new();
    private readonly List<Subscription> subscribers = [];
    private CancellationTokenSource? running;
    private CancellationTokenSource? stopTimer;
    private Task loop = Task.CompletedTask;
    private long published;
    private int generation;
    private bool settled;
    private bool disposed;

    public SharedWatch(TaskStatusClient client, ILoggerFactory? loggerFactory = null)
    {
        this.client = client;
        logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.Category);
    }

    /// <summary>How many times the watch started (a process-wide count, for tests and diagnostics).</summary>
    public int Starts { get; private set; }

    /// <summary>How many states the watch handed out so far (a process-wide count, for tests and diagnostics).</summary>
    public long Published => Interlocked.Read(ref published);

    /// <summary>Whether the watch is running now.</summary>
    public bool IsRunning
    {
        get
        {
            lock (gate)
            {
                return running is not null;
            }
        }
    }

    /// <summary>How many pages follow the watch now.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    private TimeProvider Time => client.Options.TimeProvider;

    /// <summary>Follows the states for which <paramref name="wants"/> is true, starting the watch if it is not running.</summary>
    public Subscription Subscribe(Func<TaskContainer, bool> wants)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var subscription = new Subscription(this, wants);
            subscribers.Add(subscription);
            stopTimer?.Cancel();
            stopTimer = null;
            if (running is null)
            {
                running = new CancellationTokenSource();
                Starts++;
                Log.WatchStarted(logger, subscribers.Count);
                var token = running.Token;
                loop = Task.Run(() => RunAsync(token), CancellationToken.None);
            }

            return subscription;
        }
    }

    public async ValueTask DisposeAsync() => await Stop().ConfigureAwait(false);

    /// <summary>Stops the watch without waiting for it (for containers disposed synchronously).</summary>
    public void Dispose() => _ = Stop();

    private Task Stop()
    {
        lock (gate)
        {
            if (disposed)
            {
                return Task.CompletedTask;
            }

            disposed = true;
            stopTimer?.Cancel();
            running?.Cancel();
            running = null;
            foreach (var subscription in subscribers)
            {
                subscription.Complete();
            }

            return loop;
        }
    }

    internal void Unsubscribe(Subscription subscription)
    {
        lock (gate)
        {
            if (!subscribers.Remove(subscription) || subscribers.Count > 0 || running is null || disposed)
            {
                return;
            }

            var timer = new CancellationTokenSource();
            stopTimer = timer;
            _ = StopLaterAsync(timer);
        }
    }

    private async Task StopLaterAsync(CancellationTokenSource timer)
    {
        try
        {
            await Task.Delay(Linger, Time, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            timer.Dispose();
        }

        Task stopping;
        lock (gate)
        {
            if (!ReferenceEquals(stopTimer, timer) || subscribers.Count > 0 || running is null)
            {
                return;
            }

            stopTimer = null;
            running.Cancel();
            running = null;
            stopping = loop;
        }

        await stopping.ConfigureAwait(false);
        Log.WatchStopped(logger);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var attempt = BeginAttempt();
            _ = SettleLaterAsync(attempt, cancellationToken);
            try
            {
                await foreach (var state in client.WatchAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    failures = 0;
                    Settle(attempt);
                    Publish(state);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Not a transient error (the library's watch resumes by itself after those): tell the pages, wait,
                // start again; the pages read afresh once the new stream is open.
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRestartDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures++, 10))));
                Log.WatchFailed(logger, delay.TotalMilliseconds, ex);
                Signal(LiveSignal.Interrupted);
                try
                {
                    await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private int BeginAttempt()
    {
        lock (gate)
        {
            settled = false;
            return ++generation;
        }
    }

    private async Task SettleLaterAsync(int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(SettleTime, Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Settle(attempt);
    }

    /// <summary>The stream of <paramref name="attempt"/> is open: every page that read its state before reads it again.</summary>
    private void Settle(int attempt)
    {
        lock (gate)
        {
            if (settled || attempt != generation)
            {
                return;
            }

            settled = true;
            foreach (var subscription in subscribers)
            {
                if (subscription.Generation != attempt || !subscription.SubscribedSettled)
                {
                    subscription.Signal(LiveSignal.Resync);
                }
            }
        }
    }

    private void Signal(LiveSignal signal)
    {
        lock (gate)
        {
            foreach (var subscription in subscribers)
            {
                subscription.Signal(signal);
            }
        }
    }

    private void Publish(TaskContainer state)
    {
        lock (gate)
        {
            foreach (var subscription in subscribers)
            {
                subscription.Offer(state);
            }

            Interlocked.Increment(ref published);
        }
    }

    /// <summary>Called under the lock when a subscription is created: which attempt it saw, and whether that one was open.</summary>
    internal (int Generation, bool Settled) CurrentAttempt() => (generation, settled);

    /// <summary>What a page follows: the states it wants, and signals to read afresh.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly SharedWatch watch;
        private readonly Func<TaskContainer, bool> wants;
        private readonly Channel<LiveEvent> channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(SubscriberCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        private int overflowed;
        private int disposed;

        internal Subscription(SharedWatch watch, Func<TaskContainer, bool> wants)
        {
            this.watch = watch;
            this.wants = wants;
            (Generation, SubscribedSettled) = watch.CurrentAttempt();
        }

        /// <summary>The watch's attempt when this subscription began, and whether its stream was already open.</summary>
        internal int Generation { get; }

        internal bool SubscribedSettled { get; }

        public ChannelReader<LiveEvent> Events => channel.Reader;

        /// <summary>True once since the last call when states were dropped because the channel was full.</summary>
        public bool TakeOverflow() => Interlocked.Exchange(ref overflowed, 0) == 1;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                watch.Unsubscribe(this);
                channel.Writer.TryComplete();
            }
        }

        internal void Offer(TaskContainer state)
        {
            if (wants(state) && !channel.Writer.TryWrite(new LiveEvent(state, LiveSignal.None)))
            {
                Interlocked.Exchange(ref overflowed, 1);
            }
        }

        internal void Signal(LiveSignal signal)
        {
            if (!channel.Writer.TryWrite(new LiveEvent(null, signal)) && signal == LiveSignal.Resync)
            {
                // A full channel is read soon, and an overflow is read afresh anyway.
                Interlocked.Exchange(ref overflowed, 1);
            }
        }

        internal void Complete() => channel.Writer.TryComplete();
    }
}

/// <summary>What the watch tells a page besides states.</summary>
internal enum LiveSignal
{
    /// <summary>A state; see <see cref="LiveEvent.State"/>.</summary>
    None,

    /// <summary>Read the state afresh: the watch (re)opened after this page last read it.</summary>
    Resync,

    /// <summary>The watch failed and is starting again; live updates pause until then.</summary>
    Interrupted,
}

/// <summary>One item of a subscription's channel: a container's new state, or a signal.</summary>
internal readonly record struct LiveEvent(TaskContainer? State, LiveSignal Signal);
