using System.Diagnostics;

namespace PersistentTaskStatus.Testing;

/// <summary>
/// A clock that runs at the speed of real time from the moment it is created, and that <see cref="Advance"/> moves
/// forward at once. Its timers (the ones behind <c>Task.Delay</c>, <c>CancellationTokenSource</c> and
/// <c>PeriodicTimer</c> on this provider) fire when the clock reaches their due time, whichever way it got there:
/// by waiting, or by a skip. Unlike a fake clock that stands still, code that nobody skips for still runs as in
/// production.
/// </summary>
internal sealed class SkippingClock : TimeProvider
{
    private readonly DateTimeOffset origin;
    private readonly long originTimestamp = Stopwatch.GetTimestamp();
    private readonly object sync = new();
    private readonly HashSet<ClockTimer> timers = [];
    private long skippedTicks;

    public SkippingClock()
    {
        origin = System.GetUtcNow();
    }

    /// <summary>How far the clock has been moved ahead of real time.</summary>
    public TimeSpan Skipped => TimeSpan.FromTicks(Interlocked.Read(ref skippedTicks));

    public override DateTimeOffset GetUtcNow() => origin + Stopwatch.GetElapsedTime(originTimestamp) + Skipped;

    public override long GetTimestamp() =>
        Stopwatch.GetTimestamp() + (long)(Interlocked.Read(ref skippedTicks) * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ClockTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="duration"/> and fires, before returning and in due-time order, the
    /// callbacks of the timers that came due (a periodic timer fires once, then keeps its period from now).
    /// </summary>
    public void Advance(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Time can only be moved forward.");
        }

        Interlocked.Add(ref skippedTicks, duration.Ticks);
        ClockTimer[] due;
        lock (sync)
        {
            due = [.. timers];
        }

        var now = GetUtcNow();
        foreach (var timer in due.Where(t => t.DueAt is { } at && at <= now).OrderBy(t => t.DueAt))
        {
            timer.FireIfDue();
        }

        // The others wait a shorter real time now.
        foreach (var timer in due)
        {
            timer.Reschedule();
        }
    }

    private void Track(ClockTimer timer, bool active)
    {
        lock (sync)
        {
            if (active)
            {
                timers.Add(timer);
            }
            else
            {
                timers.Remove(timer);
            }
        }
    }

    /// <summary>A timer on the skipping clock, backed by a real timer set for the real time left until it is due.</summary>
    private sealed class ClockTimer : ITimer
    {
        private readonly SkippingClock clock;
        private readonly TimerCallback callback;
        private readonly object? state;
        private readonly object sync = new();
        private readonly ITimer backing;
        private DateTimeOffset? dueAt;
        private TimeSpan period = Timeout.InfiniteTimeSpan;
        private bool disposed;

        public ClockTimer(SkippingClock clock, TimerCallback callback, object? state)
        {
            this.clock = clock;
            this.callback = callback;
            this.state = state;
            backing = System.CreateTimer(static self => ((ClockTimer)self!).FireIfDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public DateTimeOffset? DueAt
        {
            get
            {
                lock (sync)
                {
                    return dueAt;
                }
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ValidateInterval(dueTime, nameof(dueTime));
            ValidateInterval(period, nameof(period));
            lock (sync)
            {
                if (disposed)
                {
                    return false;
                }

                dueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
                this.period = period;
            }

            clock.Track(this, dueTime != Timeout.InfiniteTimeSpan);
            Reschedule();
            return true;
        }

        /// <summary>Sets the real timer for the real time left until the due time on the clock.</summary>
        public void Reschedule()
        {
            lock (sync)
            {
                if (disposed)
                {
                    return;
                }

                if (dueAt is not { } at)
                {
                    backing.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    return;
                }

                var left = at - clock.GetUtcNow();
                backing.Change(left <= TimeSpan.Zero ? TimeSpan.Zero : left + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>Runs the callback when the clock has reached the due time, and sets the next one.</summary>
        public void FireIfDue()
        {
            bool fire;
            bool pending;
            lock (sync)
            {
                var now = clock.GetUtcNow();
                fire = !disposed && dueAt is { } at && at <= now;
                if (fire)
                {
                    dueAt = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero ? now + period : null;
                }

                pending = dueAt is not null;
            }

            if (!pending)
            {
                clock.Track(this, active: false);
            }

            // Early (the real timer's resolution) or periodic: wait for the (next) due time.
            Reschedule();
            if (fire)
            {
                callback(state);
            }
        }

        public void Dispose()
        {
            lock (sync)
            {
                if (disposed)
                {
                    return;
                }

                disposed = true;
                dueAt = null;
            }

            clock.Track(this, active: false);
            backing.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static void ValidateInterval(TimeSpan value, string name)
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(name, value, "A timer's due time and period must be zero or more, or Timeout.InfiniteTimeSpan.");
            }
        }
    }
}
