using System.Text;
using System.Text.Json;

namespace PersistentTaskStatus.Dashboard.Tests.Infrastructure;

/// <summary>One item of a Server-Sent Events stream: an event (with its id and data), or a comment line.</summary>
public sealed record StreamItem(string? Id, string Event, string Data, string? Comment)
{
    public JsonElement Json() => JsonDocument.Parse(Data).RootElement;

    public bool IsComment => Comment is not null;

    public override string ToString() => IsComment ? $": {Comment}" : $"event {Event} (id {Id}): {Data}";

    /// <summary>The keys of the rows an update carries.</summary>
    public string[] RowKeys => Json().TryGetProperty("rows", out var rows) ? rows.EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToArray() : [];
}

/// <summary>Reads a dashboard event stream as a browser's EventSource would, over a plain HTTP connection.</summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private EventStreamReader(HttpResponseMessage response, Stream body)
    {
        this.response = response;
        reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response => response;

    public static async Task<EventStreamReader> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, DashboardTestContext.Token);
        response.EnsureSuccessStatusCode();
        return new EventStreamReader(response, await response.Content.ReadAsStreamAsync(DashboardTestContext.Token));
    }

    /// <summary>The next event or comment; null at the end of the stream.</summary>
    public async Task<StreamItem?> ReadAsync(TimeSpan? timeout = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(DashboardTestContext.Token);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(120));
        string? id = null;
        string eventName = "message";
        var data = new StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(limit.Token);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (data.Length > 0 || id is not null)
                {
                    return new StreamItem(id, eventName, data.ToString(), null);
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                return new StreamItem(null, "", "", line[1..].Trim());
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": eventName = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }
    }

    /// <summary>The next event named <paramref name="eventName"/>, skipping comments and other events.</summary>
    public async Task<StreamItem> NextAsync(string eventName, TimeSpan? timeout = null)
    {
        while (true)
        {
            var item = await ReadAsync(timeout) ?? throw new InvalidOperationException($"The stream ended before a '{eventName}' event.");
            if (item.Event == eventName)
            {
                return item;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
