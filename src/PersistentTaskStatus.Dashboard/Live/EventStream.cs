using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace PersistentTaskStatus.Dashboard.Live;

/// <summary>
/// One page's Server-Sent Events stream: it follows the shared watch, reads afresh from the database on connect (and
/// whenever the watch reopened or the page fell behind), then sends the changes, coalesced: the latest state of each
/// container wins, the first change after a quiet spell goes at once and the next ones at most every
/// <see cref="DashboardOptions.LiveUpdateInterval"/>; a comment line every <see cref="DashboardOptions.HeartbeatInterval"/>
/// keeps an idle stream open.
/// </summary>
internal static class EventStream
{
    /// <summary>How long a browser waits before it reconnects, sent in the stream's first line.</summary>
    internal const int RetryMilliseconds = 2000;

    private static readonly byte[] Heartbeat = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    public static async Task RunAsync(HttpContext context, SharedWatch watch, Feed feed, DashboardOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var subscription = watch.Subscribe(feed.Wants);
        var events = subscription.Events;
        await WriteAsync(response, $"retry: {RetryMilliseconds.ToString(CultureInfo.InvariantCulture)}\n\n", cancellationToken).ConfigureAwait(false);
        await ReadAfreshAsync(response, feed, events, cancellationToken).ConfigureAwait(false);

        var pending = new Dictionary<string, TaskContainer>(StringComparer.Ordinal);
        var lastSent = time.GetTimestamp() - (long)(options.LiveUpdateInterval.TotalSeconds * time.TimestampFrequency);
        var lastWrite = time.GetTimestamp();
        Task<bool>? readable = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            readable ??= events.WaitToReadAsync(cancellationToken).AsTask();
            var quiet = options.HeartbeatInterval - time.GetElapsedTime(lastWrite);
            if (!readable.IsCompleted && quiet > TimeSpan.Zero)
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var heartbeat = Task.Delay(quiet, time, timer.Token);
                await Task.WhenAny(readable, heartbeat).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!readable.IsCompleted)
            {
                await response.Body.WriteAsync(Heartbeat, cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                lastWrite = time.GetTimestamp();
                continue;
            }

            if (!await readable.ConfigureAwait(false))
            {
                // The watch was disposed: the application is stopping.
                return;
            }

            readable = null;

            // Coalesce: wait out the rest of the interval since the last message, taking in what arrives meanwhile.
            var wait = options.LiveUpdateInterval - time.GetElapsedTime(lastSent);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            var signal = Drain(events, pending);
            if (subscription.TakeOverflow() || signal == LiveSignal.Resync)
            {
                pending.Clear();
                await ReadAfreshAsync(response, feed, events, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (signal == LiveSignal.Interrupted)
                {
                    await WriteAsync(response, Message("status", "{\"live\":false}", null), cancellationToken).ConfigureAwait(false);
                }

                if (pending.Count > 0)
                {
                    var message = feed.Changed(pending.Values);
                    pending.Clear();
                    if (message is not null)
                    {
                        await WriteAsync(response, Message(message.Event, message.Data, message.Position), cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            lastSent = lastWrite = time.GetTimestamp();
        }
    }

    /// <summary>Takes every waiting item: states into <paramref name="pending"/> (latest per container), and the strongest signal.</summary>
    private static LiveSignal Drain(System.Threading.Channels.ChannelReader<LiveEvent> events, Dictionary<string, TaskContainer> pending)
    {
        var signal = LiveSignal.None;
        while (events.TryRead(out var item))
        {
            if (item.State is { } state)
            {
                pending[state.Name] = state;
            }
            else if (item.Signal == LiveSignal.Resync || signal == LiveSignal.None)
            {
                signal = item.Signal;
            }
        }

        return signal;
    }

    private static async Task ReadAfreshAsync(HttpResponse response, Feed feed, System.Threading.Channels.ChannelReader<LiveEvent> events, CancellationToken cancellationToken)
    {
        // What waits in the channel is older than the read below, which sees it all.
        Drain(events, new Dictionary<string, TaskContainer>(StringComparer.Ordinal));
        var message = await feed.ReadAfreshAsync(cancellationToken).ConfigureAwait(false);
        if (message is not null)
        {
            await WriteAsync(response, Message(message.Event, message.Data, message.Position), cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync(response, Message("status", "{\"live\":true}", null), cancellationToken).ConfigureAwait(false);
    }

    private static string Message(string eventName, string data, long? position)
    {
        var builder = new StringBuilder(data.Length + 64);
        if (position is { } id)
        {
            builder.Append("id: ").Append(id.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        // The data is JSON on one line (System.Text.Json escapes line breaks inside strings).
        return builder.Append("event: ").Append(eventName).Append("\ndata: ").Append(data).Append("\n\n").ToString();
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
